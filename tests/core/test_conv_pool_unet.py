"""Max-pooling, the four upsamplers, overlap counts, the U-Net walker, IoU and the
FCN-vs-U-Net job, against torch and the U-Net paper's numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from explorer.core.conv import (
    SegmentConfig,
    bed_of_nails,
    downsample_to,
    iou,
    max_pool,
    max_pool_backward,
    max_unpool,
    nearest,
    overlap_count,
    pattern,
    train,
    transposed_upsample,
    unet_sizes,
    upsample,
)
from explorer.core.conv.names import PATTERN_NAMES
from explorer.core.progress import LocalControl


def test_max_pool_of_one_to_sixteen_and_unpooling() -> None:
    x = np.arange(1.0, 17.0).reshape(4, 4)
    pooled = max_pool(x, 2, 2)
    np.testing.assert_array_equal(pooled.output, [[6, 8], [14, 16]])
    back = max_unpool(pooled.output, pooled)
    expected = np.zeros((4, 4))
    for v in (6, 8, 14, 16):
        expected[x == v] = v
    np.testing.assert_array_equal(back, expected)


def test_max_pool_matches_torch_forward_and_backward() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(9, 8))
    for size, stride in ((2, 2), (3, 2), (3, 3), (2, 1)):
        pooled = max_pool(x, size, stride)
        t = torch.tensor(x)[None, None].requires_grad_(True)
        out, idx = F.max_pool2d(t, size, stride, return_indices=True)
        np.testing.assert_allclose(pooled.output, out[0, 0].detach().numpy())
        np.testing.assert_array_equal(pooled.argmax, idx[0, 0].numpy())
        g = rng.normal(size=pooled.output.shape)
        out.backward(torch.tensor(g)[None, None])
        np.testing.assert_allclose(max_pool_backward(g, pooled), t.grad[0, 0].numpy())


def test_max_pool_gradient_is_one_at_the_max_zero_elsewhere() -> None:
    x = np.array([[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 9.0, 1.0]])
    pooled = max_pool(x, 2, 2)
    grad = max_pool_backward(np.ones_like(pooled.output), pooled)
    np.testing.assert_array_equal(grad, (x == 5) | (x == 9))


def test_nearest_and_bed_of_nails() -> None:
    y = np.array([[1.0, 2.0], [3.0, 4.0]])
    t = F.interpolate(torch.tensor(y)[None, None], scale_factor=2, mode="nearest")
    np.testing.assert_array_equal(nearest(y, 2), t[0, 0].numpy())
    nails = bed_of_nails(y, 2)
    np.testing.assert_array_equal(nails[::2, ::2], y)
    assert nails.sum() == y.sum() and np.count_nonzero(nails) == 4
    np.testing.assert_array_equal(upsample("nearest", y), nearest(y, 2))
    with pytest.raises(ValueError, match="indices"):
        upsample("max-unpool", y)


@pytest.mark.parametrize(("k", "s", "p"), [(3, 2, 0), (4, 2, 1), (2, 2, 0), (3, 1, 1)])
def test_transposed_upsample_matches_torch(k: int, s: int, p: int) -> None:
    rng = np.random.default_rng(k * 10 + s)
    y, w = rng.normal(size=(5, 4)), rng.normal(size=(k, k))
    t = F.conv_transpose2d(
        torch.tensor(y)[None, None], torch.tensor(w)[None, None], stride=s, padding=p
    )
    np.testing.assert_allclose(transposed_upsample(y, w, s, p), t[0, 0].numpy())


def test_overlap_checkerboard_for_k3_s2_and_even_for_k4_s2() -> None:
    odd = overlap_count(6, 3, 2)
    interior = odd[2:-2, 2:-2]
    # k = 3, s = 2: even rows and columns get two kernels each way, odd ones one
    r, c = np.indices(interior.shape)
    expected = np.where(r % 2 == 0, 2, 1) * np.where(c % 2 == 0, 2, 1)
    np.testing.assert_array_equal(interior, expected)
    assert set(np.unique(interior)) == {1, 2, 4}
    even = overlap_count(6, 4, 2)
    assert np.all(even[2:-2, 2:-2] == 4)
    # every kernel entry lands somewhere: the counts add up to n² k²
    assert odd.sum() == 36 * 9 and even.sum() == 36 * 16


def test_unet_572_to_388_with_the_papers_crops() -> None:
    stages = unet_sizes(572, 4, "valid")
    assert stages[0].size == 572 and stages[-1].size == 388
    crops = [s.crop for s in stages if s.crop is not None]
    assert crops == [(64, 56), (136, 104), (280, 200), (568, 392)]
    bottom = next(s for s in stages if s.name.startswith("bottom"))
    assert bottom.size == 28 and bottom.channels == 1024


def test_unet_same_padding_keeps_sizes_and_needs_no_crop() -> None:
    stages = unet_sizes(256, 4, "same")
    assert stages[-1].size == 256
    assert all(s.crop is None for s in stages)
    assert min(s.size for s in stages) == 256 // 16


def test_unet_refuses_odd_pools_and_tiny_inputs_with_a_suggestion() -> None:
    with pytest.raises(ValueError, match=r"odd map.*572"):
        unet_sizes(570, 4, "valid")
    with pytest.raises(ValueError, match="too small"):
        unet_sizes(16, 4, "valid")
    with pytest.raises(ValueError, match="depth"):
        unet_sizes(572, 9, "valid")


def test_iou_against_sets() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.random((5, 7)) > 0.5, rng.random((5, 7)) > 0.4
    sa = {tuple(p) for p in np.argwhere(a)}
    sb = {tuple(p) for p in np.argwhere(b)}
    assert iou(a, b) == pytest.approx(len(sa & sb) / len(sa | sb))
    assert iou(np.zeros((2, 2), bool), np.zeros((2, 2), bool)) == 1.0


def test_patterns_and_downsampling() -> None:
    for name in PATTERN_NAMES:
        p = pattern(name, 28)
        assert p.shape == (28, 28) and p.min() >= 0 and p.max() <= 1 and p.std() > 0
    big = np.arange(200.0 * 130).reshape(200, 130)
    small = downsample_to(big, 64)
    assert max(small.shape) <= 64
    assert small.mean() == pytest.approx(big.mean(), rel=0.05)


def test_segmentation_job_learns_and_unet_beats_fcn() -> None:
    torch.set_num_threads(1)
    cfg = SegmentConfig(steps=60, eval_every=30, train_digits=256)
    snaps = list(train(cfg, seed=0))
    assert [s.step for s in snaps] == [0, 30, 60]
    first, last = snaps[0], snaps[-1]
    assert set(last.iou) == {"fcn", "unet"}
    assert last.masks["unet"].shape == (4, 28, 28)
    assert last.iou["unet"] > first.iou["unet"] + 0.2
    assert last.iou["unet"] > last.iou["fcn"]


def test_segmentation_speed_knob_and_single_arch() -> None:
    cfg = SegmentConfig(
        archs=("fcn",), steps=30, eval_every=5, train_digits=64, channels=2
    )
    snaps = list(train(cfg, seed=1, control=LocalControl(speed=15)))
    assert [s.step for s in snaps] == [0, 15, 30]
    assert set(snaps[-1].iou) == {"fcn"}
    # the same seed gives the same run
    again = list(train(cfg, seed=1, control=LocalControl(speed=15)))[-1]
    assert again.iou == snaps[-1].iou
    np.testing.assert_array_equal(again.masks["fcn"], snaps[-1].masks["fcn"])
