"""The keyboard shortcuts, listed once for the menus, the help dialog and the README."""

from __future__ import annotations

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Space", "Start / pause the active panel's job"),
    ("S", "Step once"),
    ("R", "Reset the active panel"),
    ("Ctrl+1 … Ctrl+9", "Jump to panel 1 … 9 of the course (Ctrl+0: start page)"),
    ("Ctrl+Tab / Ctrl+Shift+Tab", "Next / previous panel"),
    ("Alt+1 … Alt+9", "Tab 1 … 9 of the active panel (panels with tabs)"),
    ("F5", "Presentation mode (full screen, high contrast, big text)"),
    ("F11", "Full screen"),
    ("Ctrl+= / Ctrl+-", "Bigger / smaller text, lines and markers"),
    ("Ctrl+E", "Export image…"),
    ("Ctrl+Shift+C", "Copy the active panel to the clipboard"),
    ("Ctrl+O", "Open a file in the active panel"),
    ("Ctrl+S / Ctrl+Shift+O", "Save session… / Load session…"),
    ("PageDown / PageUp (→ / ←)", "Next / previous step of the lesson being played"),
    ("Ctrl+L / Ctrl+Shift+L", "Open lesson… / Add this view as a lesson step"),
    ("F1", "Keyboard shortcuts"),
    ("Ctrl+Q", "Quit"),
)
