"""The finding form: code a new finding, or change one, with inline validation; nothing is saved until valid.

Concept fields take names separated by ";" and complete over the facet's labels and synonyms (agent,
population, species and outcome take several; direction and evidence one). Every change of a field asks
``Library.finding_problems`` (no write, no search) and shows its message under the field; Save stays disabled
while any is shown. Save runs ``Library.new_finding`` / ``update_finding`` through an
:class:`~vkref.ui.operation.Operation` (off the GUI thread) and emits ``saved(result)`` when it is written.
"""
from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QDialog, QDialogButtonBox, QFormLayout,
                               QGridLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget)

from vkref.core.vocabulary import CONCEPT_FACETS
from vkref.ui.colours import colours
from vkref.ui.filters import FACET_TITLES
from vkref.ui.form_saving import MergingSave
from vkref.ui.theme import is_dark

MULTI = ("agent", "population", "species", "outcome")
VERIFICATION = ("unverified", "partial", "reconstructed", "confirmed")
TEXTS = (("section", "Section"), ("cited_ref", "Cited reference no."), ("cited_author", "Cited first author"),
         ("dose", "Dose"), ("duration", "Duration"), ("sample_size", "Sample size"), ("effect_size", "Effect size"))
SEP = "; "


def split_names(text: str) -> list[str]:
    return [x.strip() for x in text.split(";") if x.strip()]


class NamesCompleter(QCompleter):
    """Completes the last of several ";"-separated names (Qt's documented way: splitPath / pathFromIndex)."""

    def __init__(self, names: list[str], parent=None):
        super().__init__(parent)
        # the model belongs to the completer (a model without a Qt parent would be freed by Python under it)
        self.setModel(QStringListModel(sorted(set(names), key=str.lower), self))
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 (Qt name)
        return [path.split(";")[-1].strip()]

    def pathFromIndex(self, index) -> str:  # noqa: N802
        done = self.widget().text().split(";")[:-1]
        return SEP.join([x.strip() for x in done if x.strip()] + [index.data()])


class ConceptField(QLineEdit):
    """A facet's concept names as typed (ids, labels or synonyms), with completion."""

    def __init__(self, facet: str, vocabulary, parent=None):
        super().__init__(parent)
        self.facet = facet
        self.setObjectName(f"concept_{facet}")
        self.setAccessibleName(FACET_TITLES[facet])
        names = [n for c in vocabulary.in_facet(facet) for n in c.names]
        self.setCompleter(NamesCompleter(names, self))
        many = facet in MULTI
        self.setPlaceholderText("names separated by ;" if many else "one name")

    def names(self) -> list[str]:
        return split_names(self.text())

    def set_ids(self, ids: list[str], vocabulary) -> None:
        self.setText(SEP.join(vocabulary[c].label if c in vocabulary else c for c in ids))


