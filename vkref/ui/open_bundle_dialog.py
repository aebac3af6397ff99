"""File > Open bundle…: :class:`OpenBundleDialog` checks a ``.vkref`` file, shows what it would change, and merges it.

First a dry run (``Library.import_bundle(dry_run=True)``: the archive checked and the merge planned, nothing
written). A refused file (hostile, damaged, not a bundle) gets its one-line reason and nothing else. Otherwise
the dialog says what would be added and, when there are conflicts, lists them; the record chosen in the list is
shown side by side (:class:`~vkref.ui.bundle_conflicts.ConflictPane`) with keep mine / take theirs / keep both,
the side changed last proposed; new vocabulary concepts and conflicting labels are listed below. Import then
merges everything as one undoable batch. Every check and merge runs through
:class:`~vkref.ui.operation.Operation`, never on the GUI thread; Cancel stops a running import (nothing written).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QSplitter,
                               QTableWidgetItem, QVBoxLayout)

from vkref.ui.bundle_common import show_progress
from vkref.ui.bundle_conflicts import CHOICE_TEXT, ConflictPane, conflict_row, conflict_table, vocabulary_text
from vkref.ui.colours import colours
from vkref.ui.operation import Operation


class OpenBundleDialog(QDialog):
    """Check (a dry run), review the conflicts, merge as one batch."""

    previewShown = Signal()
    refused = Signal(str)  # the one-line reason a file was refused (nothing was changed)
    imported = Signal(object)  # the merge report
    stopped = Signal(str)

    def __init__(self, library, path: str, parent=None):
        super().__init__(parent)
        self.library, self.path = library, path
        self.report: dict | None = None
        self.choices: dict[str, str] = {}
        self.operation: Operation | None = None
        self.dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        self.setWindowTitle(f"Open bundle: {Path(path).name}")
        self.setObjectName("openBundleDialog")
        self.resize(640, 180)
        self._build()
        self.check()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.summary = QLabel(f"Checking {Path(self.path).name}…", self, objectName="bundleSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        layout.addWidget(self._review_box(), 1)
        self.review_box.hide()
        self.vocabulary = QLabel("", self, objectName="bundleVocabulary")
        self.vocabulary.setWordWrap(True)
        self.vocabulary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.vocabulary.hide()
        layout.addWidget(self.vocabulary)
        layout.addStretch(0)
        layout.addLayout(self._status_row())
        layout.addWidget(self._button_box())

    def _review_box(self) -> QGroupBox:
        """The conflicts, listed beside the chosen one's side-by-side pane (whose table and choice buttons are also
        the dialog's ``fields`` and ``choice_buttons``)."""
        self.review_box = QGroupBox("Conflicts: the same record changed here and in the bundle", self)
        box = QVBoxLayout(self.review_box)
        split = QSplitter(Qt.Orientation.Horizontal, self.review_box)
        self.conflicts = conflict_table(split)
        self.conflicts.currentCellChanged.connect(lambda row, *_: self._show_conflict(row))
        split.addWidget(self.conflicts)
        self.pane = ConflictPane(split)
        self.pane.chosen.connect(self._choose)
        self.record_label, self.fields, self.choice_buttons = (self.pane.record_label, self.pane.fields,
                                                               self.pane.choice_buttons)
        split.addWidget(self.pane)
        split.setSizes([440, 560])
        box.addWidget(split)
        return self.review_box

    def _status_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.status = QLabel("", self, objectName="bundleStatus")
        self.status.setWordWrap(True)
        row.addWidget(self.status, 1)
        self.progress = QProgressBar(self, objectName="bundleProgress")
        self.progress.setAccessibleName("Bundle progress")
        row.addWidget(self.progress)
        return row

    def _button_box(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("bundleImport")
        self.import_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self.run_import)
        self.cancel_button.clicked.connect(self.cancel)
        return self.buttons

    # ------------------------------------------------------------------ stages
    def _start(self, fn, done) -> None:
        op = self.operation = Operation(fn, self)
        op.progress.connect(self._progress)
        op.finished.connect(done)
        op.failed.connect(self._failed)
        self.progress.setValue(0)
        self.progress.show()
        op.start()

    def check(self) -> None:
        """The dry run: the archive checked, the merge planned, nothing written."""
        lib, path = self.library, self.path
        self._start(lambda progress, cancelled: lib.import_bundle(path, dry_run=True, details=True,
                                                                  progress=progress, cancel=cancelled),
                    self._show_preview)

    def _show_preview(self, report: dict) -> None:
        self.report = report
        self.progress.hide()
        conflicts = report["conflicts"]
        self.choices = {c["id"]: c["proposed"] for c in conflicts}
        self.summary.setText(preview_summary(Path(self.path).name, report))
        self._fill_conflicts(conflicts)
        self.review_box.setVisible(bool(conflicts))
        if conflicts:
            self.resize(max(self.width(), 1000), max(self.height(), 660))
        vocabulary = vocabulary_text(report)
        self.vocabulary.setText(vocabulary)
        self.vocabulary.setVisible(bool(vocabulary))
        new = sum(report[k]["added"] for k in ("reviews", "findings", "concepts"))
        self.status.setText(preview_status(len(conflicts), new))
        self.import_button.setEnabled(bool(new or conflicts))
        if conflicts:
            self.conflicts.setCurrentCell(0, 0)
        self.previewShown.emit()

    def _fill_conflicts(self, conflicts: list[dict]) -> None:
        self.conflicts.setRowCount(len(conflicts))
        for row, c in enumerate(conflicts):
            for col, text in enumerate(conflict_row(c, self.choices[c["id"]])):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.conflicts.setItem(row, col, item)

    def _show_conflict(self, row: int) -> None:
        if self.report is None or not 0 <= row < len(self.report["conflicts"]):
            return
        c = self.report["conflicts"][row]
        self.pane.show_conflict(c, self.choices[c["id"]], self.dark)

    def _choose(self, key: str) -> None:
        row = self.conflicts.currentRow()
        if self.report is None or not 0 <= row < len(self.report["conflicts"]):
            return
        self.choices[self.report["conflicts"][row]["id"]] = key
        self.conflicts.item(row, 4).setText(CHOICE_TEXT[key])

    def run_import(self) -> None:
        self.import_button.setEnabled(False)
        self.review_box.setEnabled(False)
        self.status.setText("Importing…")
        lib, path, choices = self.library, self.path, dict(self.choices)
        self._start(lambda progress, cancelled: lib.import_bundle(path, resolutions=choices, who="user",
                                                                  progress=progress, cancel=cancelled),
                    self._show_result)

    def _show_result(self, report: dict) -> None:
        self.report = {**report, "dry_run": False}
        self.progress.hide()
        r, f, c = report["reviews"], report["findings"], report["concepts"]
        self.status.setText(f"Imported {r['added']} reviews, {f['added']} findings and {c['added']} concepts; "
                            f"{r['taken'] + f['taken'] + c['taken']} records taken from the bundle, "
                            f"{r['kept_both'] + f['kept_both']} kept as both. Edit > Undo takes it back.")
        self.cancel_button.hide()
        self.import_button.hide()
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("bundleClose")
        close.clicked.connect(self.accept)
        close.setFocus(Qt.FocusReason.OtherFocusReason)
        self.imported.emit(report)

    def _progress(self, done: int, total: int) -> None:
        show_progress(self.progress, done, total)

    def _failed(self, message: str, known: bool) -> None:
        self.progress.hide()
        if self.report is None:  # the check itself failed: the file is refused
            self.summary.setText(f"<b>{Path(self.path).name} was not opened; nothing was changed.</b>")
            self.status.setText(message)
            self.status.setStyleSheet(f"color: {colours(self.dark)['error']};")
            self.cancel_button.setText("Close")
            self.import_button.hide()
            self.refused.emit(message)
            return
        self.review_box.setEnabled(True)
        self.import_button.setEnabled(True)
        self.status.setText(message)
        self.stopped.emit(message)

    def cancel(self) -> None:
        self.reject()

    def reject(self) -> None:
        """Cancel, Escape or the title bar: a running import is stopped (nothing is written) and the dialog stays
        to say so; a running check is simply abandoned (it writes nothing); otherwise the dialog closes."""
        if self.operation is not None and self.operation.running:
            self.operation.cancel()
            if self.report is not None:  # importing
                self.status.setText("Cancelling…")
                return
        super().reject()


def preview_summary(name: str, report: dict) -> str:
    """The dry run's summary: the file, who made it when with which vkref, and per kind what is new, already
    here or in conflict (rich text)."""
    b = report.get("bundle") or {}
    made = ", ".join(x for x in (f"made by {b['created_by']}" if b.get("created_by") else "",
                                 f"on {b['created_at'][:10]}" if b.get("created_at") else "",
                                 f"with vkref {b['vkref_version']}" if b.get("vkref_version") else "") if x)
    lines = [f"<b>{name}</b>" + (f" ({made})" if made else "")]
    for kind in ("reviews", "findings", "concepts"):
        c = report[kind]
        lines.append(f"{kind.capitalize()}: {c['added']} new, {c['unchanged']} already here, "
                     f"{c['conflicts']} in conflict")
    return "<br>".join(lines)


def preview_status(conflicts: int, new: int) -> str:
    """What the librarian can do after the dry run, given how many conflicts and new records it found."""
    if conflicts:
        return (f"{conflicts} conflicts: choose for each record (the side changed last is proposed). Nothing is "
                "written until you press Import; Undo takes it all back.")
    if new:
        return "No conflicts. Nothing is written until you press Import; Undo takes it all back."
    return "Everything in this bundle is already in the library: nothing to import."
