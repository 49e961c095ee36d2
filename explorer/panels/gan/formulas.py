"""The formula cards of the GAN panel: each objective as the course writes it.

Each card shows the course's formula first, then in plain words what the code
adds (step counts, optimiser, what the heat map shows), then the paper.  The
three GAN objectives carry Goodfellow et al.'s optimum: at D*, the game's value
for a given G is C(G) = −log 4 + 2·JSD(p_data ‖ p_g), minimal (−log 4) exactly
when p_g = p_data; every card shows that value live.
"""

from __future__ import annotations

from explorer.core.gan.names import capture_rule

_D_STAR = "<br>D*(x) = p<sub>data</sub>(x) / (p<sub>data</sub>(x) + p<sub>g</sub>(x))"
_C_OF_G = (
    "<br>C(G) = −log 4 + 2·JSD(p<sub>data</sub> ‖ p<sub>g</sub>) ≥ −log 4, "
    "= −log 4 iff p<sub>g</sub> = p<sub>data</sub>"
)


def _code(text: str) -> str:
    return f"<p style='font-family: sans-serif'><b>In the code:</b> {text}</p>"


_COMMON = (
    " C(G) below is measured on 2,500 samples binned on a 50 × 50 grid; "
    + capture_rule()
    + "."
)

FORMULAS: dict[str, tuple[str, str]] = {
    "minimax": (
        "min<sub>G</sub> max<sub>D</sub> E<sub>x</sub>[log D(x)] + "
        "E<sub>z</sub>[log(1 − D(G(z)))]"
        + _D_STAR
        + _C_OF_G
        + _code(
            "one Adam step of D (β₁ = 0.5), then one of G descending on "
            "log(1 − D(G(z))) — D is never trained to D*, and G's gradient "
            "vanishes where D rejects its samples." + _COMMON
        ),
        "Goodfellow et al. 2014, eq. 1, Prop. 1 and Thm. 1",
    ),
    "non-saturating": (
        "D: max E<sub>x</sub>[log D(x)] + E<sub>z</sub>[log(1 − D(G(z)))]<br>"
        "G: max E<sub>z</sub>[log D(G(z))]"
        + _D_STAR
        + _C_OF_G
        + _code(
            "as minimax, but G ascends on log D(G(z)): the same fixed point with "
            "strong early gradients — and G may chase D from mode to mode." + _COMMON
        ),
        "Goodfellow et al. 2014, §3, Prop. 1 and Thm. 1",
    ),
    "unrolled": (
        "θ<sub>D</sub><sup>k+1</sup> = θ<sub>D</sub><sup>k</sup> − η "
        "∇<sub>θ<sub>D</sub></sub>L<sub>D</sub>"
        "(θ<sub>G</sub>, θ<sub>D</sub><sup>k</sup>)<br>"
        "G: min L<sub>G</sub>(θ<sub>G</sub>, θ<sub>D</sub><sup>K</sup>(θ<sub>G</sub>, "
        "θ<sub>D</sub>)), differentiated through all K steps"
        + _C_OF_G
        + _code(
            "G's loss is the minimax one against a copy of D after K = k SGD steps "
            "(step η) on fresh minibatches, back-propagated through them; the real "
            "D then takes one ordinary Adam step." + _COMMON
        ),
        "Metz et al. 2016, Unrolled GANs, §2",
    ),
    "wgan-gp": (
        "L<sub>C</sub> = E<sub>z</sub>[C(G(z))] − E<sub>x</sub>[C(x)] + "
        "λ E<sub>x̂</sub>[(‖∇C(x̂)‖<sub>2</sub> − 1)<sup>2</sup>]<br>"
        "G: min −E<sub>z</sub>[C(G(z))]"
        + _code(
            "n_critic critic steps per G step, Adam β = (0.5, 0.9), λ = 0.1 as in "
            "the paper's toy code; the heat map is C(x) minus its mean, and the "
            "critic C is not the game value C(G) below." + _COMMON
        ),
        "Gulrajani et al. 2017, eq. 3 and Alg. 1 (WGAN-GP)",
    ),
}
