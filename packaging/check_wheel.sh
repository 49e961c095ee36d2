#!/usr/bin/env bash
# Prove that the wheel is a working app on its own: build it, install it into a fresh
# virtual environment outside the checkout, and from a folder outside the checkout run
# `explorer --version`, `explorer list` and `explorer snapshot all` (offscreen Qt); every
# image must be non-blank and every file of assets/ must have been installed.
#
#   bash packaging/check_wheel.sh [--keep]
#
# Environment: PYTHON (the interpreter for the fresh venv, default python3),
# BUILD_PYTHON (builds the wheel, default .venv/bin/python, else python3),
# SNAPSHOT_TIMEOUT (seconds for `snapshot all`, default 900).
set -euo pipefail

KEEP=0
for arg in "$@"; do
  case "$arg" in
    --keep) KEEP=1 ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "check_wheel: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
if [ -z "${BUILD_PYTHON:-}" ]; then
  if [ -x "$REPO/.venv/bin/python" ]; then BUILD_PYTHON="$REPO/.venv/bin/python"; else BUILD_PYTHON="$PYTHON"; fi
fi
SNAPSHOT_TIMEOUT="${SNAPSHOT_TIMEOUT:-900}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

WORK="$(mktemp -d "${TMPDIR:-/tmp}/explorer-wheel-check.XXXXXX")"
cleanup() {
  if [ "$KEEP" -eq 1 ]; then echo "check_wheel: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

step() { printf '\n--- check_wheel: %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }
fail() { echo "check_wheel: FAIL: $*" >&2; exit 1; }
quiet() { grep -v "^WARNING: Location" || true; }  # pip's notes about local indexes

step "build the wheel"
cd "$REPO"
if "$BUILD_PYTHON" -c "import hatchling" 2>/dev/null; then
  isolation=(--no-build-isolation)
else
  isolation=()  # pip fetches hatchling into a throw-away build environment
fi
"$BUILD_PYTHON" -m pip wheel -q --no-deps "${isolation[@]}" -w "$WORK/dist" "$REPO" 2>&1 | quiet
shopt -s nullglob
wheels=("$WORK"/dist/explorer-*.whl)
[ ${#wheels[@]} -eq 1 ] || fail "expected one wheel in $WORK/dist, found ${#wheels[@]}"
WHEEL="${wheels[0]}"
echo "wheel: $(basename "$WHEEL") ($(du -h "$WHEEL" | cut -f1))"

step "fresh venv in $WORK/venv: torch==2.13.0 (CPU) first, then the wheel"
"$PYTHON" -m venv "$WORK/venv"
VBIN="$WORK/venv/bin"
"$VBIN/pip" install -q torch==2.13.0 2>&1 | quiet
"$VBIN/pip" install -q "$WHEEL" 2>&1 | quiet

# Everything below runs outside the checkout, so nothing can come from the source tree.
cd "$WORK"
export QT_QPA_PLATFORM=offscreen VTK_DEFAULT_OPENGL_WINDOW=vtkEGLRenderWindow
export EXPLORER_CONFIG_DIR="$WORK/config" EXPLORER_DATA_DIR="$WORK/data"
unset PYTHONPATH

step "the package and its assets come from the venv"
# Every file under assets/ that git would ship (a fresh clone's files) must be installed.
if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$REPO" ls-files --cached --others --exclude-standard -- assets >"$WORK/assets.txt"
else
  (cd "$REPO" && find assets -type f) >"$WORK/assets.txt"
fi
"$VBIN/python" - "$WORK/venv" "$WORK/assets.txt" "$REPO" <<'PY'
from __future__ import annotations

import sys
from pathlib import Path

import explorer
from explorer.core.data import asset_path

venv = Path(sys.argv[1]).resolve()
package = Path(explorer.__file__).resolve().parent
if venv not in package.parents:
    sys.exit(f"explorer was imported from {package}, not from the venv {venv}")
repo = Path(sys.argv[3])
names = [
    line.removeprefix("assets/")
    for line in Path(sys.argv[2]).read_text().splitlines()
    if line.strip() and (repo / line).is_file()  # a file deleted but not yet committed
]
if not names:
    sys.exit("no asset files found in the checkout")
missing = []
for name in names:
    try:
        found = asset_path(name).resolve()
    except FileNotFoundError:
        missing.append(name)
        continue
    if package not in found.parents:
        sys.exit(f"asset {name} was found at {found}, outside the installed package")
if missing:
    sys.exit(f"assets missing from the wheel: {', '.join(sorted(missing))}")
print(f"explorer {explorer.__version__} from {package}; {len(names)} assets installed")
PY

step "explorer --version"
version_out="$("$VBIN/explorer" --version)"
echo "$version_out"
wheel_version="$(basename "$WHEEL" | cut -d- -f2)"
[ "$version_out" = "explorer $wheel_version" ] ||
  fail "--version printed '$version_out', expected 'explorer $wheel_version'"

step "explorer list"
"$VBIN/explorer" list | tee "$WORK/panels.txt"
n_panels="$(grep -c . "$WORK/panels.txt" || true)"
[ "$n_panels" -gt 0 ] || fail "explorer list printed no panels"

step "explorer snapshot all --out $WORK/shots (offscreen)"
start=$SECONDS
timeout "$SNAPSHOT_TIMEOUT" "$VBIN/explorer" snapshot all --out "$WORK/shots" ||
  fail "explorer snapshot all exited with status $?"
echo "snapshot all: $((SECONDS - start)) s"

step "every panel has a non-blank PNG"
"$VBIN/python" - "$WORK/shots" "$WORK/panels.txt" <<'PY'
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

GRID = 24  # sample a GRID x GRID lattice of pixels
shots = Path(sys.argv[1])
ids = [s for s in Path(sys.argv[2]).read_text().split() if s]
problems = []
for panel_id in ids:
    path = shots / f"{panel_id}.png"
    if not path.is_file():
        problems.append(f"{panel_id}: no {path.name}")
        continue
    with Image.open(path) as im:
        rgb = im.convert("RGB")
        w, h = rgb.size
        colours = {
            rgb.getpixel(((2 * i + 1) * w // (2 * GRID), (2 * j + 1) * h // (2 * GRID)))
            for i in range(GRID)
            for j in range(GRID)
        }
    status = "ok" if len(colours) > 1 else "BLANK"
    print(f"{path.name}: {w}x{h}, {len(colours)} colours on a {GRID}x{GRID} grid, {status}")
    if len(colours) <= 1:
        problems.append(f"{panel_id}: blank image (one colour)")
if problems:
    sys.exit("non-blank check failed: " + "; ".join(problems))
PY

step "OK: the wheel installs and runs outside the checkout"
