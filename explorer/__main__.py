"""``python -m explorer`` runs the same entry point as the ``explorer`` script."""

from __future__ import annotations

from explorer.cli import main

# The guard matters: training runs in spawned worker processes, which import the
# main module again; without it each child would start another Explorer.
if __name__ == "__main__":
    raise SystemExit(main())
