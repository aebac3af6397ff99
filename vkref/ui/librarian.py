"""The librarian's menu actions on the main window: Import (and files dropped on the window), Export, Undo and
Redo, and the citation style of Copy citation.

Every write or long read runs through :class:`~vkref.ui.operation.Operation`; after a write the window's search
runs again (``window.search_now``) so the results show the library as it now is. Undo/Redo carry the label of
the batch they would take back ("Undo import: refs.ris…") and are disabled when there is nothing; their
shortcuts are window-wide, but a focused line edit (the search field) takes Ctrl+Z for its own typing first.
``changed`` is emitted after a write's refresh has been requested; ``exported(path)`` after an export is saved.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from vkref.ui.export_dialog import STYLES, ExportDialog
from vkref.ui.import_dialog import ImportDialog
from vkref.ui.operation import Operation

LABEL_CHARS = 40
IMPORT_FILTER = ("Bibliographic files (*.ris *.txt *.nbib *.bib *.xml *.json *.csv *.tsv);;All files (*)")


def short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


class Librarian(QObject):
    changed = Signal()
    exported = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.library = window.library
        self.dialog = None
        self.operation = None

    # ------------------------------------------------------------------ menus
    def add_file_actions(self, menu) -> None:
        w = self.window
        self.import_action = w.action(menu, "&Import…", self.choose_import, "Ctrl+I", "actionImport")
        self.export_action = w.action(menu, "&Export…", self.open_export, "Ctrl+E", "actionExport")
        menu.addSeparator()

    def add_edit_actions(self, menu) -> None:
        w = self.window
        self.undo_action = w.action(menu, "&Undo", self.undo, QKeySequence.StandardKey.Undo, "actionUndo")
        self.redo_action = w.action(menu, "&Redo", self.redo, "Ctrl+Shift+Z", "actionRedo")
        menu.addSeparator()
        self._style_menu(menu.addMenu("Citation st&yle"))
        menu.aboutToShow.connect(self.update_undo)
        self.update_undo()

    def _style_menu(self, menu) -> None:
        """Vancouver / AMA / APA for Copy citation and exports, remembered in the ``cite/style`` setting."""
        group = QActionGroup(self)
        current = self.window.settings.get("cite/style")
        self.window.detail.cite_style = current if current in dict(STYLES) else "vancouver"
        self.style_actions = {}
        for key, title in STYLES:
            action = QAction(title, self, checkable=True, objectName=f"actionStyle_{key}")
            action.setChecked(key == self.window.detail.cite_style)
            action.triggered.connect(lambda _c=False, k=key: self.set_style(k))
            group.addAction(action)
            menu.addAction(action)
            self.style_actions[key] = action

    def set_style(self, key: str) -> None:
        self.window.detail.cite_style = key
        self.window.settings.set("cite/style", key)
        self.style_actions[key].setChecked(True)

    def update_undo(self) -> None:
        busy = self.operation is not None and self.operation.running
        for action, verb, label in ((self.undo_action, "&Undo", self.library.can_undo()),
                                    (self.redo_action, "&Redo", self.library.can_redo())):
            action.setText(f"{verb} {short(label)}" if label else verb)
            action.setEnabled(bool(label) and not busy)

    # ------------------------------------------------------------------ import
    def choose_import(self) -> QFileDialog:
        picker = QFileDialog(self.window, "Import records", "", IMPORT_FILTER)
        picker.setObjectName("importPicker")
        picker.setFileMode(QFileDialog.FileMode.ExistingFiles)
        picker.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        picker.filesSelected.connect(self.import_paths)
        picker.open()
        self.picker = picker
        return picker

    def import_paths(self, paths) -> ImportDialog | None:
        paths = [p for p in paths if Path(p).is_file()]
        if not paths:
            return None
        self.dialog = ImportDialog(self.library, paths, self.window)
        self.dialog.imported.connect(lambda _r: self.written("Import finished"))
        self.dialog.open()
        return self.dialog

    # ------------------------------------------------------------------ export
    def open_export(self) -> ExportDialog:
        w = self.window
        self.dialog = ExportDialog(self.library, w.request, w.table.selected_rows(), w.settings, w)
        self.dialog.saved.connect(self._exported)
        self.dialog.open()
        return self.dialog

    def _exported(self, path: str) -> None:
        self.window.statusBar().showMessage(f"Exported to {path}", 5000)
        self.exported.emit(path)

    # ------------------------------------------------------------------ undo / redo
    def undo(self) -> None:
        self._run(lambda _p, _c: self.library.undo(who="user"), "Undone")

    def redo(self) -> None:
        self._run(lambda _p, _c: self.library.redo(who="user"), "Redone")

    def _run(self, fn, message: str) -> None:
        if self.operation is not None and self.operation.running:
            return
        self.operation = Operation(fn, self)
        self.operation.finished.connect(lambda _r: self.written(message))
        self.operation.failed.connect(self._failed)
        self.operation.start()
        self.update_undo()

    def _failed(self, message: str, known: bool) -> None:
        self.update_undo()
        if known:
            QMessageBox.warning(self.window, "vkref", message)

    def written(self, message: str) -> None:
        """After a write: read the vocabulary again, refresh facets and results, show ``message``."""
        self.library.reload_vocabulary()
        self.window.facets.refresh()
        self.update_undo()
        self.window.statusBar().showMessage(message, 4000)
        self.window.search_now()
        self.changed.emit()
