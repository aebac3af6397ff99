"""Sharing a library as one ``.vkref`` file: File > Share library… and File > Open bundle….

:class:`Bundles` is the window's controller (``window.bundles``; :func:`install` adds its two actions to the File
menu): it opens :class:`~vkref.ui.share_dialog.ShareDialog` (what to share, where, written with progress and
Cancel) and, for a file picked or dropped, :class:`~vkref.ui.open_bundle_dialog.OpenBundleDialog` (a dry run
first, then the conflicts reviewed and everything merged as one undoable batch). It reports the outcome on the
status bar and through ``shared`` and ``imported``; the window refreshes after an import.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from vkref.ui.bundle_common import BUNDLE_FILTER
from vkref.ui.open_bundle_dialog import OpenBundleDialog
from vkref.ui.share_dialog import ShareDialog


def install(window, menu) -> "Bundles":
    """Add "Share library…" and "Open bundle…" to ``menu``; the controller is ``window.bundles``."""
    window.bundles = Bundles(window)
    window.bundles.add_actions(menu)
    return window.bundles


class Bundles(QObject):
    """The window's two bundle actions and the dialogs they open (``dialog`` is the last one)."""

    shared = Signal(str)
    imported = Signal(object)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.library = window.library
        self.dialog = None
        self.picker = None

    def add_actions(self, menu) -> None:
        w = self.window
        self.share_action = w.action(menu, "&Share library…", self.share, None, "actionShareLibrary")
        self.open_action = w.action(menu, "Open &bundle…", self.choose_bundle, None, "actionOpenBundle")
        menu.addSeparator()

    # ------------------------------------------------------------------ share
    def share(self) -> "ShareDialog":
        self.dialog = ShareDialog(self.library, self.window.request, self.window)
        self.dialog.saved.connect(self._shared)
        self.dialog.open()
        return self.dialog

    def _shared(self, path: str, manifest: dict) -> None:
        c = manifest["counts"]
        self.window.statusBar().showMessage(f"Shared {c['reviews']} reviews and {c['findings']} findings as {path}",
                                            6000)
        self.shared.emit(path)

    # ------------------------------------------------------------------ open
    def choose_bundle(self) -> QFileDialog:
        picker = QFileDialog(self.window, "Open bundle", "", BUNDLE_FILTER)
        picker.setObjectName("bundlePicker")
        picker.setFileMode(QFileDialog.FileMode.ExistingFile)
        picker.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        picker.fileSelected.connect(self.open_bundle)
        picker.open()
        self.picker = picker
        return picker

    def open_bundle(self, path: str) -> "OpenBundleDialog":
        self.dialog = OpenBundleDialog(self.library, str(path), self.window)
        self.dialog.imported.connect(self._imported)
        self.dialog.open()
        return self.dialog

    def _imported(self, report: dict) -> None:
        self.window.librarian.written(f"Bundle {Path(self.dialog.path).name} merged")
        self.imported.emit(report)
