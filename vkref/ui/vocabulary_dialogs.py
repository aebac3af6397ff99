"""The vocabulary editor's widgets: the edit panel of one concept, the merge confirmation, the new-concept dialog.

They show and collect values only; :mod:`vkref.ui.vocabulary_window` runs the edits through the Library. The
merge dialog says, before anything happens, how many findings and reviews get recoded, which names become
synonyms and which narrower concepts move; the numbers are the facade's listing (``ConceptInfo``).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

TOP_LEVEL = "(top level)"


def fill_parents(box: QComboBox, rows: list, exclude: set[str] = frozenset(), current: str | None = None) -> None:
    """Parent choices: the top level, then the facet's concepts indented as in the tree."""
    box.clear()
    box.addItem(TOP_LEVEL, "")
    for info in rows:
        if info.id not in exclude:
            box.addItem("   " * info.depth + info.label, info.id)
    box.setCurrentIndex(max(0, box.findData(current or "")))


def quoted(label: str) -> str:
    return f"“{label}”"


class ConceptPanel(QWidget):
    """Label, synonyms and primary parent of the selected concept, with Save and Revert (enabled while the values
    differ from the stored concept: ``edited`` is emitted whenever that may have changed). "Also under" lists
    the further parents; adding or removing one asks at once (``addParentRequested`` / ``removeParentRequested``
    with the parent's id), apart from Save."""

    saveRequested = Signal()
    edited = Signal()
    addParentRequested = Signal(str)
    removeParentRequested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.info = None
        self.heading = QLabel("", self, objectName="conceptHeading", wordWrap=True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.usage = QLabel("", self, objectName="conceptUsage", wordWrap=True)
        self.label = QLineEdit(self, objectName="conceptLabel")
        self.label.setAccessibleName("Label")
        self.parent_box = QComboBox(self, objectName="conceptParent")
        self.parent_box.setAccessibleName("Parent (broader concept)")
        self.other_parents = QListWidget(self, objectName="conceptOtherParents")
        self.other_parents.setAccessibleName("Also under (further parents)")
        self.other_parents.setMaximumHeight(self.other_parents.fontMetrics().lineSpacing() * 4)
        self.add_parent_box = QComboBox(self, objectName="addParentChoice")
        self.add_parent_box.setAccessibleName("Another parent to add")
        self.add_parent_button = QPushButton("Add pa&rent", self, objectName="addParent")
        self.remove_parent_button = QPushButton("Remove paren&t", self, objectName="removeParent")
        self.synonyms = QListWidget(self, objectName="conceptSynonyms")
        self.synonyms.setAccessibleName("Synonyms")
        self.new_synonym = QLineEdit(self, objectName="newSynonym", placeholderText="New synonym")
        self.new_synonym.setAccessibleName("New synonym")
        self.add_button = QPushButton("&Add", self, objectName="addSynonym")
        self.remove_button = QPushButton("Re&move", self, objectName="removeSynonym")
        self.save_button = QPushButton("&Save", self, objectName="saveConcept")
        self.revert_button = QPushButton("Re&vert", self, objectName="revertConcept")
        self._arrange()
        self._connect()
        self.setEnabled(False)

    def _arrange(self) -> None:
        adding = QHBoxLayout()
        adding.addWidget(self.new_synonym, 1)
        adding.addWidget(self.add_button)
        adding.addWidget(self.remove_button)
        form = QFormLayout()
        form.addRow("&Label", self.label)
        form.addRow("&Parent", self.parent_box)
        form.addRow("Also &under", self.other_parents)
        parents = QHBoxLayout()
        parents.addWidget(self.add_parent_box, 1)
        parents.addWidget(self.add_parent_button)
        parents.addWidget(self.remove_parent_button)
        form.addRow("", parents)
        form.addRow("S&ynonyms", self.synonyms)
        form.addRow("", adding)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.usage)
        layout.addLayout(form, 1)
        layout.addLayout(buttons)

    def _connect(self) -> None:
        self.add_button.clicked.connect(self.add_synonym)
        self.new_synonym.returnPressed.connect(self.add_synonym)
        self.remove_button.clicked.connect(self.remove_synonym)
        self.revert_button.clicked.connect(lambda: self.load(self.info, self._rows))
        self.save_button.clicked.connect(self.saveRequested)
        self.label.returnPressed.connect(self.saveRequested)
        self.label.textChanged.connect(self.edited)
        self.parent_box.currentIndexChanged.connect(self.edited)
        self.add_parent_button.clicked.connect(self._ask_add_parent)
        self.remove_parent_button.clicked.connect(self._ask_remove_parent)
        self.other_parents.currentRowChanged.connect(self._parent_buttons)
        self.add_parent_box.currentIndexChanged.connect(self._parent_buttons)
        self.synonyms.model().rowsInserted.connect(self.edited)
        self.synonyms.model().rowsRemoved.connect(self.edited)

    def load(self, info, rows: list) -> None:
        """Show ``info`` (None: nothing selected); ``rows`` are its facet's concepts for the parent choice."""
        self.info, self._rows = info, rows
        self.setEnabled(info is not None)
        if info is None:
            self.heading.setText("Select a concept")
            self.usage.setText("")
            self.label.clear()
            self.synonyms.clear()
            self.other_parents.clear()
            return
        self.heading.setText(f"{info.label}   ({info.facet} · {info.id})")
        self.usage.setText(usage_text(info))
        self.label.setText(info.label)
        self.synonyms.clear()
        self.synonyms.addItems(info.synonyms)
        fill_parents(self.parent_box, rows, {info.id}, info.parent)
        self._load_parents(info, rows)

    def _load_parents(self, info, rows: list) -> None:
        labels = {r.id: r.label for r in rows}
        self.other_parents.clear()
        for pid in list(getattr(info, "parents", []))[1:]:
            item = QListWidgetItem(labels.get(pid, pid))
            item.setData(Qt.ItemDataRole.UserRole, pid)
            self.other_parents.addItem(item)
        below = _below(rows, info.id)
        fill_parents(self.add_parent_box, rows, {info.id, *below, *getattr(info, "parents", [])})
        self.add_parent_box.setItemText(0, "Choose…")
        self._parent_buttons()

    def _parent_buttons(self, *_args) -> None:
        self.add_parent_button.setEnabled(bool(self.add_parent_box.currentData()))
        self.remove_parent_button.setEnabled(self.other_parents.currentRow() >= 0)

    def _ask_add_parent(self) -> None:
        pid = self.add_parent_box.currentData()
        if pid:
            self.addParentRequested.emit(pid)

    def _ask_remove_parent(self) -> None:
        item = self.other_parents.currentItem()
        if item is not None:
            self.removeParentRequested.emit(item.data(Qt.ItemDataRole.UserRole))

    def dirty(self) -> bool:
        """Whether the values shown differ from the stored concept's."""
        if self.info is None:
            return False
        label, synonyms, parent = self.values()
        return (label, synonyms, parent) != (self.info.label, list(self.info.synonyms), self.info.parent)

    def edit_label(self) -> None:
        if self.isEnabled():
            self.label.setFocus(Qt.FocusReason.OtherFocusReason)
            self.label.selectAll()

    def add_synonym(self) -> None:
        text = " ".join(self.new_synonym.text().split())
        if text:
            self.synonyms.addItem(text)
            self.synonyms.setCurrentRow(self.synonyms.count() - 1)
            self.new_synonym.clear()

    def remove_synonym(self) -> None:
        row = self.synonyms.currentRow()
        if row >= 0:
            self.synonyms.takeItem(row)

    def values(self) -> tuple[str, list[str], str | None]:
        """(label, synonyms, parent id or None) as the user left them."""
        names = [self.synonyms.item(i).text() for i in range(self.synonyms.count())]
        return self.label.text(), names, self.parent_box.currentData() or None


