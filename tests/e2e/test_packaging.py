"""Cheap static checks of the packaging recipes (the real build runs in packaging/ci-build.sh, not in pytest)."""
from __future__ import annotations

import ast
import configparser
import importlib.util
import plistlib
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import vkref

from tests.conftest import REPO as ROOT  # noqa: E402
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
    # a double-click on a .vkref bundle opens it: the MIME type, and one file argument
    assert entry["MimeType"].split(";") == ["application/x-vkref-bundle", ""]
    assert entry["Exec"] == "vkref %f"


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils not installed")
def test_desktop_entry_validates(info):
    proc = subprocess.run(["desktop-file-validate", str(PKG / "linux" / f"{info.APP_ID}.desktop")],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "error" not in proc.stdout, proc.stdout


MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def test_bundle_mime_type_and_its_icon(tmp_path):
    kind = ET.parse(PKG / "linux" / "vkref-mime.xml").getroot().find(f"{MIME_NS}mime-type")
    assert kind.get("type") == "application/x-vkref-bundle"
    assert [g.get("pattern") for g in kind.findall(f"{MIME_NS}glob")] == ["*.vkref"]
    assert kind.find(f"{MIME_NS}sub-class-of").get("type") == "application/zip"
    icon = kind.find(f"{MIME_NS}generic-icon").get("name")
    assert ET.parse(PKG / "linux" / f"{icon}.svg").getroot().tag.endswith("svg")
    # the magic (zip header, then manifest.json as the first member's name) matches what vkref writes
    outer = kind.find(f"{MIME_NS}magic/{MIME_NS}match")
    inner = outer.find(f"{MIME_NS}match")
    assert (outer.get("offset"), outer.get("value")) == ("0", "PK\\003\\004")
    from vkref.library import sharing

    target = tmp_path / "x.vkref"
    sharing._write_atomically(target, {"format": sharing.FORMAT}, b"{}")
    head = target.read_bytes()[:64]
    assert head[:4] == b"PK\x03\x04"
    offset, value = int(inner.get("offset")), inner.get("value").encode()
    assert head[offset:offset + len(value)] == value == b"manifest.json"


def test_deb_installs_the_mime_type_and_refreshes_the_caches():
    build = (PKG / "build.sh").read_text()
    assert "packaging/linux/vkref-mime.xml \"$DEB_ROOT/usr/share/mime/packages/vkref.xml\"" in build
    assert "hicolor/scalable/mimetypes/application-x-vkref-bundle.svg" in build
    for needle in ("postinst", "postrm", "update-mime-database /usr/share/mime", "update-desktop-database",
                   "command -v update-mime-database", 'chmod 755 "$DEB_ROOT/DEBIAN/$script"'):
        assert needle in build, needle
    smoke = (PKG / "smoke.sh").read_text()
    assert "usr/share/mime/packages/vkref.xml" in smoke and '"$TMP/shared.vkref" --screenshot' in smoke
    assert "desktop-file-utils" in (PKG / "ci-build.sh").read_text()


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
    # .vkref bundles open with vkref.exe FILE (the argument handling of vkref.cli.main.bundle_argument)
    assert re.search(r"^ChangesAssociations=yes$", text, re.M)
    assert 'Subkey: "Software\\Classes\\.vkref"' in text and '""{app}\\vkref.exe"" ""%1""' in text


def test_macos_plist_template(info):
    text = (PKG / "macos" / "Info.plist.in").read_text()
    plist = plistlib.loads(text.replace("@VERSION@", "1.0").replace("@APP_ID@", info.APP_ID).encode())
    assert plist["CFBundleIdentifier"] == info.APP_ID
    assert plist["CFBundleShortVersionString"] == "1.0"
    # .vkref documents: the type vkref exports is the one its document type names, with the Linux MIME type
    exported = {t["UTTypeIdentifier"]: t for t in plist["UTExportedTypeDeclarations"]}
    (document,) = plist["CFBundleDocumentTypes"]
    (uti,) = document["LSItemContentTypes"]
    tags = exported[uti]["UTTypeTagSpecification"]
    assert tags["public.filename-extension"] == ["vkref"]
    mime = ET.parse(PKG / "linux" / "vkref-mime.xml").getroot().find(f"{MIME_NS}mime-type").get("type")
    assert tags["public.mime-type"] == [mime]
    assert document["LSHandlerRank"] == "Owner" and (ROOT / "resources" / "icons" / "vkref.icns").exists()
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


# ---- Linux: the desktop's libraries come from the system, whatever the build machine has installed

# what a build host with GTK 3 installed got bundled through the (dropped) GTK platform theme, and what
# deb-depends.sh then stopped on
DESKTOP_LIBS = ("libatspi.so.0", "libXi.so.6", "libXinerama.so.1", "libXrandr.so.2", "libXext.so.6",
                "libXrender.so.1", "libXcursor.so.1", "libXcomposite.so.1", "libXdamage.so.1", "libXfixes.so.3",
                "libepoxy.so.0", "libgtk-3.so.0", "libgdk-3.so.0", "libcairo.so.2", "libpango-1.0.so.0",
                "libatk-bridge-2.0.so.0", "libwayland-egl.so.1", "libxkbcommon.so.0", "libfontconfig.so.1",
                "libglib-2.0.so.0", "libEGL.so.1", "libdbus-1.so.3", "libcups.so.2", "libnss3.so")
SYSTEM_DIR = "/usr/lib/x86_64-linux-gnu"


def _depends_map():
    lines = (PKG / "linux" / "depends.map").read_text().splitlines()
    return dict(ln.split() for ln in lines if ln.strip() and not ln.startswith("#"))


@pytest.mark.parametrize("name", DESKTOP_LIBS)
def test_desktop_libraries_stay_with_the_system(info, name):
    assert info.linux_system_library(name, f"{SYSTEM_DIR}/{name}")
    assert info.linux_system_library(name)  # by name alone, wherever PyInstaller found it
    assert name in _depends_map(), f"{name} has no package in depends.map"


def test_system_library_rule_keeps_qt_and_the_python_runtime(info):
    wheel = "/venv/lib/python3.11/site-packages/PySide6/Qt/lib"
    for name in ("libQt6Core.so.6", "libQt6XcbQpa.so.6", "libQt6DBus.so.6", "libQt6WaylandClient.so.6",
                 "libicudata.so.73", "libpyside6.abi3.so.6.11", "libshiboken6.abi3.so.6.11"):
        assert not info.linux_system_library(name, f"{wheel}/{name}"), name
    for name in ("libpython3.11.so.1.0", "libssl.so.3", "libcrypto.so.3", "libsqlite3.so.0", "libffi.so.8",
                 "libz.so.1", "libbz2.so.1.0", "liblzma.so.5", "libuuid.so.1"):
        assert not info.linux_system_library(name, f"{SYSTEM_DIR}/{name}"), name
    # a library no pattern names still stays with the system when it comes from a system directory
    assert info.linux_system_library("libsomethingnew.so.4", f"{SYSTEM_DIR}/libsomethingnew.so.4")
    assert info.linux_system_library("libsomethingnew.so.4", "/lib/libsomethingnew.so.4")
    assert not info.linux_system_library("libsomethingnew.so.4", "/opt/python/lib/libsomethingnew.so.4")


def test_every_mapped_library_is_left_to_the_system(info):
    # a library with a package in depends.map must never also be shipped (it would shadow the system's copy)
    bundled = [name for name in _depends_map() if not info.linux_system_library(name)]
    assert not bundled


def test_spec_filters_binaries_with_the_rule():
    text = (PKG / "vkref.spec").read_text()
    assert "info.linux_system_library(" in text
    assert "_collect_other_dependencies()" in text


def test_runtime_dependencies_are_read_from_pyproject(info, tmp_path):
    fake = tmp_path / "pyproject.toml"
    fake.write_text('[project]\nname = "x"\nversion = "1"\n'
                    'dependencies = ["PySide6_Essentials>=6.7,!=6.12.0", "citeproc-py>=0.6", "rispy",'
                    ' "Foo.Bar[extra]; python_version>\'3.9\'"]\n')
    assert info.runtime_dependencies(fake) == ["pyside6-essentials", "citeproc-py", "rispy", "foo-bar"]
    assert "pyside6-essentials" in info.SPEC_HANDLED_DEPENDENCIES
    assert "platformdirs" in info.runtime_dependencies()


def _fake_tools(tmp_path, needed):
    """A bundle with one ELF-looking file and fake objdump/ldconfig/dpkg on PATH for deb-depends.sh."""
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "app.so").write_bytes(b"\x7fELF")
    (bundle / "libshipped.so.3").write_bytes(b"\x7fELF")
    tools = tmp_path / "bin"
    tools.mkdir()
    lines = "".join(f"  NEEDED               {lib}\\n" for lib in needed)
    scripts = {
        "objdump": f'#!/bin/sh\nprintf "{lines}"\n',
        # merged /usr: ldconfig reports /lib/..., dpkg knows the file only as /usr/lib/...
        "ldconfig": '#!/bin/sh\nprintf "\\tlibunmapped.so.2 (libc6,x86-64) => /lib/x86_64-linux-gnu/libunmapped.so.2\\n"\n',
        "dpkg": '#!/bin/sh\n[ "$2" = /usr/lib/x86_64-linux-gnu/libunmapped.so.2 ] || exit 1\n'
                'echo "libunmapped2:amd64: $2"\n',
    }
    for name, body in scripts.items():
        (tools / name).write_text(body)
        (tools / name).chmod(0o755)
    mapping = tmp_path / "depends.map"
    mapping.write_text("# test map\nlibmapped.so.1 libmapped1\n")
    env = {"PATH": f"{tools}:/usr/bin:/bin", "DEPENDS_MAP": str(mapping), "LDCONFIG": str(tools / "ldconfig"),
           "DEB_ARCH": "amd64"}
    return bundle, env


