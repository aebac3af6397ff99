"""Light and dark palettes (Fusion) that follow the system colour scheme, plus the small style sheet.

The colours themselves live in :mod:`vkref.ui.colours` (checked for contrast there).

``Theme.apply()`` reads ``QStyleHints.colorScheme()``; the theme re-applies itself when the system switches
and emits ``changed(dark)`` so views that paint their own colours (detail HTML, badges) can follow.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from vkref.ui.colours import DARK, LIGHT

def palette(colours: dict) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    c = {k: QColor(v) for k, v in colours.items()}
    for r, key in ((role.Window, "window"), (role.WindowText, "text"), (role.Base, "base"),
                   (role.AlternateBase, "alt"), (role.Text, "text"), (role.Button, "button"),
                   (role.ButtonText, "text"), (role.Highlight, "highlight"), (role.HighlightedText, "hl_text"),
                   (role.Link, "link"), (role.ToolTipBase, "tooltip"), (role.ToolTipText, "text"),
                   (role.PlaceholderText, "muted"), (role.Mid, "border"), (role.BrightText, "hl_text")):
        p.setColor(r, c[key])
    muted = c["muted"]
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, muted)
    return p


def style_sheet(c: dict) -> str:
    return f"""
    QLabel#panelTitle {{ font-weight: 600; color: {c['muted']}; }}
    QLabel#searchedAs {{ color: {c['muted']}; }}
    QLineEdit#searchField {{ padding: 6px 8px; border: 1px solid {c['border']}; border-radius: 6px;
                             background: {c['base']}; font-size: 11pt; }}
    QLineEdit#searchField:focus {{ border: 1px solid {c['highlight']}; }}
    QToolButton#chip, QToolButton#chipExcluded {{ border-radius: 10px; padding: 2px 10px; border: none;
                             background: {c['chip']}; color: {c['chip_text']}; }}
    QToolButton#chipExcluded {{ background: {c['chip_x']}; color: {c['chip_x_text']}; }}
    QToolButton#chip:hover, QToolButton#chipExcluded:hover {{ border: 1px solid {c['highlight']}; }}
    QToolButton#clearAll {{ color: {c['link']}; border: none; padding: 2px 6px; }}
    QTableView, QTreeView {{ border: 1px solid {c['border']}; }}
    QTextBrowser#emptyState {{ border: none; background: {c['base']}; }}
    """


class Theme(QObject):
    changed = Signal(bool)

    def __init__(self, app, parent=None):
        super().__init__(parent)
        self.app = app
        self.dark = False
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: self.apply())

    def apply(self, force_dark: bool | None = None) -> bool:
        scheme = self.app.styleHints().colorScheme()
        override = os.environ.get("VKREF_THEME", "").lower()  # "light" | "dark": for screenshots and tests
        if force_dark is None and override in ("light", "dark"):
            force_dark = override == "dark"
        self.dark = (scheme == Qt.ColorScheme.Dark) if force_dark is None else force_dark
        colours = DARK if self.dark else LIGHT
        self.app.setStyle("Fusion")
        self.app.setPalette(palette(colours))
        self.app.setStyleSheet(style_sheet(colours))
        self.changed.emit(self.dark)
        return self.dark


def is_dark() -> bool:
    app = QGuiApplication.instance()
    return bool(app) and app.palette().color(QPalette.ColorRole.Base).lightness() < 128
