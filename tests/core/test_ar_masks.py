"""PixelCNN masks and the blind spot, read from the real stack's input gradient.

The expected fields are derived independently: the offsets a stack can reach are
the Minkowski sum of its layers' kernel offsets (mask A first, mask B after), and
for a 3 × 3 stack the counts have a closed form (see the docstring of
``test_counts_closed_form``).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from explorer.core.ar import masks

torch.set_num_threads(1)


def mask_offsets(kernel: int, kind: str) -> set[tuple[int, int]]:
    """The van den Oord et al. 2016 convention, written as offsets (dy, dx)."""
    r = kernel // 2
    out = {(dy, dx) for dy in range(-r, 0) for dx in range(-r, r + 1)}
    out |= {(0, dx) for dx in range(-r, 0)}
    if kind == "B":
        out.add((0, 0))
    return out


def minkowski_field(layers: int, kernel: int) -> set[tuple[int, int]]:
    field = mask_offsets(kernel, "A")
    for _ in range(layers - 1):
        field = {
            (a + c, b + d)
            for (a, b), (c, d) in itertools.product(field, mask_offsets(kernel, "B"))
        }
    return field


def test_masks_follow_van_den_oord():
    a, b = masks.conv_mask(3, "A"), masks.conv_mask(3, "B")
    assert a.tolist() == [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    assert b.tolist() == [[1, 1, 1], [1, 1, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="mask type"):
        masks.conv_mask(3, "C")


@pytest.mark.parametrize("layers", [1, 2, 3, 4])
def test_counts_closed_form(layers):
    """3 × 3, A then B: 4, 11, 21, 34 pixels; L(L − 1)/2 blind in the upper right.

    The bounding box of L layers spans rows −L … 0 and columns −L … L; its earlier
    pixels are L·(2L + 1) above plus L to the left = 2L(L + 1).  Every kernel
    offset that moves right (dx = +1) also moves up a row, so row −m reaches only
    dx ≤ m: the L − m pixels right of that in each row m = 1 … L − 1 are blind,
    L(L − 1)/2 in all, and the field has 2L(L + 1) − L(L − 1)/2 pixels.
    """
    assert [2 * n * (n + 1) - n * (n - 1) // 2 for n in (1, 2, 3, 4)] == [4, 11, 21, 34]
    field, blind = masks.offsets("pixelcnn", layers, 3)
    expected_field = minkowski_field(layers, 3)
    assert set(field) == expected_field
    assert len(field) == [4, 11, 21, 34][layers - 1]
    assert len(blind) == layers * (layers - 1) // 2
    assert masks.expected_counts(layers) == (len(field), len(blind))
    # the blind spot lies above the centre row and to the right of the centre
    assert all(dy < 0 and dx > 0 for dy, dx in blind)
    # and it is exactly the box's earlier pixels the Minkowski sum misses
    box = {
        (dy, dx)
        for dy in range(-layers, 1)
        for dx in range(-layers, layers + 1)
        if dy < 0 or dx < 0
    }
    assert set(blind) == box - expected_field


@pytest.mark.parametrize(("layers", "kernel"), [(2, 5), (3, 5), (2, 7)])
def test_larger_kernels_match_minkowski(layers, kernel):
    field, blind = masks.offsets("pixelcnn", layers, kernel)
    assert set(field) == minkowski_field(layers, kernel)
    assert blind and all(dy < 0 and dx > 0 for dy, dx in blind)


@pytest.mark.parametrize(("layers", "kernel"), [(1, 3), (2, 3), (4, 3), (3, 5)])
def test_gated_stack_has_no_blind_spot(layers, kernel):
    field, blind = masks.offsets("gated", layers, kernel)
    assert blind == []
    r = kernel // 2
    n = layers * r
    # the vertical stack sees (nr + 1) full rows above, the horizontal n pixels left
    expected = {(dy, dx) for dy in range(-n - 1, 0) for dx in range(-n, n + 1)}
    expected |= {(0, dx) for dx in range(-n, 0)}
    assert set(field) == expected


@pytest.mark.parametrize("arch", ["pixelcnn", "gated"])
def test_no_pixel_sees_the_future(arch):
    model = masks.build_stack(arch, 4, 3)
    for row, col in [(0, 0), (5, 5), (9, 0), (3, 9), (9, 9)]:
        spot = masks.blind_spot(model, 10, 10, row, col)
        assert spot.leaks == 0
        assert not spot.seen[row, col]


def test_first_pixel_sees_nothing_and_borders_cut_the_field():
    model = masks.build_stack("pixelcnn", 3, 3)
    assert masks.blind_spot(model, 28, 28, 0, 0).field_size == 0
    # one row down at the left edge: row −1 reaches dx ≤ 1 only (then blind)
    spot = masks.blind_spot(model, 28, 28, 1, 0)
    assert set(zip(*np.nonzero(spot.seen), strict=True)) == {(0, 0), (0, 1)}
    assert set(zip(*np.nonzero(spot.blind), strict=True)) == set()


def test_bad_stacks_are_refused():
    with pytest.raises(ValueError, match="at least one layer"):
        masks.build_stack("pixelcnn", 0, 3)
    with pytest.raises(ValueError, match="odd"):
        masks.build_stack("pixelcnn", 2, 4)
    with pytest.raises(ValueError, match="outside"):
        masks.dependency_map(masks.build_stack("pixelcnn", 1, 3), 5, 5, 5, 0)
