#!/usr/bin/env bash
# Build the lecture-room bundle: a one-folder PyInstaller build of Explorer.
#
#   bash packaging/build.sh [--smoke]
#
# PyInstaller lives in its own venv (PYI_VENV, default /tmp/pyi-venv) so the dev venv
# stays clean: torch==2.13.0 (CPU) first, then this checkout (not editable: the bundle
# takes what a wheel installs), then pyinstaller. The bundle lands in DIST (default
# dist/ of the checkout) as DIST/explorer/explorer. --smoke then runs the built
# executable headless (`--version`, `list`, `snapshot all`) and prints size and timings.
set -euo pipefail

SMOKE=0
for arg in "$@"; do
  case "$arg" in
    --smoke) SMOKE=1 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "build: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PYI_VENV="${PYI_VENV:-/tmp/pyi-venv}"
DIST="${DIST:-$REPO/dist}"
WORKPATH="${WORKPATH:-$REPO/build/pyinstaller}"
PYTHON="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

step() { printf '\n--- build: %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }
fail() { echo "build: FAIL: $*" >&2; exit 1; }
quiet() { grep -v "^WARNING: Location" || true; }  # pip's notes about local indexes

step "build venv $PYI_VENV"
if [ ! -x "$PYI_VENV/bin/python" ]; then
  "$PYTHON" -m venv "$PYI_VENV"
  "$PYI_VENV/bin/pip" install -q torch==2.13.0 2>&1 | quiet
fi
# Reinstall the checkout every time so the bundle holds the current code and assets.
"$PYI_VENV/bin/pip" install -q --force-reinstall --no-deps "$REPO" 2>&1 | quiet
"$PYI_VENV/bin/pip" install -q "$REPO" pyinstaller 2>&1 | quiet
"$PYI_VENV/bin/python" -c "import PyInstaller, explorer; print('PyInstaller', PyInstaller.__version__, '| explorer', explorer.__version__)"

step "pyinstaller (a few minutes: torch, VTK, Qt and Warp are large)"
start=$SECONDS
"$PYI_VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$WORKPATH" "$REPO/packaging/pyinstaller/explorer.spec"
APP="$DIST/explorer/explorer"
[ -x "$APP" ] || fail "no executable at $APP"
echo "built $APP in $((SECONDS - start)) s; bundle size $(du -sh "$DIST/explorer" | cut -f1)"

[ "$SMOKE" -eq 1 ] || exit 0

step "smoke test of the bundle (headless, from outside the checkout)"
OUT="$(mktemp -d "${TMPDIR:-/tmp}/explorer-bundle-smoke.XXXXXX")"
cd "$OUT"
export QT_QPA_PLATFORM=offscreen VTK_DEFAULT_OPENGL_WINDOW=vtkEGLRenderWindow
export EXPLORER_CONFIG_DIR="$OUT/config" EXPLORER_DATA_DIR="$OUT/data"
unset PYTHONPATH
t0=$(date +%s.%N)
"$APP" --version
t1=$(date +%s.%N)
"$APP" list | tee "$OUT/panels.txt"
[ -s "$OUT/panels.txt" ] || fail "the bundle lists no panels"
t2=$(date +%s.%N)
"$APP" snapshot all --out "$OUT/shots" || fail "snapshot all failed in the bundle"
t3=$(date +%s.%N)
# The bundle has no Python of its own to run: check the PNGs with the build venv's.
"$PYI_VENV/bin/python" - "$OUT/shots" "$OUT/panels.txt" <<'PY' || fail "blank or missing PNGs"
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

shots, ids = Path(sys.argv[1]), Path(sys.argv[2]).read_text().split()
bad = []
for panel_id in ids:
    path = shots / f"{panel_id}.png"
    if not path.is_file():
        bad.append(f"{panel_id}: missing")
        continue
    with Image.open(path) as im:
        rgb = im.convert("RGB")
        w, h = rgb.size
        grid = {rgb.getpixel((i * w // 24, j * h // 24)) for i in range(24) for j in range(24)}
    print(f"{path.name}: {w}x{h}, {len(grid)} colours on a 24x24 grid")
    if len(grid) <= 1:
        bad.append(f"{panel_id}: blank")
sys.exit("; ".join(bad) if bad else None)
PY
printf 'bundle: %s\n--version: %.2f s\nsnapshot all: %.1f s (%s panels; PNGs in %s)\n' \
  "$(du -sh "$DIST/explorer" | cut -f1)" "$(awk "BEGIN{print $t1 - $t0}")" \
  "$(awk "BEGIN{print $t3 - $t2}")" "$(grep -c . "$OUT/panels.txt")" "$OUT/shots"
