"""The formula cards of the GAN panel: each objective as the course writes it."""

from __future__ import annotations

_D_STAR = "<br>D*(x) = p<sub>data</sub>(x) / (p<sub>data</sub>(x) + p<sub>g</sub>(x))"
FORMULAS: dict[str, tuple[str, str]] = {
    "minimax": (
        "min<sub>G</sub> max<sub>D</sub> E<sub>x</sub>[log D(x)] + "
        "E<sub>z</sub>[log(1 − D(G(z)))]" + _D_STAR,
        "Goodfellow et al. 2014, eq. 1 and Prop. 1",
    ),
    "non-saturating": (
        "D: max E<sub>x</sub>[log D(x)] + E<sub>z</sub>[log(1 − D(G(z)))]<br>"
        "G: max E<sub>z</sub>[log D(G(z))]" + _D_STAR,
        "Goodfellow et al. 2014, §3 and Prop. 1",
    ),
    "unrolled": (
        "θ<sub>D</sub><sup>k+1</sup> = θ<sub>D</sub><sup>k</sup> − η "
        "∇<sub>θ<sub>D</sub></sub>L<sub>D</sub>"
        "(θ<sub>G</sub>, θ<sub>D</sub><sup>k</sup>)<br>"
        "G: min L<sub>G</sub>(θ<sub>G</sub>, θ<sub>D</sub><sup>K</sup>(θ<sub>G</sub>, "
        "θ<sub>D</sub>)), differentiated through all K steps",
        "Metz et al. 2016, Unrolled GANs, §2",
    ),
    "wgan-gp": (
        "L<sub>C</sub> = E<sub>z</sub>[C(G(z))] − E<sub>x</sub>[C(x)] + "
        "λ E<sub>x̂</sub>[(‖∇C(x̂)‖<sub>2</sub> − 1)<sup>2</sup>]<br>"
        "G: min −E<sub>z</sub>[C(G(z))]",
        "Gulrajani et al. 2017, eq. 3 (WGAN-GP)",
    ),
}
