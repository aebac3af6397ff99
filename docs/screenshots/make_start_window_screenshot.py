"""Regenerate start-window.png: QT_QPA_PLATFORM=offscreen python docs/screenshots/make_start_window_screenshot.py

The start window as it is while an existing library opens, with a search already typed into it.
"""
from pathlib import Path

from PySide6.QtWidgets import QApplication

from vkref.ui.app import _qt_app
from vkref.ui.preparing import PreparingWindow
from vkref.ui.theme import Theme

if __name__ == "__main__":
    app = _qt_app()
    Theme(app).apply()
    window = PreparingWindow(new=False, text="menatetrenone vertebral fracture")
    window.show()
    QApplication.processEvents()
    window.grab().save(str(Path(__file__).resolve().parent / "start-window.png"))
