"""Full texts in the window: "Attach full text…" (File menu, or a .txt/.pdf dropped on a result row), the reader
view of a review's cleaned text, and a new finding made from a selection in it.

- :class:`ReaderDialog` shows the whole cleaned text (headings bold, captions in italics) built block by block,
  so every character of the view maps back to an offset of ``Review.fulltext``; opened at a finding it scrolls to
  the finding's paragraph and marks the supporting sentences.
- "New finding from selection…" opens :class:`NewFindingDialog` with the section and the selected place filled
  in; it saves through ``Library.save_finding`` (one undoable batch) with the place as the finding's marked
  locator. ``FullTextActions.new_finding_hook`` may be replaced (e.g. by the full finding form) and is called
  with (review id, section, locator, selected text).
- Attaching runs through :class:`~vkref.ui.operation.Operation`; a refused file is reported in one line.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QPlainTextEdit, QPushButton, QTextEdit, QVBoxLayout)

from vkref.core.entities import Finding
from vkref.ui.detail import SafeBrowser
from vkref.ui.fulltext_render import READER_PREFIX
from vkref.ui.models import KEY_ROLE
from vkref.ui.operation import Operation

FULLTEXT_FILTER = "Full texts (*.pdf *.txt);;All files (*)"


class ReaderDialog(QDialog):
    """The cleaned full text of one review; ``place`` (a locator) is scrolled to and its sentences marked."""

    newFindingRequested = Signal(str, str, dict, str)  # review id, section, locator, selected text

    def __init__(self, library, review_id: str, place: dict | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("readerDialog")
        self.library, self.review_id = library, review_id
        self.setWindowTitle(f"Full text · {library.review_label(review_id)}")
        self.passages = library.passages(review_id)
        self.view = SafeBrowser(self)
        self.view.setObjectName("readerView")
        self.view.setAccessibleName("Full text of the review")
        self.starts: list[int] = []  # document position of each passage's first character
        self._fill()
        self.new_button = QPushButton("New finding from selection…", self, objectName="newFindingButton")
        self.new_button.setEnabled(False)
        self.new_button.clicked.connect(self._request_finding)
        self.view.selectionChanged.connect(lambda: self.new_button.setEnabled(self.selection() is not None))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self.resize(760, 640)
        self.place = place  # scrolled to when first shown (the layout is known then)

    def showEvent(self, event):  # noqa: N802 (Qt name)
        super().showEvent(event)
        if self.place:
            place, self.place = self.place, None
            self.go_to(place)

    def _fill(self) -> None:
        cursor = QTextCursor(self.view.document())
        block = QTextBlockFormat()
        block.setBottomMargin(8)
        cursor.setBlockFormat(block)
        for n, p in enumerate(self.passages):
            if n:
                cursor.insertBlock(block)
            self.starts.append(cursor.position())
            fmt = QTextCharFormat()
            if p.kind == "heading":
                fmt.setFontWeight(QFont.Weight.Bold)
                fmt.setFontPointSize(self.font().pointSizeF() * 1.15)
            elif p.kind == "caption":
                fmt.setFontItalic(True)
            cursor.insertText(p.text, fmt)

    def position_of(self, offset: int) -> int:
        """The view position of full-text offset ``offset``."""
        for p, start in zip(reversed(self.passages), reversed(self.starts)):
            if offset >= p.start:
                return start + min(offset - p.start, len(p.text))
        return 0

    def offset_of(self, position: int) -> tuple[int, int]:
        """(passage index, full-text offset) of view position ``position``."""
        for n in range(len(self.starts) - 1, -1, -1):
            if position >= self.starts[n]:
                return n, self.passages[n].start + min(position - self.starts[n], len(self.passages[n].text))
        return 0, 0

    def go_to(self, place: dict) -> None:
        marks = []
        for start, end in place.get("sentences") or [[place["start"], place["start"]]]:
            sel = QTextEdit.ExtraSelection()
            sel.cursor = QTextCursor(self.view.document())
            sel.cursor.setPosition(self.position_of(start))
            sel.cursor.setPosition(self.position_of(end), QTextCursor.MoveMode.KeepAnchor)
            sel.format.setBackground(QColor("#ffe08a"))
            marks.append(sel)
        self.view.setExtraSelections(marks)
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(self.position_of(place["start"]))
        self.view.setTextCursor(cursor)
        self.view.ensureCursorVisible()
        bar = self.view.verticalScrollBar()  # the place near the top, with a line of what comes before
        bar.setValue(bar.value() + self.view.cursorRect(cursor).top() - 40)

    def selection(self) -> dict | None:
        """The selected place as a marked locator (within one paragraph), or None."""
        cursor = self.view.textCursor()
        if not cursor.hasSelection():
            return None
        (n, start), (m, end) = self.offset_of(cursor.selectionStart()), self.offset_of(cursor.selectionEnd())
        p = self.passages[n]
        if n != m or p.kind == "heading" or end <= start:
            return None
        return {"section": p.section, "paragraph": p.position, "start": p.start, "end": p.end,
                "sentences": [[start, end]], "marked": True}

    def _request_finding(self) -> None:
        place = self.selection()
        if place:
            text = self.view.textCursor().selectedText().replace("\u2029", " ")
            self.newFindingRequested.emit(self.review_id, place["section"], place, text)


class NewFindingDialog(QDialog):
    """A small form for a finding made from a selection: statement (in our own words), section, cited study."""

    saved = Signal(str)  # the new finding's id

    def __init__(self, library, review_id: str, section: str, place: dict, quote: str, parent=None):
        super().__init__(parent)
        self.setObjectName("newFindingDialog")
        self.setWindowTitle("New finding from the full text")
        self.library, self.review_id, self.place = library, review_id, place
        self.quote = QLabel(quote[:600], self, wordWrap=True)
        self.quote.setTextFormat(Qt.TextFormat.PlainText)
        self.statement = QPlainTextEdit(self, objectName="statementEdit")
        self.statement.setPlaceholderText("The finding in your own words")
        self.section = QLineEdit(section, self, objectName="sectionEdit")
        self.cited = QLineEdit(self, objectName="citedEdit")
        self.cited.setPlaceholderText("reference number as cited, e.g. 23")
        self.error = QLabel("", self, objectName="errorLabel")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        form = QFormLayout()
        form.addRow("Selected text", self.quote)
        form.addRow("Statement", self.statement)
        form.addRow("Section", self.section)
        form.addRow("Cited study", self.cited)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.operation = None

    def finding(self) -> Finding:
        n = len(self.library.findings_of(self.review_id)) + 1
        while self.library.get_finding(f"{self.review_id}-ft{n}") is not None:
            n += 1
        return Finding(id=f"{self.review_id}-ft{n}", review_id=self.review_id,
                       statement=self.statement.toPlainText().strip(), section=self.section.text().strip(),
                       cited_ref=self.cited.text().strip(), locator=dict(self.place, section=self.section.text()))

    def save(self) -> None:
        if not self.statement.toPlainText().strip():
            self.error.setText("Write the finding's statement first.")
            return
        finding = self.finding()
        self.save_button.setEnabled(False)
        self.operation = Operation(lambda _p, _c: self.library.save_finding(finding, who="user"), self)
        self.operation.finished.connect(lambda _b: (self.saved.emit(finding.id), self.accept()))
        self.operation.failed.connect(self._failed)
        self.operation.start()

    def _failed(self, message: str, _known: bool) -> None:
        self.save_button.setEnabled(True)
        self.error.setText(message)


class FullTextActions:
    """Installs the full-text actions on the main window (see the module docstring)."""

    def __init__(self, window, menu):
        self.window, self.library = window, window.library
        self.operation = None
        self.reader: ReaderDialog | None = None
        self.dialog: NewFindingDialog | None = None
        self.new_finding_hook = self.open_new_finding
        self.attach_action = window.action(menu, "Attach &full text…", self.choose_file, None, "actionAttach")

    # ------------------------------------------------------------------ attach
    def choose_file(self) -> QFileDialog | None:
        rid = self.window.detail.review_id()
        if rid is None:
            self.window.statusBar().showMessage("Select a review or finding first, then attach its full text", 5000)
            return None
        picker = QFileDialog(self.window, f"Attach a full text to {self.library.review_label(rid)}", "",
                             FULLTEXT_FILTER)
        picker.setObjectName("attachPicker")
        picker.setFileMode(QFileDialog.FileMode.ExistingFile)
        picker.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        picker.fileSelected.connect(lambda path: self.attach(rid, path))
        picker.open()
        self.picker = picker
        return picker

    def attach(self, review_id: str, path: str) -> Operation:
        self.window.statusBar().showMessage(f"Attaching {Path(path).name} to {self.library.review_label(review_id)}…")
        self.operation = Operation(lambda _p, _c: self.library.attach_fulltext(review_id, path, who="user"),
                                   self.window)
        self.operation.finished.connect(self._attached)
        self.operation.failed.connect(self._failed)
        self.operation.start()
        return self.operation

    def _attached(self, report: dict) -> None:
        self.window.statusBar().showMessage(
            f"{report['file']} attached: {report['passages']} passages in {report['sections']} sections", 6000)
        self.window.librarian.written("Full text attached")
        self.window.detail.refresh()

    def _failed(self, message: str, known: bool) -> None:
        self.window.statusBar().showMessage(message, 8000)
        if known:
            QMessageBox.warning(self.window, "vkref", message)

    def drop(self, event, paths: list[str]) -> bool:
        """A single .txt/.pdf dropped on a result row is attached to that row's review."""
        if len(paths) != 1 or Path(paths[0]).suffix.lower() not in (".pdf", ".txt"):
            return False
        table = self.window.table
        pos = table.viewport().mapFrom(self.window, event.position().toPoint())
        if not table.viewport().rect().contains(pos):
            return False
        index = table.indexAt(pos)
        key = self.window.model.data(index, KEY_ROLE) if index.isValid() else None
        rid = self._review_of(key)
        if rid is None:
            return False
        event.acceptProposedAction()
        self.attach(rid, paths[0])
        return True

    def _review_of(self, key) -> str | None:
        kind, _, rid = (key or "").partition(":")
        if kind == "review":
            return rid
        if kind == "passage":
            return rid.rpartition("/")[0]
        finding = self.library.get_finding(rid) if kind == "finding" else None
        return finding.review_id if finding else None

    # ------------------------------------------------------------------ reader
    def open(self, key: str) -> bool:
        """Handle a "reader:..." key from a detail link; False for any other key."""
        if not key.startswith(READER_PREFIX):
            return False
        kind, _, rid = key[len(READER_PREFIX):].partition(":")
        if kind == "finding":
            finding = self.library.get_finding(rid)
            if finding is not None:
                self.open_reader(finding.review_id, self.library.locate(rid))
        elif kind == "review":
            self.open_reader(rid)
        elif kind == "passage":
            review_id, _, n = rid.rpartition("/")
            passages = self.library.passages(review_id)
            if n.isdigit() and int(n) < len(passages):
                p = passages[int(n)]
                self.open_reader(review_id, {"start": p.start, "end": p.end, "sentences": []})
        return True

    def open_reader(self, review_id: str, place: dict | None = None) -> ReaderDialog:
        self.reader = ReaderDialog(self.library, review_id, place, self.window)
        self.reader.newFindingRequested.connect(lambda *a: self.new_finding_hook(*a))
        self.reader.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.reader.open()
        return self.reader

    def open_new_finding(self, review_id: str, section: str, place: dict, quote: str) -> NewFindingDialog:
        self.dialog = NewFindingDialog(self.library, review_id, section, place, quote, self.reader or self.window)
        self.dialog.saved.connect(self._finding_saved)
        self.dialog.open()
        return self.dialog

    def _finding_saved(self, finding_id: str) -> None:
        self.window.librarian.written("Finding saved")
        self.window.open_key(f"finding:{finding_id}")


def install(window, menu) -> FullTextActions:
    window.fulltext = FullTextActions(window, menu)
    return window.fulltext
