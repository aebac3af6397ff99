"""The side-by-side merge dialog: two likely duplicate reviews field by field, the differences highlighted, one
radio choice per differing field, which record is kept, then Merge or Not a duplicate.

It promises: nothing is written until Merge or Not a duplicate is pressed; both run through
:class:`~vkref.ui.operation.Operation` (never on the GUI thread) as ``Library.merge`` / ``Library.mark_distinct``
(one undoable batch each). The record with more findings is kept unless the user picks the other. A field's
choice defaults to the kept record's value unless that is empty (an empty value never replaces a filled one, so
it cannot be chosen). Keywords, tags and MeSH headings of both are united; findings, full texts and identifiers
of the other record move to the kept one (``Library.merge`` promises that).
``merged(result)`` / ``declaredDistinct(result)`` are emitted after the write; ``failed(message)`` when refused.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QGridLayout, QHBoxLayout, QLabel,
                               QRadioButton, QScrollArea, QVBoxLayout, QWidget)

from vkref.core import records as R
from vkref.ui.colours import colours
from vkref.ui.operation import Operation
from vkref.ui.theme import is_dark

CHOICE_FIELDS = ("title", "authors", "year", "journal", "journal_abbrev", "volume", "issue", "pages", "doi", "pmid",
                 "type", "summary", "fulltext", "source_id", "notes", "caution", "verification")
UNITED_FIELDS = ("keywords", "tags", "mesh")
LABELS = {"journal_abbrev": "Journal (abbrev.)", "doi": "DOI", "pmid": "PMID", "source_id": "Source id",
          "mesh": "MeSH", "fulltext": "Full text"}
SHOWN_CHARS = 400
A, B = 0, 1


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def shown(value) -> str:
    """A field value as one readable line (authors "Family G", lists joined, long texts cut)."""
    if value is None:
        return ""
    if isinstance(value, list):
        parts = [", ".join(filter(None, (v["family"], v["given"]))) if isinstance(v, dict) else str(v)
                 for v in value]
        text = "; ".join(parts)
    else:
        text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 1] + "…"


class _SideRadio(QRadioButton):
    """A field's A or B choice: Left and Right choose the other side (the two sit in different cells, where Qt's
    own arrow keys do not reach; Tab stops at the chosen one of each row)."""

    def keyPressEvent(self, event) -> None:
        side = {Qt.Key.Key_Left: A, Qt.Key.Key_Right: B}.get(event.key())
        other = self.group().button(side) if side is not None and self.group() else None
        if other is not None and other is not self and other.isEnabled():
            other.click()
            other.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().keyPressEvent(event)


class _Choice(QWidget):
    """A value with its radio button: a click anywhere on the value chooses it."""

    radio: QRadioButton | None = None

    def mousePressEvent(self, event) -> None:
        if self.radio is not None and self.radio.isEnabled():
            self.radio.click()
        super().mousePressEvent(event)


class MergeDialog(QDialog):
    merged = Signal(object)
    declaredDistinct = Signal(object)
    failed = Signal(str)

    def __init__(self, library, a_id: str, b_id: str, parent=None):
        super().__init__(parent)
        self.library, self.ids = library, (a_id, b_id)
        reviews = (library.get_review(a_id), library.get_review(b_id))
        self.fields = [R.review_fields(r) for r in reviews]
        self.findings = [len(library.findings_of(rid)) for rid in self.ids]
        self.groups: dict[str, QButtonGroup] = {}
        self.operation: Operation | None = None
        self.setWindowTitle("Merge duplicates")
        self.setObjectName("mergeDialog")
        self.resize(1000, 600)
        self._build()
        self.set_keep(B if self.findings[B] > self.findings[A] else A)  # coded findings: the curated record

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._keep_row())
        scroll = QScrollArea(self, widgetResizable=True)
        body = QWidget(scroll)
        self.grid = QGridLayout(body)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        self.grid.setHorizontalSpacing(10)
        self._header()
        for name in CHOICE_FIELDS:
            if self.fields[A][name] or self.fields[B][name]:  # a field empty on both sides says nothing
                self._choice_row(name)
        for name in UNITED_FIELDS:
            if self.fields[A][name] or self.fields[B][name]:
                self._united_row(name, f"{label(name)} (both kept)")
        self._info_row("Findings", [f"{n} (moved to the kept review)" if n else "0" for n in self.findings])
        self.grid.setRowStretch(self.grid.rowCount(), 1)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        self.status = QLabel("Differences are highlighted: pick the value to keep in each row.", self,
                             objectName="mergeStatus", wordWrap=True)
        layout.addWidget(self.status)
        layout.addWidget(self._buttons())

    def _keep_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Keep:</b>", self))
        self.keep_group = QButtonGroup(self)
        self.keep_buttons = []
        for side, rid in enumerate(self.ids):
            button = QRadioButton(f"{'AB'[side]}: {rid}", self, objectName=f"keep{'AB'[side]}")
            button.setToolTip(self.library.citation(rid))
            self.keep_group.addButton(button, side)
            self.keep_buttons.append(button)
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(QLabel("The other record's findings, tags, keywords and identifiers move to the kept one.",
                             self, objectName="mergeHint"))
        self.keep_group.idClicked.connect(self.set_keep)
        return row

    def _header(self) -> None:
        for col, text in enumerate(("Field", f"A: {self.ids[A]}", f"B: {self.ids[B]}")):
            head = QLabel(f"<b>{text}</b>", self)
            self.grid.addWidget(head, 0, col)

    def _differs(self, name: str) -> bool:
        return self.fields[A][name] != self.fields[B][name]

    def _choice_row(self, name: str) -> None:
        row = self.grid.rowCount()
        self.grid.addWidget(QLabel(label(name), self), row, 0, Qt.AlignmentFlag.AlignTop)
        if not self._differs(name):
            for side in (A, B):
                self.grid.addWidget(self._value(shown(self.fields[side][name])), row, 1 + side)
            return
        group = QButtonGroup(self)
        for side in (A, B):
            cell = _Choice(self)
            line = QHBoxLayout(cell)
            line.setContentsMargins(4, 2, 4, 2)
            radio = _SideRadio(cell, objectName=f"choose:{name}:{'AB'[side]}")
            radio.setAccessibleName(f"{label(name)} from {'AB'[side]}")
            radio.setEnabled(bool(self.fields[side][name]) or not self.fields[1 - side][name])
            group.addButton(radio, side)
            cell.radio = radio
            line.addWidget(radio, 0, Qt.AlignmentFlag.AlignTop)
            line.addWidget(self._value(shown(self.fields[side][name]) or "(empty)"), 1)
            self._highlight(cell)
            self.grid.addWidget(cell, row, 1 + side)
        self.groups[name] = group

    def _united_row(self, name: str, title: str) -> None:
        self._info_row(title, [shown(self.fields[side][name]) for side in (A, B)], self._differs(name))

    def _info_row(self, title: str, values, highlight: bool = False) -> None:
        row = self.grid.rowCount()
        self.grid.addWidget(QLabel(title, self), row, 0, Qt.AlignmentFlag.AlignTop)
        for side, text in enumerate(values):
            value = self._value(text)
            if highlight:
                self._highlight(value)
            self.grid.addWidget(value, row, 1 + side)

    def _value(self, text: str) -> QLabel:
        value = QLabel(text, self, wordWrap=True)
        value.setTextFormat(Qt.TextFormat.PlainText)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return value

    def _highlight(self, widget: QWidget) -> None:
        """A differing value: the theme's caution background (its text contrast is checked in colours.py)."""
        c = colours(is_dark())
        widget.setAutoFillBackground(True)
        palette = widget.palette()
        palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.transparent)
        palette.setColor(widget.backgroundRole(), c["caution"])
        palette.setColor(QPalette.ColorRole.WindowText, c["text"])
        widget.setPalette(palette)
        widget.setProperty("differs", True)

    def _buttons(self) -> QDialogButtonBox:
        box = QDialogButtonBox(self)
        self.merge_button = box.addButton("&Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setObjectName("mergeButton")
        self.distinct_button = box.addButton("&Not a duplicate", QDialogButtonBox.ButtonRole.ActionRole)
        self.distinct_button.setObjectName("distinctButton")
        self.cancel_button = box.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button.clicked.connect(self.merge)
        self.distinct_button.clicked.connect(self.not_duplicate)
        self.cancel_button.clicked.connect(self.reject)
        self.merge_button.setDefault(True)
        return box

    # ------------------------------------------------------------------ choices
    def set_keep(self, side: int) -> None:
        """Keep record ``side``; every field starts from its value (the other's where it has none)."""
        self.keep = side
        self.keep_buttons[side].setChecked(True)
        for name, group in self.groups.items():
            own = self.fields[side][name]
            group.button(side if own else 1 - side).setChecked(True)

    def choose(self) -> list[str]:
        """The fields whose value comes from the record that is not kept."""
        return [name for name, group in self.groups.items()
                if group.checkedId() != self.keep and self.fields[self.keep][name]]

    # ------------------------------------------------------------------ writes
    def merge(self) -> None:
        keep, other = self.ids[self.keep], self.ids[1 - self.keep]
        choose, lib = self.choose(), self.library
        self.status.setText(f"Merging {other} into {keep}…")
        self._run(lambda _p, _c: lib.merge(keep, other, choose, who="user"), self.merged)

    def not_duplicate(self) -> None:
        a, b, lib = *self.ids, self.library
        self.status.setText("Remembering that these are two different records…")
        self._run(lambda _p, _c: lib.mark_distinct(a, b, who="user"), self.declaredDistinct)

    def _run(self, fn, signal) -> None:
        if self.operation is not None and self.operation.running:
            return
        for button in (self.merge_button, self.distinct_button):
            button.setEnabled(False)
        self.operation = Operation(fn, self)
        self.operation.finished.connect(lambda result: (self.accept(), signal.emit(result)))
        self.operation.failed.connect(self._failed)
        self.operation.start()

    def _failed(self, message: str, _known: bool) -> None:
        self.status.setText(message)
        for button in (self.merge_button, self.distinct_button):
            button.setEnabled(True)
        self.failed.emit(message)
