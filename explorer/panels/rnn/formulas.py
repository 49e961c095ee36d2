"""The RNN panel's formula cards: the course's formulas first, with their sources."""

from __future__ import annotations

GRADIENT = (
    "∂h<sup>T</sup>/∂h<sup>k</sup> = Π<sub>t=k+1…T</sub> "
    "W<sub>hh</sub><sup>⊤</sup> diag f′(h<sup>t−1</sup>), &nbsp; "
    "‖∂h<sup>T</sup>/∂h<sup>k</sup>‖ ≤ η<sup>T−k</sup>, η = γ σ<sub>max</sub>(W)<br>"
    "linear, W = λQ: h<sup>t</sup> = (W<sup>⊤</sup>)<sup>t</sup> h<sup>1</sup> "
    "= Q<sup>⊤</sup>Λ<sup>t</sup>Q h<sup>1</sup>, so ‖·‖ = λ<sup>T−k</sup>"
)
GRADIENT_SOURCE = (
    "Pascanu, Mikolov & Bengio 2013, eqs. 3–7 (γ = max f′ = 1 for tanh); the "
    "plot is the 2-norm of the product for one random input sequence"
)
MEMORY = (
    "c<sub>t</sub> = f⊙c<sub>t−1</sub> + i⊙g, &nbsp; "
    "h<sub>t</sub> = o⊙tanh(c<sub>t</sub>)<br>"
    "f = 1, i = 0 ⇒ ∂c<sub>T</sub>/∂c<sub>0</sub> = I (the gradient is carried "
    "unchanged)<br>naive: c<sup>t</sup> = W<sub>c</sub>c<sup>t−1</sup> + "
    "W<sub>g</sub>g<sup>t</sup> still multiplies by W<sub>c</sub><br>"
    "clipping: g ← c·g/‖g‖ when ‖g‖ > c"
)
MEMORY_SOURCE = (
    "Hochreiter & Schmidhuber 1997; forget gate: Gers et al. 2000; clipping: "
    "Pascanu et al. 2013, alg. 1. Here: Adam, the forget bias starts at 3, "
    "W_hh at λ × orthogonal; curves are 25-step running means"
)
