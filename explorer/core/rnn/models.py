"""The three cells as small torch modules, unrolled by hand so every state is kept.

The LSTM's parameters have the shapes and gate order of ``torch.nn.LSTM``
(``weight_ih``: 4n × d, ``weight_hh``: 4n × n, rows i, f, g, o), so its weights
can be copied into one (``tests/core/test_rnn_models.py`` checks they agree).
Unrolling by hand costs little at these sizes and lets the training loop
read ∂L/∂h^k (∂L/∂c^k) for every k and the gates of one example.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from explorer.core.rnn.matrices import random_orthogonal


@dataclass
class Unrolled:
    """What a forward pass returns: the readout and every memory state.

    ``states[k]`` is the state the gradient-vs-k plot is about (h for the RNN,
    c for the LSTM and the naive cell), k = 0…T (k = 0: the initial zeros);
    ``gates`` holds the LSTM's (B, T, n) gate activations f, i, o, g.
    """

    output: torch.Tensor
    states: list[torch.Tensor]
    gates: dict[str, torch.Tensor]


class _Cell(nn.Module):
    def __init__(
        self, n_in: int, hidden: int, n_out: int, init_scale: float, seed: int
    ) -> None:
        super().__init__()
        self.hidden = hidden
        self.readout = nn.Linear(hidden, n_out)
        self._rng = np.random.default_rng(seed)
        self._init_scale = init_scale

    def _orthogonal(self) -> torch.Tensor:
        q = random_orthogonal(self.hidden, self._rng)
        return torch.as_tensor(self._init_scale * q, dtype=torch.float32)

    def unroll(self, x: torch.Tensor, *, keep_grad: bool = False) -> Unrolled:
        """Return the readout of the last state and all the states."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the readout after the whole sequence ``x`` (B, T, d)."""
        return self.unroll(x).output


class VanillaRNN(_Cell):
    """``h^t = tanh(W_ih x^t + W_hh h^(t−1) + b)``; W_hh starts as scale × orthogonal.

    Training runs ``torch.nn.RNN`` (its loop is C++); :meth:`unroll` runs the
    same weights step by step in Python, keeping every state.
    """

    def __init__(
        self, n_in: int, hidden: int, n_out: int, init_scale: float = 1.0, seed: int = 0
    ) -> None:
        super().__init__(n_in, hidden, n_out, init_scale, seed)
        self.rnn = nn.RNN(n_in, hidden, batch_first=True)
        with torch.no_grad():
            _weight(self.rnn, "weight_hh_l0").copy_(self._orthogonal())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the readout after the whole sequence ``x`` (B, T, d)."""
        out, _ = self.rnn(x)
        last: torch.Tensor = self.readout(out[:, -1])
        return last

    def unroll(self, x: torch.Tensor, *, keep_grad: bool = False) -> Unrolled:
        w_ih, w_hh, b_ih, b_hh = (
            _weight(self.rnn, f"{k}_l0")
            for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        )
        h = x.new_zeros(x.shape[0], self.hidden).requires_grad_(keep_grad)
        states = [h]
        drive = x @ w_ih.T + b_ih + b_hh  # all inputs at once
        for t in range(x.shape[1]):
            if keep_grad:
                h.retain_grad()
            h = torch.tanh(drive[:, t] + h @ w_hh.T)
            states.append(h)
        if keep_grad:
            h.retain_grad()
        return Unrolled(self.readout(h), states, {})


class LSTM(_Cell):
    """``c_t = f⊙c_(t−1) + i⊙g``, ``h_t = o⊙tanh(c_t)`` (gate order i, f, g, o).

    Training runs ``torch.nn.LSTM``; :meth:`unroll` runs its weights step by
    step and keeps c and the gates.  W_hh's four blocks start as scale ×
    orthogonal and the forget-gate bias at ``forget_bias`` (f ≈ σ(b_f) at the
    start; Gers et al. 2000 and Jozefowicz et al. 2015 raise it so that the
    cell remembers before it has learnt to).
    """

    def __init__(
        self,
        n_in: int,
        hidden: int,
        n_out: int,
        init_scale: float = 1.0,
        seed: int = 0,
        forget_bias: float = 1.0,
    ) -> None:
        super().__init__(n_in, hidden, n_out, init_scale, seed)
        n = hidden
        self.lstm = nn.LSTM(n_in, hidden, batch_first=True)
        with torch.no_grad():
            _weight(self.lstm, "weight_hh_l0").copy_(
                torch.cat([self._orthogonal() for _ in range(4)], 0)
            )
            _weight(self.lstm, "bias_ih_l0")[n : 2 * n] = forget_bias
            _weight(self.lstm, "bias_hh_l0")[n : 2 * n] = 0.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the readout after the whole sequence ``x`` (B, T, d)."""
        out, _ = self.lstm(x)
        last: torch.Tensor = self.readout(out[:, -1])
        return last

    def unroll(self, x: torch.Tensor, *, keep_grad: bool = False) -> Unrolled:
        n = self.hidden
        w_ih, w_hh, b_ih, b_hh = (
            _weight(self.lstm, f"{k}_l0")
            for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        )
        h = x.new_zeros(x.shape[0], n)
        c = x.new_zeros(x.shape[0], n).requires_grad_(keep_grad)
        states = [c]
        gates: dict[str, list[torch.Tensor]] = {"f": [], "i": [], "o": [], "g": []}
        drive = x @ w_ih.T + b_ih + b_hh
        for t in range(x.shape[1]):
            if keep_grad:
                c.retain_grad()
            z = drive[:, t] + h @ w_hh.T
            i = torch.sigmoid(z[:, :n])
            f = torch.sigmoid(z[:, n : 2 * n])
            g = torch.tanh(z[:, 2 * n : 3 * n])
            o = torch.sigmoid(z[:, 3 * n :])
            c = f * c + i * g
            h = o * torch.tanh(c)
            states.append(c)
            for name, value in (("f", f), ("i", i), ("o", o), ("g", g)):
                gates[name].append(value)
        if keep_grad:
            c.retain_grad()
        stacked = {k: torch.stack(v, 1) for k, v in gates.items()}
        return Unrolled(self.readout(h), states, stacked)


