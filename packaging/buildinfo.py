"""Facts about the build shared by the PyInstaller spec, the build scripts and the packaging tests.

Loaded by file path (``packaging/`` is not a Python package: the name would shadow the ``packaging``
distribution). Owns: reading the version from ``pyproject.toml`` (the single source of the version), the
stable identifiers of the app (reverse-DNS id, Windows AppId) and the list of Qt parts the bundle keeps.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

APP_NAME = "vkref"
APP_ID = "org.vkref.vkref"  # AppStream id, .desktop file name, macOS CFBundleIdentifier
DISPLAY_NAME = "vkref"
SUMMARY = "Offline evidence reference on vitamin K2 and bone health"
# Inno Setup AppId: never change it, or upgrades install side by side instead of replacing.
WINDOWS_APP_ID = "{7C1E52B4-6A0D-4F7E-9B3C-2E8D5A41F0C7}"

# Qt modules the GUI uses (vkref.ui may import only these) and the plugin folders the bundle keeps.
QT_MODULES_USED = ("QtCore", "QtGui", "QtWidgets", "QtSvg")
QT_PLUGIN_DIRS_KEPT = ("platforms", "platformthemes", "platforminputcontexts", "imageformats", "iconengines",
                       "xcbglintegrations", "styles")
# Linux: libraries every desktop provides, taken from the system rather than from the build machine (a stale
# copy of fontconfig, glib or libstdc++ breaks against newer system configs and Mesa drivers). The .deb lists
# their packages in Depends: (computed by packaging/linux/deb-depends.sh from what the bundle still needs).
LINUX_SYSTEM_LIBS = (
    "libX11", "libXau", "libXdmcp", "libXext", "libXrender", "libxcb", "libxkbcommon", "libfontconfig",
    "libfreetype", "libpng16", "libharfbuzz", "libgraphite2", "libbrotli", "libglib-2.0", "libgobject-2.0",
    "libgio-2.0", "libgmodule-2.0", "libgthread-2.0", "libpcre2", "libdbus-1", "libsystemd", "libcap.",
    "libgcrypt", "libgpg-error", "liblz4", "libzstd", "libmd.", "libbsd.", "libselinux", "libmount", "libblkid",
    "libatk", "libcairo", "libpango", "libpixman", "libgdk", "libgtk", "libdatrie", "libthai", "libfribidi",
    "libgssapi", "libk5crypto", "libkrb5", "libkeyutils", "libcom_err", "libexpat", "libstdc++", "libgcc_s",
    "libjpeg", "libEGL", "libGL", "libOpenGL", "libwayland",
)
QT_PLATFORMS_KEPT = ("libqxcb.so", "libqoffscreen.so", "libqminimal.so", "libqwayland.so",  # linux
                     "qwindows.dll", "qoffscreen.dll", "qminimal.dll",  # windows
                     "libqcocoa.dylib", "libqoffscreen.dylib", "libqminimal.dylib")  # macOS
# Qt libraries nothing kept links to (the PySide6 hooks collect them for plugins dropped above); if a kept file
# ever needs one, packaging/linux/deb-depends.sh fails the build because the library is neither shipped nor mapped.
QT_LIBS_DROPPED = ("Qt6Network", "Qt6EglFSDeviceIntegration", "Qt6EglFsKmsSupport", "Qt6OpenGL.")
QT_IMAGEFORMATS_KEPT = ("qsvg", "qico", "qgif")  # PNG is built into QtGui
QT_PLATFORMTHEMES_DROPPED = ("qgtk3",)  # would drag in the GTK stack; the portal theme stays


def project_version(pyproject: Path | None = None) -> str:
    """The ``[project] version`` of ``pyproject.toml`` (tomllib when available, else a strict regex)."""
    path = pyproject or ROOT / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = None
    if tomllib is not None:
        return str(tomllib.loads(text)["project"]["version"])
    section = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    match = section and re.search(r'^version\s*=\s*"([^"]+)"', section.group(1), re.M)
    if not match:
        raise ValueError(f"no [project] version in {path}")
    return match.group(1)


def build_requirements(pyproject: Path | None = None) -> list[str]:
    """The runtime dependencies plus the ``build`` extra (PyInstaller): what the clean build venv gets."""
    path = pyproject or ROOT / "pyproject.toml"
    import tomllib  # the build needs Python >= 3.11

    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    return list(project["dependencies"]) + list(project.get("optional-dependencies", {}).get("build", []))


if __name__ == "__main__":
    import sys

    what = sys.argv[1] if len(sys.argv) > 1 else "version"
    if what == "requirements":
        print("\n".join(build_requirements()))
    else:
        print({"version": project_version(), "app_id": APP_ID, "windows_app_id": WINDOWS_APP_ID}[what])
