"""The first-start window: "Preparing the library…" with a busy progress bar while a new library is built.

Building a new library (database from the bundled data, then its search index) takes 5–15 s. Instead of
showing nothing for that long, :func:`open_with_feedback` shows this small window at once, opens the library
on a background thread while the Qt event loop keeps the window painted, and closes it when the library is
ready (or the opening failed: the error is raised on the calling thread, as :meth:`Library.open` raises it).
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget


class PreparingWindow(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("preparingWindow")
        self.setWindowTitle("Preparing the library")
        self.label = QLabel("Preparing the library…", self)
        font = self.label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.label.setFont(font)
        self.detail = QLabel("The first start builds the evidence library and its search index "
                             "(about 10–15 seconds). This happens once.", self)
        self.detail.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy: the build does not report steps
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Preparing the library")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(self.label)
        layout.addWidget(self.detail)
        layout.addWidget(self.bar)
        self.setFixedWidth(440)


class _Done(QObject):
    finished = Signal()


def open_with_feedback(open_library, shown=None):
    """Run ``open_library()`` on a thread while a :class:`PreparingWindow` is shown; return its result.

    ``shown(window)`` is called once the window is on screen (tests and screenshots look at it then)."""
    window = PreparingWindow()
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    outcome: dict = {}
    done = _Done()
    loop = QEventLoop()
    done.finished.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

    def work():
        try:
            outcome["value"] = open_library()
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc
        finally:
            done.finished.emit()

    thread = threading.Thread(target=work, name="vkref-prepare", daemon=True)
    if shown is not None:
        shown(window)
    thread.start()
    loop.exec()  # quits on the queued "finished", even if the thread is already done
    thread.join()
    window.close()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
