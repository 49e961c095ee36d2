"""A tiny NeRF trained on images the app renders from the ``scene`` with known cameras.

F_Θ(γ(x)) → (rgb, σ) with the positional encoding of NeRF eq. 4,

    γ(p) = (p, sin(2⁰πp), cos(2⁰πp), …, sin(2^{L−1}πp), cos(2^{L−1}πp)),

(the raw input is kept, as in the tiny_nerf notebook), rendered with NeRF eq. 3
on stratified samples and trained with the photometric MSE.  As in tiny_nerf the
colour does not depend on the viewing direction (the training images have
view-independent, baked shading).  σ uses a softplus (as mip-NeRF) rather than a
ReLU so a tiny CPU network cannot start with all densities dead.  Quality is
reported as PSNR = −10 log₁₀ MSE on a held-out view.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from explorer.core.progress import Progress
from explorer.core.rays.camera import Camera, orbit_camera
from explorer.core.rays.render import RayConfig, render_image
from explorer.core.rays.scenes import Scene

if TYPE_CHECKING:
    import torch

FloatArray = NDArray[np.floating[Any]]


def encoding_size(n_freqs: int, include_input: bool = True) -> int:
    """Return the length of γ(x) for x ∈ R³: 3·2L (+3 with the raw input)."""
    return 3 * 2 * n_freqs + (3 if include_input else 0)


def positional_encoding(
    x: torch.Tensor, n_freqs: int, include_input: bool = True
) -> torch.Tensor:
    """Return γ(x) (NeRF eq. 4) of ``x`` (..., 3): shape (..., encoding_size)."""
    import torch

    parts = [x] if include_input else []
    for k in range(n_freqs):
        parts += [torch.sin((2.0**k) * math.pi * x), torch.cos((2.0**k) * math.pi * x)]
    return torch.cat(parts, dim=-1)


@dataclass(frozen=True)
class NerfConfig:
    """Settings of the tiny NeRF (defaults for a CPU; see :meth:`for_device`)."""

    image_size: int = 32
    n_views: int = 16
    n_samples: int = 32
    n_freqs: int = 6
    hidden: int = 64
    layers: int = 4
    lr: float = 5e-3
    steps: int = 1000
    batch_rays: int = 1024
    near: float = 1.6
    far: float = 4.4
    sharpness: float = 20.0
    eval_every: int = 25
    radius: float = 3.0

    def __post_init__(self) -> None:
        checks = [
            ("image_size", self.image_size, 4, 512),
            ("n_views", self.n_views, 2, 200),
            ("n_samples", self.n_samples, 2, 1024),
            ("n_freqs", self.n_freqs, 0, 16),
            ("hidden", self.hidden, 4, 1024),
            ("layers", self.layers, 1, 16),
            ("steps", self.steps, 1, 1_000_000),
            ("batch_rays", self.batch_rays, 1, 1_000_000),
            ("eval_every", self.eval_every, 1, 1_000_000),
        ]
        for name, value, lo, hi in checks:
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be in [{lo}, {hi}], got {value}")
        if not 0.0 < self.lr <= 1.0:
            raise ValueError(f"learning rate must be in (0, 1], got {self.lr}")
        if not 0.0 <= self.near < self.far:
            raise ValueError(
                f"need 0 ≤ near < far, got near={self.near}, far={self.far}"
            )
        if self.radius <= self.near:
            raise ValueError("the camera radius must be larger than near")

    def for_device(self, device: str) -> NerfConfig:
        """Return this config, enlarged to tiny_nerf's sizes on a CUDA GPU."""
        if not device.startswith("cuda"):
            return self
        return replace(
            self,
            image_size=100,
            n_samples=64,
            n_freqs=6,
            hidden=256,
            layers=8,
            batch_rays=4096,
            lr=5e-4,
        )


def training_cameras(cfg: NerfConfig) -> tuple[list[Camera], Camera]:
    """Return the training cameras (two-elevation orbit) and the held-out one."""
    cams = [
        orbit_camera(
            360.0 * i / cfg.n_views,
            15.0 if i % 2 else 40.0,
            cfg.radius,
            size=cfg.image_size,
        )
        for i in range(cfg.n_views)
    ]
    held_out = orbit_camera(
        360.0 / cfg.n_views / 2.0 + 7.0, 28.0, cfg.radius, size=cfg.image_size
    )
    return cams, held_out


