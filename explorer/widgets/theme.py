"""Palettes (light, dark, high-contrast) and the theme state every view follows.

One :class:`Palette` feeds the Qt stylesheet, pyqtgraph's defaults and the pyvista
theme; panels take colours only from it.  Presentation mode multiplies fonts, line
widths and marker sizes by one ``scale`` (×1 … ×3).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

# Okabe & Ito (2008) colour-blind-safe qualitative palette, in a fixed order.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

# Ten classes (digits) need ten colours: Okabe-Ito plus two distinct greys/browns.
CATEGORICAL_10 = (*OKABE_ITO[:6], "#999999", "#882255", "#44AA99", "#332288")


@dataclass(frozen=True)
class Palette:
    """The colours of one theme (hex strings) and its colour-map names."""

    name: str
    window: str
    panel: str
    text: str
    muted: str
    accent: str
    plot_bg: str
    plot_fg: str
    grid: str
    error_bg: str
    error_fg: str
    series: tuple[str, ...] = OKABE_ITO
    sequential_cmap: str = "viridis"
    diverging_cmap: str = "CET-D1"  # blue-white-red, perceptually uniform (colorcet)
    disabled: str = "#8a8f98"  # text of a control that cannot be used now

    def series_color(self, i: int) -> str:
        """Return the ``i``-th qualitative colour (cycled)."""
        return self.series[i % len(self.series)]


LIGHT = Palette(
    name="light",
    window="#f4f5f7",
    panel="#ffffff",
    text="#1b1e23",
    muted="#5b6270",
    accent="#0072B2",
    plot_bg="#ffffff",
    plot_fg="#1b1e23",
    grid="#d0d4da",
    error_bg="#fde8e4",
    error_fg="#8a1c0c",
)

DARK = Palette(
    name="dark",
    window="#1e2127",
    panel="#262a31",
    text="#e6e8eb",
    muted="#9aa3ae",
    disabled="#6b717b",
    accent="#56B4E9",
    plot_bg="#16181c",
    plot_fg="#e6e8eb",
    grid="#3a3f47",
    error_bg="#4a1f1a",
    error_fg="#ffd2c8",
    series=(
        "#56B4E9",
        "#E69F00",
        "#009E73",
        "#CC79A7",
        "#F0E442",
        "#D55E00",
        "#0072B2",
    ),
)

# For projectors: pure white ground, black text, thick saturated strokes.
HIGH_CONTRAST = Palette(
    name="high-contrast",
    window="#ffffff",
    panel="#ffffff",
    text="#000000",
    muted="#222222",
    disabled="#767676",
    accent="#0050a0",
    plot_bg="#ffffff",
    plot_fg="#000000",
    grid="#9a9a9a",
    error_bg="#ffe0d8",
    error_fg="#7a0000",
    series=("#0050a0", "#d55e00", "#007a55", "#a0306e", "#000000", "#7a5a00"),
    sequential_cmap="cividis",
)

PALETTES: dict[str, Palette] = {p.name: p for p in (LIGHT, DARK, HIGH_CONTRAST)}

MIN_SCALE = 1.0
MAX_SCALE = 3.0


def _arrow(palette: Palette) -> str:
    """The drop-down arrow image that shows on ``palette``'s text colour."""
    from explorer.core.data import asset_path

    dark_text = _luminance(palette.text) < 0.5
    name = "combo-arrow-dark.svg" if dark_text else "combo-arrow-light.svg"
    try:
        return asset_path(f"icons/{name}").as_posix()
    except FileNotFoundError:
        return ""


def _luminance(colour: str) -> float:
    """Relative brightness 0…1 of a ``#rrggbb`` colour."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def stylesheet(palette: Palette, scale: float, base_pt: float = 10.0) -> str:
    """Return the application stylesheet for ``palette`` at font ``scale``."""
    pt = base_pt * scale
    p = palette
    return f"""
