"""Run every benchmark module and print one table: ``python -m benchmarks.run [NAME…]``.

Each module ``benchmarks/bench_<name>.py`` has ``run() -> [(name, measured, goal)]``.
Long runs are registered in :data:`ON_REQUEST` and run only when named; options
after the names go to them (``python -m benchmarks.run soak --minutes 10``).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

# name → module of the benchmarks that run only when asked for (minutes long)
ON_REQUEST = {"soak": "soak", "stall": "stall"}


def _modules(selected: list[str]) -> list[str]:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]))
    found = [n for n in names if n.startswith("bench_")]
    if selected:
        found = [n for n in found if n.removeprefix("bench_") in selected]
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table; return 0, or 1 if one failed."""
    args = sys.argv[1:] if argv is None else argv
    split = next((i for i, a in enumerate(args) if a.startswith("-")), len(args))
    selected, options = args[:split], args[split:]
    rows: list[tuple[str, str, str]] = []
    failed = False
    plain = [n for n in selected if n not in ON_REQUEST]
    names = _modules(plain) if plain or not selected else []
    names += [ON_REQUEST[n] for n in selected if n in ON_REQUEST]
    for name in names:
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            long_run = name in ON_REQUEST.values()
            rows.extend(module.run(options) if long_run else module.run())
        except Exception as exc:  # report and go on with the others
            rows.append((name, f"FAILED: {type(exc).__name__}: {exc}", ""))
            failed = True
        print(f"[{name}: {time.perf_counter() - start:.1f} s]", file=sys.stderr)
    widths = [
        max(len(r[i]) for r in [("benchmark", "measured", "goal"), *rows])
        for i in range(3)
    ]
    line = "| " + " | ".join(f"{{:<{w}}}" for w in widths) + " |"
    print(line.format("benchmark", "measured", "goal"))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line.format(*row))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
