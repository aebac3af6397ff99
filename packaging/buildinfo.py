"""Facts about the build shared by the PyInstaller spec, the build scripts and the packaging tests.

Loaded by file path (``packaging/`` is not a Python package: the name would shadow the ``packaging``
distribution). Owns: reading the version from ``pyproject.toml`` (the single source of the version), the
stable identifiers of the app (reverse-DNS id, Windows AppId), the list of Qt parts the bundle keeps and the
rule that leaves the desktop's system libraries out of the Linux bundle (:func:`linux_system_library`).
"""
from __future__ import annotations

import os
import re
from fnmatch import fnmatchcase
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

APP_NAME = "vkref"
APP_ID = "org.vkref.vkref"  # AppStream id, .desktop file name, macOS CFBundleIdentifier
DISPLAY_NAME = "vkref"
SUMMARY = "Offline evidence reference on vitamin K2 and bone health"
# Inno Setup AppId: never change it, or upgrades install side by side instead of replacing.
WINDOWS_APP_ID = "{7C1E52B4-6A0D-4F7E-9B3C-2E8D5A41F0C7}"

# Qt modules the GUI uses (vkref.ui may import only these) and the plugin folders the bundle keeps.
QT_MODULES_USED = ("QtCore", "QtGui", "QtWidgets", "QtSvg", "QtPrintSupport")  # (print: the answer card)
QT_PLUGIN_DIRS_KEPT = ("platforms", "platformthemes", "platforminputcontexts", "imageformats", "iconengines",
                       "xcbglintegrations", "styles")
# Linux: which shared libraries the bundle carries is decided by a rule, never by what the build machine happens
# to have installed (a host with GTK installed used to get libatspi, libXi, libXrandr ... bundled through the GTK
# platform theme that the spec drops anyway). The desktop's own libraries always come from the system: a stale
# copy of fontconfig, glib or libstdc++ breaks against newer system configs and Mesa drivers, and the .deb lists
# their packages in Depends: (computed by packaging/linux/deb-depends.sh from what the bundle still needs).
# A top-level library stays with the system when its file name matches LINUX_SYSTEM_LIB_PATTERNS, or when
# PyInstaller found it in a system library directory; the only exception is LINUX_BUNDLED_LIB_PATTERNS, the
# libraries of the Python runtime itself (CPython's extension modules link them; shipping them keeps the
# bundle's Python independent of the user's OpenSSL/SQLite versions). Qt's libraries come from the PySide6
# wheel (site-packages), never from a system directory, so neither rule touches them.
LINUX_SYSTEM_LIB_PATTERNS = (
    # toolchain and C runtime
    "ld-linux*", "libc.so*", "libm.so*", "libdl.so*", "libpthread.so*", "librt.so*", "libresolv.so*",
    "libutil.so*", "libstdc++.so*", "libgcc_s.so*",
    # X11 and its extension libraries, xcb, keyboard maps
    "libX*.so*", "libxcb*.so*", "libxkb*.so*", "libxshmfence.so*", "libSM.so*", "libICE.so*",
    # GL, EGL, Vulkan, DRM, Wayland
    "libGL*.so*", "libEGL*.so*", "libOpenGL.so*", "libGLES*.so*", "libGLU*.so*", "libglapi.so*", "libvulkan.so*",
    "libdrm*.so*", "libgbm.so*", "libwayland-*.so*", "libepoxy.so*", "libva*.so*", "libvdpau.so*",
    # fonts, text shaping, images
    "libfontconfig.so*", "libfreetype.so*", "libharfbuzz*.so*", "libgraphite2.so*", "libfribidi.so*",
    "libthai.so*", "libdatrie.so*", "libpng*.so*", "libjpeg.so*", "libturbojpeg.so*", "libtiff*.so*",
    "libwebp*.so*", "libsharpyuv.so*", "libLerc.so*", "libdeflate.so*", "libjbig*.so*", "liblcms2.so*",
    "libopenjp2.so*", "libgif.so*", "librsvg-*.so*", "libpixman-*.so*", "libcairo*.so*", "libpango*.so*",
    "libbrotli*.so*",
    # GLib, GTK, accessibility, desktop services
    "libglib-2.0.so*", "libgobject-2.0.so*", "libgio-2.0.so*", "libgmodule-2.0.so*", "libgthread-2.0.so*",
    "libgdk*.so*", "libgtk*.so*", "libatk*.so*", "libatspi.so*", "libdbus-*.so*", "libsecret-*.so*",
    "libnotify.so*", "libcloudproviders.so*", "libtracker-*.so*", "libcolord*.so*", "libibus-*.so*",
    "libproxy.so*", "libgstreamer*.so*", "libgst*.so*", "libpulse*.so*", "libasound.so*", "libsndfile.so*",
    "libcups*.so*", "libavahi-*.so*", "libnss3.so*", "libnssutil3.so*", "libsmime3.so*", "libnspr4.so*",
    "libplc4.so*", "libplds4.so*", "libinput.so*", "libmtdev.so*", "libevdev.so*", "libwacom.so*",
    "libgudev-*.so*", "libts.so*",
    # system plumbing those link to
    "libsystemd.so*", "libudev.so*", "libelogind.so*", "libcap.so*", "libcap-ng.so*", "libseccomp.so*",
    "libselinux.so*", "libapparmor.so*", "libmount.so*", "libblkid.so*", "libpcre*.so*", "libexpat.so*",
    "libxml2.so*", "libzstd.so*", "liblz4.so*", "libgcrypt.so*", "libgpg-error.so*", "libmd.so*", "libbsd.so*",
    "libgnutls*.so*", "libnettle.so*", "libhogweed.so*", "libgmp.so*", "libp11-kit.so*", "libtasn1.so*",
    "libidn2.so*", "libunistring.so*", "libgssapi*.so*", "libkrb5*.so*", "libk5crypto.so*", "libcom_err.so*",
    "libkeyutils.so*", "libsasl2.so*", "libldap*.so*", "liblber*.so*", "libpq.so*", "libodbc*.so*",
    "libltdl.so*", "libwrap.so*", "libnsl.so*", "libtirpc.so*", "libgomp.so*",
)
LINUX_BUNDLED_LIB_PATTERNS = (
    "libpython3*.so*", "libssl.so*", "libcrypto.so*", "libsqlite3.so*", "libffi.so*", "libz.so*", "libbz2.so*",
    "liblzma.so*", "libuuid.so*", "libmpdec.so*", "libb2.so*", "libreadline.so*", "libncursesw.so*",
    "libtinfo.so*", "libgdbm*.so*", "libcrypt.so*",
)
LINUX_SYSTEM_LIB_DIRS = ("/lib/", "/lib32/", "/lib64/", "/libx32/", "/usr/lib/", "/usr/lib32/", "/usr/lib64/",
                         "/usr/libx32/")


