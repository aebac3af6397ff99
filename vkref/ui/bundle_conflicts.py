"""The conflicts of a bundle as the Open bundle dialog shows them: the list, one record side by side, the choices.

:func:`conflict_table` is the list of conflicting records (id, kind, title, which side changed last, the choice);
:func:`conflict_row` is one row of it. :class:`ConflictPane` shows one conflicting record field by field, this
library's value beside the bundle's, the differing fields marked (bold, on the theme's mark colour) and listed
first, with keep mine / take theirs / keep both (keep both is not offered for a vocabulary concept); a choice
made by the librarian is announced by ``chosen``, never set by showing a record. :func:`vocabulary_text` names the
new concepts and the conflicting concept labels. Nothing here reads or writes the library: the dialog
(:mod:`vkref.ui.open_bundle_dialog`) owns the report and the choices.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QHBoxLayout, QHeaderView, QLabel, QRadioButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from vkref.ui.colours import colours

CHOICES = (("mine", "Keep &mine"), ("theirs", "Take &theirs"), ("both", "Keep &both"))
CHOICE_TEXT = {"mine": "keep mine", "theirs": "take theirs", "both": "keep both"}
CELL_CHARS = 400


def show(value) -> str:
    """One field value as text for the side-by-side table."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {show(v)}" for k, v in value.items())
    if isinstance(value, list):
        if value and isinstance(value[0], dict) and "family" in value[0]:
            return "; ".join(" ".join(x for x in (a.get("family"), a.get("given")) if x) for a in value)
        return "; ".join(show(v) for v in value)
    return str(value)


def title_of(conflict: dict) -> str:
    fields = (conflict.get("records") or {}).get("mine") or {}
    return str(fields.get("title") or fields.get("statement") or fields.get("label") or "")


def read_only_table(headers, parent, name) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    return table


def conflict_table(parent) -> QTableWidget:
    """The list of conflicting records: Record, Kind, Title (stretched), Newer, Choice."""
    table = read_only_table(("Record", "Kind", "Title", "Newer", "Choice"), parent, "bundleConflicts")
    table.setAccessibleName("Conflicting records")
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    for col in (0, 1, 3, 4):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    return table


def conflict_row(conflict: dict, choice: str) -> tuple[str, str, str, str, str]:
    """The texts of a conflict's row in :func:`conflict_table`, with the current ``choice``."""
    c = conflict
    newer = {"theirs": "bundle", "mine": "here"}[c["proposed"]] if c["kind"] != "concept" else ""
    return c["id"], c["kind"], title_of(c), newer, CHOICE_TEXT[choice]


def record_heading(conflict: dict) -> str:
    """The pane's heading: kind and id, and for a record when each side changed it and what is proposed."""
    c, when = conflict, ""
    if c["kind"] != "concept":
        here, there = ((c.get(k) or "at an unknown time").replace("T", " ")
                       for k in ("local_updated_at", "bundle_updated_at"))
        when = f" — changed here {here}, in the bundle {there}; proposed: {CHOICE_TEXT[c['proposed']]}"
    return f"<b>{c['kind'].capitalize()} {c['id']}</b>{when}"


def vocabulary_text(report: dict) -> str:
    """The new vocabulary concepts and the conflicting concepts of a dry run's report, as rich text ("": none)."""
    new = report.get("new_concepts") or []
    labels = [c for c in report["conflicts"] if c["kind"] == "concept"]
    parts = []
    if new:
        shown = ", ".join(f"{c['label']} ({c['facet']})" for c in new[:12])
        parts.append(f"<b>New vocabulary concepts ({len(new)}):</b> {shown}" + (" …" if len(new) > 12 else ""))
    if labels:
        shown = "; ".join(f"{c['id']}: " + ", ".join(f"{k} “{show(v['mine'])}” here, “{show(v['theirs'])}” in "
                                                      "the bundle" for k, v in c["fields"].items())
                          for c in labels[:8])
        parts.append(f"<b>Conflicting concepts ({len(labels)}):</b> {shown}" + (" …" if len(labels) > 8 else ""))
    return "<br>".join(parts)


class ConflictPane(QWidget):
    """One conflicting record side by side, and the three choices. ``chosen(key)`` when the librarian picks one."""

    chosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.record_label = QLabel("", self, objectName="bundleRecord")
        self.record_label.setWordWrap(True)
        column.addWidget(self.record_label)
        self.fields = self._fields_table()
        column.addWidget(self.fields, 1)
        column.addLayout(self._choice_row())

    def _fields_table(self) -> QTableWidget:
        table = read_only_table(("Field", "In this library", "In the bundle"), self, "bundleFields")
        table.setAccessibleName("Fields of the conflicting record, side by side")
        table.setWordWrap(True)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        return table

    def _choice_row(self) -> QHBoxLayout:
        choose = QHBoxLayout()
        self.choice_group = QButtonGroup(self)
        self.choice_buttons: dict[str, QRadioButton] = {}
        for key, text in CHOICES:
            button = QRadioButton(text, self, objectName=f"choose_{key}")
            self.choice_group.addButton(button)
            self.choice_buttons[key] = button
            button.toggled.connect(lambda on, k=key: on and self.chosen.emit(k))
            choose.addWidget(button)
        choose.addStretch(1)
        return choose

    def show_conflict(self, conflict: dict, choice: str, dark: bool) -> None:
        """Show ``conflict`` (an entry of the report's ``conflicts``) with ``choice`` checked (not announced)."""
        self.record_label.setText(record_heading(conflict))
        self._fill_fields(conflict, colours(dark))
        self.choice_buttons["both"].setEnabled(conflict["kind"] != "concept")
        button = self.choice_buttons[choice]
        button.blockSignals(True)
        button.setChecked(True)
        button.blockSignals(False)

    def _fill_fields(self, c: dict, palette: dict) -> None:
        mine, theirs = c["records"]["mine"], c["records"]["theirs"]
        mark = QBrush(QColor(palette["mark"]))
        names = [k for k in mine if k in c["fields"]] + [k for k in mine if k not in c["fields"]]
        names += [k for k in theirs if k not in mine]
        self.fields.setRowCount(len(names))
        bold = QFont(self.fields.font())
        bold.setBold(True)
        for r, name in enumerate(names):
            differs = name in c["fields"]
            for col, text in enumerate((name, show(mine.get(name)), show(theirs.get(name)))):
                item = QTableWidgetItem(text if len(text) <= CELL_CHARS else text[:CELL_CHARS - 1] + "…")
                item.setToolTip(text[:2000])
                if differs:
                    item.setBackground(mark)
                    item.setForeground(QBrush(QColor(palette["text"])))
                    item.setFont(bold)
                self.fields.setItem(r, col, item)
        self.fields.resizeRowsToContents()