def render_dataset(
    cfg: NerfConfig, scene: Scene | None = None
) -> tuple[FloatArray, FloatArray]:
    """Return (training images (V, H, W, 3), held-out image (H, W, 3)) of the ``scene``.

    The ground truth is rendered with 4× the training samples per ray.
    """
    sc = scene or Scene("scene", sharpness=cfg.sharpness)
    rc = RayConfig(n_samples=4 * cfg.n_samples, near=cfg.near, far=cfg.far)
    cams, held = training_cameras(cfg)
    images = np.stack([render_image(sc, c, rc).rgb for c in cams])
    return images, render_image(sc, held, rc).rgb


def build_nerf(
    cfg: NerfConfig, generator: torch.Generator | None = None
) -> torch.nn.Module:
    """Return the MLP γ(x) → (r, g, b, σ_raw) with ``layers`` hidden ReLU layers."""
    import torch

    dims = [encoding_size(cfg.n_freqs)] + [cfg.hidden] * cfg.layers + [4]
    mods: list[torch.nn.Module] = []
    for i in range(len(dims) - 1):
        lin = torch.nn.Linear(dims[i], dims[i + 1])
        bound = 1.0 / math.sqrt(dims[i])
        torch.nn.init.uniform_(lin.weight, -bound, bound, generator=generator)
        torch.nn.init.uniform_(lin.bias, -bound, bound, generator=generator)
        mods.append(lin)
        if i < len(dims) - 2:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


