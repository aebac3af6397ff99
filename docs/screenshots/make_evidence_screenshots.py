"""Regenerate the Matrix and Answer screenshots, light and dark:
QT_QPA_PLATFORM=offscreen python docs/screenshots/make_evidence_screenshots.py [LIBRARY_DIR]

The real main window (1280x800): "vitamin K2" on the Matrix tab, "menatetrenone" on the Answer tab; each grab
waits for the view's own signal (``matrixShown`` / ``answerShown``) after the search result.
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
MATRIX_QUERY, ANSWER_QUERY = "vitamin K2", "menatetrenone"


def wait(signal, timeout_ms: int = 30000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def shoot(app, library, dark: bool) -> None:
    Theme(app).apply(dark)
    settings = Settings(QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(library, settings)
    window.set_dark(dark)
    window.resize(1280, 800)
    window.show()
    window.right.setSizes([600, 170])
    suffix = "-dark" if dark else ""
    for query, tab, view, name in ((MATRIX_QUERY, 1, window.evidence.matrix, "matrix"),
                                   (ANSWER_QUERY, 2, window.evidence.answer, "answer")):
        window.search_field.setText(query)
        window.search_now()
        wait(window.resultsShown)
        shown = view.matrixShown if tab == 1 else view.answerShown
        window.evidence.tabs.setCurrentIndex(tab)
        wait(shown)
        app.processEvents()
        window.grab().save(str(OUT / f"{name}{suffix}.png"))
    window.shutdown()
    window.close()


if __name__ == "__main__":
    app = QApplication([])
    library = Library.open(sys.argv[1] if len(sys.argv) > 1 else None)
    library.wait_for_index()
    for dark in (False, True):
        shoot(app, library, dark)
    library.close()
