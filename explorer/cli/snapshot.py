"""``explorer snapshot ID|all --out PATH``: render panels headless to PNG."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from explorer.cli.common import CliError, add_json_flag, emit_json, positive_int


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``snapshot`` subcommand."""
    p = sub.add_parser(
        "snapshot",
        help="render a panel (or all) to PNG without a window",
        description="Render panels headless. For 'all', --out is a folder that gets "
        "one <id>.png per panel; for one panel it is a .png file or a folder.",
    )
    p.add_argument(
        "panel", metavar="ID|all", help="panel id (see 'explorer list') or all"
    )
    p.add_argument("--out", required=True, type=Path, help="PNG file or folder")
    p.add_argument(
        "--scale",
        type=positive_int,
        default=1,
        choices=(1, 2, 3, 4),
        help="resolution multiplier (default 1)",
    )
    p.add_argument(
        "--theme", default="light", choices=("light", "dark", "high-contrast")
    )
    add_json_flag(p)
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from explorer.app import registry

    ids = [s.id for s in registry.PANELS] if args.panel == "all" else [args.panel]
    if args.panel != "all":
        try:
            registry.find(args.panel)
        except KeyError as exc:
            raise CliError(str(exc.args[0])) from None
    out: Path = args.out
    if args.panel == "all" and out.suffix == ".png":
        raise CliError("with 'all', --out must be a folder, not a .png file")
    if not ids:
        raise CliError("no panels are registered")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    from PySide6.QtWidgets import QApplication

    from explorer.app.snapshot import SnapshotError, snapshot
    from explorer.widgets.export import ExportError
    from explorer.workers import GuiThreadCollector

    app = QApplication.instance() or QApplication(["explorer"])
    assert app is not None
    collector = GuiThreadCollector(parent=app)
    collector.start()
    try:
        written = snapshot(ids, out, float(args.scale), args.theme)
    except (SnapshotError, ExportError) as exc:
        raise CliError(str(exc), code=1) from exc
    finally:
        collector.stop()
    if args.json:
        emit_json({"files": [str(p) for p in written]})
    else:
        for p in written:
            print(p)
    return 0
