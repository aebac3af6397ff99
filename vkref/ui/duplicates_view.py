"""The Duplicates view (Edit > Duplicates…): the library's likely duplicate pairs with score and reason, the
side-by-side merge of one pair, "Not a duplicate", "Merge all exact pairs" in one step, Undo, and the
PRISMA-style summary to copy.

The pairs and the summary are read through :class:`~vkref.ui.operation.Operation` (never on the GUI thread), and
every write too; after a write the window's search runs again and the list is read again. ``loaded(n)`` is
emitted when n pairs are on screen, ``changed(message)`` after a write has been refreshed.
``install(window, menu)`` adds the menu action and sets ``window.duplicates``.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from vkref.ui.merge_dialog import MergeDialog
from vkref.ui.operation import Operation

COLUMNS = ("Score", "Why", "A", "B")
PAIR_ROLE = Qt.ItemDataRole.UserRole + 1


def install(window, menu) -> "DuplicatesController":
    window.duplicates = DuplicatesController(window)
    window.action(menu, "&Duplicates…", window.duplicates.open, "Ctrl+Shift+D", "actionDuplicates")
    return window.duplicates


class DuplicatesController(QObject):
    """Owns the one Duplicates view of a window (opened again, it is raised, not duplicated)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.view: DuplicatesView | None = None

    def open(self) -> "DuplicatesView":
        if self.view is None:
            self.view = DuplicatesView(self.window.library, self.window)
            self.view.changed.connect(self._written)
            self.window.librarian.changed.connect(self.view.refresh)  # an undo from the Edit menu
        self.view.show()
        self.view.raise_()
        self.view.activateWindow()
        self.view.refresh()
        return self.view

    def _written(self, message: str) -> None:
        self.window.library.reload_vocabulary()  # Undo here may take back any batch, not only a merge
        self.window.facets.refresh()
        self.window.librarian.update_undo()
        self.window.statusBar().showMessage(message, 4000)
        self.window.search_now()


