"""WaveNet's receptive fields and self-attention, against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from explorer.core.ar import attention, wavenet

torch.set_num_threads(1)


def test_wavenet_doubling_sees_1024_samples():
    dilations = [2**i for i in range(10)]  # 1, 2, 4, …, 512
    assert wavenet.receptive_field(dilations, 2) == 1024
    offsets = wavenet.gradient_field(dilations, 2)
    # the real stack's gradient reaches every one of the last 1,024 samples
    assert offsets.tolist() == list(range(-1023, 1))
    assert wavenet.milliseconds(1024, 16_000) == pytest.approx(64.0)


@pytest.mark.parametrize("layers", [1, 3, 6])
def test_ones_grow_linearly_and_doubling_exponentially(layers):
    ones = wavenet.preset_dilations("ones", layers)
    doubling = wavenet.preset_dilations("doubling", layers)
    assert wavenet.receptive_field(ones, 2) == layers + 1
    assert wavenet.receptive_field(doubling, 2) == 2**layers
    assert wavenet.receptive_field(ones, 3) == 2 * layers + 1


@pytest.mark.parametrize(
    ("dilations", "kernel"), [((1, 2, 4), 3), ((1, 1, 2, 4, 1, 2, 4), 2), ((3, 5), 4)]
)
def test_tree_agrees_with_the_gradient(dilations, kernel):
    levels = wavenet.tree(dilations, kernel)
    assert levels[-1].tolist() == [0]
    assert len(levels) == len(dilations) + 1
    assert levels[0].tolist() == wavenet.gradient_field(dilations, kernel).tolist()
    # 1 + Σ (k − 1)·d when the offsets leave no gap (a contiguous field)
    span = -int(levels[0].min()) + 1
    assert span == wavenet.receptive_field(dilations, kernel)


def test_bad_dilations_are_refused():
    with pytest.raises(ValueError, match="empty"):
        wavenet.check_dilations([], 2)
    with pytest.raises(ValueError, match="dilation"):
        wavenet.check_dilations([1, 0], 2)
    with pytest.raises(ValueError, match="kernel"):
        wavenet.check_dilations([1], 1)


def softmax_rows(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("causal", [False, True])
def test_attention_rows_sum_to_one_and_match_numpy(causal):
    x = attention.random_inputs(9, 5, seed=3)
    att = attention.attention(x, causal=causal, seed=7)
    np.testing.assert_allclose(att.alpha.sum(axis=1), 1.0, atol=1e-12)
    scores = att.q @ att.k.T / math.sqrt(5)
    if causal:
        scores = np.where(np.triu(np.ones((9, 9)), 1) > 0, -np.inf, scores)
    np.testing.assert_allclose(att.alpha, softmax_rows(scores), atol=1e-12)
    # Q, K, V are linear in X (the same seeded W for both calls)
    twice = attention.attention(2 * x, causal=causal, seed=7)
    np.testing.assert_allclose(twice.q, 2 * att.q, atol=1e-12)
    np.testing.assert_allclose(twice.v, 2 * att.v, atol=1e-12)
    np.testing.assert_allclose(att.out, att.alpha @ att.v, atol=1e-12)
    future = att.alpha[np.triu_indices(9, 1)]
    if causal:
        assert np.all(future == 0.0)  # exactly zero, not just small
        assert att.alpha[0, 0] == 1.0
    else:
        assert np.all(future > 0.0)


def test_word_inputs_are_one_hot_letters():
    x = attention.word_inputs("Hello", 8)
    assert x.shape == (5, 8)
    np.testing.assert_array_equal(x.sum(axis=1), 1.0)
    # letters e, h, l, o → columns 0, 1, 2, 3; the two l's share a column
    assert x.argmax(axis=1).tolist() == [1, 0, 2, 2, 3]
    with pytest.raises(ValueError, match="different letters"):
        attention.word_inputs("abcdef", 4)
    with pytest.raises(ValueError, match="type a word"):
        attention.word_inputs("  ", 4)


def test_attention_refuses_too_long_sequences():
    with pytest.raises(ValueError, match="4,096"):
        attention.attention(np.zeros((4097, 2)), causal=True)
    with pytest.raises(ValueError, match="4,096"):
        attention.check_lengths([16, 5000])
    with pytest.raises(ValueError, match="at least one"):
        attention.check_lengths([])


def test_cost_measurement_yields_each_length():
    items = list(attention.measure_costs([16, 64], 4, budget_s=0.01))
    assert [p.lengths for p in items] == [(16,), (16, 64)]
    last = items[-1]
    assert set(last.seconds) == set(attention.KINDS)
    assert all(len(v) == 2 and min(v) > 0 for v in last.seconds.values())
