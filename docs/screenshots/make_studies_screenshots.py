"""Regenerate the primary-studies screenshot (light theme):
QT_QPA_PLATFORM=offscreen python docs/screenshots/make_studies_screenshots.py [LIBRARY_DIR]

The window after a search for "Binkley": the status line counts the studies the findings rest on, and the detail
pane of the Keio finding (which names no author) shows its study and the Yonsei findings resting on it; then
Records > Studies of this finding… for ymj-025, filtered by "hara". Nothing is written. Without LIBRARY_DIR a library is built from the bundled data in a temporary directory.
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


def shoot(app, library) -> None:
    Theme(app).apply(False)
    settings = Settings(QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(library, settings)
    window.resize(1280, 860)
    window.show()
    loop = QEventLoop()
    window.resultsShown.connect(lambda _g: loop.quit())
    QTimer.singleShot(30000, loop.quit)
    window.set_query("Binkley")
    loop.exec()
    window.open_key("finding:kjm-015")
    app.processEvents()
    browser = window.detail.browser
    cursor = browser.document().find("PRIMARY STUDY")
    browser.verticalScrollBar().setValue(max(0, browser.cursorRect(cursor).top() - 40))
    app.processEvents()
    window.grab().save(str(OUT / "studies-detail.png"))
    dialog = window.study_links.open("finding:ymj-025")  # Records > Studies of this finding…, nothing saved
    dialog.filter.setText("hara")
    app.processEvents()
    dialog.grab().save(str(OUT / "studies-link.png"))
    dialog.reject()
    window.shutdown()


if __name__ == "__main__":
    app = QApplication.instance() or QApplication(sys.argv)
    lib = Library.open(sys.argv[1] if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "lib")
    lib.wait_for_index()
    shoot(app, lib)
    lib.close()