class NaiveMemory(_Cell):
    """``g^t = tanh(W_gh h^(t−1) + W_gx x^t + b)``, ``c^t = W_c c^(t−1) + W_g g^t``,
    ``h^t = tanh(c^t)``: a memory without gates (W_c starts as scale × orthogonal).
    """

    def __init__(
        self, n_in: int, hidden: int, n_out: int, init_scale: float = 1.0, seed: int = 0
    ) -> None:
        super().__init__(n_in, hidden, n_out, init_scale, seed)
        n = hidden
        self.weight_c = nn.Parameter(self._orthogonal())
        self.weight_g = nn.Parameter(torch.randn(n, n) / np.sqrt(n))
        self.weight_gh = nn.Parameter(torch.randn(n, n) / np.sqrt(n))
        self.weight_gx = nn.Parameter(torch.randn(n, n_in) / np.sqrt(n_in))
        self.bias = nn.Parameter(torch.zeros(n))

    def unroll(self, x: torch.Tensor, *, keep_grad: bool = False) -> Unrolled:
        h = x.new_zeros(x.shape[0], self.hidden)
        c = x.new_zeros(x.shape[0], self.hidden).requires_grad_(keep_grad)
        states = [c]
        drive = x @ self.weight_gx.T + self.bias
        for t in range(x.shape[1]):
            if keep_grad:
                c.retain_grad()
            g = torch.tanh(drive[:, t] + h @ self.weight_gh.T)
            c = c @ self.weight_c.T + g @ self.weight_g.T
            h = torch.tanh(c)
            states.append(c)
        if keep_grad:
            c.retain_grad()
        return Unrolled(self.readout(h), states, {})


def _weight(module: nn.Module, name: str) -> torch.Tensor:
    """Return parameter ``name`` of a torch RNN module (typed for mypy)."""
    value = getattr(module, name)
    assert isinstance(value, torch.Tensor)
    return value


def make_model(
    cell: str,
    n_in: int,
    hidden: int,
    n_out: int,
    init_scale: float,
    seed: int,
    forget_bias: float = 1.0,
) -> _Cell:
    """Return a fresh ``cell`` model (torch's global RNG seeded with ``seed``)."""
    torch.manual_seed(seed)
    if cell == "lstm":
        return LSTM(n_in, hidden, n_out, init_scale, seed, forget_bias=forget_bias)
    classes: dict[str, type[_Cell]] = {
        "rnn": VanillaRNN,
        "lstm": LSTM,
        "naive": NaiveMemory,
    }
    if cell not in classes:
        raise ValueError(f"unknown cell {cell!r}: use one of {', '.join(classes)}")
    return classes[cell](n_in, hidden, n_out, init_scale=init_scale, seed=seed)
