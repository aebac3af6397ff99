"""What to do when a record changed since its form was opened (another window, process or curator saved first).

The library refused the save whole and attached a merge proposal (:mod:`vkref.library.conflicts`): who changed
which fields since, and for each field this editor changed, its value, the value now stored and whether the two
conflict. The dialog shows that; fields only this editor changed are kept, and for each field both changed a
"Keep mine" box (checked) chooses. Save (``accepted``) → :meth:`chosen` holds the fields to save over the newer
version (everything else stays as the colleague left it); Discard (``rejected``) drops this editor's changes.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

COLUMNS = ("Field", "Yours", "Saved meanwhile", "Keep mine")


def _text(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in value.items())
    if value and isinstance(value, list) and all(isinstance(v, dict) for v in value):  # authors
        return "; ".join(", ".join(filter(None, (v.get("family"), v.get("given")))) for v in value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


class ConflictDialog(QDialog):
    def __init__(self, proposal: dict, parent=None):
        super().__init__(parent)
        self.proposal = proposal
        self.setWindowTitle("Changed since you opened it")
        self.setObjectName("conflictDialog")
        layout = QVBoxLayout(self)
        who = "; ".join(f"{c['who'] or 'someone'} at {str(c['when']).replace('T', ' ')}: {', '.join(c['fields'])}"
                        for c in proposal["changed_by"])
        summary = QLabel(f"{proposal['id']} was saved by someone else while you edited it ({who or 'unknown'}). "
                         "Nothing of yours was saved yet.", self, objectName="conflictSummary")
        summary.setTextFormat(Qt.TextFormat.PlainText)
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.table = QTableWidget(0, len(COLUMNS), self, objectName="conflictFields")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.keep: dict[str, QCheckBox] = {}
        for name, field in proposal["fields"].items():
            self._row(name, field)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("&Save with my changes", QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard_button = buttons.addButton("&Discard my changes", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.accept)
        self.discard_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 320)

    def _row(self, name: str, field: dict) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, text in enumerate((name, _text(field["mine"]), _text(field["theirs"]))):
            item = QTableWidgetItem(text)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            item.setToolTip(text)
            self.table.setItem(row, col, item)
        box = QCheckBox("mine", self, objectName=f"keep_{name}")
        box.setChecked(True)
        box.setEnabled(field["state"] == "conflict")  # only I changed it: it merges cleanly, always kept
        box.setToolTip("Both changed this field: checked keeps yours, unchecked keeps the saved value"
                       if field["state"] == "conflict" else "Only you changed this field: it is kept")
        self.keep[name] = box
        self.table.setCellWidget(row, 3, box)

    def chosen(self) -> dict:
        """The fields to save over the newer version: each of mine that merges, and each conflict kept."""
        return {name: field["mine"] for name, field in self.proposal["fields"].items()
                if field["state"] == "mine" or (field["state"] == "conflict" and self.keep[name].isChecked())}
