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


if __name__ == "__main__":
    import sys

    print({"version": project_version(), "app_id": APP_ID}.get(sys.argv[1] if len(sys.argv) > 1 else "version"))
