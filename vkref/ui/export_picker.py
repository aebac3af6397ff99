"""Asking where to export a view (the evidence matrix, the answer card) and saying how it went.

:class:`ExportPicker` is mixed into a view that has ``window`` (the main window, for its status bar) and
``export_to(path)``; the view names its picker in ``EXPORT_PICKER`` (object name), ``EXPORT_TITLE``,
``EXPORT_STEM`` (the proposed file name) and ``EXPORTED`` ("Matrix", "Answer card"). Qt's own file dialog is
used (not the desktop's), opened window-modal so the GUI tests can drive it; a failed write is one line in the
status bar, nothing half-written is reported as done.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from vkref.core.errors import UsageError


class ExportPicker:
    EXPORT_PICKER = EXPORT_TITLE = EXPORT_STEM = EXPORTED = ""
    dialog = None

    def choose_file(self, suffix: str) -> QFileDialog:
        dialog = QFileDialog(self, self.EXPORT_TITLE, f"{self.EXPORT_STEM}{suffix}")
        dialog.setObjectName(self.EXPORT_PICKER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setDefaultSuffix(suffix[1:])
        dialog.fileSelected.connect(self._export_chosen)
        dialog.open()
        self.dialog = dialog
        return dialog

    def _export_chosen(self, path: str) -> None:
        try:
            self.export_to(path)
        except (OSError, UsageError) as exc:
            self.window.statusBar().showMessage(f"Export failed: {exc}", 8000)
        else:
            self.window.statusBar().showMessage(f"{self.EXPORTED} exported to {Path(path).name}", 5000)
