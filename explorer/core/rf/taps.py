"""Models of a stack and taps on their layers (forward hooks that read outputs)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

from explorer.core.rf.archs import build_arch
from explorer.core.rf.layers import Stack, StackError
from explorer.core.rf.names import ARCHS
from explorer.core.rf.stack_module import module_from_stack


class _Reached(Exception):
    """Raised by a forward hook to stop the forward pass at the tapped module."""


def features_at(model: nn.Module, name: str, x: Tensor) -> Tensor:
    """Return the output of ``model``'s submodule ``name`` for input ``x``.

    The forward pass stops there, so the rest of the network (and its head) is not
    computed.

    Raises
    ------
    StackError
        When the model has no such submodule or never calls it.
    """
    try:
        target = model.get_submodule(name)
    except AttributeError:
        raise StackError(f"the model has no layer {name!r}") from None
    captured: list[Tensor] = []

    def hook(_m: nn.Module, _inp: object, out: Tensor) -> None:
        captured.append(out)
        raise _Reached

    handle = target.register_forward_hook(hook)
    try:
        model(x)
    except _Reached:
        pass
    finally:
        handle.remove()
    if not captured:
        raise StackError(f"layer {name!r} is not used by the model's forward pass")
    return captured[0]


def layer_outputs(model: nn.Module, names: list[str], x: Tensor) -> dict[str, Tensor]:
    """Return the outputs of the submodules ``names`` in one forward pass of ``x``."""
    captured: dict[str, Tensor] = {}
    handles = []
    for name in names:
        module = model.get_submodule(name)

        def hook(_m: nn.Module, _inp: object, out: Tensor, name: str = name) -> None:
            captured[name] = out.detach().clone()

        handles.append(module.register_forward_hook(hook))
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return captured


def build_model(stack: Stack, arch: str | None) -> nn.Module:
    """Return a fresh trunk for ``stack`` (a built-in ``arch`` or a user stack)."""
    if arch is not None:
        if arch not in ARCHS:
            raise StackError(f"unknown architecture {arch!r}")
        return build_arch(arch, head=False)
    return module_from_stack(stack)


def load_trunk_state(
    model: nn.Module, state: Mapping[str, NDArray[np.floating]]
) -> None:
    """Load trained weights into a trunk built with ``head=False`` (no head weights).

    Raises
    ------
    StackError
        When the weights do not fit the trunk (another architecture).
    """
    trunk = {
        k: torch.from_numpy(np.asarray(v))
        for k, v in state.items()
        if not k.startswith("classifier")
    }
    try:
        missing, _ = model.load_state_dict(trunk, strict=False)
    except RuntimeError as exc:
        raise StackError(
            f"the trained weights do not fit this network: {exc}"
        ) from None
    if missing:
        raise StackError(f"the trained weights lack {', '.join(missing[:3])}")
