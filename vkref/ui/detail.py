"""The detail pane: the selected finding or review, rendered by :mod:`vkref.ui.render` into a safe browser.

``SafeBrowser`` never follows links by itself and never loads a resource (no remote or file images);
our private links become signals: ``filterRequested(facet, label)`` and ``openRequested(key)``; a DOI link is
handed to the system browser (``QDesktopServices``) on an explicit click, never loaded here. Tab leaves the
browser (one stop in the window's tab chain); Ctrl+Tab / Ctrl+Shift+Tab move between its links, Enter follows one.
The title is plain text: record data never becomes markup.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextBrowser, QToolButton, QVBoxLayout, QWidget

from vkref.core.errors import VkrefError
from vkref.ui import fulltext_render
from vkref.ui.render import Renderer, empty_detail, parse_link


class SafeBrowser(QTextBrowser):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setUndoRedoEnabled(False)

    def loadResource(self, type_, name):  # noqa: N802 (Qt name)
        return None  # no images, style sheets or anything else from anywhere

    def setSource(self, *args, **kwargs):  # noqa: N802
        return None  # never navigate

    def focusNextPrevChild(self, next_):  # noqa: N802
        return QWidget.focusNextPrevChild(self, next_)  # Tab leaves; it does not walk the links

    def keyPressEvent(self, event):
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if ctrl and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            forward = event.key() == Qt.Key.Key_Tab and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            QTextBrowser.focusNextPrevChild(self, forward)  # the next or previous link
            return
        super().keyPressEvent(event)


class DetailPane(QWidget):
    filterRequested = Signal(str, str)
    openRequested = Signal(str)
    citationCopied = Signal(str)

    def __init__(self, library, parent=None):
        super().__init__(parent)
        self.library = library
        self.renderer = Renderer(library)
        self.key: str | None = None
        self.query = ""
        self.title = QLabel("Details")
        self.title.setObjectName("panelTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.copy_button = QPushButton("Copy citation")
        self.copy_button.setObjectName("copyCitation")
        self.copy_button.setAccessibleName("Copy citation of the source review")
        self.copy_button.setToolTip("Copy the source review's Vancouver citation (Ctrl+Shift+C)")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_citation)
        self.browser = SafeBrowser(self)
        self.browser.setObjectName("detailBrowser")
        self.browser.setAccessibleName("Details of the selected record")
        self.browser.anchorClicked.connect(self._link)
        self.browser.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.browser.document().setDocumentMargin(14)
        top = QHBoxLayout()
        top.setContentsMargins(8, 6, 8, 2)
        self.back_button, self.forward_button = QToolButton(self), QToolButton(self)
        for button, name in ((self.back_button, "Back (Alt+Left)"), (self.forward_button, "Forward (Alt+Right)")):
            button.setAccessibleName(name.split(" (")[0])
            button.setToolTip(name)
            button.setAutoRaise(True)
            top.addWidget(button)
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.copy_button)
        self.toolbar = top  # others add their buttons here (Edit…, History… of vkref.ui.records)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.browser, 1)
        self.clear()

    def set_dark(self, dark: bool) -> None:
        self.renderer.dark = dark
        self.refresh()

    def clear(self) -> None:
        self.key = None
        self.copy_button.setEnabled(False)
        self.title.setText("Details")
        self.browser.setHtml(empty_detail(self.renderer.dark))

    def show_key(self, key: str | None, query: str = "", html: str | None = None) -> None:
        """Show ``"finding:<id>"`` or ``"review:<id>"`` with ``query``'s terms highlighted.

        ``html``: the page already rendered off the GUI thread (by the search worker), if any."""
        if key and key == self.key and query == self.query and html is None:
            return  # already shown
        self.query = query
        if not key:
            self.clear()
            return
        kind, _, rid = key.partition(":")
        if kind == "passage":
            self._show_passage(key, rid, query, html)
            return
        try:
            record = self.library.get_finding(rid) if kind == "finding" else self.library.get_review(rid)
        except VkrefError as exc:  # a shared catalog whose server is away: the list still answers, not the record
            self.clear()
            self.browser.setHtml(f"<p align='center' style='margin-top:30px'>{escape(str(exc))}</p>")
            return
        if record is None:
            self.clear()
            return
        self.key = key
        if kind == "finding":
            self.title.setText(f"Finding · {self.library.review_label(record.review_id)}")
            html = html or self.renderer.finding(record, query)
        else:
            self.title.setText(f"Review · {self.library.review_label(record.id)}")
            html = html or self.renderer.review(record, query)
        self.copy_button.setEnabled(True)
        self.browser.setHtml(html)

    def _show_passage(self, key: str, pid: str, query: str, html: str | None) -> None:
        html = html or fulltext_render.passage_page(self.renderer, pid, query)
        if not html:
            self.clear()
            return
        self.key = key
        self.title.setText(f"Full text · {self.library.review_label(pid.rpartition('/')[0])}")
        self.copy_button.setEnabled(True)
        self.browser.setHtml(html)

    def refresh(self) -> None:
        if self.key:
            key, self.key = self.key, None
            self.show_key(key, self.query)
        else:
            self.clear()

    def review_id(self) -> str | None:
        if not self.key:
            return None
        kind, _, rid = self.key.partition(":")
        if kind == "review":
            return rid
        if kind == "passage":
            return rid.rpartition("/")[0]
        try:
            finding = self.library.get_finding(rid)
        except VkrefError:  # the catalog's server is away
            return None
        return finding.review_id if finding else None

    def copy_citation(self) -> str:
        rid = self.review_id()
        style = getattr(self, "cite_style", "vancouver")  # the window sets it from the cite/style setting
        text = (self.library.citation(rid) if style == "vancouver" else self.library.cite([rid], style)[0]) \
            if rid else ""
        if text:
            QGuiApplication.clipboard().setText(text)
            self.citationCopied.emit(text)
        return text

    def plain_text(self) -> str:
        return self.browser.toPlainText()

    def _link(self, url: QUrl) -> None:
        parsed = parse_link(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))
        if parsed is None:
            return  # anything else is ignored: nothing is opened or run
        action, a, b = parsed
        if action == "filter":
            self.filterRequested.emit(a, b)
        elif action == "doi":
            QDesktopServices.openUrl(QUrl(url.toString(QUrl.ComponentFormattingOption.FullyEncoded)))
        else:
            self.openRequested.emit(a)

    def keyPressEvent(self, event):
        if event.key() == Qt.Key.Key_Escape:
            self.focusNextPrevChild(False)
            return
        super().keyPressEvent(event)
