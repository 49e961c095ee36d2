"""Entry point of the PyInstaller bundle: the same ``explorer`` command as the wheel."""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    # Training runs in spawned worker processes; in a frozen app each child re-runs
    # this executable, and freeze_support() turns it into the worker instead of the CLI.
    multiprocessing.freeze_support()
    from explorer.cli import main

    sys.exit(main())
