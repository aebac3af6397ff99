"""Tools > Vocabulary…: the librarian's editor of the controlled vocabulary, and keeping the main window in step.

:class:`VocabularyEditor` (``window.vocabulary_editor``; :func:`install` adds its menu action) owns the editor
window and, whenever the vocabulary changed (an edit here, Edit > Undo or Redo, an import or bundle, an edit in
another process that a search noticed), rebuilds the facet panel's tree, carries active filters over to the
concepts' new labels (a merged concept's filter becomes the kept concept's), refreshes Undo/Redo and runs the
search again.

:class:`VocabularyWindow` shows one facet's concepts as a tree with how many findings use each, a filter box,
and an edit panel (label, synonyms, parents). A concept with several parents is shown under each of them; the
panel's Parent is the primary one, and "Also under" adds or removes further parents (each one undoable batch).
A concept dragged onto another moves there from the place it was dragged from (its other parents stay); one
dropped on the empty area leaves that parent (a concept with no other parent becomes top-level). Merge asks first, saying how many findings get recoded. Every read and write runs
through :class:`~vkref.ui.operation.Operation`; a refused edit shows its one-line reason under the tree and
nothing is saved. The window's Edit menu has the main window's Undo and Redo.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMainWindow, QPushButton, QSplitter, QTreeView, QVBoxLayout, QWidget)

from vkref.core.vocabulary import CONCEPT_FACETS
from vkref.ui.colours import colours
from vkref.ui.filters import FACET_TITLES
from vkref.ui.operation import Operation
from vkref.ui.theme import is_dark
from vkref.ui.vocabulary_dialogs import ConceptPanel, MergeDialog, NewConceptDialog
from vkref.ui.vocabulary_model import ConceptTreeModel


def install(window, menu) -> "VocabularyEditor":
    window.vocabulary_editor = VocabularyEditor(window)
    window.action(menu, "&Vocabulary…", window.vocabulary_editor.open, "Ctrl+Shift+V", "actionVocabulary")
    return window.vocabulary_editor


def signature(vocabulary) -> tuple:
    return tuple(sorted((c.id, c.facet, c.label, c.parents) for c in vocabulary.concepts.values()))


class VocabularyEditor(QObject):
    """The main window's side of the editor (see the module docstring)."""

    loaded = Signal()  # the editor window's concepts are on screen

    def __init__(self, window):
        super().__init__(window)
        self.main = window
        self.library = window.library
        self.window: VocabularyWindow | None = None
        self._vocabulary = self.library.vocabulary
        window.librarian.changed.connect(self.vocabulary_changed)
        # a search reads the vocabulary again when another process changed it (Library's vocabulary watch)
        window.resultsShown.connect(lambda _generation: self.vocabulary_changed())

    def open(self) -> "VocabularyWindow":
        if self.window is None:
            self.window = VocabularyWindow(self, self.main)  # its first rows arrive after this returns
            self.window.loaded.connect(self.loaded)
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        return self.window

    def vocabulary_changed(self, from_window: bool = False) -> None:
        """Bring the main window (and the editor, unless the change came from it) in step with the library's
        reloaded vocabulary."""
        new = self.library.vocabulary
        if new is self._vocabulary:
            return
        old, self._vocabulary = self._vocabulary, new
        if signature(old) != signature(new):
            carry_filters(self.main.filters, old, new)
            self.main.facets.set_vocabulary(new)
            self.main.facets.refresh()
            self.main.chips.set_filters(self.main.filters)
            self.main.search_now()
        self.main.librarian.update_undo()
        if self.window is not None and self.window.isVisible() and not from_window:
            self.window.reload()