class DuplicatesView(QDialog):
    loaded = Signal(int)
    changed = Signal(str)

    def __init__(self, library, parent=None):
        super().__init__(parent)
        self.library = library
        self.pairs: list = []
        self.summary: dict = {}
        self.operation: Operation | None = None
        self.merge_dialog: MergeDialog | None = None
        self.setWindowTitle("Duplicates")
        self.setObjectName("duplicatesView")
        self.resize(1100, 560)
        self._build()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.heading = QLabel("Looking for duplicates…", self, objectName="duplicatesHeading")
        layout.addWidget(self.heading)
        self.table = QTableWidget(0, len(COLUMNS), self, objectName="duplicatesTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Likely duplicate pairs")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for col in (2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.compare())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)
        self.counts = QLabel("", self, objectName="prismaLine", wordWrap=True)
        layout.addWidget(self.counts)
        layout.addLayout(self._buttons())

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.compare_button = self._button(row, "Compare and &merge…", self.compare, "compareButton")
        self.distinct_button = self._button(row, "&Not a duplicate", self.not_duplicate, "notDuplicateButton")
        self.exact_button = self._button(row, "Merge all &exact pairs", self.merge_exact, "mergeExactButton")
        self.undo_button = self._button(row, "&Undo", self.undo, "duplicatesUndo")
        row.addStretch(1)
        self.copy_button = self._button(row, "&Copy PRISMA summary", self.copy_summary, "copyPrismaButton")
        self._button(row, "Close", self.close, "duplicatesClose")
        return row

    def _button(self, row, text, slot, name) -> QPushButton:
        button = QPushButton(text, self, objectName=name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    def keyPressEvent(self, event) -> None:
        """Enter on a pair compares it (and only that: the dialog's default-button handling would also press
        the merge dialog's Merge, a child of this window)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.table.hasFocus():
            self.compare()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        self._start(lambda _p, _c: self._read(self.library), self._show)

    @staticmethod
    def _read(lib) -> tuple[list, dict]:
        """(likely duplicate pairs, PRISMA summary): on the worker thread."""
        pairs = lib.find_duplicates()
        return pairs, lib.prisma_summary(pairs)

    def _show(self, result) -> None:
        self.pairs, self.summary = result
        self.table.setRowCount(0)
        for pair in self.pairs:
            self._add_row(pair)
        exact = sum(p.exact for p in self.pairs)
        self.heading.setText(f"{len(self.pairs)} likely duplicate pair{'s' if len(self.pairs) != 1 else ''}"
                             f" ({exact} with the same DOI or PMID). Pick a pair and compare it field by field."
                             if self.pairs else "No likely duplicates in the library.")
        s = self.summary
        self.counts.setText(f"Records identified {s['identified']:,} · unusable {s['unusable']:,} · duplicates "
                            f"removed {s['duplicates_removed']:,} ({s['duplicates_on_import']:,} on import, "
                            f"{s['duplicates_merged']:,} merged) · remaining {s['remaining']:,} · declared not "
                            f"duplicates {s['declared_distinct']:,}")
        self.exact_button.setText(f"Merge all &exact pairs ({exact})")
        if self.pairs:
            self.table.selectRow(0)
        self._update_buttons()
        self.loaded.emit(len(self.pairs))

    def _add_row(self, pair) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        cells = [f"{pair.score:.0f}", ", ".join(pair.reasons), self._describe(pair.a), self._describe(pair.b)]
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if col >= 2:
                item.setToolTip(pair.a if col == 2 else pair.b)
            item.setData(PAIR_ROLE, (pair.a, pair.b))
            self.table.setItem(row, col, item)

    def _describe(self, rid: str) -> str:
        return self.library.citation(rid) or rid

    def current_pair(self) -> tuple[str, str] | None:
        item = self.table.item(self.table.currentRow(), 0) if self.table.currentRow() >= 0 else None
        return item.data(PAIR_ROLE) if item is not None else None

    def _update_buttons(self) -> None:
        busy = self.operation is not None and self.operation.running
        chosen = self.current_pair() is not None and not busy
        self.compare_button.setEnabled(chosen)
        self.distinct_button.setEnabled(chosen)
        self.exact_button.setEnabled(not busy and any(p.exact for p in self.pairs))
        self.undo_button.setEnabled(not busy and bool(self.library.can_undo()))
        label = self.library.can_undo()
        self.undo_button.setToolTip(f"Undo {label}" if label else "Nothing to undo")

    # ------------------------------------------------------------------ actions
    def compare(self) -> MergeDialog | None:
        pair = self.current_pair()
        if pair is None:
            return None
        gone = [rid for rid in pair if self.library.get_review(rid) is None]
        if gone:  # merged or undone elsewhere since the list was read
            self.heading.setText(f"{gone[0]} is no longer in the library; the list is read again.")
            self.refresh()
            return None
        dialog = self.merge_dialog = MergeDialog(self.library, *pair, self)
        dialog.merged.connect(lambda r: self._written(f"Merged {r['merged']} into {r['kept']}"))
        dialog.declaredDistinct.connect(lambda r: self._written(f"{r['a']} and {r['b']}: not duplicates"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def not_duplicate(self) -> None:
        pair, lib = self.current_pair(), self.library
        if pair is not None:
            self._start(lambda _p, _c: lib.mark_distinct(*pair, who="user"),
                        lambda r: self._written(f"{r['a']} and {r['b']}: not duplicates"))

    def merge_exact(self) -> None:
        lib = self.library
        self._start(lambda _p, _c: lib.merge_exact_duplicates(who="user"),
                    lambda r: self._written(f"Merged {len(r['merged'])} exact pairs"))

    def undo(self) -> None:
        lib = self.library
        self._start(lambda _p, _c: lib.undo(who="user"),
                    lambda r: self._written(f"Undone: {r['undid']}" if r else "Nothing to undo"))

    def copy_summary(self) -> str:
        text = self.library.prisma_text(self.summary or None)
        QGuiApplication.clipboard().setText(text)
        self.heading.setText("PRISMA summary copied: paste it into your report.")
        return text

    def _written(self, message: str) -> None:
        self.changed.emit(message)
        self.refresh()

    def _start(self, fn, done) -> None:
        if self.operation is not None and self.operation.running:
            return
        op = self.operation = Operation(fn, self)
        op.finished.connect(done)
        op.failed.connect(lambda message, _known: (self.heading.setText(message), self._update_buttons()))
        op.start()
        self._update_buttons()
