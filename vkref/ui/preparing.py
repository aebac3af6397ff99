"""The start window: shown at once while the library opens, with a search field that takes typing meanwhile.

Building a new library (database from the bundled data, then its search index) takes 5–15 s ("Preparing the
library…"); opening an existing one takes from a fraction of a second to a few seconds on a busy computer
with 100,000 findings ("Opening the library…"). Instead of showing nothing meanwhile, :func:`open_with_feedback`
shows this small window before the library layer is even imported, opens the library on a background thread
while the Qt event loop keeps the window painted and its search field typed into, and closes it when the
library is ready (or the opening failed: the error is raised on the calling thread, as :meth:`Library.open`
raises it). What was typed is handed over (``typed``) to become the main window's first search.
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QProgressBar, QVBoxLayout, QWidget


class PreparingWindow(QWidget):
    def __init__(self, parent=None, new: bool = True, text: str = ""):
        super().__init__(parent)
        self.setObjectName("preparingWindow")
        self.setWindowTitle("Preparing the library" if new else "vkref")
        self.search_field = QLineEdit(text, self)
        self.search_field.setObjectName("startSearchField")
        self.search_field.setPlaceholderText("Search the evidence…")
        self.search_field.setToolTip("Type now: the search runs as soon as the library is open")
        self.search_field.setAccessibleName("Search")
        self.search_field.setClearButtonEnabled(True)
        self.label = QLabel("Preparing the library…" if new else "Opening the library…", self)
        font = self.label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.label.setFont(font)
        self.detail = QLabel("The first start builds the evidence library and its search index "
                             "(about 10–15 seconds). This happens once.", self)
        self.detail.setWordWrap(True)
        self.detail.setVisible(new)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy: the build does not report steps
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Preparing the library")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(self.search_field)
        layout.addWidget(self.label)
        layout.addWidget(self.detail)
        layout.addWidget(self.bar)
        self.setFixedWidth(440)


class _Done(QObject):
    finished = Signal()


def open_with_feedback(open_library, shown=None, new: bool = True, typed: dict | None = None):
    """Run ``open_library()`` on a thread while a :class:`PreparingWindow` is shown; return its result.

    ``shown(window)`` is called once the window is on screen (tests and screenshots look at it then). ``new``:
    a library is built ("Preparing…"), else opened. ``typed``: its "text" starts the search field and holds,
    with "cursor", what is in the field when the library is open."""
    typed = {} if typed is None else typed
    window = PreparingWindow(new=new, text=typed.get("text", ""))
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    window.activateWindow()
    window.search_field.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
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
    typed.update(text=window.search_field.text(), cursor=window.search_field.cursorPosition())
    window.close()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
