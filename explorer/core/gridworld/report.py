"""How a grid-world job says where it is: one wording for the CLI and the panel."""

from __future__ import annotations

from explorer.core.gridworld.config import GridProgress


def episode_message(finished: int, total: int, step: int, *, ended: bool) -> str:
    """Return "episode k/N, step t" while an episode runs, "… done" at its end.

    ``finished`` counts the episodes already over (the one that just ended
    included), so the count never passes ``total``.
    """
    if ended:
        return f"episode {finished}/{total} done in {step} steps"
    return f"episode {min(finished + 1, total)}/{total}, step {step}"


def not_converged_reason(gamma: float) -> str:
    """Say why DP may not reach θ: γ = 1 without guaranteed termination, or too few
    sweeps."""
    if gamma >= 1.0:
        return (
            "with γ = 1 the values settle only if every episode ends, and in this "
            "world an episode need not reach a terminal, so the values can grow "
            "without bound: use γ < 1"
        )
    return "raise the sweep limit or θ"


def dp_outcome(progress: GridProgress, *, gamma: float, theta: float) -> str:
    """Return "converged after N sweeps" or "did NOT converge …, because …".

    ``progress`` is a DP job's last report.
    """
    sweeps = f"{progress.step:,} sweep{'s' if progress.step != 1 else ''}"
    if progress.converged:
        return f"converged after {sweeps}"
    delta = float(progress.deltas[-1]) if progress.deltas.size else float("nan")
    return (
        f"did NOT converge after {sweeps} (max |Δv| = {delta:.3g}, θ = {theta:g}): "
        + not_converged_reason(gamma)
    )