def linux_system_library(name: str, source: str | None = None) -> bool:
    """True for a shared library the Linux bundle leaves to the system (see LINUX_SYSTEM_LIB_PATTERNS).

    ``name`` is the library's file name, ``source`` the path PyInstaller collected it from (None when unknown).
    """
    if any(fnmatchcase(name, pattern) for pattern in LINUX_BUNDLED_LIB_PATTERNS):
        return False
    if any(fnmatchcase(name, pattern) for pattern in LINUX_SYSTEM_LIB_PATTERNS):
        return True
    return source is not None and os.path.abspath(source).startswith(LINUX_SYSTEM_LIB_DIRS)


QT_PLATFORMS_KEPT = ("libqxcb.so", "libqoffscreen.so", "libqminimal.so", "libqwayland.so",  # linux
                     "qwindows.dll", "qoffscreen.dll", "qminimal.dll",  # windows
                     "libqcocoa.dylib", "libqoffscreen.dylib", "libqminimal.dylib")  # macOS
# Qt libraries nothing kept links to (the PySide6 hooks collect them for plugins dropped above); if a kept file
# ever needs one, packaging/linux/deb-depends.sh fails the build because the library is neither shipped nor mapped.
QT_LIBS_DROPPED = ("Qt6Network", "Qt6EglFSDeviceIntegration", "Qt6EglFsKmsSupport", "Qt6OpenGL.")
QT_IMAGEFORMATS_KEPT = ("qsvg", "qico", "qgif")  # PNG is built into QtGui
QT_PLATFORMTHEMES_DROPPED = ("qgtk3",)  # would drag in the GTK stack; the portal theme stays
# Runtime dependencies the spec handles itself (Qt through PyInstaller's hooks and the Qt trimming, the database
# and index libraries through explicit hidden imports); every other one is collected whole by the spec.
SPEC_HANDLED_DEPENDENCIES = ("pyside6-essentials", "pyside6", "shiboken6", "sqlalchemy", "alembic",
                             "whoosh-reloaded", "numpy")  # numpy: its own PyInstaller hook collects what it needs


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


def normalize_name(name: str) -> str:
    """A distribution name in its canonical form (PEP 503): ``PySide6_Essentials`` -> ``pyside6-essentials``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_dependencies(pyproject: Path | None = None) -> list[str]:
    """The canonical distribution names of ``[project] dependencies`` (no versions, markers or extras)."""
    path = pyproject or ROOT / "pyproject.toml"
    import tomllib

    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    return [normalize_name(re.match(r"\s*([A-Za-z0-9._-]+)", req).group(1)) for req in project["dependencies"]]


if __name__ == "__main__":
    import sys

    what = sys.argv[1] if len(sys.argv) > 1 else "version"
    if what == "requirements":
        print("\n".join(build_requirements()))
    else:
        print({"version": project_version(), "app_id": APP_ID, "windows_app_id": WINDOWS_APP_ID}[what])
