"""Packaging: the wheel carries the assets; desktop entry, icon and metainfo agree.

The slow end-to-end checks (install the wheel into a fresh venv and run it; build the
PyInstaller bundle) are ``packaging/check_wheel.sh`` and ``packaging/build.sh``.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

import explorer

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
LINUX = PACKAGING / "linux"
DESKTOP = LINUX / "explorer.desktop"
METAINFO = LINUX / "io.github.explorer.Explorer.metainfo.xml"
ICON_SIZES = (16, 32, 48, 64, 128, 256)


@pytest.fixture(scope="module")
def pyproject() -> dict[str, object]:
    with (REPO / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def console_script(pyproject: dict[str, object]) -> str:
    project = pyproject["project"]
    assert isinstance(project, dict)
    scripts = project["scripts"]
    assert scripts == {"explorer": "explorer.cli:main"}
    return "explorer"


class _DesktopFile(configparser.ConfigParser):
    """A desktop file is an INI file whose keys are case-sensitive."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr


def _desktop_entry() -> configparser.SectionProxy:
    parser = _DesktopFile(interpolation=None, strict=True)
    parser.read(DESKTOP, encoding="utf-8")
    assert parser.sections() == ["Desktop Entry"]
    return parser["Desktop Entry"]


def _shipped_assets() -> list[str]:
    """Return the files under assets/ that a clean clone has (git's view if any)."""
    git = shutil.which("git")
    if git and (REPO / ".git").exists():
        out = subprocess.run(
            [git, "ls-files", "--cached", "--others", "--exclude-standard", "assets"],
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        names = [line for line in out.splitlines() if (REPO / line).is_file()]
    else:
        names = [
            p.relative_to(REPO).as_posix()
            for p in (REPO / "assets").rglob("*")
            if p.is_file()
        ]
    return sorted(names)


# --- the wheel -------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("hatchling") is None:
        pytest.skip(
            "hatchling is not installed in this environment (it is the build backend; "
            "install the dev extras) so the wheel cannot be built without the network"
        )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("explorer-*.whl")
    return built


def test_wheel_carries_every_asset_as_package_data(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert "explorer/assets/mnist_5k.npz" in names
    wanted = {"explorer/" + name for name in _shipped_assets()}
    assert wanted, "no files under assets/"
    assert sorted(wanted - names) == []
    # nothing of the source tree besides the package itself
    assert {n.split("/")[0] for n in names} == {
        "explorer",
        f"explorer-{explorer.__version__}.dist-info",
    }


def test_wheel_metadata_matches_the_package(wheel: Path) -> None:
    assert wheel.name.startswith(f"explorer-{explorer.__version__}-")
    dist_info = f"explorer-{explorer.__version__}.dist-info"
    with zipfile.ZipFile(wheel) as zf:
        entry_points = zf.read(f"{dist_info}/entry_points.txt").decode()
        metadata = zf.read(f"{dist_info}/METADATA").decode()
    assert "[console_scripts]" in entry_points
    assert "explorer = explorer.cli:main" in entry_points
    assert f"\nVersion: {explorer.__version__}\n" in metadata


# --- desktop entry ---------------------------------------------------------------


def test_desktop_entry_launches_the_console_script(console_script: str) -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Explorer"
    assert entry["Exec"].split()[0] == console_script
    assert entry["Terminal"] == "false"
    categories = entry["Categories"].rstrip(";").split(";")
    assert {"Education", "Science"} <= set(categories)
    assert entry["Keywords"].endswith(";")


def test_desktop_icon_exists_as_svg_and_every_png_size() -> None:
    icon = _desktop_entry()["Icon"]
    assert "/" not in icon and "." not in icon  # a theme name, not a path
    svg = LINUX / "icons" / f"{icon}.svg"
    ET.parse(svg)  # well-formed
    from PIL import Image

    for size in ICON_SIZES:
        png = LINUX / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{icon}.png"
        with Image.open(png) as im:
            assert im.size == (size, size)
            rgba = im.convert("RGBA")
            assert rgba.getpixel((0, 0))[3] == 0  # transparent corner
            colours = rgba.getcolors(maxcolors=size * size)
            assert colours is not None and len(colours) > 3


def _load_render_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "render_icons", LINUX / "render_icons.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_png_icons_are_rendered_from_the_current_svg(
    qapp: object, tmp_path: Path
) -> None:
    """Fails when the SVG changed but ``render_icons.py`` was not run again."""
    from PIL import Image, ImageChops

    render_icons = _load_render_icons()
    for size in ICON_SIZES:
        fresh = render_icons.render(size, tmp_path)
        with Image.open(fresh) as a, Image.open(render_icons.png_path(size)) as b:
            diff = ImageChops.difference(a.convert("RGBA"), b.convert("RGBA"))
            assert max(hi for _, hi in diff.getextrema()) <= 2, f"{size}px is stale"


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate not installed (Debian: desktop-file-utils)",
)
def test_desktop_file_validates() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if "error:" in line]
    assert errors == []


# --- AppStream metainfo ----------------------------------------------------------


def test_metainfo_agrees_with_pyproject_and_desktop_entry(
    pyproject: dict[str, object], console_script: str
) -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == METAINFO.name.removesuffix(".metainfo.xml")
    assert root.findtext("name") == _desktop_entry()["Name"]
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert root.findtext("provides/binary") == console_script
    project = pyproject["project"]
    assert isinstance(project, dict)
    assert root.findtext("project_license") == project["license"]["text"]
    newest = root.find("releases/release")
    assert newest is not None and newest.get("version") == explorer.__version__
    categories = [c.text for c in root.iterfind("categories/category")]
    desktop_categories = _desktop_entry()["Categories"].rstrip(";").split(";")
    assert categories and set(categories) <= set(desktop_categories)


def test_metainfo_screenshots_have_captions() -> None:
    root = ET.parse(METAINFO).getroot()
    shots = root.findall("screenshots/screenshot")
    assert len(shots) >= 1
    assert [s.get("type") for s in shots].count("default") == 1
    for shot in shots:
        assert (shot.findtext("caption") or "").strip()
        assert (shot.findtext("image") or "").startswith("https://")


@pytest.mark.skipif(
    shutil.which("appstreamcli") is None,
    reason="appstreamcli not installed (Debian: appstream)",
)
def test_metainfo_validates() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- scripts and spec ------------------------------------------------------------


@pytest.mark.parametrize("name", ["check_wheel.sh", "build.sh"])
def test_scripts_are_strict_bash(name: str) -> None:
    script = PACKAGING / name
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_pyinstaller_spec_is_python_and_its_entry_point_exists() -> None:
    spec = PACKAGING / "pyinstaller" / "explorer.spec"
    tree = ast.parse(spec.read_text())
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert {"Analysis", "PYZ", "EXE", "COLLECT"} <= calls
    entry = PACKAGING / "pyinstaller" / "explorer_main.py"
    assert "freeze_support()" in entry.read_text()  # spawned workers in a frozen app
    assert 'collect_data_files("anny"' in spec.read_text()
