"""The receptive-field panel's jobs: wrappers that import torch off the GUI thread."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from explorer.core.rf import ARCH_NAMES, LIVE_ARCH


def startup_job() -> Iterator[tuple[str, Any]]:
    """Yield the held-out digits, then the stack of every built-in architecture."""
    import torch

    # Small models run faster on one thread here, and the GUI thread stays fluid.
    torch.set_num_threads(1)
    # imported here, off the GUI thread, so that starting the live CNN is instant
    import explorer.core.rf.live  # noqa: F401
    from explorer.core.rf import arch_stack
    from explorer.core.rf.inputs import mnist_split

    yield ("digits", mnist_split()[1].images)
    for key in (LIVE_ARCH, *[k for k in ARCH_NAMES if k != LIVE_ARCH]):
        yield ("stack", (key, arch_stack(key)))


def feature_job(*args: Any, **kwargs: Any) -> Iterator[Any]:
    """Yield :func:`explorer.core.rf.features.feature_job`'s report."""
    from explorer.core.rf.features import feature_job

    yield from feature_job(*args, **kwargs)


def erf_job(*args: Any, **kwargs: Any) -> Iterator[Any]:
    """Yield :func:`explorer.core.rf.erf.erf_job`'s reports (``cfg`` as a dict)."""
    from explorer.core.rf.erf import ErfConfig, erf_job

    yield from erf_job(args[0], ErfConfig(**kwargs.pop("cfg")), **kwargs)