def usage_text(info) -> str:
    text = f"Coded on {info.findings} finding{'s' if info.findings != 1 else ''}"
    if info.findings_with_narrower != info.findings:
        text += f" ({info.findings_with_narrower} with its narrower concepts)"
    if info.reviews:
        text += f" and {info.reviews} review{'s' if info.reviews != 1 else ''}"
    return text + "."


class MergeDialog(QDialog):
    """Choose the concept to keep; says what merging will recode before anything is written."""

    def __init__(self, other, rows: list, parent=None):
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Merge concepts")
        self.other = other
        self.rows = {r.id: r for r in rows}
        below = _below(rows, other.id)
        self.keep = QComboBox(self, objectName="mergeKeep")
        self.keep.setAccessibleName("Concept to keep")
        for info in rows:
            if info.id != other.id and info.id not in below:
                self.keep.addItem("   " * info.depth + info.label, info.id)
        self.summary = QLabel("", self, objectName="mergeSummary", wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.merge_button = self.buttons.addButton("&Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setObjectName("mergeButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Merge {quoted(other.label)} into:", self))
        layout.addWidget(self.keep)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.keep.currentIndexChanged.connect(self._describe)
        self._describe()
        self.resize(460, self.sizeHint().height())

    def kept_id(self) -> str | None:
        return self.keep.currentData()

    def _describe(self) -> None:
        keep = self.rows.get(self.kept_id() or "")
        self.merge_button.setEnabled(keep is not None)
        self.summary.setText(merge_text(self.other, keep, self.rows) if keep else "No concept to merge into.")


def merge_text(other, keep, rows: dict) -> str:
    o, k = quoted(other.label), quoted(keep.label)
    n, r = other.findings, other.reviews
    text = f"{n} finding{'s' if n != 1 else ''}" + (f" and {r} review{'s' if r != 1 else ''}" if r else "")
    lines = [f"{text} coded with {o} will be recoded to {k}.",
             f"{o} is removed; its label" + (" and synonyms become synonyms" if other.synonyms else
                                             " becomes a synonym") + f" of {k}, so searches for them still work."]
    if other.children:
        names = ", ".join(quoted(rows[c].label) for c in other.children if c in rows)
        lines.append(f"Its narrower concepts move under {k}: {names}.")
    lines.append("Edit > Undo takes the whole merge back.")
    return "\n".join(lines)


def _below(rows: list, concept_id: str) -> set[str]:
    children: dict[str, list[str]] = {}
    for info in rows:
        for pid in getattr(info, "parents", None) or ([info.parent] if info.parent else []):
            children.setdefault(pid, []).append(info.id)
    out, stack = set(), list(children.get(concept_id, ()))
    while stack:
        cid = stack.pop()
        if cid not in out:
            out.add(cid)
            stack.extend(children.get(cid, ()))
    return out


class NewConceptDialog(QDialog):
    """A label and a parent for a new concept of the facet shown."""

    def __init__(self, facet: str, rows: list, parent_id: str | None, parent=None):
        super().__init__(parent)
        self.setObjectName("newConceptDialog")
        self.setWindowTitle(f"New {facet} concept")
        self.label = QLineEdit(self, objectName="newConceptLabel")
        self.label.setAccessibleName("Label")
        self.parent_box = QComboBox(self, objectName="newConceptParent")
        self.parent_box.setAccessibleName("Parent")
        fill_parents(self.parent_box, rows, current=parent_id)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Label", self.label)
        form.addRow("&Parent", self.parent_box)
        form.addRow(self.buttons)
        self.resize(420, self.sizeHint().height())

    def values(self) -> tuple[str, str | None]:
        return self.label.text(), self.parent_box.currentData() or None
