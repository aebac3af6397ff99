"""The Export dialog: scope (the current search, the selected rows, everything), format and citation style,
then a save dialog; the export itself runs through :class:`~vkref.ui.operation.Operation` and the file is
written there too (never on the GUI thread). ``saved(path)`` is emitted once the file is on disk.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel

from vkref.ui.operation import Operation

# The formats of Library.export, with the file suffix each is saved under.
FORMATS = (("ris", "RIS (reference managers)", "ris"), ("bibtex", "BibTeX", "bib"),
           ("csl-json", "CSL-JSON", "json"), ("csv", "CSV (one review per row)", "csv"),
           ("json", "vkref JSON", "json"), ("evidence-csv", "Evidence table, CSV", "csv"),
           ("evidence-md", "Evidence table, Markdown", "md"), ("evidence-html", "Evidence table, HTML", "html"),
           ("citations", "Formatted citations", "txt"))
STYLES = (("vancouver", "Vancouver"), ("ama", "AMA"), ("apa", "APA"))


class ExportDialog(QDialog):
    saved = Signal(str)
    stopped = Signal(str)

    def __init__(self, library, request, selected_rows, settings, parent=None):
        super().__init__(parent)
        self.library, self.request, self.rows = library, request, list(selected_rows)
        self.operation = None
        self.setWindowTitle("Export")
        self.setObjectName("exportDialog")
        form = QFormLayout(self)
        self.scope = QComboBox(self, objectName="exportScope")
        searching = request is not None and (request.query or request.filters or request.exclude
                                             or request.year_from or request.year_to)
        self.scope.addItem("The current search", "search")
        self.scope.addItem(f"The selected rows ({len(self.rows)})", "selected")
        self.scope.addItem("Everything", "all")
        self.scope.model().item(1).setEnabled(bool(self.rows))
        self.scope.setCurrentIndex(0 if searching else 2)
        form.addRow("&Records:", self.scope)
        self.format = QComboBox(self, objectName="exportFormat")
        for key, title, _suffix in FORMATS:
            self.format.addItem(title, key)
        form.addRow("&Format:", self.format)
        self.style = QComboBox(self, objectName="exportStyle")
        for key, title in STYLES:
            self.style.addItem(title, key)
        self.style.setCurrentIndex(max(0, [k for k, _ in STYLES].index(settings.get("cite/style"))))
        form.addRow("Citation &style:", self.style)
        self.format.currentIndexChanged.connect(self._format_changed)
        self._format_changed()
        self.status = QLabel("", self, objectName="exportStatus")
        form.addRow(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.choose_file)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def _format_changed(self) -> None:
        self.style.setEnabled(self.format.currentData() == "citations")

    def arguments(self) -> dict:
        """The keyword arguments of ``Library.export`` for the choices made."""
        args = {"fmt": self.format.currentData(), "style": self.style.currentData()}
        scope, r = self.scope.currentData(), self.request
        if scope == "selected":
            args["ids"] = [row.id for row in self.rows]
        elif scope == "search" and r is not None:
            args.update(query=r.query, filters=r.filters or None, exclude=r.exclude or None)
        return args

    def choose_file(self) -> QFileDialog:
        suffix = dict((k, s) for k, _t, s in FORMATS)[self.format.currentData()]
        picker = QFileDialog(self, "Save export", f"vkref-export.{suffix}")
        picker.setObjectName("exportPicker")
        picker.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        picker.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        picker.setDefaultSuffix(suffix)
        picker.fileSelected.connect(self.save)
        picker.open()
        self.picker = picker
        return picker

    def save(self, path: str) -> None:
        lib, args = self.library, self.arguments()

        def job(_progress, _cancelled):
            text = lib.export(**args)
            Path(path).write_text(text, encoding="utf-8")
            return path

        self.buttons.setEnabled(False)
        self.status.setText("Exporting…")
        self.operation = Operation(job, self)
        self.operation.finished.connect(self._saved)
        self.operation.failed.connect(self._failed)
        self.operation.start()

    def _saved(self, path: str) -> None:
        self.saved.emit(path)
        self.accept()

    def _failed(self, message: str, _known: bool) -> None:
        self.buttons.setEnabled(True)
        self.status.setText(message)
        self.stopped.emit(message)
