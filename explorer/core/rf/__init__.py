"""Receptive fields of CNN stacks: the arithmetic, real architectures, effective RFs.

The modules, lowest first (none imports a later one):

- :mod:`~explorer.core.rf.names` the choices offered (torch-free)
- :mod:`~explorer.core.rf.layers` layers, branches, stacks
- :mod:`~explorer.core.rf.recurrence` output sizes, the RF recurrences
- :mod:`~explorer.core.rf.stack_json` stacks as JSON, edits
- :mod:`~explorer.core.rf.modules` stacks walked off ``torch.nn`` modules
- :mod:`~explorer.core.rf.archs` the built-in architectures (torch)
- :mod:`~explorer.core.rf.stack_module` runnable models of user stacks (torch)
- :mod:`~explorer.core.rf.inputs`, :mod:`~explorer.core.rf.taps` digits, layer taps
- :mod:`~explorer.core.rf.features`, :mod:`~explorer.core.rf.erf` feature maps, ERFs
- :mod:`~explorer.core.rf.live` the live MNIST CNN;
  :mod:`~explorer.core.rf.heatmap` ERF maps as RGB

This package re-exports the torch-free API; the torch modules are imported where
used (``from explorer.core.rf.erf import erf_job``) so that importing it stays light.
"""

from __future__ import annotations

from explorer.core.rf.layers import (
    MAX_NODES,
    MAX_SIZE,
    Branch,
    Layer,
    LayerKind,
    MergeOp,
    Node,
    Pair,
    PoolOp,
    Stack,
    StackError,
)
from explorer.core.rf.modules import arch_stack, load_stack, stack_from_module
from explorer.core.rf.names import (
    ARCH_NAMES,
    ARCH_SPECS,
    ARCHS,
    INPUT_KINDS,
    LIVE_ARCH,
    WEIGHTS,
    ArchSpec,
    InputKind,
    Weights,
)
from explorer.core.rf.recurrence import (
    Box,
    Geometry,
    Row,
    analyze,
    compose,
    misaligned_rows,
    output_size,
    table_text,
)
from explorer.core.rf.stack_json import (
    set_layer,
    stack_from_dict,
    stack_from_json,
    stack_to_dict,
)

__all__ = [
    "ARCHS",
    "ARCH_NAMES",
    "ARCH_SPECS",
    "INPUT_KINDS",
    "LIVE_ARCH",
    "MAX_NODES",
    "MAX_SIZE",
    "WEIGHTS",
    "ArchSpec",
    "Box",
    "Branch",
    "Geometry",
    "InputKind",
    "Layer",
    "LayerKind",
    "MergeOp",
    "Node",
    "Pair",
    "PoolOp",
    "Row",
    "Stack",
    "StackError",
    "Weights",
    "analyze",
    "arch_stack",
    "compose",
    "load_stack",
    "misaligned_rows",
    "output_size",
    "set_layer",
    "stack_from_dict",
    "stack_from_json",
    "stack_from_module",
    "stack_to_dict",
    "table_text",
]