class FindingForm(MergingSave, QDialog):
    saved = Signal(object)  # the write's result (id, batch, version)
    failed = Signal(str)

    def __init__(self, library, review_id: str, finding=None, parent=None):
        super().__init__(parent)
        self.library, self.review_id, self.finding = library, review_id, finding
        self.operation = None
        self.setObjectName("findingForm")
        self.setWindowTitle(f"Edit finding {finding.id}" if finding else "New finding")
        self.errors: dict[str, QLabel] = {}
        self._build()
        if finding is not None:
            self._fill(finding)
        self.validate()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        source = QLabel(f"Review: {self.library.review_label(self.review_id)}", self)
        source.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(source)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.statement = QPlainTextEdit(self, objectName="statement")
        self.statement.setAccessibleName("Statement")
        self.statement.setFixedHeight(70)
        self._row(grid, 0, 0, "Statement", self.statement, "statement", span=3)
        self.concepts = {f: ConceptField(f, self.library.vocabulary, self) for f in CONCEPT_FACETS}
        for n, facet in enumerate(CONCEPT_FACETS):
            self._row(grid, 2 + (n // 2) * 2, (n % 2) * 2, FACET_TITLES[facet], self.concepts[facet], facet)
        self.texts = {name: QLineEdit(self, objectName=name) for name, _ in TEXTS}
        for n, (name, title) in enumerate(TEXTS):
            self.texts[name].setAccessibleName(title)
            self._row(grid, 8 + (n // 2) * 2, (n % 2) * 2, title, self.texts[name], name)
        grid.setVerticalSpacing(3)
        layout.addLayout(grid)
        layout.addLayout(self._extras())
        layout.addStretch(1)
        self.status = QLabel("", self, objectName="formStatus")
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for w in (*self.concepts.values(), *self.texts.values(), self.tags):
            w.textChanged.connect(self.validate)
        self.statement.textChanged.connect(self.validate)
        self.resize(860, 520)

    def _extras(self) -> QFormLayout:
        form = QFormLayout()
        self.caution = QLineEdit(self, objectName="caution")
        self.tags = QLineEdit(self, objectName="tags")
        self.tags.setPlaceholderText("tags separated by ;")
        self.retracted = QCheckBox("Rests on a retracted primary study", self, objectName="sourceRetracted")
        self.verification = QComboBox(self, objectName="verification")
        self.verification.addItems(VERIFICATION)
        form.addRow("Caution", self.caution)
        form.addRow("Tags", self.tags)
        form.addRow("Checked against the source", self.verification)
        form.addRow("", self.retracted)
        return form

    def _row(self, grid: QGridLayout, row: int, col: int, title: str, widget: QWidget, key: str, span=1) -> None:
        label = QLabel(title, self)
        label.setBuddy(widget)
        grid.addWidget(label, row, col, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(widget, row, col + 1, 1, span)
        error = QLabel("", self, objectName=f"error_{key}")
        error.setWordWrap(True)
        error.setStyleSheet(f"color: {colours(is_dark())['error']};")
        error.hide()
        grid.addWidget(error, row + 1, col + 1, 1, span)
        self.errors[key] = error

    def _fill(self, f) -> None:
        self.statement.setPlainText(f.statement)
        for facet, field in self.concepts.items():
            field.set_ids(f.concepts.get(facet, []), self.library.vocabulary)
        for name, field in (*self.texts.items(), *self.concepts.items()):
            if name in self.texts:
                field.setText(getattr(f, name))
            field.setCursorPosition(0)
        self.caution.setText(f.caution)
        self.tags.setText(SEP.join(f.tags))
        self.retracted.setChecked(f.source_retracted)
        self.verification.setCurrentText(f.provenance.verification or "unverified")

    # ------------------------------------------------------------------ validating and saving
    def fields(self) -> dict:
        out = {"review_id": self.review_id, "statement": self.statement.toPlainText().strip(),
               "concepts": {f: w.names() for f, w in self.concepts.items() if w.names()},
               "caution": self.caution.text().strip(), "tags": split_names(self.tags.text()),
               "source_retracted": self.retracted.isChecked(), "verification": self.verification.currentText()}
        out.update({name: w.text().strip() for name, w in self.texts.items()})
        return out

    def validate(self) -> dict[str, str]:
        problems = self.library.finding_problems(self.fields())
        for key, label in self.errors.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)
        busy = self.operation is not None and self.operation.running
        self.save_button.setEnabled(not problems and not busy)
        self.status.setText("Fix the fields marked in red to save." if problems else "")
        return problems

    def save(self) -> None:
        if self.validate() or (self.operation is not None and self.operation.running):
            return  # nothing is saved until the form is valid
        fields, lib = self.fields(), self.library
        if self.finding is None:
            job = lambda _p, _c: lib.new_finding(self.review_id, fields, who="user")  # noqa: E731
        else:
            job = self._update_job(fields, self.finding.version)
        self._start(job)

    def _write(self, fields: dict, version: int) -> dict:
        """On the worker thread: the library call only."""
        return self.library.update_finding(self.finding.id, fields, if_version=version, who="user")

    def _note_label(self):
        return self.status

    def _failed(self, message: str, _known: bool) -> None:
        self.status.setText(message)
        self.validate()
        self.status.setText(message)
        self.failed.emit(message)
