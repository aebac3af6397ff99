"""The review form: metadata, ordered authors, verification per field and the publication status.

Each bibliographic field has a verification choice beside it (confirmed / reconstructed / unverified, kept in
the review's ``verified_fields`` and ``reconstructed_fields`` as the bundled data records them). Authors are a
list ("Family, Given") with Add, Remove, Up and Down. The publication status (retracted, expression of concern,
corrected) has a date, a note and the text of the notice. Problems (an empty title, a year that is not a
number, a bad status date) show inline and keep Save disabled; Save runs ``Library.update_review`` off the GUI
thread and emits ``saved(result)``; a review saved elsewhere meanwhile opens the conflict dialog
(:mod:`vkref.ui.conflict_dialog`), as the finding form does. Without a review it is the New review form (``Library.new_review``).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QVBoxLayout,
                               QWidget)

from vkref.core.entities import Author, Review
from vkref.core.status import LABELS, STATUSES, normalise, status_problem
from vkref.ui.colours import colours
from vkref.ui.finding_form import SEP, split_names
from vkref.ui.form_saving import MergingSave
from vkref.ui.theme import is_dark

CHECKED = ("title", "authors", "journal", "year", "volume", "issue", "pages", "doi", "pmid")
TITLES = {"title": "Title", "journal": "Journal", "year": "Year", "volume": "Volume", "issue": "Issue",
          "pages": "Pages", "doi": "DOI", "pmid": "PMID"}
STATES = ("unverified", "confirmed", "reconstructed")


class AuthorList(QWidget):
    """Ordered authors, one "Family, Given" per editable line."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.list = QListWidget(self, objectName="authors")
        self.list.setAccessibleName("Authors")
        self.list.setFixedHeight(96)
        self.list.itemChanged.connect(lambda _i: self.changed.emit())
        buttons = QVBoxLayout()
        for text, slot, name in (("Add", self.add, "authorAdd"), ("Remove", self.remove, "authorRemove"),
                                 ("Up", lambda: self.move(-1), "authorUp"),
                                 ("Down", lambda: self.move(1), "authorDown")):
            button = QPushButton(text, self, objectName=name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1)
        row.addLayout(buttons)

    def set_authors(self, authors: list[Author]) -> None:
        self.list.clear()
        for a in authors:
            self._item(str(a))

    def _item(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text, self.list)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        return item

    def add(self) -> None:
        item = self._item("Family, Given")
        self.list.setCurrentItem(item)
        self.list.editItem(item)
        self.changed.emit()

    def remove(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self.changed.emit()

    def move(self, step: int) -> None:
        row = self.list.currentRow()
        if 0 <= row + step < self.list.count() and row >= 0:
            item = self.list.takeItem(row)
            self.list.insertItem(row + step, item)
            self.list.setCurrentRow(row + step)
            self.changed.emit()

    def authors(self) -> list[dict]:
        out = []
        for i in range(self.list.count()):
            a = Author.parse(self.list.item(i).text())
            if a.family:
                out.append({"family": a.family, "given": a.given})
        return out


class ReviewForm(MergingSave, QDialog):
    saved = Signal(object)
    failed = Signal(str)

    def __init__(self, library, review, parent=None):
        super().__init__(parent)
        self.library, self.review = library, review
        self.operation = None
        self.setObjectName("reviewForm")
        self.setWindowTitle(f"Edit review {review.id}" if review else "New review")
        self.errors: dict[str, QLabel] = {}
        self.checks: dict[str, QComboBox] = {}
        self._build()
        self._fill(review or Review(id="new", title=""))
        self.validate()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        columns = QHBoxLayout()
        left, right = QFormLayout(), QVBoxLayout()
        self.edits = {name: QLineEdit(self, objectName=name) for name in TITLES}
        self.authors = AuthorList(self)
        for name in CHECKED:
            widget = self.authors if name == "authors" else self.edits[name]
            self._field(left, "Authors" if name == "authors" else TITLES[name], widget, name)
        self.summary = QPlainTextEdit(self, objectName="summary")
        self.summary.setFixedHeight(90)
        left.addRow("Abstract", self.summary)
        self.lists = {name: QLineEdit(self, objectName=name) for name in ("keywords", "tags")}
        left.addRow("Keywords", self.lists["keywords"])
        left.addRow("Tags", self.lists["tags"])
        self.notes = QPlainTextEdit(self, objectName="notes")
        self.notes.setFixedHeight(60)
        left.addRow("Notes", self.notes)
        right.addWidget(self._status_box())
        right.addWidget(self._verification_box())
        right.addStretch(1)
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout.addLayout(columns)
        self.message = QLabel("", self, objectName="formStatus")
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for w in (*self.edits.values(), self.status_date):
            w.textChanged.connect(self.validate)
        self.status.currentIndexChanged.connect(self.validate)
        self.authors.changed.connect(self.validate)
        self._tab_order()
        self.resize(1000, 640)

    def _tab_order(self) -> None:
        """Tab goes down the form as it reads: each field, then its verification, then the status box."""
        chain = []
        for name in CHECKED:
            chain += [self.authors.list if name == "authors" else self.edits[name], self.checks[name]]
        chain += [self.summary, *self.lists.values(), self.notes, self.status, self.status_date, self.status_note,
                  self.status_notice, self.verification, self.verification_note, self.save_button]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    def _field(self, form: QFormLayout, title: str, widget: QWidget, name: str) -> None:
        check = QComboBox(self, objectName=f"check_{name}")
        check.addItems(STATES)
        check.setAccessibleName(f"Verification of {title}")
        self.checks[name] = check
        row = QHBoxLayout()
        row.addWidget(widget, 1)
        row.addWidget(check)
        box = QVBoxLayout()
        box.addLayout(row)
        box.addWidget(self._error(name))
        form.addRow(title, box)

    def _error(self, key: str) -> QLabel:
        label = QLabel("", self, objectName=f"error_{key}")
        label.setStyleSheet(f"color: {colours(is_dark())['error']};")
        label.setWordWrap(True)
        label.hide()
        self.errors[key] = label
        return label

    def _status_box(self) -> QGroupBox:
        box = QGroupBox("Publication status", self)
        form = QFormLayout(box)
        self.status = QComboBox(box, objectName="status")
        self.status.addItem("None", "")
        for kind in STATUSES:
            self.status.addItem(LABELS[kind], kind)
        self.status_date = QLineEdit(box, objectName="status_date")
        self.status_date.setPlaceholderText("YYYY-MM-DD")
        self.status_note = QLineEdit(box, objectName="status_note")
        self.status_notice = QLineEdit(box, objectName="status_notice")
        self.status_notice.setPlaceholderText("citation or link of the notice")
        form.addRow("Status", self.status)
        form.addRow("Date", self.status_date)
        form.addRow("", self._error("status_date"))
        form.addRow("Note", self.status_note)
        form.addRow("Notice", self.status_notice)
        return box

    def _verification_box(self) -> QGroupBox:
        box = QGroupBox("Verification of the record", self)
        form = QFormLayout(box)
        self.verification = QComboBox(box, objectName="verification")
        self.verification.addItems(("unverified", "partial", "reconstructed", "confirmed"))
        self.verification_note = QPlainTextEdit(box, objectName="verification_note")
        self.verification_note.setFixedHeight(80)
        form.addRow("Overall", self.verification)
        form.addRow("How it was checked", self.verification_note)
        return box

    def _fill(self, r) -> None:
        for name, edit in self.edits.items():
            edit.setText("" if getattr(r, name) is None else str(getattr(r, name)))
            edit.setCursorPosition(0)  # show the start of a long title
        self.authors.set_authors(r.authors)
        self.summary.setPlainText(r.summary)
        for name, edit in self.lists.items():
            edit.setText(SEP.join(getattr(r, name)))
            edit.setCursorPosition(0)
        self.notes.setPlainText(r.notes)
        for name, check in self.checks.items():
            check.setCurrentText("confirmed" if name in r.verified_fields else
                                 "reconstructed" if name in r.reconstructed_fields else "unverified")
        self.status.setCurrentIndex(max(self.status.findData(r.status), 0))
        self.status_date.setText(r.status_date)
        self.status_note.setText(r.status_note)
        self.status_notice.setText(r.status_notice)
        self.verification.setCurrentText(r.provenance.verification or "unverified")
        self.verification_note.setPlainText(r.provenance.verification_note)

    def fields(self) -> dict:
        year = self.edits["year"].text().strip()
        out = {name: edit.text().strip() for name, edit in self.edits.items() if name != "year"}
        out["year"] = int(year) if year.isdigit() else (year or None)
        out.update(authors=self.authors.authors(), summary=self.summary.toPlainText().strip(),
                   keywords=split_names(self.lists["keywords"].text()), tags=split_names(self.lists["tags"].text()),
                   notes=self.notes.toPlainText().strip(), status=normalise(self.status.currentData() or ""),
                   status_date=self.status_date.text().strip(), status_note=self.status_note.text().strip(),
                   status_notice=self.status_notice.text().strip(),
                   verification=self.verification.currentText(),
                   verification_note=self.verification_note.toPlainText().strip(),
                   verified_fields=[n for n, c in self.checks.items() if c.currentText() == "confirmed"],
                   reconstructed_fields=[n for n, c in self.checks.items() if c.currentText() == "reconstructed"])
        return out

    def problems(self) -> dict[str, str]:
        f, out = self.fields(), {}
        if not f["title"]:
            out["title"] = "the title is empty"
        if f["year"] is not None and not isinstance(f["year"], int):
            out["year"] = f"the year must be a number, not {f['year']!r}"
        if not f["authors"] and self.authors.list.count():
            out["authors"] = "write each author as Family, Given"
        why = status_problem(f["status"], f["status_date"])
        if why:
            out["status_date"] = why.replace("field ", "")
        return out

    def validate(self) -> dict[str, str]:
        problems = self.problems()
        for key, label in self.errors.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)
        busy = self.operation is not None and self.operation.running
        self.save_button.setEnabled(not problems and not busy)
        self.message.setText("Fix the fields marked in red to save." if problems else "")
        return problems

    def save(self) -> None:
        if self.validate() or (self.operation is not None and self.operation.running):
            return
        fields, lib, review = self.fields(), self.library, self.review
        if review is None:
            job = lambda _p, _c: lib.new_review(fields)  # noqa: E731
        else:
            job = self._update_job(fields, review.version)
        self._start(job)

    def _write(self, fields: dict, version: int) -> dict:
        """On the worker thread: the library call only."""
        return self.library.update_review(self.review.id, fields, if_version=version)

    def _note_label(self):
        return self.message

    def _failed(self, message: str, _known: bool) -> None:
        self.validate()
        self.message.setText(message)
        self.failed.emit(message)
