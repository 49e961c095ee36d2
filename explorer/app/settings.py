"""Persistent preferences (QSettings): geometry, theme, scale, last panel, recents."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from explorer.widgets.theme import MAX_SCALE, MIN_SCALE, PALETTES

MAX_RECENT = 8


def config_dir() -> Path:
    """Return the settings folder (``$EXPLORER_CONFIG_DIR`` overrides it)."""
    override = os.environ.get("EXPLORER_CONFIG_DIR")
    if override:
        return Path(override)
    base = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.GenericConfigLocation
    )
    return Path(base) / "explorer"


def data_dir() -> Path:
    """Return the data folder for logs, caches (``$EXPLORER_DATA_DIR`` overrides)."""
    override = os.environ.get("EXPLORER_DATA_DIR")
    if override:
        return Path(override)
    base = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.GenericDataLocation
    )
    return Path(base) / "explorer"


class Settings:
    """Typed access to the app's QSettings (an INI file in :func:`config_dir`)."""

    def __init__(self, path: Path | None = None) -> None:
        file = path or config_dir() / "explorer.ini"
        self._q = QSettings(str(file), QSettings.Format.IniFormat)

    def clear(self) -> None:
        """Forget everything."""
        self._q.clear()

    def sync(self) -> None:
        """Write pending changes to disk."""
        self._q.sync()

    @property
    def geometry(self) -> QByteArray | None:
        """Saved window geometry, if any."""
        value = self._q.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._q.setValue("window/geometry", value)

    @property
    def theme(self) -> str:
        """Theme name (one of the palettes)."""
        value = str(self._q.value("view/theme", "light"))
        return value if value in PALETTES else "light"

    @theme.setter
    def theme(self, value: str) -> None:
        self._q.setValue("view/theme", value)

    @property
    def font_scale(self) -> float:
        """Font / line scale outside presentation mode."""
        try:
            value = float(str(self._q.value("view/font_scale", 1.0)))
        except ValueError:
            return 1.0
        return min(max(value, MIN_SCALE), MAX_SCALE)

    @font_scale.setter
    def font_scale(self, value: float) -> None:
        self._q.setValue("view/font_scale", float(value))

    @property
    def last_panel(self) -> str:
        """Id of the panel shown when the app last closed ("" = start page)."""
        return str(self._q.value("view/last_panel", ""))

    @last_panel.setter
    def last_panel(self, value: str) -> None:
        self._q.setValue("view/last_panel", value)

    @property
    def recent_sessions(self) -> list[str]:
        """Recently saved or opened session files, newest first."""
        value = self._q.value("sessions/recent", [])
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            return []
        return [str(v) for v in value][:MAX_RECENT]

    def add_recent_session(self, path: Path) -> None:
        """Put ``path`` first in the recent sessions."""
        items = [str(path)] + [p for p in self.recent_sessions if p != str(path)]
        self._q.setValue("sessions/recent", items[:MAX_RECENT])
