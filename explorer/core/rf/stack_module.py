"""Runnable ``torch.nn`` models of user stacks (custom and JSON-file stacks)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from explorer.core.rf.layers import Branch, Layer, Node, Stack, StackError


class StackBranch(nn.Module):
    """A user stack's multi-path block: paths ``p0``, ``p1``… concatenated or added."""

    def __init__(self, paths: list[nn.Sequential], merge: str) -> None:
        super().__init__()
        for k, path in enumerate(paths):
            self.add_module(f"p{k}", path)
        self.rf_merge = merge
        self._count = len(paths)

    def rf_paths(self) -> tuple[tuple[str, ...], ...]:
        """Return one child per path."""
        return tuple((f"p{k}",) for k in range(self._count))

    def forward(self, x: Tensor) -> Tensor:
        """Return the merged outputs of the paths."""
        outs = [self.get_submodule(f"p{k}")(x) for k in range(self._count)]
        if self.rf_merge == "add":
            width = max(o.shape[1] for o in outs)
            total = torch.zeros_like(outs[0][:, :1]).expand(-1, width, -1, -1).clone()
            for o in outs:
                total[:, : o.shape[1]] += o
            return total
        return torch.cat(outs, 1)


DEFAULT_CHANNELS = 8


def module_from_stack(stack: Stack, activation: bool = True) -> nn.Module:
    """Return a runnable ``torch.nn`` model of a user stack (ReLU after each conv).

    Child names follow the stack's layer names, so walking the result with
    ``stack_from_module`` gives the stack back.  Convolutions without ``channels``
    get :data:`DEFAULT_CHANNELS`.
    """

    def build(
        nodes: tuple[Node, ...], prefix: str, cin: int
    ) -> tuple[nn.Sequential, int]:
        seq = nn.Sequential()
        for node in nodes:
            short = node.name[len(prefix) :]
            if isinstance(node, Branch):
                paths = []
                widths = []
                for k, path in enumerate(node.paths):
                    mod, cout = build(path, f"{node.name}.p{k}.", cin)
                    paths.append(mod)
                    widths.append(cout)
                seq.add_module(short, StackBranch(paths, node.merge))
                cin = sum(widths) if node.merge == "concat" else max(widths)
            elif node.kind == "conv":
                cout = node.channels or DEFAULT_CHANNELS
                seq.add_module(short, _conv(node, cin, cout))
                if activation:
                    seq.add_module(f"{short}_relu", nn.ReLU())
                cin = cout
            else:
                seq.add_module(short, _pool(node))
        return seq, cin

    model, _ = build(stack.nodes, "", stack.in_channels)
    return model


def _conv(layer: Layer, cin: int, cout: int) -> nn.Conv2d:
    return nn.Conv2d(
        cin, cout, layer.kernel, layer.stride, layer.padding, layer.dilation
    )


def _pool(layer: Layer) -> nn.Module:
    if any(p > k // 2 for p, k in zip(layer.padding, layer.kernel, strict=True)):
        raise StackError(
            f"layer {layer.name!r}: PyTorch pooling allows padding of at most half the "
            f"kernel ({layer.kernel[0] // 2} here)"
        )
    if layer.pool_op == "avg":
        if layer.dilation != (1, 1):
            raise StackError(
                f"layer {layer.name!r}: PyTorch's average pooling has no "
                "dilation; use max pooling"
            )
        return nn.AvgPool2d(layer.kernel, layer.stride, layer.padding, layer.ceil_mode)
    return nn.MaxPool2d(
        layer.kernel,
        layer.stride,
        layer.padding,
        layer.dilation,
        ceil_mode=layer.ceil_mode,
    )
