"""The GUI's persistent settings, each declared once (key, type, default, title), stored with QSettings.

The application sets organisation/application names ("vkref"); tests redirect QSettings to a temporary
directory (``tests/gui/conftest.py``), so nothing here touches the user's real settings there.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings

VERSION = 1


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: object
    title: str


DECLARED = {s.key: s for s in (
    Setting("window/geometry", QByteArray, QByteArray(), "Main window geometry"),
    Setting("window/state", QByteArray, QByteArray(), "Main window tool bars and docks"),
    Setting("window/main_splitter", QByteArray, QByteArray(), "Filters | results splitter"),
    Setting("window/right_splitter", QByteArray, QByteArray(), "Results / detail splitter"),
    Setting("results/sort", str, "relevance", "Sort order of results"),
    Setting("results/header", QByteArray, QByteArray(), "Results table column widths"),
    Setting("results/columns", str, "", "Optional result columns the user showed or hid (column:0|1, ...)"),
    Setting("cite/style", str, "vancouver", "Citation style of Copy citation and exports (vancouver|ama|apa)"),
    Setting("catalog/url", str, "", "Shared catalog (postgresql:// URL without password; empty: local library)"),
)}


class Settings:
    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings if qsettings is not None else QSettings()
        if int(self.q.value("settings/version", 0) or 0) != VERSION:
            self.q.setValue("settings/version", VERSION)  # no upgrades yet: version 1 is the first

    def get(self, key: str):
        s = DECLARED[key]
        value = self.q.value(key, s.default)
        if value is None:
            return s.default
        if s.type is QByteArray:
            return value if isinstance(value, QByteArray) else s.default
        try:
            return s.type(value)
        except (TypeError, ValueError):
            return s.default

    def set(self, key: str, value) -> None:
        if key not in DECLARED:
            raise KeyError(key)
        self.q.setValue(key, value)

    def sync(self) -> None:
        self.q.sync()
