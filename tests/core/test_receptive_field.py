"""Receptive-field arithmetic: hand-derived small stacks, branches, classic networks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from explorer.core.rf import (
    Box,
    Branch,
    Layer,
    Stack,
    StackError,
    analyze,
    arch_stack,
    load_stack,
    output_size,
    set_layer,
    stack_from_dict,
    stack_from_json,
    stack_from_module,
    stack_to_dict,
)
from explorer.core.rf.stack_module import module_from_stack


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """Small models run far faster on one thread on this shared 2-core machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def conv(name: str, k: int, s: int = 1, p: int = 0, d: int = 1) -> Layer:
    return Layer(
        name=name,
        kind="conv",
        kernel=(k, k),
        stride=(s, s),
        padding=(p, p),
        dilation=(d, d),
    )


# conv 3×3 p1 → max pool 2×2/2 → conv 3×3 dilation 2, p2, on a 16×16 input
SMALL = Stack(
    name="small",
    input_size=(16, 16),
    nodes=(
        conv("c1", 3, p=1),
        Layer(name="pool", kind="pool", kernel=(2, 2), stride=(2, 2)),
        conv("c2", 3, p=2, d=2),
    ),
)


@pytest.mark.parametrize(
    ("n", "k", "s", "p", "d", "ceil", "expected"),
    [
        (7, 3, 2, 1, 1, False, 4),  # (7 + 2 - 2 - 1)/2 + 1 = 4
        (10, 3, 1, 0, 2, False, 6),  # dilated kernel spans 5: 10 - 5 + 1
        (224, 11, 4, 2, 1, False, 55),  # AlexNet conv1: floor(217/4) + 1
        (112, 3, 2, 0, 1, True, 56),  # GoogLeNet pool: ceil(109/2) + 1
        (112, 3, 2, 0, 1, False, 55),
        (4, 5, 1, 0, 1, False, 0),  # kernel larger than the input
    ],
)
def test_output_size_formula(
    n: int, k: int, s: int, p: int, d: int, ceil: bool, expected: int
) -> None:
    assert output_size(n, k, s, p, d, ceil) == expected


def test_small_stack_by_hand() -> None:
    rows = analyze(SMALL)
    # r: 3; then 3 + (2-1)·1 = 4; then 4 + 2·(3-1)·2 = 12.  j: 1, 2, 2.  P: 1, 1, 1+2·2.
    assert [r.geometry.r[0] for r in rows] == [3, 4, 12]
    assert [r.geometry.j[0] for r in rows] == [1, 2, 2]
    assert [r.geometry.p[0] for r in rows] == [1, 1, 5]
    assert [r.output_size for r in rows] == [(16, 16), (8, 8), (8, 8)]
    # unit (3, 2) of c2 sees rows 3·2 − 5 … +11 and columns 2·2 − 5 … +11
    assert rows[-1].geometry.box(3, 2) == Box(top=1, left=-1, bottom=12, right=10)


