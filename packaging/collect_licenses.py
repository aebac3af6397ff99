"""Collect the third-party licence texts shipped in the bundle into ``resources/licenses/``.

Run it with the Python of the build venv (it reads the installed distributions' own licence files through
``importlib.metadata``, so the texts match the versions that get bundled)::

    build/venv/bin/python packaging/collect_licenses.py

Writes one ``<name>.txt`` per component and ``README.md`` (the index the About dialog and users read). Texts
that a distribution does not ship (PySide6/Qt: LGPLv3) come from the system's ``/usr/share/common-licenses``;
the native libraries copied from the build machine come with their Debian ``copyright`` files.
"""
from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "resources" / "licenses"

# (file stem, distribution, licence, what it is)
DISTS = [
    ("PySide6", "PySide6-Essentials", "LGPL-3.0-only", "Qt for Python bindings and the Qt 6 libraries"),
    ("shiboken6", "shiboken6", "LGPL-3.0-only", "binding generator runtime of PySide6"),
    ("SQLAlchemy", "SQLAlchemy", "MIT", "database toolkit"),
    ("alembic", "alembic", "MIT", "schema migrations"),
    ("Mako", "Mako", "MIT", "templates (dependency of alembic)"),
    ("MarkupSafe", "MarkupSafe", "BSD-3-Clause", "dependency of Mako"),
    ("typing_extensions", "typing_extensions", "PSF-2.0", "dependency of SQLAlchemy and alembic"),
    ("Whoosh-Reloaded", "Whoosh-Reloaded", "BSD-2-Clause", "full-text search engine"),
    ("cached-property", "cached-property", "BSD-3-Clause", "dependency of Whoosh-Reloaded"),
    ("platformdirs", "platformdirs", "MIT", "per-platform data directories"),
    ("PyYAML", "PyYAML", "MIT", "YAML reader for the bundled library"),
    ("rapidfuzz", "rapidfuzz", "MIT", "fuzzy matching for spelling suggestions and duplicate detection"),
    ("rispy", "rispy", "MIT", "RIS reader and writer (import, export)"),
    ("bibtexparser", "bibtexparser", "MIT", "BibTeX reader (import)"),
    ("pylatexenc", "pylatexenc", "MIT", "LaTeX accents to Unicode in BibTeX records"),
    ("defusedxml", "defusedxml", "PSF-2.0", "hardened XML parsing (PubMed XML, EndNote XML import)"),
    ("charset-normalizer", "charset-normalizer", "MIT", "encoding detection of imported files"),
    ("pypdf", "pypdf", "BSD-3-Clause", "text of attached PDF full texts"),
    ("citeproc-py", "citeproc-py", "BSD-2-Clause", "formatted citations from CSL styles"),
    ("lxml", "lxml", "BSD-3-Clause", "XML library (dependency of citeproc-py)"),
    ("psycopg", "psycopg", "LGPL-3.0-only", "PostgreSQL driver (the shared catalog)"),
    ("psycopg-binary", "psycopg-binary", "LGPL-3.0-only",
     "psycopg's compiled part with libpq (PostgreSQL licence) and the libraries it needs"),
    ("PyInstaller", "pyinstaller", "GPL-2.0-or-later WITH PyInstaller bootloader exception",
     "the bootloader that starts the frozen app (the exception allows distributing it with any program)"),
]
LICENSE_NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS")
# native libraries PyInstaller copies from the build machine (Debian packages)
DEBIAN_PACKAGES = [("OpenSSL", "libssl3", "Apache-2.0"), ("SQLite", "libsqlite3-0", "public domain"),
                   ("libffi", "libffi8", "MIT"), ("zlib", "zlib1g", "Zlib"), ("bzip2", "libbz2-1.0", "bzip2"),
                   ("xz-utils", "liblzma5", "public domain / 0BSD"), ("libuuid", "libuuid1", "BSD-3-Clause")]
COMMON = Path("/usr/share/common-licenses")


def dist_texts(dist_name: str) -> list[tuple[str, str]]:
    try:
        dist = metadata.distribution(dist_name)
    except metadata.PackageNotFoundError:
        return []
    texts = []
    for f in dist.files or []:
        name = Path(str(f)).name
        if ".dist-info" in str(f) and name.upper().startswith(LICENSE_NAMES):
            texts.append((str(f), Path(dist.locate_file(f)).read_text(encoding="utf-8", errors="replace")))
    return texts


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    rows, missing = [], []
    for stem, dist_name, spdx, role in DISTS:
        try:
            version = metadata.version(dist_name)
        except metadata.PackageNotFoundError:
            missing.append(dist_name)
            continue
        texts = dist_texts(dist_name)
        if spdx.startswith("LGPL-3.0") and not texts:
            texts = [(f"{COMMON}/LGPL-3", (COMMON / "LGPL-3").read_text()),
                     (f"{COMMON}/GPL-3 (LGPLv3 is a set of additional permissions on GPLv3)",
                      (COMMON / "GPL-3").read_text())]
        if not texts:
            missing.append(dist_name)
            continue
        body = "\n\n".join(f"===== {src} =====\n\n{text.strip()}" for src, text in texts)
        (OUT / f"{stem}.txt").write_text(f"{dist_name} {version} — {spdx}\n{role}\n\n{body}\n", encoding="utf-8")
        rows.append((stem, dist_name, version, spdx, role))
    py_license = Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "LICENSE.txt"
    if not py_license.exists():
        py_license = Path(sys.base_prefix) / "LICENSE.txt"  # Windows layout
    (OUT / "Python.txt").write_text(f"Python {platform.python_version()} — PSF-2.0\nthe Python runtime\n\n"
                                    + py_license.read_text(encoding="utf-8"), encoding="utf-8")
    rows.append(("Python", "CPython", platform.python_version(), "PSF-2.0", "the Python runtime and standard library"))
    for stem, pkg, spdx in DEBIAN_PACKAGES:
        src = Path("/usr/share/doc") / pkg / "copyright"
        if src.exists():
            (OUT / f"{stem}.txt").write_text(f"{stem} ({pkg}, Debian) — {spdx}\nnative library bundled by "
                                             f"PyInstaller on Linux\n\n{src.read_text()}", encoding="utf-8")
            rows.append((stem, pkg, "Debian", spdx, "native library in the Linux bundle"))
    index = ["# Third-party licences", "",
             "vkref is MIT-licensed. Its installers bundle the components below; each file here holds the licence",
             "text shipped by that component. Generated by `packaging/collect_licenses.py` from the build venv.",
             "",
             "**Qt and PySide6 (LGPLv3).** The one-folder builds keep the Qt and PySide6 libraries as separate,",
             "unmodified shared libraries (`_internal/PySide6/` in the application folder; `Contents/Frameworks` on",
             "macOS), so you can replace them with your own compatible build. The Qt sources are at",
             "https://download.qt.io/official_releases/qt/ and the PySide6 sources at",
             "https://code.qt.io/cgit/pyside/pyside-setup.git/. Qt itself includes third-party code (ICU,",
             "HarfBuzz, PCRE2, libpng, FreeType, double-conversion, md4c and others) under permissive licences",
             "listed at https://doc.qt.io/qt-6/licenses-used-in-qt.html.",
             "",
             "| File | Component | Version | Licence | Role |", "|---|---|---|---|---|"]
    index += [f"| [{s}.txt]({s}.txt) | {d} | {v} | {l} | {r} |" for s, d, v, l, r in rows]
    (OUT / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} licence files to {OUT}" + (f"; not found: {', '.join(missing)}" if missing else ""))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
