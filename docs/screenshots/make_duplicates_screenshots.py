"""Regenerate the Duplicates view and merge dialog screenshots:
QT_QPA_PLATFORM=offscreen python docs/screenshots/make_duplicates_screenshots.py [SHARED_BIBLIO_DIR]

A new library in a temporary directory; the same six Ovid records exported through two tools (the shared
asreview demo files, when the directory is given: they are all recognised as duplicates on import), one PubMed
record, then through the Import dialog a second database's wording of it without a DOI (a pair left for a
decision). Each grab waits for its dialog's own signal (``imported``, ``loaded``).
"""
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from vkref import Library
from vkref.ui.main_window import MainWindow
from vkref.ui.theme import Theme

OUT = Path(__file__).resolve().parent
RECORD = "TY  - JOUR\nTI  - {title}\n{authors}PY  - {year}\nT2  - {journal}\n{extra}ER  -\n\n"
PUBMED = RECORD.format(title="Menaquinone-7 supplementation and bone loss in postmenopausal women: a three-year "
                             "trial", authors="AU  - Knapen, Marjo H. J.\nAU  - Drummen, N. E.\n", year=2013,
                       journal="Osteoporosis International",
                       extra="DO  - 10.1007/s00198-013-2325-6\nAB  - Three years of 180 ug menaquinone-7 a day "
                             "slowed the age-related loss of bone mineral density.\n")
OTHER_DB = RECORD.format(title="Menaquinone-7 supplementation and bone loss in post-menopausal women: a 3-year trial",
                         authors="AU  - Knapen, M.\n", year=2014, journal="Osteoporos Int", extra="")


def wait(signal, timeout_ms: int = 30000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def library(tmp: Path, biblio: Path | None) -> Library:
    lib = Library.open(tmp / "lib")
    (tmp / "pubmed.ris").write_text(PUBMED, encoding="utf-8")
    (tmp / "embase.ris").write_text(OTHER_DB, encoding="utf-8")
    ovid = [biblio / "ris" / f"asreview__ovid_{n}.ris" for n in ("zotero", "psycinfo")] if biblio else []
    lib.import_files([p for p in ovid if p.exists()] + [tmp / "pubmed.ris"])
    return lib


def main() -> None:
    app = QApplication(sys.argv[:1])
    Theme(app).apply(False)
    tmp = Path(tempfile.mkdtemp())
    lib = library(tmp, Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    window = MainWindow(lib)
    window.resize(1280, 800)
    window.show()
    importing = window.librarian.import_paths([str(tmp / "embase.ris")])
    wait(importing.previewShown)
    importing.run_import()
    wait(importing.imported)
    app.processEvents()
    importing.grab().save(str(OUT / "import-possible-duplicates.png"))
    importing.accept()
    view = window.duplicates.open()
    wait(view.loaded)
    view.grab().save(str(OUT / "duplicates-view.png"))
    view.table.selectRow(0)
    dialog = view.compare()
    dialog.show()
    app.processEvents()
    dialog.grab().save(str(OUT / "merge-dialog.png"))
    dialog.reject()
    window.shutdown()
    lib.close()


if __name__ == "__main__":
    main()