def _gradient_support(model: nn.Module, size: int, unit: tuple[int, int]) -> Box:
    """Return the bounding box of the input pixels that reach ``unit`` (weights 1)."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.constant_(m.weight, 1.0)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    x = torch.ones(1, 1, size, size, requires_grad=True)
    model(x)[0, :, unit[0], unit[1]].sum().backward()
    assert x.grad is not None
    rows, cols = np.nonzero(x.grad[0, 0].numpy())
    return Box(
        top=int(rows.min()),
        left=int(cols.min()),
        bottom=int(rows.max()),
        right=int(cols.max()),
    )


@pytest.mark.parametrize("unit", [(0, 0), (3, 2), (7, 7)])
def test_box_matches_gradient_support(unit: tuple[int, int]) -> None:
    # An independent check: with positive weights and average pooling, an input
    # pixel reaches a unit exactly when it lies in the unit's receptive field.
    stack = stack_from_dict(
        {
            "input_size": 16,
            "layers": [
                {"type": "conv", "kernel": 3, "padding": 1},
                {"type": "pool", "kernel": 2, "stride": 2, "op": "avg"},
                {"type": "conv", "kernel": 3, "padding": 2, "dilation": 2},
            ],
        }
    )
    model = module_from_stack(stack, activation=False)
    expected = analyze(stack)[-1].geometry.box(*unit).clipped((16, 16))
    assert _gradient_support(model, 16, unit) == expected


def test_two_branch_block_is_the_widest_path() -> None:
    # path A: 3×3 p1 (r 3, P 1); path B: 1×1 then 5×5 p2 (r 5, P 2)
    block = Branch(
        name="block", paths=((conv("a", 3, p=1),), (conv("b1", 1), conv("b2", 5, p=2)))
    )
    stack = Stack(name="two", input_size=(8, 8), nodes=(conv("stem", 3, p=1), block))
    rows = analyze(stack)
    merged = rows[-1]
    assert merged.kind == "concat"
    # stem r 3; path B adds 4 → 7, path A adds 2 → 5; the union is path B's field
    assert merged.geometry.r == (7, 7)
    assert merged.geometry.p == (3, 3)
    assert merged.geometry.misalignment == (0.0, 0.0)
    assert merged.kernel == (5, 5)  # the block alone acts like one 5×5 layer
    names = [r.name for r in rows]
    assert names == ["stem", "a", "b1", "b2", "block"]
    assert [r.depth for r in rows] == [0, 1, 1, 1, 0]


def test_misaligned_branches_are_reported() -> None:
    # 1×1 stride 2 centres unit i on pixel 2i; 2×2 stride 2 on 2i + 0.5
    block = Branch(
        name="block", merge="add", paths=((conv("a", 1, s=2),), (conv("b", 2, s=2),))
    )
    rows = analyze(Stack(name="m", input_size=(8, 8), nodes=(block,)))
    g = rows[-1].geometry
    assert g.size == (4, 4)
    assert g.r == (2, 2)
    assert g.misalignment == (0.5, 0.5)


def test_branches_with_different_sizes_are_refused() -> None:
    block = Branch(name="block", paths=((conv("a", 3),), (conv("b", 3, p=1),)))
    with pytest.raises(StackError, match="cannot be merged"):
        analyze(Stack(name="bad", input_size=(8, 8), nodes=(block,)))


def test_per_axis_values() -> None:
    stack = stack_from_dict(
        {
            "input_size": [20, 30],
            "layers": [
                {"type": "conv", "kernel": [3, 5], "stride": [1, 2], "padding": [1, 0]},
                {"type": "conv", "kernel": 3},
            ],
        }
    )
    g = analyze(stack)[-1].geometry
    # rows: 3 then +2·1 = 5; columns: 5 then +2·2 = 9
    assert g.r == (5, 9)
    assert g.j == (1, 2)
    assert g.size == (18, 11)  # rows 20 → 20 → 18; columns (30-5)/2+1 = 13 → 11


@pytest.mark.parametrize(
    ("arch", "rf", "jump", "size"),
    [
        # VGG-16 pool5: 13 3×3 convs and 5 pools; Araujo et al. 2019, table 1: 212
        ("vgg16", 212, 32, 7),
        # AlexNet pool5: 11 → 19 → 51 → 67 → 99 → 131 → 163 → 195 (stride 32)
        ("alexnet", 195, 32, 6),
        # ResNet-18 layer4: 11 after the stem; +8·4, +8+16·3, +16+32·3, +32+64·3
        ("resnet18", 435, 32, 7),
        # ResNet-50 (stride in the 3×3): 11 + 24 + 8+48 + 16+160 + 32+128
        ("resnet50", 427, 32, 7),
        # LeNet-5 C5 sees the whole 32×32 input
        ("lenet5", 32, 4, 1),
        # dilations 1…32 with 3×3 kernels: 1 + 2·(1+2+…+32) = 127
        ("wavenet", 127, 1, 128),
        # 5 → 6 → 14 → 16 → 24
        ("mnist_cnn", 24, 4, 7),
    ],
)
def test_classic_networks(arch: str, rf: int, jump: int, size: int) -> None:
    last = analyze(arch_stack(arch))[-1]
    assert last.geometry.r == (rf, rf)
    assert last.geometry.j == (jump, jump)
    assert last.output_size == (size, size)


def test_stacked_3x3_versus_one_large_kernel() -> None:
    # VGG's point: three 3×3 layers see what one 7×7 sees
    three = stack_from_dict(
        {
            "input_size": 32,
            "layers": [
                {"type": "conv", "kernel": 3},
                {"type": "conv", "kernel": 3},
                {"type": "conv", "kernel": 3},
            ],
        }
    )
    one = stack_from_dict({"input_size": 32, "layers": [{"type": "conv", "kernel": 7}]})
    assert analyze(three)[-1].geometry.r == analyze(one)[-1].geometry.r == (7, 7)


def test_resnet_shortcut_is_a_branch_path() -> None:
    rows = analyze(arch_stack("resnet18"))
    merge = next(r for r in rows if r.name == "layer2.0")
    assert merge.kind == "add"
    down = next(r for r in rows if r.name == "layer2.0.downsample.0")
    assert down.geometry.r == (43, 43)  # the 1×1 shortcut keeps layer1's field
    assert merge.geometry.r == (67, 67)


def test_module_walk_matches_hand_stack() -> None:
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 4, 3, padding=2, dilation=2),
        nn.Flatten(),
        nn.Linear(4 * 64, 10),
    )
    walked = stack_from_module(model, 16, in_channels=1)
    assert [r.geometry for r in analyze(walked)] == [r.geometry for r in analyze(SMALL)]
    assert [layer.name for layer in walked.layers()] == ["0", "3", "4"]


def test_json_round_trip_through_torch_modules(tmp_path: Path) -> None:
    doc = {
        "input_size": 32,
        "in_channels": 1,
        "layers": [
            {"type": "conv", "kernel": 3, "padding": 1, "channels": 4},
            {
                "type": "branch",
                "merge": "concat",
                "paths": [
                    [{"type": "conv", "kernel": 1, "channels": 2}],
                    [
                        {"type": "pool", "kernel": 3, "padding": 1},
                        {"type": "conv", "kernel": 3, "padding": 1},
                    ],
                ],
            },
            {"type": "pool", "kernel": 2, "stride": 2},
        ],
    }
    path = tmp_path / "net.json"
    path.write_text(json.dumps(doc))
    stack = stack_from_json(path)
    walked = stack_from_module(module_from_stack(stack), 32, name="net", in_channels=1)
    assert [r.as_dict() for r in analyze(walked)] == [
        r.as_dict() for r in analyze(stack)
    ]
    again = stack_from_dict(stack_to_dict(stack))
    assert analyze(again) == analyze(stack)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"layers": [{"type": "dense", "kernel": 3}]}', "unknown layer type 'dense'"),
        (
            '{"layers": [{"type": "conv", "kernel": 3, "padding": -1}]}',
            "padding must be at least 0",
        ),
        ('{"layers": [{"type": "conv", "kernel": 0}]}', "kernel must be at least 1"),
        ('{"layers": [{"type": "conv"}]}', "needs a 'kernel'"),
        ('{"layers": []}', "non-empty"),
        (
            '{"input_size": -4, "layers": [{"type": "conv", "kernel": 3}]}',
            "input_size must be at least 1",
        ),
        ("[1, 2]", "JSON object"),
    ],
)
def test_bad_stack_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(StackError, match=message):
        stack_from_json(path)


def test_output_below_one_pixel_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text('{"input_size": 4, "layers": [{"type": "conv", "kernel": 5}]}')
    with pytest.raises(StackError, match="would be 0"):
        load_stack(str(path))


def test_slider_edit_changes_the_field() -> None:
    wider = set_layer(SMALL, "c2", dilation=3, padding=3)
    # dilation 3: the 3×3 kernel spans 7, adding 6 jumps of 2 to r = 4
    assert analyze(wider)[-1].geometry.r == (16, 16)
    with pytest.raises(StackError, match="no layer"):
        set_layer(SMALL, "nope", dilation=2)


def test_the_one_architecture_table_builds_every_network() -> None:
    from explorer.core.rf import ARCH_NAMES, ARCH_SPECS
    from explorer.core.rf.archs import build_arch

    assert tuple(spec.key for spec in ARCH_SPECS) == ARCH_NAMES
    for spec in ARCH_SPECS:
        with torch.device("meta"):
            model = build_arch(spec.key)
            trunk = build_arch(spec.key, head=False)
        heads = [m for m in model.modules() if isinstance(m, nn.Linear)]
        # the head has the spec's classes; head=False drops every linear layer
        assert heads and heads[-1].out_features == spec.num_classes, spec.key
        assert not any(isinstance(m, nn.Linear) for m in trunk.modules()), spec.key
        stack = arch_stack(spec.key)
        assert stack.input_size == (spec.input_size, spec.input_size)
        assert stack.in_channels == spec.in_channels
    with pytest.raises(StackError, match="unknown architecture"):
        build_arch("resnet1000")
