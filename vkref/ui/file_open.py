"""Files handed to the running application by the desktop (macOS sends a ``QFileOpenEvent`` for a double-clicked
``.vkref`` document instead of a command-line argument).

:class:`FileOpenRouter` is an event filter on the ``QApplication``: a ``.vkref`` file opens as File > Open
bundle… does. An event that arrives before the main window exists (macOS delivers the document that launched
the app early) is kept and handled once :meth:`attach` gives it the window.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

BUNDLE_SUFFIX = ".vkref"


class FileOpenRouter(QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.window = None
        self.pending: list[str] = []

    def attach(self, window) -> None:
        self.window = window
        waiting, self.pending = self.pending, []
        for path in waiting:
            self._open(path)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.FileOpen:
            return False
        path = event.file()
        if not path.lower().endswith(BUNDLE_SUFFIX):
            return False
        if self.window is None:
            self.pending.append(path)
        else:
            self._open(path)
        return True

    def _open(self, path: str) -> None:
        self.window.show()
        self.window.raise_()
        self.window.bundles.open_bundle(path)