def query(
    net: torch.nn.Module, pts: torch.Tensor, n_freqs: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (σ (...), rgb (..., 3)) of the network at points (..., 3)."""
    import torch

    raw = net(positional_encoding(pts, n_freqs))
    return torch.nn.functional.softplus(raw[..., 3] - 1.0), torch.sigmoid(raw[..., :3])


def volume_render(
    net: torch.nn.Module,
    origins: torch.Tensor,
    dirs: torch.Tensor,
    cfg: NerfConfig,
    generator: torch.Generator | None,
) -> torch.Tensor:
    """Return the rendered colour (R, 3) of rays (NeRF eq. 3, last δ ends at far).

    With a ``generator`` the samples are stratified (NeRF eq. 2), else bin starts.
    """
    import torch

    n = cfg.n_samples
    h = (cfg.far - cfg.near) / n
    base = torch.arange(n, device=origins.device, dtype=origins.dtype)
    if generator is not None:
        u = torch.rand(origins.shape[0], n, generator=generator).to(origins.device)
    else:
        u = torch.zeros(origins.shape[0], n, device=origins.device)
    t = cfg.near + (base + u) * h
    pts = origins[:, None, :] + t[..., None] * dirs[:, None, :]
    sigma, rgb = query(net, pts, cfg.n_freqs)
    delta = torch.cat([t[:, 1:] - t[:, :-1], cfg.far - t[:, -1:]], dim=-1)
    tau = sigma * delta
    trans = torch.exp(-(torch.cumsum(tau, dim=-1) - tau))
    weights = trans * (1.0 - torch.exp(-tau))
    return (weights[..., None] * rgb).sum(dim=-2)


def psnr(mse: float) -> float:
    """Return the PSNR in dB of a mean squared error on [0, 1] images: −10 log₁₀ MSE."""
    return -10.0 * math.log10(max(mse, 1e-12))


@dataclass(frozen=True, kw_only=True)
class NerfProgress(Progress):
    """One report of the NeRF training.

    ``losses`` holds the training ``mse`` (and ``psnr`` at evaluations);
    ``psnr_history`` the (step, held-out PSNR) pairs so far; ``prediction`` the
    held-out view rendered by the network; ``target`` that view's ground truth
    (first report only); ``state`` the network weights (numpy).
    """

    psnr_history: tuple[tuple[int, float], ...] = ()
    prediction: FloatArray | None = None
    target: FloatArray | None = None
    state: dict[str, FloatArray] | None = None
    device: str = "cpu"
    iterations_per_s: float = 0.0


def train_nerf(
    cfg: NerfConfig, *, seed: int = 0, device: str = "auto"
) -> Iterator[NerfProgress]:
    """Yield progress while training the tiny NeRF on rendered views of the scene."""
    import time

    import torch

    from explorer.core.device import resolve_device

    dev = resolve_device(device)
    images, held_img = render_dataset(cfg)
    cams, held_cam = training_cameras(cfg)
    rays = [c.all_rays() for c in cams]
    origins = torch.as_tensor(
        np.stack([r[0] for r in rays]).reshape(len(cams), -1, 3),
        dtype=torch.float32,
        device=dev,
    )
    dirs = torch.as_tensor(
        np.stack([r[1] for r in rays]).reshape(len(cams), -1, 3),
        dtype=torch.float32,
        device=dev,
    )
    target = torch.as_tensor(
        images.reshape(len(cams), -1, 3), dtype=torch.float32, device=dev
    )
    ho, hd = held_cam.all_rays()
    held_o = torch.as_tensor(ho.reshape(-1, 3), dtype=torch.float32, device=dev)
    held_d = torch.as_tensor(hd.reshape(-1, 3), dtype=torch.float32, device=dev)
    gen = torch.Generator().manual_seed(seed)
    net = build_nerf(cfg, gen).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    history: list[tuple[int, float]] = []
    size = cfg.image_size

    def evaluate(step: int, losses: dict[str, float], rate: float) -> NerfProgress:
        with torch.no_grad():
            pred = (
                torch.cat(
                    [
                        volume_render(
                            net, held_o[i : i + 4096], held_d[i : i + 4096], cfg, None
                        )
                        for i in range(0, held_o.shape[0], 4096)
                    ]
                )
                .cpu()
                .numpy()
                .reshape(size, size, 3)
                .astype(np.float64)
            )
        value = psnr(float(np.mean((pred - held_img) ** 2)))
        history.append((step, value))
        state = {
            k: v.detach().cpu().numpy().copy() for k, v in net.state_dict().items()
        }
        return NerfProgress(
            step=step,
            total=cfg.steps,
            losses={**losses, "psnr": value},
            psnr_history=tuple(history),
            prediction=pred,
            target=held_img if step == 0 else None,
            state=state,
            device=dev,
            iterations_per_s=rate,
            message=f"step {step}/{cfg.steps}: PSNR {value:.2f} dB",
        )

    yield evaluate(0, {}, 0.0)
    all_o, all_d = origins.reshape(-1, 3), dirs.reshape(-1, 3)
    all_c = target.reshape(-1, 3)
    t0 = time.perf_counter()
    done_since = 0
    for step in range(1, cfg.steps + 1):
        # A batch of rays drawn from all training views at once (as NeRF does).
        idx = torch.randint(0, all_o.shape[0], (cfg.batch_rays,), generator=gen).to(dev)
        o, d, c = all_o[idx], all_d[idx], all_c[idx]
        pred = volume_render(net, o, d, cfg, gen)
        loss = torch.mean((pred - c) ** 2)
        opt.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
        done_since += 1
        if step % cfg.eval_every == 0 or step == cfg.steps:
            rate = done_since / max(time.perf_counter() - t0, 1e-9)
            yield evaluate(step, {"mse": loss.item()}, rate)
            t0 = time.perf_counter()
            done_since = 0


@dataclass
class NerfField:
    """A trained NeRF as a :class:`~explorer.core.rays.render.Field` (numpy in/out)."""

    cfg: NerfConfig
    state: dict[str, FloatArray]

    def __post_init__(self) -> None:
        import torch

        self._net = build_nerf(self.cfg)
        self._net.load_state_dict(
            {k: torch.from_numpy(np.asarray(v)) for k, v in self.state.items()}
        )
        self._net.eval()

    def _query(self, p: FloatArray) -> tuple[FloatArray, FloatArray]:
        import torch

        x = torch.as_tensor(np.asarray(p, dtype=np.float32).reshape(-1, 3))
        with torch.no_grad():
            sigma, rgb = query(self._net, x, self.cfg.n_freqs)
        shape = np.shape(p)[:-1]
        return (
            sigma.numpy().astype(np.float64).reshape(shape),
            rgb.numpy().astype(np.float64).reshape((*shape, 3)),
        )

    def density(self, p: FloatArray) -> FloatArray:
        """Return the learned σ at ``p`` (..., 3)."""
        return self._query(p)[0]

    def color(self, p: FloatArray) -> FloatArray:
        """Return the learned colour at ``p`` (..., 3)."""
        return self._query(p)[1]
