"""The Import dialog: preview (a dry run), the CSV column mapping, an optional tag, the import itself with
progress and Cancel, and the final report of every skipped record and every possible duplicate (imported, to be
decided in the Duplicates view: "maybe ID" in the preview, a table and Review possible duplicates… after).

Both the preview and the import run through :class:`~vkref.ui.operation.Operation` (never on the GUI thread).
Nothing is written until Import is pressed; a cancelled import writes nothing (``Library.import_files``
promises that). ``previewShown`` and ``imported(report)`` are emitted when each stage is on screen.
"""
from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from vkref.ui.operation import Operation

MAP_FIELDS = ("title", "abstract", "authors", "year", "journal", "doi", "pmid", "keywords", "id")
AUTOMATIC = "(automatic)"
DELIMITED = (".csv", ".tsv", ".tab")
FILE_COLUMNS = ("File", "Format", "Records", "New", "Duplicates", "Unreadable")
PREVIEW_COLUMNS = ("File", "#", "Title", "Authors", "Year", "Journal", "DOI", "Duplicate of")
SKIP_COLUMNS = ("File", "Record", "Line", "Reason")
CANDIDATE_COLUMNS = ("File", "Record", "Imported as", "May duplicate", "Score", "Why")


def csv_header(path: Path) -> list[str]:
    """The column names of a delimited file's first line (for the mapping step; the importer reads the rest)."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        sample = handle.read(65536)
    try:
        dialect = csv.Sniffer().sniff(sample.partition("\n")[0] or ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [c.strip() for c in next(csv.reader(sample.splitlines()[:1], dialect), []) if c.strip()]


def _table(headers, parent) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows) -> None:
    table.setRowCount(0)
    for values in rows:
        row = table.rowCount()
        table.insertRow(row)
        for col, value in enumerate(values):
            table.setItem(row, col, QTableWidgetItem("" if value is None else str(value)))


def _duplicate_of(preview: dict) -> str:
    """The review a record is merged into, or "maybe ID" for a possible duplicate that is imported."""
    if preview["duplicate_of"]:
        return preview["duplicate_of"]
    return f"maybe {preview['candidate_of']}" if preview.get("candidate_of") else ""


def _maybe(report) -> str:
    n = report.candidates
    return (f"{n} possible duplicate{'s are' if n != 1 else ' is'} imported for you to decide "
            "(Edit > Duplicates…). ") if n else ""


class ImportDialog(QDialog):
    previewShown = Signal()
    imported = Signal(object)  # ImportReport
    stopped = Signal(str)  # the one-line reason a preview or import ended without a report

    def __init__(self, library, paths, parent=None):
        super().__init__(parent)
        self.library = library
        self.paths = [str(p) for p in paths]
        self.report = None
        self.operation: Operation | None = None
        self.setWindowTitle("Import records")
        self.setObjectName("importDialog")
        self.resize(980, 640)
        self._build()
        self._mapping_step()
        self.preview()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.files = _table(FILE_COLUMNS, self)
        self.files.setAccessibleName("Files to import")
        self.files.setMaximumHeight(130)
        layout.addWidget(self.files)
        self.mapping_box = QGroupBox("CSV columns", self)
        self.mapping_form = QFormLayout(self.mapping_box)
        self.mapping_box.hide()
        layout.addWidget(self.mapping_box)
        self.records = _table(PREVIEW_COLUMNS, self)
        self.records.setAccessibleName("First records")
        self.records.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.records.setColumnWidth(2, 420)
        layout.addWidget(self.records, 1)
        self.skips = _table(SKIP_COLUMNS, self)
        self.skips.setAccessibleName("Skipped records")
        self.skips.hide()
        layout.addWidget(self.skips, 1)
        self.maybes = _table(CANDIDATE_COLUMNS, self)
        self.maybes.setAccessibleName("Possible duplicates, imported for a decision")
        self.maybes.hide()
        layout.addWidget(self.maybes, 1)
        layout.addLayout(self._bottom())

    def _bottom(self) -> QVBoxLayout:
        column = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(QLabel("&Tag the new records:", self))
        self.tag = QLineEdit(self, placeholderText="optional, e.g. search-2026-12", objectName="importTag")
        row.itemAt(0).widget().setBuddy(self.tag)
        row.addWidget(self.tag, 1)
        self.progress = QProgressBar(self, objectName="importProgress")
        self.progress.setAccessibleName("Import progress")
        self.progress.hide()
        row.addWidget(self.progress)
        column.addLayout(row)
        self.status = QLabel("Reading the files…", self, objectName="importStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(self.status.fontMetrics().lineSpacing() * 2 + 4)  # two lines never clipped
        column.addWidget(self.status)
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self.run_import)
        self.cancel_button.clicked.connect(self.cancel)
        column.addWidget(self.buttons)
        return column

    def _mapping_step(self) -> None:
        """One field choice per column of each delimited file (before the preview: a file whose title column
        is not recognised is refused until it is mapped)."""
        for path in self.paths:
            if Path(path).suffix.lower() in DELIMITED:
                for column in csv_header(Path(path)):
                    box = QComboBox(self, objectName=f"map:{column}")
                    box.addItems((AUTOMATIC,) + MAP_FIELDS)
                    box.setAccessibleName(f"Field for column {column}")
                    box.currentIndexChanged.connect(self.preview)
                    self.mapping_form.addRow(f"{column}:", box)
        self.mapping_box.setVisible(self.mapping_form.rowCount() > 0)

    def mapping(self) -> dict[str, str] | None:
        out = {}
        for row in range(self.mapping_form.rowCount()):
            box = self.mapping_form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
            if box.currentText() != AUTOMATIC:
                out[box.objectName().partition(":")[2]] = box.currentText()
        return out or None

    # ------------------------------------------------------------------ stages
    def _start(self, fn, done) -> None:
        if self.operation is not None and self.operation.running:
            self.operation.cancel()
        op = self.operation = Operation(fn, self)
        op.progress.connect(self._progress)
        op.finished.connect(lambda result: op is self.operation and done(result))
        op.failed.connect(lambda message, _known: op is self.operation and self._failed(message))
        op.start()

    def preview(self) -> None:
        """The dry run: counts and first records, nothing written."""
        self.import_button.setEnabled(False)
        self.status.setText("Reading the files…")
        mapping, lib, paths = self.mapping(), self.library, self.paths
        self._start(lambda progress, cancelled: lib.import_files(
            paths, mapping=mapping, dry_run=True, progress=progress, cancel=cancelled), self._show_preview)

    def _show_preview(self, report) -> None:
        self.report = report
        self._show_counts(report, "New")
        _fill(self.records, [(Path(f.path).name, p["record"], p["title"], "; ".join(p["authors"]), p["year"],
                              p["journal"], p["doi"], _duplicate_of(p))
                             for f in report.files for p in f.preview])
        self.status.setText(f"{report.imported} new, {report.duplicates} duplicates (merged into the records "
                            f"already there), {report.skipped} unreadable. {_maybe(report)}Nothing is written "
                            "until you press Import.")
        self.import_button.setEnabled(report.imported + report.duplicates > 0)
        self.previewShown.emit()

    def _show_counts(self, report, _label) -> None:
        _fill(self.files, [(Path(f.path).name, f.format, f.records, f.imported, f.duplicates, f.skipped)
                           for f in report.files])

    def run_import(self) -> None:
        self.import_button.setEnabled(False)
        self.tag.setEnabled(False)
        self.mapping_box.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText("Importing…")
        mapping, lib, paths, tag = self.mapping(), self.library, self.paths, self.tag.text().strip() or None
        self._start(lambda progress, cancelled: lib.import_files(
            paths, mapping=mapping, tag=tag, progress=progress, cancel=cancelled), self._show_report)

    def _show_report(self, report) -> None:
        self.report = report
        self.progress.hide()
        self._show_counts(report, "Imported")
        self.records.hide()
        _fill(self.skips, [(Path(f.path).name, e["record"], e["line"] or "", e["reason"])
                           for f in report.files for e in f.errors])
        self.skips.setVisible(self.skips.rowCount() > 0)
        _fill(self.maybes, [(Path(f.path).name, c["record"], c["id"], c["duplicate_of"], c["score"], c["reason"])
                            for f in report.files for c in f.candidates])
        self.maybes.setVisible(self.maybes.rowCount() > 0)
        self.status.setText(f"Imported {report.imported} new records, merged {report.duplicates} duplicates, "
                            f"skipped {report.skipped}" + (" (listed above). " if report.skipped else ". ")
                            + _maybe(report))
        self.cancel_button.hide()
        duplicates = getattr(self.parent(), "duplicates", None)  # the window's Duplicates view, when there is one
        if report.candidates and duplicates is not None:
            self.review_button = self.buttons.addButton("Review possible &duplicates…",
                                                        QDialogButtonBox.ButtonRole.ActionRole)
            self.review_button.clicked.connect(lambda: (self.accept(), duplicates.open()))
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.accept)
        close.setFocus(Qt.FocusReason.OtherFocusReason)
        self.import_button.hide()
        self.imported.emit(report)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _failed(self, message: str) -> None:
        self.progress.hide()
        self.tag.setEnabled(True)
        self.mapping_box.setEnabled(True)
        self.status.setText(message)
        self.import_button.setEnabled(self.report is not None and self.report.dry_run)
        self.stopped.emit(message)

    def cancel(self) -> None:
        """Cancel a running import (nothing is written); otherwise close the dialog."""
        if self.operation is not None and self.operation.running and not self.import_button.isEnabled() \
                and self.progress.isVisible():
            self.operation.cancel()
            self.status.setText("Cancelling…")
            return
        if self.operation is not None:
            self.operation.cancel()
        self.reject()
