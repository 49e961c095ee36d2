"""The convolution layer against scipy.signal and torch: correlation, convolution,
the seed's output size, the band matrix and the backward pass three ways."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import signal

from explorer.core.conv import (
    LayerConfig,
    apply,
    backward,
    conv_matrix,
    correlate,
    flipped_full,
    is_point_symmetric,
    kernel_preset,
    output_size,
    parse_kernel,
    parse_matrix,
    transposed,
    window_terms,
)
from explorer.core.conv.names import KERNEL_NAMES


def _torch_corr(x: np.ndarray, k: np.ndarray, s: int, p: int, d: int) -> np.ndarray:
    out = F.conv2d(
        torch.tensor(x)[None, None],
        torch.tensor(k)[None, None],
        stride=s,
        padding=p,
        dilation=d,
    )
    return out[0, 0].numpy()


def test_correlation_and_convolution_match_scipy_valid() -> None:
    rng = np.random.default_rng(0)
    for kh, kw in ((3, 3), (2, 5), (1, 2), (4, 1)):
        x = rng.normal(size=(11, 9))
        k = rng.normal(size=(kh, kw))
        corr = apply(x, k, LayerConfig(mode="corr"))
        conv = apply(x, k, LayerConfig(mode="conv"))
        np.testing.assert_allclose(corr, signal.correlate2d(x, k, mode="valid"))
        np.testing.assert_allclose(conv, signal.convolve2d(x, k, mode="valid"))


def test_padding_matches_scipy_full() -> None:
    rng = np.random.default_rng(1)
    x, k = rng.normal(size=(7, 8)), rng.normal(size=(3, 3))
    # padding k − 1 with zeros is scipy's "full" mode
    out = apply(x, k, LayerConfig(mode="conv", padding=2))
    np.testing.assert_allclose(out, signal.convolve2d(x, k, mode="full"))


@pytest.mark.parametrize(
    ("s", "p", "d"), [(1, 0, 1), (2, 1, 1), (3, 2, 2), (1, 3, 3), (2, 0, 2)]
)
def test_stride_padding_dilation_match_torch(s: int, p: int, d: int) -> None:
    rng = np.random.default_rng(s * 100 + p * 10 + d)
    x, k = rng.normal(size=(13, 10)), rng.normal(size=(3, 2))
    for mode in ("corr", "conv"):
        cfg = LayerConfig(mode=mode, stride=s, padding=p, dilation=d)
        kk = k if mode == "corr" else k[::-1, ::-1].copy()
        np.testing.assert_allclose(apply(x, k, cfg), _torch_corr(x, kk, s, p, d))


def test_seed_size_formula_is_the_real_output_shape_over_a_grid() -> None:
    x = np.zeros((1, 1, 17, 17))
    for n, k, s, p, d in itertools.product(
        (5, 8, 17), (1, 2, 3, 5), (1, 2, 3), (0, 1, 2), (1, 2, 3)
    ):
        span = d * (k - 1) + 1
        if span > n + 2 * p:
            with pytest.raises(ValueError, match="kernel spans"):
                correlate(
                    np.zeros((n, n)), np.ones((k, k)), stride=s, padding=p, dilation=d
                )
            continue
        real = F.conv2d(
            torch.tensor(x[..., :n, :n]),
            torch.ones(1, 1, k, k, dtype=torch.float64),
            stride=s,
            padding=p,
            dilation=d,
        ).shape[-1]
        assert output_size(n, k, s, p, d) == real
        ours = correlate(
            np.zeros((n, n)), np.ones((k, k)), stride=s, padding=p, dilation=d
        )
        assert ours.shape == (real, real)


def test_correlation_equals_convolution_iff_point_symmetric() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(9, 9))
    for name in KERNEL_NAMES:
        k = kernel_preset(name)
        same = np.allclose(
            apply(x, k, LayerConfig()), apply(x, k, LayerConfig(mode="conv"))
        )
        assert same == is_point_symmetric(k), name
    sym = rng.normal(size=(3, 3))
    sym = sym + sym[::-1, ::-1]
    assert is_point_symmetric(sym)
    np.testing.assert_allclose(
        apply(x, sym, LayerConfig()), apply(x, sym, LayerConfig(mode="conv"))
    )


def test_window_terms_sum_to_the_output_cell() -> None:
    rng = np.random.default_rng(3)
    x, k = rng.normal(size=(8, 8)), rng.normal(size=(3, 3))
    for mode in ("corr", "conv"):
        cfg = LayerConfig(mode=mode, stride=2, padding=1, dilation=2)
        out = apply(x, k, cfg)
        for i, j in ((0, 0), (1, 2), (out.shape[0] - 1, out.shape[1] - 1)):
            terms = window_terms(x, k, cfg, i, j)
            assert len(terms) == 9
            total = sum(t.weight * t.value for t in terms)
            assert total == pytest.approx(out[i, j])
            # the weights are the formula's K(m, n), in kernel order
            assert [t.weight for t in terms] == list(k.ravel())
            assert all(t.value == 0 for t in terms if t.padded)
    # correlation: K(0, 0) multiplies the window's top-left pixel, I(s·i − p, s·j − p)
    t0 = window_terms(x, k, LayerConfig(stride=2, padding=0), 1, 2)[0]
    assert (t0.row, t0.col) == (2, 4)
    # convolution: K(0, 0) multiplies the bottom-right pixel of the window, I(i − m)
    t0 = window_terms(x, k, LayerConfig(mode="conv"), 1, 2)[0]
    assert (t0.row, t0.col) == (3, 4)


@pytest.mark.parametrize("mode", ["corr", "conv"])
@pytest.mark.parametrize(("s", "p", "d"), [(1, 0, 1), (2, 1, 1), (1, 1, 2), (2, 2, 1)])
def test_band_matrix_and_its_transpose(mode: str, s: int, p: int, d: int) -> None:
    rng = np.random.default_rng(4)
    x, k = rng.normal(size=(6, 5)), rng.normal(size=(3, 2))
    cfg = LayerConfig(mode=mode, stride=s, padding=p, dilation=d)
    c = conv_matrix(x.shape, k, cfg)
    out = apply(x, k, cfg)
    assert c.shape == (out.size, x.size)
    np.testing.assert_allclose(c @ x.ravel(), out.ravel())
    g = rng.normal(size=out.shape)
    ct_g = (c.T @ g.ravel()).reshape(x.shape)
    np.testing.assert_allclose(transposed(g, k, x.shape, cfg), ct_g, atol=1e-12)
    # torch's conv_transpose2d (the adjoint of conv2d), with output_padding filling
    # the rows the last stride step never reached
    kk = torch.tensor(k if mode == "corr" else k[::-1, ::-1].copy())[None, None]
    op = [
        (n + 2 * p - d * (kn - 1) - 1) % s
        for n, kn in zip(x.shape, k.shape, strict=True)
    ]
    tt = F.conv_transpose2d(
        torch.tensor(g)[None, None],
        kk,
        stride=s,
        padding=p,
        dilation=d,
        output_padding=op,
    )[0, 0].numpy()
    np.testing.assert_allclose(tt, ct_g, atol=1e-12)
    np.testing.assert_allclose(flipped_full(g, k, x.shape, cfg), ct_g, atol=1e-12)


def test_1d_band_matrix_has_the_kernel_on_its_diagonals() -> None:
    k = np.array([[1.0, 2.0, 3.0]])
    c = conv_matrix((1, 6), k, LayerConfig())
    assert c.shape == (4, 6)
    for offset, value in enumerate((1.0, 2.0, 3.0)):
        np.testing.assert_array_equal(np.diagonal(c, offset), np.full(4, value))
    assert np.count_nonzero(c) == 12


def test_matrix_refuses_a_huge_input() -> None:
    with pytest.raises(ValueError, match="at most 256"):
        conv_matrix((10_000, 10_000), np.ones((3, 3)), LayerConfig())


def test_backward_three_ways_agree_with_stride_one_full_convolution() -> None:
    rng = np.random.default_rng(5)
    x, k = rng.normal(size=(7, 6)), rng.normal(size=(3, 3))
    for mode in ("corr", "conv"):
        b = backward(x, k, LayerConfig(mode=mode))
        assert b.max_difference < 1e-10
        assert b.w_max_difference < 1e-10
        # stride 1: δ^(l−1) is the full correlation of δ with ROT180 of the kernel
        # the layer correlates with (K_eff), which is scipy's full convolution with it
        k_eff = k if mode == "corr" else k[::-1, ::-1]
        np.testing.assert_allclose(b.flipped, signal.convolve2d(b.delta, k_eff, "full"))
        np.testing.assert_allclose(
            b.flipped, signal.correlate2d(b.delta, k_eff[::-1, ::-1], "full")
        )
        assert b.loss == pytest.approx(0.5 * float((b.output**2).sum()))


@pytest.mark.parametrize(("s", "p", "d"), [(2, 1, 1), (3, 0, 2), (2, 2, 2)])
def test_backward_three_ways_agree_with_stride_padding_dilation(
    s: int, p: int, d: int
) -> None:
    rng = np.random.default_rng(6)
    x, k = rng.normal(size=(12, 11)), rng.normal(size=(3, 2))
    for mode in ("corr", "conv"):
        b = backward(x, k, LayerConfig(mode=mode, stride=s, padding=p, dilation=d))
        assert b.max_difference < 1e-10
        assert b.w_max_difference < 1e-10
        assert np.abs(b.autograd).max() > 0.1  # not trivially zero


def test_parse_kernel_and_matrix() -> None:
    np.testing.assert_array_equal(parse_kernel("1,2;3,4"), [[1, 2], [3, 4]])
    np.testing.assert_allclose(parse_kernel("box:5"), np.full((5, 5), 1 / 25))
    np.testing.assert_array_equal(parse_kernel("diff"), [[-1, 1]])
    g = parse_kernel("gaussian")
    assert g.sum() == pytest.approx(1.0) and is_point_symmetric(g)
    for bad, match in (
        ("1,2;3", "ragged"),
        ("1,nan;3,4", "not finite"),
        ("1,x", "not a number"),
        ("sharpen", "unknown kernel"),
        ("box:99", "kernel size"),
        ("", "empty"),
        ("1e400", "not finite"),
    ):
        with pytest.raises(ValueError, match=match):
            parse_kernel(bad) if bad else parse_matrix(bad)
    with pytest.raises(ValueError, match="at most 9"):
        parse_kernel(";".join([",".join(["1"] * 10)] * 10))


def test_analysis_bundles_the_same_numbers() -> None:
    from explorer.core.conv.analysis import analyse, shrink

    rng = np.random.default_rng(7)
    x, k = rng.random((20, 18)), rng.normal(size=(3, 3))
    a = analyse(x, k, LayerConfig(mode="conv", stride=2), cell=(99, 1), filters=3)
    expected = signal.convolve2d(x, k, "valid")[::2, ::2]
    np.testing.assert_allclose(a.output, expected)
    np.testing.assert_allclose(a.other, signal.correlate2d(x, k, "valid")[::2, ::2])
    assert a.cell == (a.output.shape[0] - 1, 1)  # clamped into the output
    assert sum(t.weight * t.value for t in a.terms) == pytest.approx(a.output[a.cell])
    # the bank: your kernel, then the presets (box, Gaussian) in order
    assert a.bank_names == ["your kernel", "box", "gaussian"]
    box = signal.convolve2d(x, np.full((3, 3), 1 / 9), "valid")[::2, ::2]
    np.testing.assert_allclose(a.bank[1], box)
    # the small input is the image averaged down: means of 4 × 3 blocks here
    np.testing.assert_allclose(shrink(x, 5, 6), x.reshape(5, 4, 6, 3).mean(axis=(1, 3)))
    assert a.matrix.forward_error < 1e-12 and a.matrix.transpose_error < 1e-12
    assert a.backward.max_difference < 1e-10
    np.testing.assert_array_equal(
        a.upsampling.pooled.output, x.reshape(10, 2, 9, 2).max(axis=(1, 3))
    )
