"""The latent panel in a lecture (issue 14): nothing stale, loads update everything,
the loss is the one chosen, limits are the core's, plots read at a glance."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from explorer.core.latent import (
    LIMITS,
    LatentConfig,
    balanced_subset,
    build_model,
    save_checkpoint,
    state_arrays,
)
from explorer.panels.base import AppContext
from explorer.panels.latent.panel import LatentPanel
from tests.panels.test_latent import _idx, _viewport_pos

VAE = 1


@pytest.fixture
def small_idx(tmp_path: Path) -> Path:
    from explorer.core.data import load_mnist

    d = load_mnist()
    keep = balanced_subset(d.labels, 200, seed=0)
    images = tmp_path / "small-images-idx3-ubyte"
    images.write_bytes(_idx(np.round(d.images[keep] * 255)))
    (tmp_path / "small-labels-idx1-ubyte").write_bytes(_idx(d.labels[keep]))
    return images


def _make(qtbot: QtBot, context: AppContext, data: Path) -> LatentPanel:
    p = LatentPanel(context)
    qtbot.addWidget(p)
    p.controls.epochs.setValue(1)
    p.controls.cancel_pending()
    p.load_digits(data)
    p.resize(1400, 900)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(p.snapshot_ready, timeout=20_000)
    return p


@pytest.fixture
def panels(qtbot: QtBot, app_context: AppContext, small_idx: Path) -> Iterator[Any]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    made: list[LatentPanel] = []

    def make() -> LatentPanel:
        made.append(_make(qtbot, app_context, small_idx))
        return made[-1]

    yield make
    for p in made:
        p.shutdown()
        p.close()
    torch.set_num_threads(before)


def _array(item: Any) -> list[float]:
    x, y = item.getData()
    if x is None or len(x) == 0:
        return []
    return [*np.asarray(x, float).round(5), *np.asarray(y, float).round(5)]


def _image(view: Any) -> Any:
    return None if view.image.image is None else np.asarray(view.image.image).round(5)


def _readouts(p: LatentPanel) -> dict[str, Any]:
    """Every caption, number and plot the panel shows, as comparable values."""
    out: dict[str, Any] = {
        "preview": (p.preview.title.text(), _image(p.preview)),
        "hover": (p.hover.title.text(), _image(p.hover)),
        "card": p.formula.values_text(),
        "norms": (_array(p.norm_lerp), _array(p.norm_slerp)),
        "grid": (p.grid_tab.title.text(), _image(p.grid_tab)),
    }
    for i, s in enumerate(p._slots):
        sc = s.scatter
        out[f"scatter{i}"] = (
            sc.header.text(),
            sc.status.text(),
            [_array(c) for c in sc.classes],
            _array(sc.lerp_path),
            _array(sc.marker),
            _array(sc.sigma),
            sc.plot.getPlotItem().getAxis("bottom").labelText,
        )
        out[f"strips{i}"] = [_image(row) for row in p.strips[i]]
        out[f"curves{i}"] = [
            _array(c[i]) for c in (p.curves.recon, p.curves.kl, p.curves.total)
        ]
    return out


def _assert_same(mine: dict[str, Any], fresh: dict[str, Any]) -> None:
    for key, value in fresh.items():
        np.testing.assert_equal(mine[key], value, err_msg=key)


def _use_everything(qtbot: QtBot, p: LatentPanel) -> None:
    """Train to the end, decode a click, hover a code, open the grid."""
    p.start_pause()
    qtbot.waitUntil(lambda: all(s.done for s in p._slots), timeout=30_000)
    viewport = p._slots[VAE].scatter.plot.viewport()
    QTest.mouseClick(
        viewport, Qt.MouseButton.LeftButton, pos=_viewport_pos(p, VAE, 0.4, -0.3)
    )
    x, y = p._slots[VAE].points[5]
    QTest.mouseMove(viewport, pos=_viewport_pos(p, VAE, x, y))
    p.tabs.setCurrentIndex(1)
    assert p.preview.has_image() and p.grid_tab.has_image()
    assert "epoch = 1" in p.formula.values_text()


def test_after_reset_the_panel_shows_what_a_fresh_one_shows(
    qtbot: QtBot, panels: Any
) -> None:
    used = panels()
    _use_everything(qtbot, used)
    used.reset()
    qtbot.waitUntil(used.snapshot_ready, timeout=20_000)
    fresh = panels()
    fresh.tabs.setCurrentIndex(1)
    assert not used.preview.has_image() and "Click" in used.preview.title.text()
    _assert_same(_readouts(used), _readouts(fresh))


def test_a_new_latent_size_leaves_no_old_z_anywhere(qtbot: QtBot, panels: Any) -> None:
    used = panels()
    _use_everything(qtbot, used)
    old_caption = used.preview.title.text()
    assert old_caption.count(",") == 1  # a 2-D z
    used.controls.latent_dim.setValue(3)
    used.controls.flush()
    # Before the 3-D models report, nothing of the 2-D ones is shown.
    assert used.preview.title.text() != old_caption
    assert not used.preview.has_image() and not used.grid_tab.has_image()
    assert all(not s.scatter.classes[0].data.size for s in used._slots)
    qtbot.waitUntil(used.snapshot_ready, timeout=20_000)
    assert used.preview.title.text().count(",") == 2  # the click, decoded in 3-D
    fresh = panels()
    fresh.restore(used.state())
    qtbot.waitUntil(fresh.snapshot_ready, timeout=20_000)
    fresh.tabs.setCurrentIndex(1)
    mine, theirs = _readouts(used), _readouts(fresh)
    for key in ("card", "grid", "norms", *(f"scatter{i}" for i in range(3))):
        if key.startswith("scatter"):  # the decoded click's marker is the user's
            mine[key], theirs[key] = mine[key][:4], theirs[key][:4]
        np.testing.assert_equal(mine[key], theirs[key], err_msg=key)


def test_loading_a_checkpoint_updates_every_control_and_readout(
    qtbot: QtBot, panels: Any, tmp_path: Path
) -> None:
    p = panels()
    p.controls.latent_dim.setValue(5)
    p.controls.flush()
    qtbot.waitUntil(p.snapshot_ready, timeout=20_000)
    cfg = LatentConfig(model="vae", latent_dim=2, recon="mse", noise=0.2)
    path = save_checkpoint(tmp_path / "vae2.pt", cfg, state_arrays(build_model(cfg)))
    p.open_file(path)
    assert p.controls.latent_dim.value() == 2
    assert p.controls.recon.currentData() == "mse"
    assert p.controls.noise.value() == pytest.approx(0.2)
    assert all(s.cfg.latent_dim == 2 and s.cfg.recon == "mse" for s in p._slots)
    card = p.formula.values_text()
    assert "loaded from vae2.pt" in card and "epoch" not in card
    assert "squared error" in card
    assert p._slots[VAE].scatter.status.text() == "loaded from vae2.pt"
    qtbot.waitUntil(p.snapshot_ready, timeout=20_000)
    assert all(s.progress is not None for s in p._slots)
    assert all(s.progress.codes.shape[1] == 2 for s in p._slots)  # type: ignore[union-attr]
    qtbot.wait(600)  # past the settings' debounce: nothing retrains the loaded VAE
    assert p._slots[VAE].note == "loaded from vae2.pt" and p._slots[VAE].done


@pytest.mark.parametrize(("recon", "shown"), [("bce", "Bernoulli"), ("mse", "squared")])
def test_the_reconstruction_choice_is_trained_and_said(
    qtbot: QtBot, panels: Any, recon: str, shown: str
) -> None:
    p = panels()
    p.controls.recon.setCurrentIndex(p.controls.recon.findData(recon))
    p.controls.flush()
    qtbot.waitUntil(p.snapshot_ready, timeout=20_000)
    assert all(s.cfg.recon == recon for s in p._slots)
    assert f"recon ({shown}" in p.formula.values_text()
    card = p.formula._formula.text()
    assert "β-VAE objective" in card and "ELBO" in card
    assert shown.lower() in card.lower()
    assert p.state()["recon"] == recon


def test_side_by_side_is_equal_again_after_one_large(qtbot: QtBot, panels: Any) -> None:
    p = panels()
    widths = [s.width() for s in p._scatters]
    for active in (0, 2, 1):
        QTest.mouseClick(p.controls.large, Qt.MouseButton.LeftButton)
        p.set_active(active)
        qtbot.wait(50)
        assert p._scatters[active].width() > 2 * widths[0]
        QTest.mouseClick(p.controls.side, Qt.MouseButton.LeftButton)
        qtbot.wait(50)
        after = [s.width() for s in p._scatters]
        assert max(after) - min(after) <= 1, after
        assert p.controls.side.isChecked()


def test_the_grid_has_axes_and_shows_each_model(qtbot: QtBot, panels: Any) -> None:
    p = panels()
    p.tabs.setCurrentIndex(1)
    for i, name in enumerate(("AE", "VAE", "β-VAE")):
        p.grid_bar.model.setCurrentIndex(i)
        p.grid_bar.model.activated.emit(i)
        assert p._active == i and p.grid_tab.title.text().startswith(name)
        slot = p._slots[i]
        assert slot.model is not None
        axis = p.grid_tab.plot.getPlotItem().getAxis("bottom")
        assert axis.labelText == "z₁"
        ticks = axis._tickLevels[0]
        # Tick labels are the latent coordinates of the cells (Φ⁻¹ spacing).
        coords = p.grid_tab.coords
        for pos, text in ticks:
            assert float(text) == pytest.approx(coords[int(pos)], abs=0.05)
    p.set_active(VAE)
    assert p.grid_bar.model.currentIndex() == VAE


def test_plots_read_at_a_glance(qtbot: QtBot, panels: Any) -> None:
    p = panels()
    plots = [p.strip_tab.norm_plot, p.curves.recon_plot, p.curves.kl_plot]
    plots += [s.scatter.plot for s in p._slots] + [p.grid_tab.plot]
    for plot in plots:
        for name in ("left", "bottom"):
            assert not plot.getPlotItem().getAxis(name).autoSIPrefix
    # ‖z(t)‖ starts at 0 and leaves the top third to the legend.
    y0, y1 = p.strip_tab.norm_plot.viewRange()[1]
    _, norms = p.norm_lerp.getData()
    assert y0 == pytest.approx(0.0, abs=1e-9)
    assert max(norms) <= y1 / 1.5


def test_limits_and_defaults_are_the_core_configs(panels: Any) -> None:
    p = panels()
    c = p.controls
    for name, spin in (("latent_dim", c.latent_dim), ("epochs", c.epochs)):
        lo, hi = LIMITS[name]
        assert (spin.minimum(), spin.maximum()) == (lo, hi)
        assert f"{int(lo)} to {int(hi)}" in spin.toolTip()
    from explorer.panels.latent.state import LatentState

    d, core = LatentState(), LatentConfig()
    for name in ("latent_dim", "epochs", "arch", "recon", "noise"):
        assert getattr(d, name) == getattr(core, name), name


def test_divergence_is_said_as_the_cli_says_it(qtbot: QtBot, panels: Any) -> None:
    p = panels()
    good = p._slots[VAE].progress
    assert good is not None
    bad = dataclasses.replace(good, losses={**good.losses, "loss": float("nan")})
    p._on_progress(VAE, bad)
    text = p.error_banner.text
    assert "training diverged at epoch" in text and "smaller learning rate" in text
    assert p._slots[VAE].progress is good  # the last finite report stays shown
    assert "diverged" in p._slots[VAE].scatter.status.text()


_LATENT = ["latent"]
_FILES = ["--load", "m.pt", "--out", "out.png"]


def test_grid_and_strip_limits_are_the_clis(panels: Any) -> None:
    """The GUI once took 3–30 images per side and 3–20 per strip, the CLI 2–60/2–64."""
    from explorer.cli import build_parser

    p = panels()
    for box, argv in (
        (p.grid_bar.n, [*_LATENT, "grid", *_FILES, "--n"]),
        (
            p.ends_bar.steps,
            [*_LATENT, "interpolate", "--from", "0", "--to", "1", *_FILES, "--steps"],
        ),
    ):
        lo, hi = box.minimum(), box.maximum()
        # the CLI takes the box's ends and refuses just outside them (argparse: 2)
        for value in (lo, hi):
            assert (
                value in vars(build_parser().parse_args([*argv, str(value)])).values()
            )
        for value in (lo - 1, hi + 1):
            with pytest.raises(SystemExit) as refused:
                build_parser().parse_args([*argv, str(value)])
            assert refused.value.code == 2
    assert (p.grid_bar.n.minimum(), p.grid_bar.n.maximum()) == (2, 60)
    assert (p.ends_bar.steps.minimum(), p.ends_bar.steps.maximum()) == (2, 64)


@pytest.mark.parametrize(
    ("box", "typed", "said"),
    [
        ("latent_dim", "100", "latent size D must be 1…64, got 100"),
        ("grid_n", "61", "images per side must be 2…60, got 61"),
    ],
)
def test_a_number_out_of_range_says_why(
    qtbot: QtBot, panels: Any, box: str, typed: str, said: str
) -> None:
    """Typing 100 as the latent size was silently refused (the box kept 64's digits)."""
    p = panels()
    spin = p.controls.latent_dim if box == "latent_dim" else p.grid_bar.n
    if box == "grid_n":
        p.tabs.setCurrentIndex(1)
    before = spin.value()
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, typed)
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert spin.value() == before
    assert f"{said}: kept the previous value" in p.error_banner.text
