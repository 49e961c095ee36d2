"""Deep Q-learning: a small MLP on one-hot states, a replay buffer and a target network.

Mnih et al. (2015), "Human-level control through deep reinforcement learning",
Algorithm 1, with the Huber loss, on a grid world small enough for one-hot inputs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from explorer.core.device import resolve_device
from explorer.core.gridworld.config import (
    FULL_SPEED,
    GridProgress,
    Pace,
    RLConfig,
    current_pace,
)
from explorer.core.gridworld.dp import greedy_actions
from explorer.core.gridworld.model import TabularModel
from explorer.core.gridworld.report import episode_message
from explorer.core.gridworld.td import (
    TRAIL_CAP,
    EpisodeLog,
    epsilon_greedy_probs,
    wait,
    want_report,
)
from explorer.core.gridworld.world import Cell
from explorer.core.progress import JobControl

if TYPE_CHECKING:
    import torch

MAX_DQN_STATES = 2048


def train_dqn(
    model: TabularModel,
    cfg: RLConfig,
    *,
    seed: int,
    device: str = "auto",
    pace: Pace = FULL_SPEED,
    control: JobControl | None = None,
) -> Iterator[GridProgress]:
    """Yield DQN progress: ε-greedy acting, replay minibatches, a periodic target copy.

    Raises
    ------
    ValueError
        When the world has more than :data:`MAX_DQN_STATES` open cells (one-hot
        inputs would be too wide).
    """
    import torch

    n_s = model.n_states
    if n_s > MAX_DQN_STATES:
        raise ValueError(
            f"DQN uses one-hot states: at most {MAX_DQN_STATES} open cells, but "
            f"this world has {n_s}"
        )
    dev = torch.device(resolve_device(device, tiny=True))
    threads = torch.get_num_threads()
    if dev.type == "cpu":
        torch.set_num_threads(1)  # a tiny MLP: more threads only add contention
    try:
        yield from _run(model, cfg, seed=seed, dev=dev, pace=pace, control=control)
    finally:
        torch.set_num_threads(threads)


def _run(
    model: TabularModel,
    cfg: RLConfig,
    *,
    seed: int,
    dev: torch.device,
    pace: Pace,
    control: JobControl | None,
) -> Iterator[GridProgress]:
    """Run DQN on ``dev`` (see :func:`train_dqn`)."""
    import torch
    from torch import nn

    n_s = model.n_states
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    gamma = model.gamma

    def make_net() -> nn.Sequential:
        return nn.Sequential(
            nn.Linear(n_s, cfg.hidden),
            nn.ReLU(),
            nn.Linear(cfg.hidden, cfg.hidden),
            nn.ReLU(),
            nn.Linear(cfg.hidden, 4),
        ).to(dev)

    online = make_net()
    target = make_net()
    target.load_state_dict(online.state_dict())
    opt = torch.optim.Adam(online.parameters(), lr=cfg.lr)
    eye = torch.eye(n_s, device=dev)
    terminal = torch.as_tensor(model.terminal, device=dev)

    cap = cfg.buffer_size
    buf_s = np.zeros(cap, dtype=np.int64)
    buf_a = np.zeros(cap, dtype=np.int64)
    buf_r = np.zeros(cap, dtype=np.float32)
    buf_s2 = np.zeros(cap, dtype=np.int64)
    size = 0
    head = 0
    log = EpisodeLog()
    last: dict[str, float | str] = {}
    loss_value = 0.0
    total_steps = 0

    def all_q() -> np.ndarray:
        with torch.no_grad():
            q = online(eye)
            q = torch.where(terminal[:, None], torch.zeros_like(q), q)
        out: np.ndarray = q.cpu().numpy().astype(np.float64)
        return out

    def report(
        eps: float, s: int, trail: list[Cell], t: int, ended: bool
    ) -> GridProgress:
        q = all_q()
        returns, lengths = log.arrays
        return GridProgress(
            step=log.count,
            total=cfg.episodes,
            losses={"td_loss": loss_value},
            message=episode_message(log.count, cfg.episodes, t, ended=ended)
            + f", loss {loss_value:.3g}",
            algo=cfg.algo,
            values=model.to_grid(q.max(axis=1)),
            policy=model.to_grid(epsilon_greedy_probs(q, eps)),
            q=model.to_grid(np.where(model.terminal[:, None], np.nan, q)),
            greedy=model.to_grid(greedy_actions(model, q), fill=-1).astype(np.int64),
            agent=model.cells[s],
            trail=tuple(trail[-TRAIL_CAP:]),
            episode=log.count,
            returns=returns,
            lengths=lengths,
            last_update=dict(last),
            epsilon=eps,
        )

    for episode in range(cfg.episodes):
        eps = cfg.epsilon_at(episode)
        s = model.start
        trail = [model.cells[s]]
        ret, disc = 0.0, 1.0
        for t in range(1, cfg.max_steps + 1):
            pace = current_pace(control, pace)
            wait(pace)
            if rng.random() < eps:
                a = int(rng.integers(4))
            else:
                with torch.no_grad():
                    a = int(online(eye[s : s + 1]).argmax(dim=1).item())
            s2, r = model.sample(s, a, rng)
            done = bool(model.terminal[s2])
            ret += disc * r
            disc *= gamma
            buf_s[head], buf_a[head], buf_r[head], buf_s2[head] = s, a, r, s2
            head = (head + 1) % cap
            size = min(size + 1, cap)
            total_steps += 1
            if size >= max(cfg.learn_start, cfg.batch_size):
                idx = rng.integers(size, size=cfg.batch_size)
                bs = torch.as_tensor(buf_s[idx], device=dev)
                ba = torch.as_tensor(buf_a[idx], device=dev)
                br = torch.as_tensor(buf_r[idx], device=dev)
                bs2 = torch.as_tensor(buf_s2[idx], device=dev)
                q_sa = online(eye[bs]).gather(1, ba[:, None]).squeeze(1)
                with torch.no_grad():
                    boot = target(eye[bs2]).max(dim=1).values
                    y = br + gamma * torch.where(terminal[bs2], 0.0, boot)
                loss = nn.functional.smooth_l1_loss(q_sa, y)
                opt.zero_grad(set_to_none=True)
                loss.backward()  # type: ignore[no-untyped-call]
                opt.step()
                loss_value = float(loss.item())
                last = {
                    "batch": float(cfg.batch_size),
                    "mean y": float(y.mean().item()),
                    "mean Q(s,a)": float(q_sa.mean().item()),
                    "Huber loss": loss_value,
                    "lr": cfg.lr,
                    "γ": gamma,
                    "buffer": float(size),
                }
            if total_steps % cfg.target_update == 0:
                target.load_state_dict(online.state_dict())
            s = s2
            trail.append(model.cells[s])
            end = done or t == cfg.max_steps
            if end:
                log.add(ret, t)
            if want_report(pace, end, total_steps):
                yield report(eps, s, trail, t, end)
            if done:
                break