def _deb_depends(bundle, env):
    import subprocess

    return subprocess.run(["bash", str(PKG / "linux" / "deb-depends.sh"), str(bundle)], env=env,
                          capture_output=True, text=True, timeout=60)


def test_deb_depends_maps_then_falls_back_to_dpkg(tmp_path):
    bundle, env = _fake_tools(tmp_path, ["libmapped.so.1", "libunmapped.so.2", "libshipped.so.3"])
    done = _deb_depends(bundle, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "libmapped1, libunmapped2"
    assert "libunmapped.so.2 is not in depends.map; using libunmapped2" in done.stderr


def test_deb_depends_fails_for_a_library_nobody_provides(tmp_path):
    bundle, env = _fake_tools(tmp_path, ["libmapped.so.1", "libnowhere.so.9"])
    done = _deb_depends(bundle, env)
    assert done.returncode == 1
    assert "no package known for: libnowhere.so.9" in done.stderr and not done.stdout


def test_ci_installs_a_full_desktop_before_the_build():
    script = (PKG / "ci-build.sh").read_text()
    assert "desktop-host.txt" in script
    wanted = (PKG / "linux" / "desktop-host.txt").read_text()
    for pkg in ("libgtk-3-0", "libatspi2.0-0", "libxi6", "libxinerama1", "libxrandr2", "libxext6", "libxrender1"):
        assert re.search(rf"(^|\s){re.escape(pkg)}(\s|$)", wanted, re.M), pkg
    assert script.index("desktop-host.txt") < script.index("build.sh --clean")
