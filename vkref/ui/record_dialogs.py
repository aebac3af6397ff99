"""The History panel of one record (when, who, field, old -> new, with "Revert this change") and the Trash
(deleted findings, with Restore).

Both read from the database's change log through the Library (so they show the same after a restart) and write
through :class:`~vkref.ui.operation.Operation`; ``written(message)`` is emitted after a revert or restore, and
the list is read again.
"""
from __future__ import annotations

import json

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QMessageBox,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout)

from vkref.ui.operation import Operation

HISTORY_COLUMNS = ("When", "Who", "Field", "Old", "New")
TRASH_COLUMNS = ("Finding", "Review", "Deleted", "By", "Statement")
SHOWN = 80


def shown(value) -> str:
    """A field value as one short line (text as is, lists and objects as JSON)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


def what(change: dict, vocabulary=None) -> tuple[str, str, str]:
    """(field, old, new) as the History panel shows them; a change of codes names the facets it changed."""
    if change["field"] == "*":
        return ("(record)", "", "created") if change["old"] is None else ("(record)", "", "deleted")
    if change["field"] == "concepts" and isinstance(change["old"], dict) and isinstance(change["new"], dict):
        old, new = change["old"], change["new"]
        facets = [f for f in sorted(set(old) | set(new)) if old.get(f) != new.get(f)]
        label = lambda ids: ", ".join(vocabulary[c].label if vocabulary and c in vocabulary else c  # noqa: E731
                                      for c in ids)
        return (", ".join(facets) or "concepts", "; ".join(label(old.get(f, [])) for f in facets),
                "; ".join(label(new.get(f, [])) for f in facets))
    return change["field"], shown(change["old"]), shown(change["new"])


class _ListDialog(QDialog):
    written = Signal(str)

    def __init__(self, library, title: str, columns, button: str, parent=None):
        super().__init__(parent)
        self.library = library
        self.operation = None
        self.setWindowTitle(title)
        self.table = QTableWidget(0, len(columns), self)
        self.table.setHorizontalHeaderLabels(list(columns))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.note = QLabel("", self, objectName="listNote")
        self.action = QPushButton(button, self, objectName="listAction")
        self.action.clicked.connect(self.act)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.action, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.table.itemSelectionChanged.connect(self._enable)
        self.resize(900, 420)

    def fill(self, rows: list[tuple]) -> None:
        self.table.setRowCount(0)
        for values in rows:
            row = self.table.rowCount()
            self.table.insertRow(row)
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(str(value)))
        self._enable()

    def _enable(self) -> None:
        busy = self.operation is not None and self.operation.running
        self.action.setEnabled(self.table.currentRow() >= 0 and bool(self.table.selectedItems()) and not busy)

    def run(self, job, message: str) -> None:
        self.operation = Operation(lambda _p, _c: job(), self)
        self.operation.finished.connect(lambda _r: self._done(message))
        self.operation.failed.connect(self._failed)
        self.operation.start()
        self._enable()

    def _done(self, message: str) -> None:
        self.note.setText(message)
        self.reload()
        self.written.emit(message)

    def _failed(self, message: str, _known: bool) -> None:
        self._enable()
        self.note.setText(message)
        QMessageBox.warning(self, "vkref", message)


class HistoryDialog(_ListDialog):
    """Every change of one record, newest first."""

    def __init__(self, library, record_id: str, parent=None):
        super().__init__(library, f"History of {record_id}", HISTORY_COLUMNS, "&Revert this change", parent)
        self.setObjectName("historyDialog")
        self.record_id = record_id
        self.changes: list[dict] = []
        self.reload()

    def reload(self) -> None:
        self.changes = list(reversed(self.library.history(self.record_id)))
        vocabulary = self.library.vocabulary
        self.fill([(c["when"].replace("T", " "), c["who"] or "-", *what(c, vocabulary)) for c in self.changes])
        self.note.setText(f"{len(self.changes)} changes, newest first")

    def act(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.changes):
            change = self.changes[row]["change"]
            self.run(lambda: self.library.revert(change, who="user"), f"Change {change} reverted")


class TrashDialog(_ListDialog):
    """The deleted findings, newest deletion first."""

    def __init__(self, library, parent=None):
        super().__init__(library, "Trash", TRASH_COLUMNS, "&Restore", parent)
        self.setObjectName("trashDialog")
        self.items: list[dict] = []
        self.reload()

    def reload(self) -> None:
        self.items = self.library.trash()
        self.fill([(t["id"], t["review_id"] or "", t["deleted"].replace("T", " "), t["who"] or "-",
                    shown(t["statement"])) for t in self.items])
        n = len(self.items)
        self.note.setText(f"{n} finding{'s' if n != 1 else ''} in the trash" if n else "The trash is empty")

    def act(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.items):
            fid = self.items[row]["id"]
            self.run(lambda: self.library.restore_finding(fid, who="user"), f"{fid} restored")
