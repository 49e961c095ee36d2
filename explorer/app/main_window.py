"""The main window: navigation, active panel, menus, status bar, presentation."""

from __future__ import annotations

import datetime as _dt
import gc
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QIcon,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.app import registry
from explorer.app.dialogs import (
    ErrorLogDialog,
    ExportDialog,
    about_dialog,
    shortcuts_dialog,
)
from explorer.app.errors import ErrorRecord, ErrorReporter
from explorer.app.lesson_menu import LessonMenu, is_lesson_file
from explorer.app.lessons import LessonBar, LessonPlayer
from explorer.app.session import Session, SessionError, load_session, save_session
from explorer.app.settings import Settings
from explorer.app.start_page import StartPage
from explorer.app.status import StatusBar
from explorer.core.data import asset_path
from explorer.panels.base import SECONDARY_PROPERTY, AppContext, PanelBase
from explorer.widgets.error_banner import ErrorBanner
from explorer.widgets.export import ExportError, copy_to_clipboard, export_svg, save_png
from explorer.widgets.plot_pane import apply_pyqtgraph_defaults
from explorer.widgets.theme import MAX_SCALE, MIN_SCALE, PALETTES, stylesheet

START_ID = "start"
PRESENTATION_SCALE = 2.0
_SCALE_STEP = 0.25


class _ErrorRelay(QObject):
    """Moves error records from any thread to the GUI thread."""

    reported = Signal(object)


def _icon(spec: registry.PanelSpec) -> QIcon:
    try:
        return QIcon(str(asset_path(f"icons/{spec.icon}")))
    except FileNotFoundError:
        return QIcon()


def _tabs_of(panel: object) -> QTabWidget | None:
    """Return ``panel.tabs`` when it is a QTabWidget (the tabs Alt+N picks)."""
    tabs = getattr(panel, "tabs", None)
    return tabs if isinstance(tabs, QTabWidget) else None


