"""The latent-space panel: AE, VAE and β-VAE trained side by side, decoded by clicking.

Each model has its own :class:`JobRunner` running :func:`explorer.core.latent.training`;
every report carries the model's weights, which the panel loads into a CPU copy to
decode clicks, drags, interpolation strips and the manifold grid on the GUI thread
(a decode takes well under a millisecond).  Drawing a report costs tens of ms, so
a :class:`DrawScheduler` draws one model's codes, or its strips, per tick.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PySide6.QtWidgets import (
    QFileDialog,
    QWidget,
)

from explorer.core.data import (
    DataFormatError,
    load_image_gray,
)
from explorer.core.latent import (
    IMAGE_SIZE,
    MODEL_KINDS,
    MODEL_TITLES,
    LatentConfig,
    LatentModel,
    LatentProgress,
    fit_projection,
    load_checkpoint,
    load_idx_digits,
    load_weights,
    model_from_weights,
    save_checkpoint,
    train,
)
from explorer.core.progress import DivergedError, check_finite
from explorer.panels.base import AppContext
from explorer.panels.latent.explore import LatentViews
from explorer.panels.latent.side import HOVER_HINT
from explorer.panels.latent.slots import ModelSlot, loaded_progress
from explorer.panels.latent.state import LatentState
from explorer.widgets.draw_scheduler import DrawScheduler

DRAW_INTERVAL_MS = 80
_WEIGHTS_KEY = "weights:{kind}:{name}"


class LatentPanel(LatentViews):
    """AE vs VAE vs β-VAE: latent scatters, click-to-decode, interpolation, grids."""

    panel_id: ClassVar[str] = "latent"
    runnable: ClassVar[bool] = True
    open_filters: ClassVar[str] = (
        "Digits in IDX format (*-ubyte *.idx *.gz);;Weights (*.pt *.pth);;"
        "Images (*.png *.jpg *.jpeg *.bmp)"
    )

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._running = False
        # Whether the models left their first report (Start vs Resume): they wait,
        # paused, at their untrained state until Start or Step.
        self._started = False
        self.run_bar.start_pause_clicked.connect(self.start_pause)
        self.run_bar.step_clicked.connect(self.step)
        self.run_bar.reset_clicked.connect(self.reset)
        self.controls.beta_changed.connect(self._on_beta_changed)
        self.controls.settings_changed.connect(self._on_settings_changed)
        self.controls.save_clicked.connect(self._on_save_clicked)
        self.controls.load_clicked.connect(self._on_load_clicked)
        self.controls.rejected.connect(self.show_error)
        # Codes of a model first, then its strips, after what was queued before.
        self.draws = DrawScheduler(DRAW_INTERVAL_MS, self)
        for i, kind in enumerate(MODEL_KINDS):
            runner = self.make_runner(MODEL_TITLES[kind], training=True)
            self._slots.append(
                ModelSlot(kind, self._config(kind), runner, self._scatters[i])
            )
            runner.paused_changed.connect(self._show_run_state)
        self.set_active(self._active)
        self._restart_all(running=False)

    # -- models and runs -----------------------------------------------------------
    def _config(self, kind: str) -> LatentConfig:
        s = self.binder.state()
        return LatentConfig(
            model=kind,  # type: ignore[arg-type]
            beta=s.beta if kind == "beta-vae" else None,
            latent_dim=s.latent_dim,
            arch=s.arch,
            recon=s.recon,
            noise=s.noise,
            epochs=s.epochs,
        )

    def _start_slot(self, i: int, *, running: bool) -> None:
        slot = self._slots[i]
        self._cancel_draws(i)
        slot.cfg = self._config(slot.kind)
        slot.progress = None
        slot.model = None
        slot.epochs, slot.rows = [], []
        slot.done = False
        slot.note = ""
        self._clear_slot_views(i)
        slot.scatter.status.setText(f"{slot.cfg.title}: starting…")
        slot.runner.start(
            train,
            slot.cfg,
            seed=self.binder.state().seed,
            device=self.context.device,
            # The bundled digits load in the worker itself (nothing to send to a
            # worker process); opened files travel with the job.
            data=None if self._data_is_bundled else self._data,
            threads=1 if self.context.training_backend == "process" else None,
            on_progress=partial(self._on_progress, i),
            on_error=partial(self._on_error, i),
            on_finished=partial(self._on_finished, i),
            paused=not running,
        )

    def _clear_slot_views(self, i: int) -> None:
        """Show model ``i`` as a fresh panel does before its first report."""
        slot = self._slots[i]
        slot.projection = None
        slot.points = np.zeros((0, 2), np.float32)
        self.curves.set_history(i, [], [])
        sc = slot.scatter
        sc.header.setText(MODEL_TITLES[slot.kind])
        sc.set_points(slot.points, np.zeros(0, np.int64))
        sc.set_axis_labels("z₁, z₂")
        sc.set_sigma(None, None)
        self._refresh_strip(i)  # clears the strips and paths: there is no model
        self.hover.clear(HOVER_HINT)  # it may show one of this model's codes
        if i == self._active:
            self._refresh_active_views()

    def _restart_all(self, *, running: bool) -> None:
        self._started = running
        for i in range(len(self._slots)):
            self._start_slot(i, running=running)
        self._set_running(running)

    def _set_running(self, running: bool) -> None:
        self._running = running
        self._show_run_state()

    def _show_run_state(self, *_: object) -> None:
        live = any(s.runner.is_running and not s.done for s in self._slots)
        self.run_bar.set_state(
            running=live and (self._running or self._started),
            paused=not self._running,
        )

    # -- drawing -------------------------------------------------------------------
    def _cancel_draws(self, i: int) -> None:
        self.draws.cancel(lambda key: key in (("codes", i), ("strips", i)))

    def _on_progress(self, i: int, p: LatentProgress) -> None:
        slot = self._slots[i]
        try:
            check_finite(p.losses, where=f"epoch {p.epoch:.1f}")
        except DivergedError as exc:
            # As the CLI says it; the model's last finite report stays shown.
            slot.runner.abort()
            slot.done = True
            slot.scatter.status.setText(f"{p.config.title}: diverged")
            self.show_error(f"{p.config.title}: {exc}")
            self._hold_after_failure()
            return
        first = slot.progress is None
        slot.progress = p
        if p.step > 0 or not slot.rows:
            slot.epochs.append(p.epoch)
            slot.rows.append((p.losses["recon"], p.losses["kl"], p.losses["loss"]))
        if first:
            self._draw_slot(i, strip=True)
        else:
            self.draws.request(("codes", i), partial(self._draw_slot, i, strip=False))

    def _draw_slot(self, i: int, *, strip: bool) -> None:
        """Draw model ``i``'s latest report; its strips now or as a later draw."""
        self.draws.cancel(("codes", i))
        if strip:
            self.draws.cancel(("strips", i))
        else:  # after the draws queued before it
            self.draws.request(("strips", i), lambda: self._refresh_strip(i))
        slot = self._slots[i]
        p = slot.progress
        if p is None:
            return
        if slot.model is None or slot.model.cfg != p.config:
            slot.model = model_from_weights(p.config, p.weights)
        else:
            load_weights(slot.model, p.weights)
        self.curves.set_history(i, slot.epochs, slot.rows)
        self._show_codes(i, strip=strip)

    def _show_codes(self, i: int, *, strip: bool = True) -> None:
        slot = self._slots[i]
        p = slot.progress
        if p is None:
            return
        slot.projection = fit_projection(p.codes)
        slot.points = slot.projection.project(p.codes)
        slot.scatter.set_points(slot.points, p.code_labels)
        slot.scatter.set_axis_labels(slot.projection.label)
        losses = p.losses
        extra = f" · {slot.note}" if slot.note else ""
        slot.scatter.status.setText(
            f"epoch {p.epoch:.1f}/{p.config.epochs}{extra}\n"
            f"recon {losses['recon']:.1f} · KL {losses['kl']:.2f}"
        )
        short = slot.projection.short_label
        slot.scatter.header.setText(
            f"<b>{p.config.title}</b>" + (f" · {short}" if short else "")
        )
        slot.scatter.header.setToolTip(slot.projection.label)
        if strip:
            self._refresh_strip(i)
        if i == self._active:
            self._refresh_active_views(strip=False)

    def _on_error(self, i: int, exc: BaseException) -> None:
        self._slots[i].done = True
        self.on_job_error(exc)
        self._hold_after_failure()

    def _hold_after_failure(self) -> None:
        """Pause the other models, as the GAN's runs do: Resume or Reset next."""
        for s in self._slots:
            s.runner.pause()
        self._set_running(False)

    def _on_finished(self, i: int) -> None:
        if self.draws.pending(("codes", i)) or self.draws.pending(("strips", i)):
            self._draw_slot(i, strip=True)  # the final state at once
        self._slots[i].done = True
        if all(s.done for s in self._slots):
            self._set_running(False)

    # -- protocol: run controls ----------------------------------------------------
    def start_pause(self) -> None:
        """Train all three models, or pause / resume them."""
        live = [s for s in self._slots if s.runner.is_running]
        if not live:
            self._restart_all(running=True)
        elif self._running:
            for s in live:
                s.runner.pause()
            self._set_running(False)
        else:
            self._started = True
            for s in live:
                s.runner.resume()
            self._set_running(True)

    def step(self) -> None:
        """Let each model make one more report (a fifth of an epoch), then pause."""
        for i, s in enumerate(self._slots):
            if not s.runner.is_running:
                self._start_slot(i, running=False)
            s.runner.step(1)
        self._started = True
        self._set_running(False)

    def reset(self) -> None:
        """Stop training and go back to untrained models."""
        self._click = None
        for s in self._slots:
            s.scatter.set_marker(None)
        self._restart_all(running=False)

    def is_training(self) -> bool:
        """Return whether the models are training (not paused, not finished)."""
        return self._running

    # -- settings ------------------------------------------------------------------
    def _on_beta_changed(self, beta: float) -> None:
        i = MODEL_KINDS.index("beta-vae")
        self._start_slot(i, running=self._running)

    def _on_settings_changed(self) -> None:
        self._restart_all(running=self._running)

    # -- files ---------------------------------------------------------------------
    def open_file(self, path: Path) -> None:
        """Open digits (IDX), model weights (.pt) or an image (an interpolation end).

        Raises
        ------
        ValueError
            With a message a student understands when the file is unusable.
        """
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix in (".pt", ".pth"):
            self.load_weights(p)
        elif suffix in (".png", ".jpg", ".jpeg", ".bmp"):
            self.set_end_image(self._next_end, load_image_gray(p, size=IMAGE_SIZE))
            self._next_end = 1 - self._next_end
        else:
            self.load_digits(p)

    def load_digits(self, images: Path, labels: Path | None = None) -> None:
        """Train on digits from IDX files; labels are found next to MNIST-named images.

        Raises
        ------
        DataFormatError
            When the files are not usable IDX digits.
        """
        if labels is None:
            guess = images.with_name(images.name.replace("images-idx3", "labels-idx1"))
            labels = guess if guess != images and guess.exists() else None
        try:
            data = load_idx_digits(images, labels)
        except OSError as exc:
            raise DataFormatError(f"cannot read {images.name}: {exc.strerror}") from exc
        self._data = data
        self._data_is_bundled = False
        self._ends = [None, None]
        self.ends_bar.set_count(len(data.images))
        self.show_data_name(images.name, len(data.images))
        self._restart_all(running=False)
        self._on_ends_changed()

    def load_weights(self, path: Path) -> None:
        """Show a saved model in its column (AE, VAE or β-VAE) without training.

        Raises
        ------
        CheckpointError
            When the file is not a usable checkpoint.
        """
        cfg, model = load_checkpoint(path)
        i = MODEL_KINDS.index(cfg.model)
        self._adopt_settings(cfg)
        self._show_model(i, cfg, model, note=f"loaded from {Path(path).name}")

    def _adopt_settings(self, cfg: LatentConfig) -> None:
        """Show a loaded model's settings in the controls; retrain models that differ.

        The other two columns then hold untrained models of the same latent size,
        network, loss and noise, so every control and readout tells the truth.
        """
        self.controls.cancel_pending()
        s = self.binder.state()
        changes: dict[str, Any] = {
            "latent_dim": cfg.latent_dim,
            "arch": cfg.arch,
            "recon": cfg.recon,
            "noise": cfg.noise,
        }
        if cfg.model == "beta-vae":
            changes["beta"] = cfg.kl_weight
        self.binder.show(replace(s, **changes))
        self.controls.show_beta()
        self.controls.cancel_pending()  # the loaded settings apply here, once
        for j, slot in enumerate(self._slots):
            if slot.kind != cfg.model and slot.cfg != self._config(slot.kind):
                self._start_slot(j, running=self._running)

    def _show_model(
        self, i: int, cfg: LatentConfig, model: LatentModel, note: str
    ) -> None:
        slot = self._slots[i]
        slot.runner.abort()
        self._cancel_draws(i)
        if cfg.model == "beta-vae":
            self.controls.set_beta(cfg.kl_weight)
        slot.cfg, slot.model, slot.done, slot.note = cfg, model, True, note
        slot.epochs, slot.rows = [], []
        self.curves.set_history(i, [], [])
        slot.scatter.set_sigma(None, None)
        slot.progress = loaded_progress(
            cfg, model, self._data, self.binder.state().seed, note
        )
        self._show_codes(i)
        slot.scatter.status.setText(note)
        if not any(s.runner.is_running for s in self._slots):
            self._set_running(False)

    def save_weights(self, path: Path, i: int | None = None) -> Path:
        """Write model ``i``'s weights (default: the active model) to ``path``.

        Raises
        ------
        ValueError
            When the model has not been built yet.
        OSError
            When the file cannot be written.
        """
        slot = self._slots[self._active if i is None else i]
        if slot.progress is None:
            raise ValueError("the model has no weights yet: wait for its first report")
        return save_checkpoint(path, slot.progress.config, slot.progress.weights)

    def _on_save_clicked(self) -> None:
        kind = self._slots[self._active].kind
        name, _ = QFileDialog.getSaveFileName(
            self, "Save weights", f"{kind}.pt", "PyTorch weights (*.pt)"
        )
        if not name:
            return
        try:
            self.save_weights(Path(name))
        except (ValueError, OSError) as exc:
            self.show_error(str(exc))

    def _on_load_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Open weights", "", "PyTorch weights (*.pt *.pth)"
        )
        if not name:
            return
        try:
            self.open_file(Path(name))
        except ValueError as exc:
            self.show_error(str(exc))

    # -- protocol: views, state ----------------------------------------------------
    def snapshot_ready(self) -> bool:
        """Return True once every model has reported at least once."""
        return all(s.progress is not None for s in self._slots)

    def _state(self) -> LatentState:
        self.binder.set_extra(
            layout=self._layout_mode,
            active=self._active,
            ends=(self.ends_bar.a.value(), self.ends_bar.b.value()),
        )
        return self.binder.state()

    def state(self) -> dict[str, Any]:
        """Return the settings, interpolation ends and the models' weights."""
        out: dict[str, Any] = {**self._state().to_dict(), "configs": {}}
        for s in self._slots:
            # Untrained models are rebuilt from the seed; trained, loaded or
            # restored ones travel with the session.
            if s.progress is None or (s.progress.step == 0 and not s.note):
                continue
            out["configs"][s.kind] = s.progress.config.to_dict()
            for name, value in s.progress.weights.items():
                out[_WEIGHTS_KEY.format(kind=s.kind, name=name)] = np.asarray(value)
        return out

    def restore(self, state: dict[str, Any]) -> None:
        """Apply :meth:`state` output: settings first, then any saved models.

        Raises
        ------
        StateError
            (a ValueError) naming the first bad setting; nothing is changed then.
        """
        settings = LatentState.from_dict(state)
        self.binder.show(settings)
        self.controls.show_beta()
        self.grid_bar.show_spacing()
        self.ends_bar.a.setValue(settings.ends[0])
        self.ends_bar.b.setValue(settings.ends[1])
        self.controls.cancel_pending()
        self._restart_all(running=False)
        for kind, raw in dict(state.get("configs", {})).items():
            if kind not in MODEL_KINDS:
                continue
            try:
                cfg = LatentConfig.from_dict(raw)
                prefix = _WEIGHTS_KEY.format(kind=kind, name="")
                weights = {
                    k[len(prefix) :]: v
                    for k, v in state.items()
                    if k.startswith(prefix)
                }
                model = model_from_weights(cfg, weights)
            except (ValueError, TypeError) as exc:
                self.show_error(
                    f"the saved {MODEL_TITLES[kind]} could not be restored: {exc}"
                )
                continue
            self._show_model(MODEL_KINDS.index(kind), cfg, model, note="restored")
        self.set_active(settings.active)
        self.set_layout(settings.layout)

    def shutdown(self) -> None:
        """Stop the three trainings (each stops at its next report, within ~0.2 s)."""
        # Abort all three first so they wind down together; the base class's
        # per-runner wait then has nothing left to wait for.
        self.controls.cancel_pending()  # a settled setting must not restart them
        self.draws.clear()
        for slot in self._slots:
            slot.runner.abort()
        super().shutdown()
