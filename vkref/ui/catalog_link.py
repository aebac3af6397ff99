"""The window's side of a shared catalog: the read-only banner, live refresh, and File > Connect to catalog….

- :class:`CatalogBanner` says so when the database role may only read the catalog, and listens to the
  library's catalog events (from the listener thread, handed to the GUI
  thread through a queued signal): while the server is away a banner says that results come from this
  computer's copy and that changes cannot be saved; when it is back the banner goes and the search is run
  again. Every change another curator makes re-runs the shown search, so what is on screen is current.
  ``stateChanged(event)`` is emitted after the window has taken an event into account (tests wait on it).
- :class:`ConnectDialog` asks for a ``postgresql://`` URL and stores it in the settings **without a password**
  (a URL holding one is refused): libpq's password file, a service file (``?service=NAME``) or ``PGPASSWORD``
  supply it, and ``sslmode`` in the URL is honoured. The URL is used from the next start.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QMessageBox, QVBoxLayout

SETTING = "catalog/url"
ROLE_TEXT = "Read-only catalog: your database role may search it but not change it."
OFFLINE_TEXT = ("Catalog server unreachable — showing this computer's copy, read-only: changes cannot be "
                "saved. Reconnecting…")
HELP = ("A postgresql:// URL of the shared catalog, e.g. postgresql://curator@library-db/vkref?sslmode=require. "
        "No password is stored here: put it in your PostgreSQL password file (~/.pgpass), use a service file "
        "(postgresql:///?service=vkref) or the PGPASSWORD environment variable. Leave empty to use this "
        "computer's own library. The catalog is used from the next start.")


class CatalogBanner(QObject):
    """The banner above the results and the window's reaction to catalog events."""

    _event = Signal(str, object)
    stateChanged = Signal(str)  # "changed", "offline" or "online", once the window has reacted

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.label = QLabel(OFFLINE_TEXT, window)
        self.label.setObjectName("catalogBanner")
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Catalog status")
        self.label.setStyleSheet("QLabel#catalogBanner { background: #fff3cd; color: #5c4400; "
                                 "border: 1px solid #e0c46c; border-radius: 4px; padding: 6px; }")
        self.label.hide()
        window.right.widget(0).layout().insertWidget(0, self.label)
        self._event.connect(self._react, Qt.ConnectionType.QueuedConnection)
        window.library.on_catalog_event(lambda event, detail: self._event.emit(event, detail))
        status = window.library.catalog_status()
        self.reader = bool(status) and status["can_write"] is False
        if status is not None and not status["online"]:
            self._react("offline", "")
        elif self.reader:
            self._show(ROLE_TEXT)

    def _show(self, text: str) -> None:
        self.label.setText(text)
        self.label.show()

    def _react(self, event: str, _detail) -> None:
        if event == "offline":
            self._show(OFFLINE_TEXT)
        elif event == "online":
            if self.reader:
                self._show(ROLE_TEXT)
            else:
                self.label.hide()
            self.window.search_now()
        elif event == "changed":
            self.window.search_now()
        self.stateChanged.emit(event)


class ConnectDialog(QDialog):
    def __init__(self, settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Connect to catalog")
        layout = QVBoxLayout(self)
        note = QLabel(HELP, self)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.url = QLineEdit(str(settings.get(SETTING) or ""), self)
        self.url.setObjectName("catalogUrl")
        self.url.setAccessibleName("Catalog URL")
        self.url.setPlaceholderText("postgresql://user@host/database?sslmode=require")
        layout.addWidget(self.url)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def problem(self) -> str | None:
        from vkref.library import Library

        return Library.catalog_url_problem(self.url.text().strip())

    def accept(self) -> None:
        problem = self.problem()
        if problem:
            QMessageBox.warning(self, "Connect to catalog", problem)
            return
        self.settings.set(SETTING, self.url.text().strip())
        self.settings.sync()
        super().accept()


def install(window, file_menu) -> None:
    """The banner (``window.catalog_banner``) and File > Connect to catalog…."""
    window.catalog_banner = CatalogBanner(window)
    window.action(file_menu, "Connect to &catalog…", lambda: ConnectDialog(window.settings, window).exec(),
                   None, "actionConnectCatalog")