class MainWindow(QMainWindow):
    """Hosts the registered panels; see the README for the menus and shortcuts."""

    panel_changed = Signal(str)

    def __init__(
        self,
        context: AppContext,
        reporter: ErrorReporter,
        settings: Settings,
        panels: tuple[registry.PanelSpec, ...] | None = None,
    ) -> None:
        super().__init__()
        self.context = context
        self.reporter = reporter
        self.settings = settings
        self.specs = registry.PANELS if panels is None else panels
        self.panels: dict[str, PanelBase] = {}
        self._presentation = False
        self._before_presentation: tuple[str, float] = ("light", 1.0)
        self.setWindowTitle("Explorer")
        self.setAcceptDrops(True)
        # The font before any window scaled it (a second window, or a test's next
        # one, must not take an earlier window's ×2 as its ×1).
        app = QApplication.instance()
        base = app.property("explorerBaseFont") if app is not None else None
        if not isinstance(base, QFont):
            base = QFont(QApplication.font())
            if app is not None:
                app.setProperty("explorerBaseFont", base)
        self._base_font = QFont(base)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(32, 32))
        self.nav.setMaximumWidth(260)
        try:
            start_icon = QIcon(str(asset_path("icons/start.svg")))
        except FileNotFoundError:
            start_icon = QIcon()
        start_item = QListWidgetItem(start_icon, "Start")
        start_item.setData(Qt.ItemDataRole.UserRole, START_ID)
        self.nav.addItem(start_item)
        for spec in self.specs:
            item = QListWidgetItem(_icon(spec), spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.id)
            item.setToolTip(spec.summary)
            self.nav.addItem(item)
        self.nav.currentItemChanged.connect(self._on_nav_current_changed)

        self.stack = QStackedWidget()
        self.start_page = StartPage(self.specs, settings.recent_sessions)
        self.start_page.panel_requested.connect(self.show_panel)
        self.start_page.session_requested.connect(self._on_start_session_requested)
        self.start_page.lesson_requested.connect(
            lambda path: self.lesson_menu.open_path(Path(path))
        )
        self.stack.addWidget(self.start_page)
        # floats over the pages' top edge: showing it re-lays out nothing
        self.banner = ErrorBanner(self.stack)
        self.lesson_bar = LessonBar()
        self.lesson_player = LessonPlayer(self, self.lesson_bar, self)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.nav)
        column = QVBoxLayout()
        column.setSpacing(0)
        column.addWidget(self.stack, 1)
        column.addWidget(self.lesson_bar)
        row.addLayout(column, 1)
        self.setCentralWidget(central)

        self.status = StatusBar(context.jobs)
        self.status.errors_clicked.connect(self.show_error_log)
        self.setStatusBar(self.status)

        self._relay = _ErrorRelay(self)
        self._relay.reported.connect(self._on_error_reported)
        reporter.add_listener(self._relay.reported.emit)

        self._build_menus()
        context.theme.changed.connect(self._apply_theme)
        self._apply_theme()
        self.status.detect_device(context.device)

    # -- menus -----------------------------------------------------------------------
    def _action(
        self,
        text: str,
        slot: object,
        shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
        tip: str = "",
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self.open_action = self._action(
            "&Open…",
            self.open_file_dialog,
            QKeySequence.StandardKey.Open,
            "Open a file in the active panel",
        )
        file.addAction(self.open_action)
        open_lesson_slot = len(file.actions())  # File ▸ Open lesson… goes here
        file.addSeparator()
        file.addAction(
            self._action(
                "&Save session…",
                self.save_session_dialog,
                QKeySequence.StandardKey.Save,
                "Save every panel's state to a file",
            )
        )
        file.addAction(
            self._action(
                "&Load session…",
                self.load_session_dialog,
                "Ctrl+Shift+O",
                "Restore a saved session",
            )
        )
        file.addSeparator()
        file.addAction(
            self._action(
                "&Export image…",
                self.export_dialog,
                "Ctrl+E",
                "Save the active panel as PNG or SVG",
            )
        )
        file.addAction(
            self._action(
                "Export &all panels…",
                self.export_all_dialog,
                None,
                "Save every panel as PNG into a folder",
            )
        )
        file.addAction(
            self._action(
                "&Copy image",
                self.copy_image,
                "Ctrl+Shift+C",
                "Copy the active panel to the clipboard",
            )
        )
        file.addSeparator()
        # Ctrl+Q everywhere: the platform's StandardKey.Quit is empty on Windows and
        # offscreen (shortcuts.py promises Ctrl+Q)
        file.addAction(self._action("&Quit", self.close, "Ctrl+Q"))

        view = bar.addMenu("&View")
        self.presentation_action = self._action(
            "&Presentation mode",
            self.toggle_presentation,
            "F5",
            "Full screen, high contrast, big text; hides secondary controls",
            True,
        )
        view.addAction(self.presentation_action)
        self.fullscreen_action = self._action(
            "&Full screen", self.toggle_full_screen, "F11", checkable=True
        )
        view.addAction(self.fullscreen_action)
        theme_menu = view.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name in PALETTES:
            act = QAction(name.replace("-", " ").capitalize(), self, checkable=True)
            act.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            group.addAction(act)
            theme_menu.addAction(act)
            self.theme_actions[name] = act
        view.addSeparator()
        view.addAction(self._action("&Bigger text", self.bigger, "Ctrl+="))
        view.addAction(self._action("&Smaller text", self.smaller, "Ctrl+-"))
        self._action("Bigger text", self.bigger, "Ctrl++")
        view.addSeparator()
        self._action("Start page", lambda: self.show_panel(START_ID), "Ctrl+0")
        for i, spec in enumerate(self.specs):
            act = self._action(
                spec.title.replace("&", "&&"),  # a menu's "&" marks a mnemonic
                lambda _=False, s=spec.id: self.show_panel(s),
                f"Ctrl+{i + 1}" if i < 9 else None,  # panels 10, 11: Ctrl+Tab
            )
            view.addAction(act)
        view.addAction(
            self._action("&Next panel", lambda: self.show_next_panel(1), "Ctrl+Tab")
        )
        view.addAction(
            self._action(
                "&Previous panel", lambda: self.show_next_panel(-1), "Ctrl+Shift+Tab"
            )
        )
        for i in range(9):  # not in the menu: the tab bar shows them in its tooltips
            self._action(
                f"Tab {i + 1}",
                lambda _=False, i=i: self.show_panel_tab(i),
                f"Alt+{i + 1}",
            )

        lesson_menu = bar.addMenu("&Lesson")
        self.lesson_menu = LessonMenu(self, lesson_menu)
        file.insertAction(
            file.actions()[open_lesson_slot], self.lesson_menu.open_action
        )

        run = bar.addMenu("&Run")
        self.start_action = self._action(
            "&Start / Pause",
            self._on_start_pause_triggered,
            "Space",
            "Start or pause the active panel",
        )
        self.step_action = self._action(
            "S&tep",
            self._on_step_triggered,
            "S",
            "Advance the active panel by one step",
        )
        self.reset_action = self._action(
            "&Reset", self._on_reset_triggered, "R", "Reset the active panel"
        )
        for act in (self.start_action, self.step_action, self.reset_action):
            run.addAction(act)
        run.addSeparator()
        self.process_action = self._action(
            "Train in a &worker process",
            self._on_process_toggled,
            tip="Keeps the window smooth while models train (a thread is slower "
            "to disturb but starts faster)",
            checkable=True,
        )
        self.process_action.setChecked(self.context.training_backend == "process")
        run.addAction(self.process_action)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(
            self._action("&Keyboard shortcuts", self.show_shortcuts, "F1")
        )
        help_menu.addAction(self._action("&Error log", self.show_error_log))
        help_menu.addAction(self._action("&About Explorer", self.show_about))
        self._update_actions()

    # -- panels ----------------------------------------------------------------------
    def current_id(self) -> str:
        """Return the id of the page shown ("start" for the start page)."""
        item = self.nav.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else START_ID

    def current_panel(self) -> PanelBase | None:
        """Return the active panel, or None on the start page."""
        return self.panels.get(self.current_id())

    def panel(self, panel_id: str) -> PanelBase:
        """Return the panel ``panel_id``, creating it on first use."""
        existing = self.panels.get(panel_id)
        if existing is not None:
            return existing
        spec = registry.find(panel_id, self.specs)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            panel = spec.load()(self.context)
        finally:
            QApplication.restoreOverrideCursor()
        self.panels[panel_id] = panel
        self._name_tab_keys(panel)
        # A panel larger than the screen (presentation mode's ×2 text on a small
        # projector) scrolls instead of pushing the window past the screen's edge.
        holder = QScrollArea()
        holder.setObjectName(f"holder-{panel_id}")
        holder.setWidgetResizable(True)
        holder.setFrameShape(QFrame.Shape.NoFrame)
        holder.setWidget(panel)
        self.stack.addWidget(holder)
        # The panel's imports (torch, VTK) live for the whole run: move them out of
        # the collector's reach so full collections stay short (GUI stalls).
        gc.collect()
        gc.freeze()
        if self._presentation:
            self._set_secondary_visible(False)
        return panel

    @staticmethod
    def _name_tab_keys(panel: PanelBase) -> None:
        """Add "(Alt+N)" to the tooltips of the panel's first nine tabs."""
        tabs = _tabs_of(panel)
        if tabs is None:
            return
        for i in range(min(9, tabs.count())):
            tip = tabs.tabToolTip(i) or tabs.tabText(i).replace("&", "")
            if "Alt+" not in tip:
                tabs.setTabToolTip(i, f"{tip} (Alt+{i + 1})")

    def show_panel(self, panel_id: str) -> None:
        """Show ``panel_id`` (or "start") and select it in the navigation."""
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == panel_id:
                self.nav.setCurrentRow(row)
                return
        self.banner.show_message(f"There is no panel called {panel_id!r}.")

    def show_next_panel(self, step: int) -> None:
        """Show the panel ``step`` places after the current one (the start page too)."""
        rows = self.nav.count()
        if rows:
            self.nav.setCurrentRow((self.nav.currentRow() + step) % rows)

    def panel_tabs(self) -> QTabWidget | None:
        """Return the active panel's tabs (its ``tabs`` attribute), if it has any."""
        return _tabs_of(self.current_panel())

    def show_panel_tab(self, index: int) -> None:
        """Show tab ``index`` of the active panel (Alt+1 … Alt+9); others ignore it."""
        tabs = self.panel_tabs()
        if tabs is not None and 0 <= index < tabs.count():
            tabs.setCurrentIndex(index)

    def _on_nav_current_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            return
        panel_id = str(current.data(Qt.ItemDataRole.UserRole))
        if panel_id == START_ID:
            self.stack.setCurrentWidget(self.start_page)
        else:
            try:
                holder = self.panel(panel_id).parentWidget()
                while holder is not None and holder.parentWidget() is not self.stack:
                    holder = holder.parentWidget()
                if holder is not None:
                    self.stack.setCurrentWidget(holder)
            except (
                Exception
            ) as exc:  # a panel that fails to build must not kill the app
                self.reporter.report(exc, f"opening the {current.text()} panel")
                self.banner.show_message(
                    f"The {current.text()} panel could not be opened: {exc}"
                )
                return
        self._update_actions()
        active = self.current_panel()
        self.status.set_active(active.title if active is not None else None)
        self.panel_changed.emit(panel_id)

    def _update_actions(self) -> None:
        panel = self.current_panel()
        runnable = panel is not None and panel.runnable
        for act in (self.start_action, self.step_action, self.reset_action):
            act.setEnabled(runnable)
        self.open_action.setEnabled(panel is not None and bool(panel.open_filters))

    # -- Run menu --------------------------------------------------------------------
    def _focus_is_text(self) -> bool:
        from PySide6.QtWidgets import (
            QAbstractSpinBox,
            QLineEdit,
            QPlainTextEdit,
            QTextEdit,
        )

        focus = QApplication.focusWidget()
        return isinstance(
            focus, (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)
        )

    def _on_start_pause_triggered(self) -> None:
        panel = self.current_panel()
        if panel is not None and panel.runnable and not self._focus_is_text():
            panel.start_pause()

    def _on_step_triggered(self) -> None:
        panel = self.current_panel()
        if panel is not None and panel.runnable and not self._focus_is_text():
            panel.step()

    def _on_process_toggled(self, checked: bool) -> None:
        self.context.training_backend = "process" if checked else "thread"

    def _on_reset_triggered(self) -> None:
        panel = self.current_panel()
        if panel is not None and panel.runnable and not self._focus_is_text():
            panel.reset()

    # -- theme / presentation ----------------------------------------------------------
    def set_theme(self, name: str) -> None:
        """Switch the colour theme (light, dark, high-contrast)."""
        self.context.theme.set_palette(name)
        if not self._presentation:
            self.settings.theme = name

    def bigger(self) -> None:
        """Scale text, lines and markers up one step (max ×3)."""
        self._set_scale(self.context.theme.scale + _SCALE_STEP)

    def smaller(self) -> None:
        """Scale text, lines and markers down one step (min ×1)."""
        self._set_scale(self.context.theme.scale - _SCALE_STEP)

    def _set_scale(self, scale: float) -> None:
        self.context.theme.set_scale(min(max(scale, MIN_SCALE), MAX_SCALE))
        if not self._presentation:
            self.settings.font_scale = self.context.theme.scale

    def _apply_theme(self) -> None:
        theme = self.context.theme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            font = QFont(self._base_font)
            font.setPointSizeF(max(self._base_font.pointSizeF(), 9.0) * theme.scale)
            app.setFont(font)
            app.setStyleSheet(stylesheet(theme.palette, theme.scale))
        apply_pyqtgraph_defaults(theme.palette)
        self.nav.setIconSize(QSize(int(32 * theme.scale), int(32 * theme.scale)))
        act = self.theme_actions.get(theme.palette.name)
        if act is not None:
            act.setChecked(True)

    @property
    def presentation(self) -> bool:
        """Whether presentation mode is on."""
        return self._presentation

    def toggle_presentation(self) -> None:
        """Turn presentation mode on or off."""
        self.set_presentation(not self._presentation)

    def set_presentation(self, on: bool) -> None:
        """Full screen, high contrast, ×2 scale, no secondary controls (or back)."""
        if on == self._presentation:
            return
        theme = self.context.theme
        self._presentation = on
        if on:
            self._before_presentation = (theme.palette.name, theme.scale)
            theme.set_palette("high-contrast")
            theme.set_scale(max(PRESENTATION_SCALE, theme.scale))
            self.showFullScreen()
        else:
            name, scale = self._before_presentation
            theme.set_palette(name)
            theme.set_scale(scale)
            self.showNormal()
        self._set_secondary_visible(not on)
        self._set_navigation_compact(on)
        self.presentation_action.setChecked(on)
        self.fullscreen_action.setChecked(self.isFullScreen())

    def _set_navigation_compact(self, compact: bool) -> None:
        """Show only the icons in the navigation (titles stay as tooltips)."""
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            if compact:
                item.setData(Qt.ItemDataRole.UserRole + 1, item.text())
                item.setToolTip(item.text())
                item.setText("")
            else:
                title = item.data(Qt.ItemDataRole.UserRole + 1)
                if title:
                    item.setText(str(title))
        icon = self.nav.iconSize().width()
        # with more icons than fit the height, the vertical scroll bar takes its
        # width from the icons: leave room for it, so nothing scrolls sideways
        bar = self.nav.verticalScrollBar().sizeHint().width()
        self.nav.setMaximumWidth(icon + 40 + bar if compact else 260)

    def _set_secondary_visible(self, visible: bool) -> None:
        for w in self.findChildren(QWidget):
            if w.property(SECONDARY_PROPERTY):
                w.setVisible(visible)

    def toggle_full_screen(self) -> None:
        """Toggle full screen without the other presentation changes."""
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.fullscreen_action.setChecked(self.isFullScreen())

    # -- files ---------------------------------------------------------------------
    def _warn(self, title: str, message: str) -> None:
        QMessageBox.warning(self, title, message)

    def open_file_dialog(self) -> None:
        """Ask for a file and open it in the active panel."""
        panel = self.current_panel()
        if panel is None or not panel.open_filters:
            return
        path, _ = QFileDialog.getOpenFileName(
            self, f"Open in {panel.title}", "", panel.open_filters
        )
        if path:
            self.open_in_panel(Path(path))

    def open_in_panel(self, path: Path) -> bool:
        """Open ``path`` in the active panel; on failure show why and return False."""
        panel = self.current_panel()
        if panel is None or not panel.open_filters:
            self._warn(
                "Cannot open", "Pick a panel first: files open in the active panel."
            )
            return False
        try:
            panel.open_file(path)
        except (ValueError, OSError) as exc:
            self._warn("Cannot open file", f"{path.name}: {exc}")
            return False
        except Exception as exc:  # a reader's bug: say so, log it, keep the app
            self.reporter.report(exc, f"opening {path.name} in the {panel.title} panel")
            self._warn(
                "Cannot open file",
                f"{path.name}: {type(exc).__name__}: {exc}\n\n"
                "This is a bug in Explorer; the details are in Help ▸ Error log.",
            )
            return False
        # a success clears what an earlier failure left on screen
        panel.error_banner.clear()
        self.banner.clear()
        return True

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the lesson bar to a quarter of the window's height."""
        super().resizeEvent(event)
        self.lesson_bar.fit_height(self.height())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        lesson = any(is_lesson_file(Path(u.toLocalFile())) for u in urls)
        if urls and (lesson or self.current_panel() is not None):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                path = Path(url.toLocalFile())
                if is_lesson_file(path):
                    self.lesson_menu.open_path(path)
                else:
                    self.open_in_panel(path)
                break

    def _default_name(self, stem: str, suffix: str) -> Path:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return Path.home() / f"explorer-{stem}-{stamp}{suffix}"

    def collect_session(self) -> Session:
        """Return the state of every opened panel."""
        states: dict[str, dict[str, object]] = {}
        for panel_id, panel in self.panels.items():
            try:
                states[panel_id] = panel.state()
            except Exception as exc:  # one faulty panel must not lose the others' work
                self.reporter.report(exc, f"saving the {panel.title} panel")
        return Session(panels=states, active=self.current_id())

    def save_session_to(self, path: Path) -> Path | None:
        """Save the session to ``path``; return the written path or None on failure."""
        try:
            written = save_session(path, self.collect_session())
        except (OSError, ValueError, TypeError) as exc:
            self._warn("Cannot save session", f"{path}: {exc}")
            return None
        self.settings.add_recent_session(written)
        self.statusBar().showMessage(f"Session saved to {written}", 5000)
        return written

    def save_session_dialog(self) -> None:
        """Ask for a file name and save the session."""
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save session",
            str(self._default_name("session", ".explorer.json")),
            "Explorer sessions (*.explorer.json)",
        )
        if path:
            self.save_session_to(Path(path))

    def load_session_from(self, path: Path) -> bool:
        """Load a session; a bad file gives a message and changes nothing."""
        try:
            session = load_session(path)
        except SessionError as exc:
            self._warn("Cannot load session", str(exc))
            return False
        known = {s.id for s in self.specs}
        for panel_id, state in session.panels.items():
            if panel_id not in known:
                continue
            panel = self.panel(panel_id)
            try:
                panel.restore(state)
            except Exception as exc:  # keep loading the other panels
                self.reporter.report(exc, f"restoring the {panel.title} panel")
                panel.show_error(
                    f"Could not restore this panel from {path.name}: {exc}"
                )
        if session.active:
            self.show_panel(session.active)
        self.settings.add_recent_session(path)
        return True

    def load_session_dialog(self) -> None:
        """Ask for a session file and load it."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Load session", "", "Explorer sessions (*.explorer.json)"
        )
        if path:
            self.load_session_from(Path(path))

    def _on_start_session_requested(self, path: str) -> None:
        self.load_session_from(Path(path))

    # -- export --------------------------------------------------------------------
    def _export_target(self) -> tuple[QWidget, str]:
        panel = self.current_panel()
        if panel is None:
            return self.start_page, START_ID
        return panel, panel.panel_id

    def export_current(
        self,
        path: Path,
        scale: int = 1,
        *,
        svg: bool = False,
        main_view_only: bool = False,
    ) -> list[Path]:
        """Export the active page to ``path`` (PNG at ``scale``, or SVG plots)."""
        widget, _ = self._export_target()
        panel = self.current_panel()
        if svg:
            target = panel.main_view() if (panel and main_view_only) else widget
            written = export_svg(target, path)
            if not written:
                raise ExportError(
                    "this view has no 2-D plots to export as SVG; use PNG"
                )
            return written
        if panel is not None:
            image = panel.export_image(scale, main_view_only=main_view_only)
        else:
            from explorer.widgets.export import grab_widget

            image = grab_widget(widget, scale)
        return [save_png(image, path)]

    def export_dialog(self) -> None:
        """Ask for export options and export the active panel."""
        _, name = self._export_target()
        dialog = ExportDialog(self._default_name(name, ".png"), self)
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        choice = dialog.choice()
        try:
            written = self.export_current(
                choice.path,
                choice.scale,
                svg=choice.svg,
                main_view_only=choice.main_view_only,
            )
        except (ExportError, OSError) as exc:
            self._warn("Export failed", str(exc))
            return
        self.statusBar().showMessage("Exported " + ", ".join(map(str, written)), 6000)

    def export_all(self, folder: Path, scale: int = 1) -> list[Path]:
        """Export every registered panel as ``<folder>/<id>.png``."""
        written = []
        for spec in self.specs:
            panel = self.panel(spec.id)
            panel.resize(panel.size().expandedTo(self.stack.size()))
            written.append(
                save_png(panel.export_image(scale), folder / f"{spec.id}.png")
            )
        return written

    def export_all_dialog(self) -> None:
        """Ask for a folder and export every panel into it."""
        folder = QFileDialog.getExistingDirectory(self, "Export all panels to folder")
        if not folder:
            return
        try:
            written = self.export_all(Path(folder))
        except (ExportError, OSError) as exc:
            self._warn("Export failed", str(exc))
            return
        self.statusBar().showMessage(
            f"Exported {len(written)} panels to {folder}", 6000
        )

    def copy_image(self) -> None:
        """Copy the active panel to the clipboard."""
        panel = self.current_panel()
        if panel is not None:
            copy_to_clipboard(panel.export_image(1))
            self.statusBar().showMessage("Copied to the clipboard", 3000)

    # -- help / errors ----------------------------------------------------------------
    def show_shortcuts(self) -> None:
        """Show the keyboard shortcuts."""
        shortcuts_dialog(self).exec()

    def show_about(self) -> None:
        """Show About with credits."""
        about_dialog(self).exec()

    def show_error_log(self) -> None:
        """Show every error of this run."""
        ErrorLogDialog(self.reporter.records, self.reporter.log_path, self).exec()

    def _on_error_reported(self, record: ErrorRecord) -> None:
        summary = f"{record.where}: {record.line or record.message}"
        self.status.count_error(summary)
        if not record.where.startswith(tuple(s.title for s in self.specs)):
            # errors that no panel shows in its own banner appear here
            self.banner.show_message(summary + "  (Help ▸ Error log for details)")

    # -- life cycle ----------------------------------------------------------------
    def restore_window(self, panel_id: str | None = None) -> None:
        """Apply saved geometry, theme, scale and the last (or requested) panel."""
        geometry = self.settings.geometry
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)
        self.context.theme.set_palette(self.settings.theme)
        self.context.theme.set_scale(self.settings.font_scale)
        self.show_panel(panel_id or self.settings.last_panel or START_ID)

    def shutdown(self) -> None:
        """Stop every panel's workers and close their 3-D views."""
        for panel in self.panels.values():
            try:
                panel.shutdown()
            except Exception as exc:  # shutting down the rest matters more
                self.reporter.report(exc, f"closing the {panel.title} panel")

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._presentation and not self.isFullScreen():
            self.settings.geometry = self.saveGeometry()
        current = self.current_id()
        self.settings.last_panel = "" if current == START_ID else current
        self.settings.sync()
        self.shutdown()
        super().closeEvent(event)
