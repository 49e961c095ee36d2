"""``python -m explorer`` runs the same entry point as the ``explorer`` script."""

from __future__ import annotations

from explorer.cli import main

raise SystemExit(main())
