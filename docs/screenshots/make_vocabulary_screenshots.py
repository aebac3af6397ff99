"""Regenerate the vocabulary editor screenshots (light theme):
QT_QPA_PLATFORM=offscreen python docs/screenshots/make_vocabulary_screenshots.py [LIBRARY_DIR]

Tools > Vocabulary… on the agent facet with "MK-4 (menatetrenone)" selected, and its merge confirmation with
"Vitamin K2" chosen to keep; the population facet with "Postmenopausal women with osteoporosis" selected, a concept
with two parents shown under each (vocabulary-parents.png). Nothing is written: the merge dialog is grabbed and then cancelled. Without
LIBRARY_DIR a library is built from the bundled data in a temporary directory.
"""
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from vkref import Library
from vkref.ui.main_window import MainWindow
from vkref.ui.settings import Settings
from vkref.ui.theme import Theme

OUT = Path(__file__).resolve().parent


def wait(signal, timeout_ms: int = 30000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def shoot(app, library) -> None:
    Theme(app).apply(False)
    settings = Settings(QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(library, settings)
    window.show()
    editor = window.vocabulary_editor
    editor.open()
    wait(editor.loaded)
    v = editor.window
    v.resize(1000, 640)
    v.tree.setCurrentIndex(v.model.index_of("mk4"))
    v.tree.scrollTo(v.model.index_of("mk4"), v.tree.ScrollHint.PositionAtCenter)
    app.processEvents()
    v.grab().save(str(OUT / "vocabulary.png"))
    dialog = v.choose_merge()
    dialog.keep.setCurrentIndex(dialog.keep.findData("vitamin-k2"))
    app.processEvents()
    dialog.grab().save(str(OUT / "vocabulary-merge.png"))
    dialog.reject()
    v.facet_box.setCurrentIndex(v.facet_box.findData("population"))
    wait(v.loaded)
    v.tree.expandAll()
    v.tree.setCurrentIndex(v.model.index_of("postmenopausal-osteoporosis"))
    v.tree.scrollTo(v.model.index_of("postmenopausal-osteoporosis"), v.tree.ScrollHint.PositionAtTop)
    app.processEvents()
    v.grab().save(str(OUT / "vocabulary-parents.png"))
    window.shutdown()


if __name__ == "__main__":
    app = QApplication.instance() or QApplication(sys.argv)
    lib = Library.open(sys.argv[1] if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "lib")
    lib.wait_for_index()
    shoot(app, lib)
    lib.close()
