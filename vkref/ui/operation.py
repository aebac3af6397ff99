"""One long job off the GUI thread: :class:`Operation` runs a callable on the shared thread pool.

The callable is called as ``fn(progress, cancelled)``: ``progress(done, total)`` reports how far it got (the
signal is queued to the GUI thread), ``cancelled()`` says whether the user pressed Cancel. Its return value
arrives as ``finished(result)``. vkref's known problems (:class:`~vkref.core.errors.VkrefError`, including a
cancelled import) arrive as ``failed(one_line_message)``; any other exception is a bug and is handed, on the GUI
thread, to ``sys.excepthook`` (the application's one crash handler) and then reported as ``failed`` too, so a
dialog waiting on the job never hangs. Nothing here touches a widget from the worker thread.
"""
from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from vkref.core.errors import VkrefError


class _Signals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str, bool)  # message, known problem?
    crashed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn, signals: _Signals, cancel: threading.Event):
        super().__init__()
        self.fn, self.signals, self.cancel = fn, signals, cancel
        self.setAutoDelete(True)

    def run(self) -> None:
        s = self.signals
        try:
            result = self.fn(lambda done, total: s.progress.emit(int(done), int(total)), self.cancel.is_set)
        except VkrefError as exc:
            s.failed.emit(str(exc), True)
        except Exception as exc:  # a bug: the crash handler writes the report
            s.crashed.emit(sys.exc_info())
            s.failed.emit(f"{exc.__class__.__name__}: {exc}", False)
        else:
            s.finished.emit(result)


class Operation(QObject):
    """``Operation(fn).start()``; connect ``progress``, ``finished`` and ``failed`` first; ``cancel()`` asks
    the job to stop at its next check. ``running`` is True from ``start`` until one of the end signals."""

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str, bool)

    def __init__(self, fn, parent=None):
        super().__init__(parent)
        self.fn = fn
        self.running = False
        self._cancel = threading.Event()
        self._signals = _Signals(self)
        self._signals.progress.connect(self.progress)
        self._signals.finished.connect(self._finish)
        self._signals.failed.connect(self._fail)
        self._signals.crashed.connect(lambda info: sys.excepthook(*info))

    def start(self) -> "Operation":
        self.running = True
        QThreadPool.globalInstance().start(_Job(self.fn, self._signals, self._cancel))
        return self

    def cancel(self) -> None:
        self._cancel.set()

    @Slot(object)
    def _finish(self, result) -> None:
        self.running = False
        self.finished.emit(result)

    @Slot(str, bool)
    def _fail(self, message: str, known: bool) -> None:
        self.running = False
        self.failed.emit(message, known)