QWidget {{ color: {p.text}; background-color: {p.window}; font-size: {pt:.1f}pt; }}
QWidget:disabled {{ color: {p.disabled}; }}
QMainWindow, QDialog {{ background-color: {p.window}; }}
QListWidget#navigation {{ background-color: {p.panel}; border: none;
    font-size: {pt * 1.1:.1f}pt; }}
QListWidget#navigation::item {{ padding: {6 * scale:.0f}px; }}
QListWidget#navigation::item:selected {{ background-color: {p.accent};
    color: #ffffff; }}
QGroupBox {{ border: 1px solid {p.grid}; border-radius: 4px; margin-top: 1.2em;
    padding-top: 0.4em; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; color: {p.muted}; }}
QPushButton {{ background-color: {p.panel}; border: 1px solid {p.grid};
    border-radius: 4px; padding: 4px 10px; }}
QPushButton:hover {{ border-color: {p.accent}; }}
QPushButton:checked {{ background-color: {p.accent}; color: #ffffff; }}
QPushButton:disabled {{ color: {p.disabled}; }}
QLabel#formulaTitle {{ color: {p.muted}; font-weight: bold; }}
QFrame#formulaCard {{ background-color: {p.panel}; border: 1px solid {p.grid};
    border-radius: 6px; }}
QFrame#formulaCard QLabel {{ background: transparent; }}
QFrame#errorBanner {{ background-color: {p.error_bg}; border: 1px solid {p.error_fg};
    border-radius: 4px; }}
QFrame#errorBanner QLabel {{ color: {p.error_fg}; background: transparent; }}
QStatusBar {{ background-color: {p.panel}; color: {p.muted}; }}
QFrame#lessonBar {{ background-color: {p.panel}; border-top: 2px solid {p.accent}; }}
QLabel#lessonCaption {{ font-size: {pt * 1.15:.1f}pt; }}
QLabel#lessonPosition {{ color: {p.muted}; }}
QLabel#lessonProblem {{ color: {p.error_fg}; }}
QFrame#lessonHighlight {{ background: transparent; border: {max(3, 3 * scale):.0f}px
    solid {p.accent}; border-radius: 6px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: {13 * scale:.0f}px;
    height: {13 * scale:.0f}px; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: top right;
    width: {18 * scale:.0f}px; border: none; }}
QComboBox::down-arrow {{ image: url("{_arrow(p)}"); width: {9 * scale:.0f}px;
    height: {9 * scale:.0f}px; }}
QToolTip {{ color: {p.text}; background-color: {p.panel}; border: 1px solid {p.grid}; }}
"""


class ThemeManager(QObject):
    """Holds the current palette and presentation scale; emits ``changed`` on edits."""

    changed = Signal()

    def __init__(self, palette: Palette = LIGHT, scale: float = 1.0) -> None:
        super().__init__()
        self._palette = palette
        self._scale = scale

    @property
    def palette(self) -> Palette:
        """The active palette."""
        return self._palette

    @property
    def scale(self) -> float:
        """Font / line / marker multiplier in [1, 3]."""
        return self._scale

    def set_palette(self, palette: Palette | str) -> None:
        """Switch to ``palette`` (an object or one of the names in :data:`PALETTES`)."""
        new = PALETTES[palette] if isinstance(palette, str) else palette
        if new != self._palette:
            self._palette = new
            self.changed.emit()

    def set_scale(self, scale: float) -> None:
        """Set the scale, clamped to [1, 3]."""
        new = min(max(float(scale), MIN_SCALE), MAX_SCALE)
        if abs(new - self._scale) > 1e-9:
            self._scale = new
            self.changed.emit()

    def pen_width(self, base: float = 2.0) -> float:
        """Return a line width scaled for the current mode."""
        return base * self._scale

    def marker_size(self, base: float = 6.0) -> float:
        """Return a marker size scaled for the current mode."""
        return base * self._scale
