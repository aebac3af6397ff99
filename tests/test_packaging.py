"""Cheap static checks of the packaging recipes (the real build runs in packaging/ci-build.sh, not in pytest)."""
from __future__ import annotations

import ast
import configparser
import importlib.util
import plistlib
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import vkref

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "packaging"


@pytest.fixture(scope="module")
def info():
    spec = importlib.util.spec_from_file_location("vkref_buildinfo", PKG / "buildinfo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_version_comes_from_pyproject(info, tmp_path):
    assert info.project_version() == vkref.__version__
    fake = tmp_path / "pyproject.toml"
    fake.write_text('[tool.x]\nversion = "9"\n[project]\nname = "vkref"\nversion = "1.2.3"\n')
    assert info.project_version(fake) == "1.2.3"
    reqs = info.build_requirements()
    assert any(r.lower().startswith("pyinstaller") for r in reqs)
    assert any(r.lower().startswith("pyside6") for r in reqs)


def test_spec_parses_and_ships_data_migrations_and_trims_qt():
    text = (PKG / "vkref.spec").read_text()
    ast.parse(text)
    assert "project_version(" in text
    for needle in ('"resources"', '"db"', '"vkref/store/migrations"', "translations", "excludes=excludes",
                   "COLLECT(", "BUNDLE("):
        assert needle in text, needle
    assert "onefile" not in text.lower() or "one-folder" in text
    assert (PKG / "vkref_main.py").exists()
    # the migrations shipped as data must be the ones Alembic finds by path
    assert list((ROOT / "vkref" / "store" / "migrations" / "versions").glob("*.py"))


def test_desktop_entry(info):
    path = PKG / "linux" / f"{info.APP_ID}.desktop"
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    entry = parser["Desktop Entry"]
    for key in ("Type", "Name", "Exec", "Icon", "Categories", "Comment"):
        assert entry.get(key), key
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "vkref"
    assert entry["Icon"] == info.APP_ID
    assert entry["Categories"].endswith(";") and entry["Keywords"].endswith(";")


def test_appstream_metainfo(info):
    root = ET.parse(PKG / "linux" / f"{info.APP_ID}.metainfo.xml").getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == info.APP_ID
    for tag in ("name", "summary", "metadata_license", "project_license", "description"):
        assert root.find(tag) is not None, tag
    launchable = root.find("launchable")
    assert launchable.get("type") == "desktop-id" and launchable.text == f"{info.APP_ID}.desktop"
    assert root.find("releases/release").get("version") == "@VERSION@"  # filled in by build.sh


def test_inno_setup_script(info):
    text = (PKG / "windows" / "vkref.iss").read_text()
    app_id = re.search(r"^AppId=(.+)$", text, re.M).group(1)
    assert app_id == "{" + info.WINDOWS_APP_ID  # '{{' escapes the brace in Inno Setup
    assert re.search(r"^PrivilegesRequired=lowest$", text, re.M)
    assert "[Icons]" in text and "{autoprograms}" in text
    assert re.search(r"^Uninstallable=yes$", text, re.M)
    assert "#define AppVersion" in text and "{#AppVersion}" in text
    assert (ROOT / "resources" / "icons" / "vkref.ico").exists()


def test_macos_plist_template(info):
    text = (PKG / "macos" / "Info.plist.in").read_text()
    plist = plistlib.loads(text.replace("@VERSION@", "1.0").replace("@APP_ID@", info.APP_ID).encode())
    assert plist["CFBundleIdentifier"] == info.APP_ID
    assert plist["CFBundleShortVersionString"] == "1.0"
    plistlib.loads((PKG / "macos" / "entitlements.plist").read_bytes())
    script = (PKG / "macos" / "build-dmg.sh").read_text()
    for needle in ("MACOS_SIGN_IDENTITY", "notarytool", "stapler", "hdiutil"):
        assert needle in script


def test_deb_depends_map_is_well_formed():
    lines = [ln.split() for ln in (PKG / "linux" / "depends.map").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert all(len(parts) == 2 and ".so" in parts[0] for parts in lines)
    assert {"libegl1", "libxkbcommon0", "libfontconfig1", "libdbus-1-3"} <= {p for _, p in lines}


def test_icons_have_the_promised_sizes():
    icons = ROOT / "resources" / "icons"
    ET.parse(icons / "vkref.svg")
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        data = (icons / f"vkref-{size}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (size, size)
    assert (icons / "vkref.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (icons / "vkref.icns").read_bytes()[:4] == b"icns"


def test_licence_index_lists_every_text():
    licences = ROOT / "resources" / "licenses"
    index = (licences / "README.md").read_text()
    for name in ("PySide6", "SQLAlchemy", "alembic", "Whoosh-Reloaded", "platformdirs", "PyYAML", "rapidfuzz",
                 "Python"):
        assert (licences / f"{name}.txt").exists(), name
        assert f"({name}.txt)" in index, name
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (licences / "PySide6.txt").read_text()
    for path in licences.glob("*.txt"):
        assert f"({path.name})" in index, path.name


def test_scripts_are_executable():
    for script in ("build.sh", "smoke.sh", "ci-build.sh", "linux/deb-depends.sh", "macos/build-dmg.sh"):
        path = PKG / script
        assert path.stat().st_mode & 0o111, script
        assert path.read_text().startswith("#!/usr/bin/env bash"), script
        assert "set -euo pipefail" in path.read_text(), script