def carry_filters(filters, old, new) -> None:
    """Active filters name concepts by label: give each the label its concept has now (a merged concept's
    filter goes to the kept one, whose synonym its old label became); drop the ones that are gone."""
    for values in (filters.include, filters.exclude):
        for facet in [f for f in values if f in CONCEPT_FACETS]:
            labels = []
            for label in values[facet]:
                was = old.find(label, facet)
                now = new[was.id] if was is not None and was.id in new else new.find(label, facet)
                if now is not None and now.label not in labels:
                    labels.append(now.label)
            if labels:
                values[facet] = labels
            else:
                values.pop(facet)


class VocabularyWindow(QMainWindow):
    loaded = Signal()  # a facet's rows are on screen (after opening, an edit, undo...)
    saved = Signal(object)  # the facade's result of an edit
    failed = Signal(str)  # a refused or failed edit's one-line reason

    def __init__(self, editor: VocabularyEditor, parent=None):
        super().__init__(parent, Qt.WindowType.Window)
        self.editor = editor
        self.library = editor.library
        self.operation: Operation | None = None
        self.dialog = None
        self._select: str | None = None
        self._pending = False  # a read asked for while a job ran
        self.running = False  # a job is running
        self.setObjectName("vocabularyWindow")
        self.setWindowTitle("Vocabulary")
        self._build()
        self._menus()
        self.resize(980, 640)
        self.reload()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        self.facet_box = QComboBox(self, objectName="vocabularyFacet")
        self.facet_box.setAccessibleName("Facet")
        for facet in CONCEPT_FACETS:
            self.facet_box.addItem(FACET_TITLES[facet], facet)
        self.filter_edit = QLineEdit(self, objectName="vocabularyFilter", placeholderText="Filter concepts…")
        self.filter_edit.setAccessibleName("Filter concepts")
        self.filter_edit.setClearButtonEnabled(True)
        self.model = ConceptTreeModel(self)
        self.tree = QTreeView(self, objectName="vocabularyTree")
        self.panel = ConceptPanel(self)
        self.message = QLabel("", self, objectName="vocabularyMessage", wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 3)  # a long reason wraps
        self.new_button = QPushButton("&New concept…", self, objectName="newConcept")
        self.merge_button = QPushButton("Merge &into…", self, objectName="mergeConcept")
        self.delete_button = QPushButton("&Delete", self, objectName="deleteConcept")
        self._setup_tree()
        self._arrange()
        self._connect()

    def _setup_tree(self) -> None:
        t = self.tree
        t.setModel(self.model)
        t.setAccessibleName("Concepts")
        t.setUniformRowHeights(True)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        t.setDefaultDropAction(Qt.DropAction.MoveAction)
        t.setDropIndicatorShown(True)
        header = t.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

    def _arrange(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.facet_box)
        top.addWidget(self.filter_edit, 1)
        buttons = QHBoxLayout()
        for b in (self.new_button, self.merge_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.addLayout(top)
        column.addWidget(self.tree, 1)
        column.addLayout(buttons)
        column.addWidget(self.message)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(self.panel)
        split.setSizes([560, 420])
        self.setCentralWidget(split)

    def _connect(self) -> None:
        self.facet_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.filter_edit.textChanged.connect(self._filter)
        self.tree.selectionModel().currentRowChanged.connect(lambda _c, _p: self._show_current())
        self.tree.activated.connect(lambda _i: self.panel.edit_label())  # Enter or a double click: edit it
        self.model.moveRequested.connect(lambda cid, parent, source: self.move(cid, parent or None, source or None))
        self.panel.saveRequested.connect(self.save)
        self.panel.addParentRequested.connect(self.add_parent)
        self.panel.removeParentRequested.connect(self.remove_parent)
        self.panel.edited.connect(self._update_buttons)
        self.new_button.clicked.connect(self.new_concept)
        self.merge_button.clicked.connect(self.choose_merge)
        self.delete_button.clicked.connect(self.delete)

    def _menus(self) -> None:
        edit = self.menuBar().addMenu("&Edit")
        librarian = self.editor.main.librarian
        self.undo_action = self._action(edit, "&Undo", librarian.undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._action(edit, "&Redo", librarian.redo, "Ctrl+Shift+Z")
        edit.aboutToShow.connect(self._update_undo)
        window = self.menuBar().addMenu("&Window")
        self._action(window, "&Close", self.close, QKeySequence.StandardKey.Close)

    def _action(self, menu, text, slot, shortcut) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _update_undo(self) -> None:
        main = self.editor.main.librarian
        for mine, theirs in ((self.undo_action, main.undo_action), (self.redo_action, main.redo_action)):
            mine.setText(theirs.text())
            mine.setEnabled(theirs.isEnabled())

    # ------------------------------------------------------------------ reading
    def facet(self) -> str:
        return self.facet_box.currentData()

    def current(self):
        return self.model.info(self.tree.currentIndex())

    def reload(self, select: str | None = None) -> None:
        """Read the facet's concepts again (off the GUI thread) and show them. While a change is being saved
        the read waits for it, and the concept that change selects (a deleted concept's parent) stays chosen."""
        if self._busy():
            self._pending = True
            return
        self._select = select or (self.current().id if self.current() else None)
        self._run(None, quiet=True)

    def _filter(self, text: str) -> None:
        keep = self.current().id if self.current() else None
        self.model.set_filter(text)
        self.tree.expandAll()
        self._reselect(keep if self.model.index_of(keep or "").isValid() and not text else self.model.first_match())

    def _reselect(self, concept_id: str | None) -> None:
        index = self.model.index_of(concept_id) if concept_id else self.model.index(0, 0)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)
        self._show_current()

    def _show_current(self) -> None:
        info, shown = self.current(), self.panel.info
        if info is not None and info == shown and self.panel.dirty():
            self._update_buttons()  # the same concept, unchanged, shown again (a filter): keep the edits
            return
        if shown is not None and self.panel.dirty() and (info is None or info.id != shown.id):
            self._say(f"Changes to “{shown.label}” were not saved.")  # another concept was chosen
        self.panel.load(info, self.model.rows())
        self._update_buttons()

    def _update_buttons(self) -> None:
        info, idle = self.current(), not self._busy()
        self.panel.save_button.setEnabled(idle and self.panel.dirty())
        self.panel.revert_button.setEnabled(self.panel.dirty())
        self.new_button.setEnabled(idle)
        self.merge_button.setEnabled(info is not None and idle)
        self.delete_button.setEnabled(info is not None and idle and
                                      not (info.findings or info.reviews or info.children))

    # ------------------------------------------------------------------ writing
    def save(self) -> None:
        info = self.current()
        if info is None:
            return
        label, synonyms, parent = self.panel.values()
        others = [p for p in info.parents[1:] if p != parent]
        parents = ([parent] if parent else []) + others
        self._run(lambda: self.library.update_concept(info.id, label=label, synonyms=synonyms, parents=parents),
                  select=info.id)

    def move(self, concept_id: str, parent: str | None, source: str | None = None) -> None:
        """Move a concept from under ``source`` (None: from wherever it is) to under ``parent`` (None: top)."""
        info = next((r for r in self.model.rows() if r.id == concept_id), None)
        if info is None or source is None or len(info.parents) < 2:
            self._run(lambda: self.library.set_parent(concept_id, parent), select=concept_id)
            return
        parents = moved(info.parents, source, parent)
        self._run(lambda: self.library.update_concept(concept_id, parents=parents), select=concept_id)

    def add_parent(self, parent: str) -> None:
        info = self.current()
        if info is not None:
            self._run(lambda: self.library.add_parent(info.id, parent), select=info.id)

    def remove_parent(self, parent: str) -> None:
        info = self.current()
        if info is not None:
            self._run(lambda: self.library.remove_parent(info.id, parent), select=info.id)

    def new_concept(self) -> NewConceptDialog:
        current = self.current()
        self.dialog = NewConceptDialog(self.facet(), self.model.rows(), current.id if current else None, self)
        self.dialog.accepted.connect(lambda d=self.dialog: self._add(*d.values()))
        self.dialog.open()
        return self.dialog

    def _add(self, label: str, parent: str | None) -> None:
        facet = self.facet()
        self._run(lambda: self.library.add_concept(facet, label, parent=parent), select=None)

    def choose_merge(self) -> MergeDialog | None:
        other = self.current()
        if other is None:
            return None
        self.dialog = MergeDialog(other, self.model.rows(), self)
        self.dialog.accepted.connect(lambda d=self.dialog: self.merge(d.kept_id(), other.id))
        self.dialog.open()
        return self.dialog

    def merge(self, keep: str, other: str) -> None:
        self._run(lambda: self.library.merge_concepts(keep, other), select=keep)

    def delete(self) -> None:
        info = self.current()
        if info is not None:
            self._run(lambda: self.library.delete_concept(info.id), select=info.parent)

    # ------------------------------------------------------------------ running
    def _busy(self) -> bool:
        return self.running

    def _run(self, edit, select: str | None = None, quiet: bool = False) -> None:
        """``edit()`` (None: only read) and then the facet's fresh rows, off the GUI thread; shown when done."""
        if self._busy():
            if quiet:
                self._pending = True  # read again once the running job is done
            else:
                self._say("Another change is still being saved.", error=True)
            return
        facet = self.facet()
        if not quiet:
            self._select = select
        self.operation = Operation(lambda _p, _c: self._job(edit, facet), self)
        self.operation.finished.connect(lambda out: self._done(out, quiet))
        self.operation.failed.connect(self._failed)
        self._set_busy(True)
        self.operation.start()

    def _job(self, edit, facet: str):
        """On the worker thread: facade calls only, no widget."""
        result = edit() if edit is not None else None
        return result, self.library.concepts(facet)

    def _done(self, out, quiet: bool) -> None:
        result, rows = out
        self._set_busy(False)
        self.model.set_rows(rows)
        self.tree.expandAll()
        made = (result or {}).get("concept")  # a new concept is selected; an edited or kept one stays
        self._reselect(made["id"] if made else self._select)
        if not quiet:
            self._say(_saved_text(result))
            self.editor.vocabulary_changed(from_window=True)
        self._update_undo()
        if not quiet:
            self.saved.emit(result)
        self.loaded.emit()
        if self._pending or rows and rows[0].facet != self.facet():  # the facet was switched meanwhile
            self._pending = False
            self.reload()

    def _failed(self, message: str, known: bool) -> None:
        self._set_busy(False)
        if self._pending:
            self._pending = False
            self.reload()
        self._say(message if known else f"Internal error (a report was written): {message}", error=True)
        self.failed.emit(message)  # the panel keeps what the user typed, to correct it

    def _set_busy(self, busy: bool) -> None:
        self.running = busy
        self._update_buttons()

    def _say(self, text: str, error: bool = False) -> None:
        colour = colours(is_dark())["error"] if error else ""
        self.message.setStyleSheet(f"color: {colour}" if colour else "")
        self.message.setText(text[:1].upper() + text[1:])


def moved(parents: list[str], source: str, target: str | None) -> list[str]:
    """``parents`` with ``source`` replaced by ``target`` in its place (dropped when ``target`` is None or is a
    parent already)."""
    out = [target if p == source else p for p in parents]
    return [p for i, p in enumerate(out) if p and p not in out[:i]]


def _saved_text(result: dict) -> str:
    if not result.get("batch"):
        return "Nothing changed."
    if "deleted" in result:
        return f"Deleted “{result['deleted']['label']}”. Edit > Undo brings it back."
    if "merged" in result:
        return (f"Merged “{result['merged']['label']}” into “{result['concept']['label']}”: "
                f"{result['findings_recoded']} findings recoded.")
    return f"Saved “{result['concept']['label']}”."
