"""Stacks read off ``torch.nn`` modules: real architectures and the catalogue.

:func:`stack_from_module` walks a module; :func:`arch_stack` builds a built-in
architecture (see :mod:`explorer.core.rf.names`) on PyTorch's ``meta`` device and
walks it; :func:`load_stack` takes an architecture name or a stack JSON file.
torch is imported only when a module is walked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from explorer.core.rf.layers import (
    Branch,
    Layer,
    MergeOp,
    Node,
    Pair,
    Stack,
    StackError,
    as_pair,
)
from explorer.core.rf.names import ARCH_NAMES, ARCHS
from explorer.core.rf.recurrence import analyze
from explorer.core.rf.stack_json import stack_from_json

if TYPE_CHECKING:
    from torch import nn


def stack_from_module(
    module: nn.Module, input_size: int | Pair, *, name: str = "", in_channels: int = 3
) -> Stack:
    """Return the conv / pool trunk of a ``torch.nn`` module, found by walking it.

    Containers are walked in registration order; convolutions and pooling become
    layers; modules with a ``rf_paths()`` method (residual and Inception blocks,
    see :mod:`explorer.core.rf.archs`) become branches; normalisation,
    activations and dropout do not move the field and are skipped.  The walk stops
    at the first adaptive pool, flatten or linear layer (the classifier head).

    Raises
    ------
    StackError
        For a module type whose effect on the field is unknown.
    """
    nodes, _ = _walk_module(module, "")
    return Stack(
        name=name or type(module).__name__.lower(),
        input_size=as_pair(input_size, "input size", minimum=1, where="stack"),
        nodes=tuple(nodes),
        in_channels=in_channels,
    )


def _walk_module(module: nn.Module, prefix: str) -> tuple[list[Node], bool]:
    """Return the nodes of ``module`` and whether the classifier head was reached."""
    from torch import nn

    paths_fn = getattr(module, "rf_paths", None)
    if callable(paths_fn):
        paths: list[tuple[Node, ...]] = []
        for child_names in paths_fn():
            path: list[Node] = []
            for child in child_names:
                sub, _ = _walk_module(
                    module.get_submodule(child),
                    f"{prefix}.{child}" if prefix else child,
                )
                path.extend(sub)
            paths.append(tuple(path))
        merge: MergeOp = getattr(module, "rf_merge", "concat")
        return [Branch(name=prefix or "block", paths=tuple(paths), merge=merge)], False
    if isinstance(module, nn.Conv2d):
        if isinstance(module.padding, str):
            raise StackError(
                f"{prefix}: padding={module.padding!r} is not supported; "
                "give the padding as numbers"
            )
        return [
            Layer(
                name=prefix,
                kind="conv",
                kernel=_tup(module.kernel_size),
                stride=_tup(module.stride),
                padding=_tup(module.padding),
                dilation=_tup(module.dilation),
                channels=module.out_channels,
            )
        ], False
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        dilation = getattr(module, "dilation", 1)
        return [
            Layer(
                name=prefix,
                kind="pool",
                kernel=_tup(module.kernel_size),
                stride=_tup(module.stride or module.kernel_size),
                padding=_tup(module.padding),
                dilation=_tup(dilation),
                ceil_mode=bool(module.ceil_mode),
                pool_op="max" if isinstance(module, nn.MaxPool2d) else "avg",
            )
        ], False
    if isinstance(
        module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d, nn.Flatten, nn.Linear)
    ):
        return [], True
    if isinstance(
        module,
        (
            nn.ReLU,
            nn.ReLU6,
            nn.LeakyReLU,
            nn.GELU,
            nn.Tanh,
            nn.Sigmoid,
            nn.SiLU,
            nn.ELU,
            nn.BatchNorm2d,
            nn.GroupNorm,
            nn.LayerNorm,
            nn.InstanceNorm2d,
            nn.Dropout,
            nn.Dropout2d,
            nn.Identity,
            nn.LocalResponseNorm,
        ),
    ):
        return [], False
    children = list(module.named_children())
    if not children:
        raise StackError(
            f"{prefix or 'model'}: cannot tell how a "
            f"{type(module).__name__} changes the receptive field"
        )
    nodes: list[Node] = []
    for child_name, child in children:
        sub, head = _walk_module(
            child, f"{prefix}.{child_name}" if prefix else child_name
        )
        nodes.extend(sub)
        if head:
            return nodes, True
    return nodes, False


def _tup(v: int | tuple[int, ...]) -> Pair:
    if isinstance(v, int):
        return (v, v)
    return (int(v[0]), int(v[-1]))


def arch_stack(key: str, input_size: int | Pair | None = None) -> Stack:
    """Return the stack of the built-in architecture ``key`` (see :data:`ARCHS`).

    The model is built on PyTorch's ``meta`` device (no weights are allocated) and
    walked with :func:`stack_from_module`.

    Raises
    ------
    StackError
        For an unknown key or an input too small for the network.
    """
    import torch

    from explorer.core.rf.archs import build_arch

    info = ARCHS.get(key)
    if info is None:
        raise StackError(
            f"unknown architecture {key!r}; choose one of {', '.join(ARCH_NAMES)}"
        )
    with torch.device("meta"):
        model = build_arch(key)
    stack = stack_from_module(
        model, input_size or info.input_size, name=key, in_channels=info.in_channels
    )
    analyze(stack)  # raise now when the input is too small
    return stack


def load_stack(spec: str, input_size: int | None = None) -> Stack:
    """Return the stack named by ``spec``: an architecture key or a JSON file path.

    Raises
    ------
    StackError
        For an unknown name, an unreadable file or an invalid stack.
    """
    if spec in ARCHS:
        return arch_stack(spec, input_size)
    path = Path(spec)
    if path.suffix.lower() != ".json" and not path.exists():
        raise StackError(
            f"{spec!r} is neither an architecture ({', '.join(ARCH_NAMES)})"
            " nor a stack JSON file"
        )
    if not path.exists():
        raise StackError(f"no such stack file: {spec}")
    stack = stack_from_json(path)
    if input_size is not None:
        stack = stack.with_input_size(input_size)
    analyze(stack)
    return stack
