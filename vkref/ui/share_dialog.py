"""File > Share library…: :class:`ShareDialog` picks what to share, asks where, and writes the bundle.

What: the whole library, the current search and filters (offered only while there is one), or the reviews
carrying a tag (offered only when there are tags); the file name is suggested from the choice. The bundle is
written by ``Library.export_bundle`` through :class:`~vkref.ui.operation.Operation`, never on the GUI thread, with
a progress bar; Cancel, Escape or the title bar stop a running export and no file is left written. A failure
is shown in the dialog, which stays open for another try.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QProgressBar

from vkref.ui.bundle_common import BUNDLE_FILTER, show_progress
from vkref.ui.operation import Operation


class ShareDialog(QDialog):
    """What to share, where, then the bundle written off the GUI thread with progress and Cancel."""

    saved = Signal(str, object)  # path, manifest
    stopped = Signal(str)

    def __init__(self, library, request, parent=None):
        super().__init__(parent)
        self.library, self.request = library, request
        self.operation: Operation | None = None
        self.picker = None
        self.setWindowTitle("Share library")
        self.setObjectName("shareDialog")
        self.setMinimumWidth(520)
        form = QFormLayout(self)
        intro = QLabel("Write one .vkref file a colleague can open in vkref: the reviews with all their findings, "
                       "full texts, the vocabulary and provenance.", self)
        intro.setWordWrap(True)
        form.addRow(intro)
        self._add_scope(form)
        self._add_tag(form)
        self.scope.currentIndexChanged.connect(self._scope_changed)
        self._scope_changed()
        self._add_progress(form)
        self._add_buttons(form)

    def _add_scope(self, form: QFormLayout) -> None:
        """What to share; the search is offered only while there is one, a tag only when there are tags."""
        self.scope = QComboBox(self, objectName="shareScope")
        r = self.request
        searching = r is not None and bool(r.query or r.filters or r.exclude or r.year_from or r.year_to)
        self.scope.addItem("The whole library", "all")
        self.scope.addItem("The current search and filters", "search")
        self.scope.addItem("The reviews with a tag", "tag")
        self.tags = self.library.tags()
        self.scope.model().item(1).setEnabled(searching)
        self.scope.model().item(2).setEnabled(bool(self.tags))
        form.addRow("&Share:", self.scope)

    def _add_tag(self, form: QFormLayout) -> None:
        self.tag = QComboBox(self, objectName="shareTag")
        self.tag.addItems(self.tags)
        self.tag.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.tag.setMinimumContentsLength(30)
        self.tag.setAccessibleName("Tag to share")
        form.addRow("&Tag:", self.tag)

    def _add_progress(self, form: QFormLayout) -> None:
        self.progress = QProgressBar(self, objectName="shareProgress")
        self.progress.setAccessibleName("Sharing progress")
        self.progress.hide()
        form.addRow(self.progress)
        self.status = QLabel("", self, objectName="shareStatus")
        self.status.setWordWrap(True)
        form.addRow(self.status)

    def _add_buttons(self, form: QFormLayout) -> None:
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("&Save…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.save_button.clicked.connect(self.choose_file)
        self.cancel_button.clicked.connect(self.cancel)
        form.addRow(self.buttons)

    def _scope_changed(self) -> None:
        self.tag.setEnabled(self.scope.currentData() == "tag")

    def arguments(self) -> dict:
        """The keyword arguments of ``Library.export_bundle`` for the choices made."""
        scope, r = self.scope.currentData(), self.request
        if scope == "tag" and self.tag.currentText():
            return {"tag": self.tag.currentText()}
        if scope == "search" and r is not None:
            return {"query": r.query, "filters": r.filters or None, "exclude": r.exclude or None}
        return {}

    def suggested_name(self) -> str:
        args = self.arguments()
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in args["tag"]) if "tag" in args else \
            "search" if "query" in args else "library"
        return f"vkref-{stem}.vkref"

    def choose_file(self) -> QFileDialog:
        picker = QFileDialog(self, "Save bundle", self.suggested_name(), BUNDLE_FILTER)
        picker.setObjectName("sharePicker")
        picker.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        picker.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        picker.setDefaultSuffix("vkref")
        picker.fileSelected.connect(self.save)
        picker.open()
        self.picker = picker
        return picker

    def save(self, path: str) -> None:
        lib, args = self.library, self.arguments()
        self.save_button.setEnabled(False)
        self.scope.setEnabled(False)
        self.tag.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(f"Writing {Path(path).name}…")
        self.operation = op = Operation(
            lambda progress, cancelled: (path, lib.export_bundle(path, progress=progress, cancel=cancelled, **args)),
            self)
        op.progress.connect(self._progress)
        op.finished.connect(self._saved)
        op.failed.connect(self._failed)
        op.start()

    def _progress(self, done: int, total: int) -> None:
        show_progress(self.progress, done, total)

    def _saved(self, result) -> None:
        path, manifest = result
        self.saved.emit(path, manifest)
        self.accept()

    def _failed(self, message: str, _known: bool) -> None:
        self.progress.hide()
        self.save_button.setEnabled(True)
        self.scope.setEnabled(True)
        self._scope_changed()
        self.status.setText(message)
        self.stopped.emit(message)

    def cancel(self) -> None:
        self.reject()

    def reject(self) -> None:
        """Cancel, Escape or the title bar: stop a running export (no file is written), else close."""
        if self.operation is not None and self.operation.running:
            self.operation.cancel()
            self.status.setText("Cancelling…")
            return
        super().reject()
