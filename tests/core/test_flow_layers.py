"""Every flow layer: exact inverse, and log-det equal to autograd's slogdet.

Parameters are randomised first (a freshly built coupling is the identity, and a
test on a layer with log|det| = 0 proves nothing — flowjax #208), and each test
checks that the log-dets it compares are far from zero.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import multivariate_normal

from explorer.core.flow.config import Architecture
from explorer.core.flow.layers import (
    ActNorm,
    AffineCoupling,
    Layer,
    Mix2x2,
    Planar,
    determinant_lemma,
)
from explorer.core.flow.model import FlowModel, layer_jacobians, logdet_error


def _randomise(module: torch.nn.Module, seed: int, std: float = 0.6) -> None:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(std * torch.randn(p.shape, generator=gen, dtype=p.dtype))


def _layers() -> dict[str, Layer]:
    return {
        "coupling-x0": AffineCoupling(16, flip=False),
        "coupling-x1": AffineCoupling(16, flip=True),
        "actnorm": ActNorm(),
        "learned-2x2": Mix2x2(0.7, learned=True),
        "planar": Planar(),
    }


@pytest.fixture(params=list(_layers()))
def layer(request: pytest.FixtureRequest) -> Layer:
    made = _layers()[request.param]
    _randomise(made, seed=len(request.param))
    return made.double()


def _points(n: int = 64, seed: int = 3) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return 1.5 * torch.randn(n, 2, generator=gen, dtype=torch.float64)


def test_inverse_is_exact(layer: Layer) -> None:
    x = _points()
    y, _ = layer.to_z(x)
    assert float((y - x).abs().max()) > 0.05  # the layer really moves points
    back = layer.to_x(y)
    assert float((back - x).abs().max()) < 1e-5
    # and the other way round: to_z(to_x(y)) = y
    y2, _ = layer.to_z(layer.to_x(x))
    assert float((y2 - x).abs().max()) < 1e-5


def test_logdet_matches_autograd_slogdet(layer: Layer) -> None:
    x = _points(12)
    _, logdet = layer.to_z(x)
    for i in range(len(x)):
        jac = torch.autograd.functional.jacobian(
            lambda v: layer.to_z(v[None])[0][0], x[i]
        )
        sign, slog = torch.linalg.slogdet(jac)
        assert float(sign) != 0.0
        assert float(logdet[i]) == pytest.approx(float(slog), abs=1e-9)
    assert float(logdet.abs().max()) > 0.05  # non-zero log-dets were compared


def test_coupling_jacobian_is_triangular() -> None:
    layer = AffineCoupling(16, flip=False)
    _randomise(layer, 5)
    layer = layer.double()
    x = torch.tensor([0.3, -0.8], dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda v: layer.to_z(v[None])[0][0], x)
    # y0 depends on x1 (through s, t); y1 = x1: the row of x1 is (0, 1)
    assert float(jac[1, 0]) == 0.0 and float(jac[1, 1]) == 1.0
    assert abs(float(jac[0, 1])) > 1e-3
    s, _ = layer._st(x[None, 1:2])
    assert float(jac[0, 0]) == pytest.approx(math.exp(float(s[0])), rel=1e-12)


def test_planar_keeps_invertibility_condition() -> None:
    layer = Planar()
    with torch.no_grad():
        layer.w.copy_(torch.tensor([1.0, 0.0]))
        layer.u.copy_(torch.tensor([-5.0, 0.0]))  # wᵀu = −5 would fold the plane
    assert float(layer.w @ layer.u_hat()) > -1.0


def test_planar_matches_the_determinant_lemma() -> None:
    layer = Planar()
    _randomise(layer, 11, std=1.0)
    layer = layer.double()
    x = _points(8)
    _, logdet = layer.to_z(x)
    u, w, b = layer.u_hat().detach(), layer.w.detach(), layer.b.detach()
    for i in range(len(x)):
        hp = 1.0 - torch.tanh(w @ x[i] + b) ** 2
        lemma = determinant_lemma(torch.eye(2, dtype=torch.float64), hp * u, w)
        full = torch.linalg.det(
            torch.eye(2, dtype=torch.float64) + hp * torch.outer(u, w)
        )
        assert float(lemma) == pytest.approx(float(full), rel=1e-12)
        assert float(logdet[i]) == pytest.approx(math.log(abs(float(lemma))), abs=1e-12)


def test_determinant_lemma_with_a_general_matrix() -> None:
    gen = torch.Generator().manual_seed(0)
    for _ in range(5):
        a = torch.randn(3, 3, generator=gen, dtype=torch.float64) + 3 * torch.eye(
            3, dtype=torch.float64
        )
        u = torch.randn(3, generator=gen, dtype=torch.float64)
        v = torch.randn(3, generator=gen, dtype=torch.float64)
        want = torch.linalg.det(a + torch.outer(u, v))
        assert float(determinant_lemma(a, u, v)) == pytest.approx(
            float(want), rel=1e-10
        )


@pytest.mark.parametrize(
    "arch",
    [
        Architecture(layers=3, hidden=8, mix="learned", actnorm=True),
        Architecture(layers=3, hidden=8, mix="rotation", actnorm=False),
        Architecture(layers=3, kind="planar"),
    ],
    ids=["coupling-learned", "coupling-rotation", "planar"],
)
def test_flow_log_prob_is_change_of_variables(arch: Architecture) -> None:
    model = FlowModel(arch, seed=1)
    _randomise(model, 2, std=0.5)
    model = model.double()
    x = _points(6)
    logp = model.log_prob(x)
    for i in range(len(x)):
        jac = torch.autograd.functional.jacobian(
            lambda v: model.to_z(v[None])[0][0], x[i]
        )
        z, _ = model.to_z(x[i : i + 1])
        _, slog = torch.linalg.slogdet(jac)
        want = multivariate_normal(np.zeros(2), np.eye(2)).logpdf(z[0].detach().numpy())
        assert float(logp[i]) == pytest.approx(want + float(slog), abs=1e-8)
    back = model.to_x(model.to_z(x)[0])
    assert float((back - x).abs().max()) < 1e-5
    model = model.float()
    assert logdet_error(model, x.float().numpy()) < 1e-4


def test_per_layer_logdets_sum_to_the_total() -> None:
    model = FlowModel(Architecture(layers=4, hidden=8, mix="learned"), seed=0)
    _randomise(model, 7, std=0.5)
    point = np.array([0.4, -1.1])
    jacs = layer_jacobians(model, point)
    assert len(jacs) == len(model.layer_list)
    x = torch.as_tensor(point[None], dtype=torch.float32)
    _, total = model.to_z(x)
    assert sum(j.logdet_formula for j in jacs) == pytest.approx(float(total), abs=1e-4)
    for j in jacs:
        assert j.logdet_formula == pytest.approx(j.logdet_autograd, abs=1e-9)
    assert max(abs(j.logdet_formula) for j in jacs) > 0.05


def test_x_equals_2z_in_each_coordinate() -> None:
    # actnorm with scale 1/2: z = x / 2, so p(x) = N(x; 0, 4 I)
    layer = ActNorm()
    with torch.no_grad():
        layer.log_scale.fill_(-math.log(2.0))
    model = FlowModel(Architecture(layers=1, actnorm=True), seed=0)
    model.layers = torch.nn.ModuleList([layer])
    logp = float(model.log_prob(torch.zeros(1, 2))[0])
    want = multivariate_normal(np.zeros(2), 4 * np.eye(2)).logpdf([0.0, 0.0])
    assert logp == pytest.approx(want, abs=1e-6)
    assert want == pytest.approx(2 * -1.6121, abs=1e-4)
