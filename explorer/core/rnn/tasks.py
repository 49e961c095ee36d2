"""The memory tasks: remember the first symbol, and the adding problem.

Both put what matters at the start (or anywhere) of a length-T sequence and
ask for it only after the last step, so the gradient that teaches the net to
keep it must travel back through all T steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from explorer.core.rnn.names import ADDING_TOLERANCE


@dataclass(frozen=True)
class Batch:
    """Inputs (B, T, d) and targets: class indices (first-symbol) or sums (adding)."""

    x: torch.Tensor
    y: torch.Tensor


def input_size(task: str, symbols: int) -> int:
    """Return d, the size of one input vector."""
    return symbols if task == "first-symbol" else 2


def output_size(task: str, symbols: int) -> int:
    """Return the readout size: one logit per symbol, or one number."""
    return symbols if task == "first-symbol" else 1


def first_symbol_batch(
    batch: int, length: int, symbols: int, gen: torch.Generator
) -> Batch:
    """Return ``batch`` sequences of ``length`` one-hot random symbols.

    The target is the first symbol; the later ones are distractors drawn
    from the same alphabet.
    """
    s = torch.randint(0, symbols, (batch, length), generator=gen)
    x = torch.nn.functional.one_hot(s, symbols).to(torch.float32)
    return Batch(x, s[:, 0])


def adding_batch(batch: int, length: int, gen: torch.Generator) -> Batch:
    """Return the adding problem (Hochreiter & Schmidhuber 1997, §5.4).

    Channel 0 holds uniform numbers in [0, 1], channel 1 marks two positions
    (one in each half of the sequence); the target is the sum of the marked
    numbers.
    """
    values = torch.rand(batch, length, generator=gen)
    half = max(1, length // 2)
    first = torch.randint(0, half, (batch,), generator=gen)
    second = half + torch.randint(0, max(1, length - half), (batch,), generator=gen)
    second = second.clamp(max=length - 1)
    marks = torch.zeros(batch, length)
    rows = torch.arange(batch)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    y = (values * marks).sum(1)
    return Batch(torch.stack([values, marks], 2), y)


def make_batch(
    task: str, batch: int, length: int, symbols: int, gen: torch.Generator
) -> Batch:
    """Return a batch of ``task``."""
    if task == "first-symbol":
        return first_symbol_batch(batch, length, symbols, gen)
    if task == "adding":
        return adding_batch(batch, length, gen)
    raise ValueError(f"unknown task {task!r}: use first-symbol or adding")


def loss_and_accuracy(
    task: str, output: torch.Tensor, y: torch.Tensor
) -> tuple[torch.Tensor, float]:
    """Return the loss and the accuracy of ``output`` on targets ``y``.

    first-symbol: cross-entropy and the fraction named right; adding: the mean
    squared error and the fraction within :data:`ADDING_TOLERANCE` of the sum.
    """
    if task == "first-symbol":
        loss = torch.nn.functional.cross_entropy(output, y)
        acc = float((output.argmax(1) == y).float().mean())
        return loss, acc
    pred = output[:, 0]
    loss = torch.mean((pred - y) ** 2)
    acc = float(((pred - y).abs() < ADDING_TOLERANCE).float().mean())
    return loss, acc
