"""``vkref --self-test``: a headless check that an installed build really works, one line per check.

Role: the packaging smoke test (``packaging/smoke.sh``, CI on every platform) and a user's first diagnosis run it
on the *frozen* app. It creates a temporary library from the bundled data and exercises the real parts through
the public :class:`vkref.library.Library` facade: database and migrations, bundled data, index build, searches
with and without facets, spelling suggestions, index recovery, a PDF full text attached and found, the
PostgreSQL client library a shared catalog needs, and — when
the GUI is part of the build — the main window created offscreen.

Invariants: prints only to stdout, one line per check (``ok  <check> (<seconds>)``, ``FAIL <check>: <why>`` or
``skip <check>: <why>``), then one summary line; returns 0 only if no check failed; never leaves files behind;
never imports Qt unless the GUI check runs (the non-GUI path stays Qt-free).
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Callable

MK4 = "MK-4"
MK7 = "MK-7"
# Qt messages that say nothing about vkref (offscreen platform limits)
QT_BENIGN = ("propagateSizeHints", "This plugin does not support")


class Skip(Exception):
    """Raised by a check that does not apply to this build."""


class SelfTest:
    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.failed = 0
        self.passed = 0
        self.skipped = 0
        self.tmp = Path(tempfile.mkdtemp(prefix="vkref-selftest-"))
        self.library_dir = self.tmp / "library"
        self.lib = None

    def line(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def check(self, name: str, fn: Callable[[], str | None]) -> bool:
        start = time.perf_counter()
        try:
            detail = fn()
        except Skip as exc:
            self.skipped += 1
            self.line(f"skip {name}: {exc}")
            return True
        except Exception as exc:  # a failing check must not stop the others
            self.failed += 1
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.line(f"FAIL {name}: {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                      f" [{Path(where.filename).name}:{where.lineno}]")
            return False
        self.passed += 1
        took = time.perf_counter() - start
        self.line(f"ok  {name} ({took:.2f} s{'; ' + detail if detail else ''})")
        return True

    # ------------------------------------------------------------------ checks
    def open_library(self) -> str:
        from vkref.library import Library

        self.lib = Library.open(self.library_dir)
        info = self.lib.info()
        if info["schema_revision"] != info["schema_head"]:
            raise AssertionError(f"schema at {info['schema_revision']}, head is {info['schema_head']}")
        return f"schema {info['schema_revision']}"

    def bundled_counts(self) -> str:
        info = self._lib().info()
        if info["reviews"] != 4:
            raise AssertionError(f"expected 4 bundled reviews, found {info['reviews']}")
        if info["findings"] <= 100:
            raise AssertionError(f"expected more than 100 bundled findings, found {info['findings']}")
        return f"{info['reviews']} reviews, {info['findings']} findings, {info['concepts']} concepts"

    def index_built(self) -> str:
        info = self._lib().info()
        idx = info["index"]
        expected = info["reviews"] + info["findings"]
        if idx["state"] != "ready":
            raise AssertionError(f"index state {idx['state']!r}")
        if idx["documents"] != expected:
            raise AssertionError(f"index holds {idx['documents']} documents, database {expected}")
        return f"{idx['documents']} documents"

    def search_codes(self) -> str:
        page = self._lib().search("MK-4 vertebral fracture", limit=50)
        if page.total == 0 or not page.hits:
            raise AssertionError("no hits")
        for hit in page.hits:
            agents = hit.facets.get("agent", [])
            if any(a.startswith(MK7) for a in agents) and not any(a.startswith(MK4) for a in agents):
                raise AssertionError(f"MK-7-only hit {hit.id} for an MK-4 query")
        return f"{page.total} hits, none MK-7-only"

    def search_facet(self) -> str:
        page = self._lib().search("bone", filters={"species": ["Rat"]}, limit=500)
        if page.total == 0:
            raise AssertionError("no hits for bone with species=Rat")
        for hit in page.hits:
            if "Rat" not in hit.facets.get("species", []):
                raise AssertionError(f"hit {hit.id} has species {hit.facets.get('species')}, not Rat")
        counts = page.facets.get("species", {})
        if counts.get("Rat") != page.total or len(counts) < 2:
            raise AssertionError(f"species counts {counts} do not keep the other species open")
        return f"{page.total} hits, all Rat"

    def suggestion(self) -> str:
        page = self._lib().search("menatetreone")
        if not page.suggestion or "menatetrenone" not in page.suggestion.lower():
            raise AssertionError(f"suggestion {page.suggestion!r} for 'menatetreone'")
        return f"suggests {page.suggestion!r}"

    def vocabulary_edit(self) -> str:
        lib = self._lib()
        natto = {h.id for h in lib.search("", filters={"agent": ["natto"]}, kind="finding", limit=500).hits}
        lib.add_synonym("natto", "selftest-soy-food")
        found = {h.id for h in lib.search("selftest-soy-food", kind="finding", limit=500).hits}
        if not natto or not natto <= found:
            raise AssertionError(f"a new synonym found {len(found)} of the {len(natto)} natto findings")
        lib.undo()
        if "selftest-soy-food" in lib.vocabulary["natto"].synonyms:
            raise AssertionError("undo left the new synonym")
        return f"a new synonym finds the {len(natto)} natto findings; undo takes it back"

    def index_recovery(self) -> str:
        from vkref.library import Library

        before = self._lib().search("vertebral fracture").total
        n = self._lib().reindex()
        index_dir = Path(self._index_path())
        self.lib.close()
        self.lib = None
        shutil.rmtree(index_dir)
        self.lib = Library.open(self.library_dir)
        after = self.lib.search("vertebral fracture").total
        if not index_dir.is_dir():
            raise AssertionError("index directory not recreated")
        if after != before or before == 0:
            raise AssertionError(f"{before} hits before deleting the index, {after} after")
        return f"reindex {n} documents; rebuilt after deletion, {after} hits as before"

    def full_text(self) -> str:
        """A PDF attached to a bundled review (pypdf is in the build), cleaned, split and found as a passage."""
        pdf = Path(self.tmp) / "selftest.pdf"
        pdf.write_bytes(tiny_pdf(["Introduction", "A self-test paragraph on osteo-",
                                  "calcin carboxylation in ovariectomized rats."]))
        report = self._lib().attach_fulltext("iwamoto-2003-kjm", pdf, who="self-test")
        page = self._lib().search('"osteocalcin carboxylation"', kind="passage")
        if report["passages"] < 1 or page.total != 1:
            raise AssertionError(f"{report['passages']} passages, {page.total} found")
        self._lib().undo(who="self-test")
        return f"{report['passages']} passage found, attach undone"

    def catalog_client(self) -> str:
        """The PostgreSQL client a shared catalog needs loads in this build: psycopg's compiled implementation
        and the libpq inside it (nothing is connected to)."""
        from vkref.library import catalog

        got = catalog.client_library()
        if got["implementation"] != "binary" or got["libpq"] < 100000:
            raise AssertionError(f"psycopg {got['psycopg']} ({got['implementation']}), libpq {got['libpq']}")
        major, minor = divmod(got["libpq"], 10000)
        return f"psycopg {got['psycopg']} ({got['implementation']}), libpq {major}.{minor}"

    def main_window(self) -> str:
        try:
            import vkref.ui.main_window as main_window
        except ImportError as exc:
            if "PySide6" in str(exc) or "vkref.ui" in str(exc) or "main_window" in str(exc):
                raise Skip(f"the GUI is not part of this build ({exc})") from None
            raise
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QSettings, QtMsgType, qInstallMessageHandler
        from PySide6.QtWidgets import QApplication

        warnings: list[str] = []

        def on_qt_message(kind, _context, message):  # keep stderr clean; report what Qt said
            if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
                if not any(benign in message for benign in QT_BENIGN):
                    warnings.append(message)

        previous = qInstallMessageHandler(on_qt_message)
        app = QApplication.instance() or QApplication(["vkref-selftest"])
        settings = None
        try:  # a throw-away settings file: the self-test must not touch the user's window state
            from vkref.ui.settings import Settings

            settings = Settings(QSettings(str(self.tmp / "settings.ini"), QSettings.Format.IniFormat))
        except ImportError:
            pass
        window = main_window.MainWindow(self._lib(), settings) if settings else main_window.MainWindow(self._lib())
        try:
            window.resize(1280, 800)
            window.show()
            results = self._search_in_window(app, window, "MK-4 vertebral fracture")
            if not window.isVisible():
                raise AssertionError("main window not shown")
            if warnings:
                raise AssertionError(f"Qt warned: {warnings[0]}" + (f" (+{len(warnings) - 1} more)"
                                                                    if len(warnings) > 1 else ""))
            return f"{window.windowTitle() or 'untitled'} on {app.platformName()}{results}"
        finally:
            if hasattr(window, "shutdown"):
                window.shutdown()
            window.close()
            window.deleteLater()
            app.processEvents()
            qInstallMessageHandler(previous)

    @staticmethod
    def _search_in_window(app, window, query: str) -> str:
        """Type a query into the window and wait (signal-driven, bounded) for its results to be shown."""
        field = getattr(window, "search_field", None)
        signal = getattr(window, "resultsShown", None)
        if field is None or signal is None or not hasattr(window, "search_now"):
            app.processEvents()
            return ""
        shown = []
        signal.connect(lambda *args: shown.append(args))
        field.setText(query)
        window.search_now()
        deadline = time.perf_counter() + 20
        while not shown and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.005)
        if not shown:
            raise AssertionError(f"no results shown for {query!r} within 20 s")
        return f"; results shown for {query!r}"

    # ------------------------------------------------------------------ plumbing
    def _lib(self):
        if self.lib is None:
            raise AssertionError("the library did not open")
        return self.lib

    def _index_path(self) -> str:
        return self._lib().info()["index"]["path"]

    def run(self) -> int:
        import vkref

        self.line(f"vkref {vkref.__version__} self-test ({'frozen' if getattr(sys, 'frozen', False) else 'source'},"
                  f" Python {sys.version.split()[0]}, {sys.platform})")
        try:
            if self.check("database and migrations", self.open_library):
                self.check("bundled data", self.bundled_counts)
                self.check("index build", self.index_built)
                self.check("search (MK-4 vertebral fracture)", self.search_codes)
                self.check("faceted search (species=Rat)", self.search_facet)
                self.check("spelling suggestion (menatetreone)", self.suggestion)
                self.check("vocabulary edit and undo", self.vocabulary_edit)
                self.check("index rebuild after deletion", self.index_recovery)
                self.check("full text (PDF attached, passage found)", self.full_text)
                self.check("catalog client (psycopg, libpq)", self.catalog_client)
                self.check("main window offscreen", self.main_window)
        finally:
            if self.lib is not None:
                self.lib.close()
            shutil.rmtree(self.tmp, ignore_errors=True)
        verdict = "passed" if not self.failed else "FAILED"
        self.line(f"self-test {verdict}: {self.passed} ok, {self.failed} failed, {self.skipped} skipped")
        return 0 if not self.failed else 1


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF holding ``lines`` in Helvetica (written here: the self-test must not need Qt)."""
    text = " ".join(f"({line}) '" for line in lines)
    content = f"BT /F1 12 Tf 72 720 Td 14 TL {text} ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               "/Resources << /Font << /F1 5 0 R >> >> >>",
               f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode("latin-1")
    table = "".join(f"{o:010d} 00000 n \n" for o in offsets)
    return out + (f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n{table}trailer\n<< /Size {len(objects) + 1} "
                  f"/Root 1 0 R >>\nstartxref\n{len(out)}\n%%EOF\n").encode("latin-1")


def run() -> int:
    """Run every check; 0 only if all passed (skips allowed)."""
    return SelfTest().run()


if __name__ == "__main__":
    sys.exit(run())
