"""The main window: it composes the search bar, filter chips, facet panel, results table, empty state and detail
pane, and wires them to the search worker.

Invariants: every search goes through the :class:`SearchWorker` (never on the GUI thread); only the answer to
the latest request is shown; the shared :class:`Filters` is the single source of truth for facet selections;
the rows shown are the hits ``Library.search`` returned. ``resultsShown`` is emitted after a search's results,
counts and detail are on screen (tests and ``--screenshot`` wait on it). Each keyboard shortcut is bound once.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMainWindow, QProgressBar, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from vkref.ui import dialogs, qtcompat
from vkref.ui.detail import DetailPane
from vkref.ui.empty_state import EmptyState
from vkref.ui.evidence_view import EvidenceTabs
from vkref.ui.facet_panel import ChipBar, FacetPanel
from vkref.ui.filters import Filters
from vkref.ui.history import History
from vkref.ui import (bundle_dialogs, catalog_link, duplicates_view, fulltext_view, records, study_links,
                      vocabulary_window)
from vkref.ui.librarian import Librarian
from vkref.ui.models import KEY_ROLE, ResultsModel
from vkref.ui.results_view import ResultsTable
from vkref.ui.search_bar import SearchBar
from vkref.ui.settings import Settings
from vkref.ui.sorting import HeaderSorting
from vkref.ui.worker import SearchRequest, SearchWorker

DEBOUNCE_MS = 140
DEFAULT_SIZE = QSize(1280, 800)
MIN_SIZE = QSize(900, 600)  # a restored window is never smaller (unless the screen is)
FACET_WIDTH = 270


class MainWindow(QMainWindow):
    resultsShown = Signal(int)  # generation

    def __init__(self, library, settings: Settings | None = None, parent=None):
        qtcompat.apply()
        super().__init__(parent)
        self.library = library
        self.settings = settings or Settings()
        self.filters = Filters()
        self.history = History()
        self.page = None
        self.request: SearchRequest | None = None
        self.generation = 0
        self._focus_results_for = -1
        self._syncing = False
        self.setWindowTitle("Vitamin K2 and bone health evidence")  # the platform appends "— vkref"
        self.setObjectName("mainWindow")
        self.worker = SearchWorker(library, self)
        self.worker.finished.connect(self._show_result)
        self.worker.failed.connect(self._show_failure)
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        self._build()
        self._build_menus()
        self._restore()
        self.setAcceptDrops(True)
        self._index_timer = QTimer(self, interval=250)
        self._index_timer.timeout.connect(self._poll_index)
        self._poll_index()
        if library.index_state == "rebuilding":
            self._index_timer.start()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        self.bar = SearchBar(self)
        self.search_field, self.sort_box, self.status_line = self.bar.field, self.bar.sort_box, self.bar.summary
        self.bar.edited.connect(self._debounce.start)
        self.bar.submitted.connect(self._search_and_focus)
        self.bar.sortChanged.connect(self.search_now)
        self.bar.rerun.connect(self.search_now)
        self.bar.broaderRequested.connect(self.show_broader)
        self.bar.downPressed.connect(self.focus_results)
        self.chips = ChipBar(self)
        self.chips.removeRequested.connect(self._remove_chip)
        self.chips.clearRequested.connect(self.clear_filters)
        self.chips.hide()
        self.facets = FacetPanel(self.library.vocabulary, self.filters, self)
        self.facets.filtersChanged.connect(self._filters_changed)
        self.model = ResultsModel(self._request_more, self)
        self.table = ResultsTable(self.model, self)
        self.header_sorting = HeaderSorting(self.table, self.bar)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(lambda _i: self.detail.browser.setFocus(Qt.FocusReason.OtherFocusReason))
        self.table.filterRequested.connect(self.add_filter)
        self.table.openRequested.connect(self.open_key)
        self.table.copied.connect(lambda text: self.statusBar().showMessage(text, 3000))
        self.empty = EmptyState(self)
        self.empty.linkActivated.connect(self._status_link)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.detail = DetailPane(self.library, self)
        self.detail.filterRequested.connect(self.add_filter)
        self.detail.openRequested.connect(self.open_key)
        self.detail.citationCopied.connect(lambda _t: self.statusBar().showMessage("Citation copied", 3000))
        self._arrange()
        self._tab_order()
        self.empty.show_start()
        self.stack.setCurrentWidget(self.empty)

    def _arrange(self) -> None:
        results = QWidget(self)
        column = QVBoxLayout(results)
        column.setContentsMargins(10, 10, 8, 0)
        column.setSpacing(6)
        column.addWidget(self.bar)
        column.addWidget(self.chips)
        self.evidence = EvidenceTabs(self)  # Results | Matrix | Answer
        column.addWidget(self.evidence.tabs, 1)
        self.right = QSplitter(Qt.Orientation.Vertical, self)
        self.right.setObjectName("rightSplitter")
        self.right.addWidget(results)
        self.right.addWidget(self.detail)
        self.right.setStretchFactor(0, 3)
        self.right.setStretchFactor(1, 2)
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.split.setObjectName("mainSplitter")
        self.split.addWidget(self.facets)
        self.split.addWidget(self.right)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([FACET_WIDTH, DEFAULT_SIZE.width() - FACET_WIDTH])
        self.right.setSizes([440, 330])
        self.setCentralWidget(self.split)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Index rebuild progress")
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("Rebuilding index %p%")
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)

    def _tab_order(self) -> None:
        chain = (self.search_field, self.sort_box, self.table, self.detail.back_button, self.detail.forward_button,
                 self.detail.copy_button, self.detail.browser, self.facets.tree, self.facets.year_from,
                 self.facets.year_to)
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    def _action(self, menu, text, slot, shortcut=None, name=None) -> QAction:
        """A menu action with at most one shortcut (a second binding of the same keys makes Qt ignore both)."""
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        menu.addAction(action)
        return action

    action = _action  # public: the window's parts (records.py, librarian.py, ...) add their menu items with it

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self.librarian = Librarian(self)
        self.librarian.add_file_actions(file)
        bundle_dialogs.install(self, file)  # Share library…, Open bundle… (window.bundles)
        fulltext_view.install(self, file)  # Attach full text…, the reader (window.fulltext)
        catalog_link.install(self, file)  # Connect to catalog…, the read-only banner (window.catalog_banner)
        self._action(file, "&Quit", self.close, "Ctrl+Q", "actionQuit")
        edit = bar.addMenu("&Edit")
        self.librarian.add_edit_actions(edit)
        duplicates_view.install(self, edit)  # Edit > Duplicates… (window.duplicates)
        self._action(edit, "&Find…", self.focus_search, "Ctrl+K", "actionFind")
        find_too = QAction("Find", self, objectName="actionFindAlso", shortcut=QKeySequence("Ctrl+F"))
        find_too.triggered.connect(self.focus_search)
        self.addAction(find_too)  # a second key for Find, on its own action (not in the menu)
        self._action(edit, "Copy &citation", self.detail.copy_citation, "Ctrl+Shift+C", "actionCopyCitation")
        edit.addSeparator()
        self._action(edit, "C&lear all filters", self.clear_filters, "Ctrl+Shift+Backspace", "actionClear")
        records_menu = bar.addMenu("&Records")
        self.records = records.install(self, records_menu)  # forms, trash, history (vkref.ui.records)
        self.study_links = study_links.install(self, records_menu)  # the studies a finding rests on
        self._build_view_menu(bar.addMenu("&View"))
        vocabulary_window.install(self, bar.addMenu("&Tools"))  # Vocabulary… (window.vocabulary_editor)
        help_ = bar.addMenu("&Help")
        self._action(help_, "&Search syntax", lambda: self._dialog(dialogs.search_syntax_dialog(self)),
                     "F1", "actionSyntax")
        self._action(help_, "&Keyboard shortcuts", lambda: self._dialog(dialogs.shortcuts_dialog(self)), None,
                     "actionShortcuts")
        help_.addSeparator()
        self._action(help_, "&About vkref", lambda: self._dialog(dialogs.about_dialog(self.library.info(), self)),
                     None, "actionAbout")

    def _build_view_menu(self, view) -> None:
        self._action(view, "&Filters", lambda: self.facets.tree.setFocus(Qt.FocusReason.ShortcutFocusReason),
                     "Ctrl+1")
        self._action(view, "&Results", lambda: (self.evidence.show_results(), self.focus_results()), "Ctrl+2")
        self._action(view, "&Detail", lambda: self.detail.browser.setFocus(Qt.FocusReason.ShortcutFocusReason),
                     "Ctrl+3")
        self.evidence.add_view_actions(view)
        view.addSeparator()
        self.back_action = self._action(view, "&Back", self.go_back, "Alt+Left", "actionBack")
        self.forward_action = self._action(view, "F&orward", self.go_forward, "Alt+Right", "actionForward")
        self.detail.back_button.setDefaultAction(self.back_action)
        self.detail.forward_button.setDefaultAction(self.forward_action)
        self._update_history_actions()
        self._action(view, "&Sort by the current column", self.header_sorting.sort_by_current_column,
                     "Ctrl+Shift+S", "actionSortByColumn")
        view.addSeparator()
        self._action(view, "Human evidence only", lambda: self.add_filter("species", "Human"), None, "actionHuman")

    def _dialog(self, dialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self._last_dialog = dialog

    # ------------------------------------------------------------------ searching
    def search_now(self) -> int:
        """Send the current query and filters to the worker; returns the request's generation."""
        self._debounce.stop()
        self.generation = self.worker.next_generation()
        f = self.filters
        self.request = SearchRequest(self.generation, self.bar.text(), {k: list(v) for k, v in f.include.items()},
                                     {k: list(v) for k, v in f.exclude.items()}, f.year_from, f.year_to,
                                     self.bar.sort(), self.detail.key, self.detail.renderer.dark,
                                     spell=self.bar.spell())
        self.worker.submit(self.request)
        return self.generation

    def _request_more(self, offset: int) -> None:
        """The table wants the rows from ``offset`` on: a further page of the current search."""
        if self.request is not None and self.request.generation == self.generation:
            self.worker.submit(SearchRequest(**{**self.request.__dict__, "offset": offset}))

    def set_query(self, text: str) -> int:
        self.search_field.setText(text)
        return self.search_now()

    def _search_and_focus(self) -> None:
        self._focus_results_for = self.search_now()

    def _filters_changed(self) -> None:
        self.chips.set_filters(self.filters)
        self.search_now()

    filters_changed = _filters_changed  # public: other views that change the filters call it

    def _show_result(self, result) -> None:
        if result.request.offset:
            self.model.add_rows(result.request.offset, result.rows)
            return
        page = self.page = result.page
        self.model.set_results(page.keys, result.rows)
        self.facets.update_counts(page.facets)
        self.chips.set_filters(self.filters)
        self.bar.show_page(page)
        self._show_page_or_state(result.request, page)
        self._sync_detail(result)
        self.evidence.result_arrived(result.request)
        if result.request.generation == self._focus_results_for and page.total:
            self.focus_results()
        self.resultsShown.emit(result.request.generation)

    def _show_page_or_state(self, request, page) -> None:
        if not request.query and self.filters.is_empty():
            self.empty.show_start(page.total)
            self.stack.setCurrentWidget(self.empty)
        elif page.total == 0:
            self.empty.show_no_results(request.query, not self.filters.is_empty())
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.table)

    def _sync_detail(self, result) -> None:
        if self.stack.currentWidget() is self.table and self.model.row_of(result.detail_key or "") >= 0:
            self.detail.show_key(result.detail_key, result.request.query, result.detail_html)
            self.history.visit(result.detail_key)
            self._update_history_actions()
            self._syncing = True
            try:
                self.table.select_key(result.detail_key)
            finally:
                self._syncing = False
        else:
            self.detail.clear()

    def _show_failure(self, generation: int, message: str, known: bool) -> None:
        text = message if known else f"Internal error (a report was written; please send it): {message}"
        self.page = None
        self.model.set_results([], [])
        self.bar.show_error(text)
        self.empty.show_error(text)
        self.stack.setCurrentWidget(self.empty)
        self.detail.clear()
        self.resultsShown.emit(generation)

    def _status_link(self, link: str) -> None:
        scheme, _, rest = link.partition(":")
        if scheme == "example":
            self.set_query(rest)
        elif scheme == "browse":
            self.add_filter("kind", "finding")
        elif scheme == "help":
            self._dialog(dialogs.search_syntax_dialog(self))

    # ------------------------------------------------------------------ filters and records
    def add_filter(self, facet: str, label: str, exclude: bool = False) -> None:
        self.filters.set(facet, label, "exclude" if exclude else "include")
        self.facets.refresh()
        self._filters_changed()

    def show_broader(self, offer) -> None:
        """Search the findings coded only with a broader concept (the offer's query, filters and exclusions)."""
        for facet, labels in offer.filters.items():
            for label in labels:
                self.filters.set(facet, label, "include")
        for facet, labels in offer.exclude.items():
            for label in labels:
                self.filters.set(facet, label, "exclude")
        self.facets.refresh()
        self.chips.set_filters(self.filters)
        self.set_query(offer.query)

    def _remove_chip(self, facet: str, label: str) -> None:
        if facet == "year-range":
            self.filters.year_from = self.filters.year_to = None
        else:
            self.filters.set(facet, label, None)
        self.facets.refresh()
        self._filters_changed()

    def clear_filters(self) -> None:
        self.filters.clear()
        self.facets.refresh()
        self._filters_changed()

    def open_key(self, key: str, record: bool = True) -> None:
        """Show ``key`` in the detail pane and select its row (no row is selected when it is not a result)."""
        if self.fulltext.open(key):  # "reader:..." opens the full-text reader
            return
        self._syncing = True
        try:
            self.table.select_key(key)
        finally:
            self._syncing = False
        self.detail.show_key(key, self.bar.text())
        if record and self.detail.key:
            self.history.visit(self.detail.key)
        self._update_history_actions()

    def go_back(self) -> None:
        key = self.history.back()
        if key:
            self.open_key(key, record=False)

    def go_forward(self) -> None:
        key = self.history.forward()
        if key:
            self.open_key(key, record=False)

    def _update_history_actions(self) -> None:
        self.back_action.setEnabled(self.history.can_back())
        self.forward_action.setEnabled(self.history.can_forward())

    def _current_changed(self, current, _previous) -> None:
        if current.isValid() and not self._syncing:
            self.detail.show_key(self.model.data(current, KEY_ROLE), self.bar.text())
            self.history.visit(self.detail.key)
            self._update_history_actions()

    # ------------------------------------------------------------------ focus
    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def focus_results(self) -> None:
        if self.stack.currentWidget() is self.table:
            self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
            if not self.table.currentIndex().isValid() and self.model.rowCount():
                self.table.selectRow(0)

    # ------------------------------------------------------------------ index state
    def _poll_index(self) -> None:
        rebuilding = self.library.index_state == "rebuilding"
        if rebuilding:
            done, total = self.library.rebuild_progress
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(min(done, max(total, 1)))
            self.progress.show()
        elif self.progress.isVisible():
            self.progress.hide()
            self._index_timer.stop()
            self.statusBar().showMessage("Search index ready", 4000)
            self.search_now()

    def set_dark(self, dark: bool) -> None:
        self.detail.set_dark(dark)
        self.table.viewport().update()
        self.evidence.set_dark(dark)

    # ------------------------------------------------------------------ settings and closing
    def _restore(self) -> None:
        s = self.settings
        if not s.get("window/geometry").isEmpty():
            self.restoreGeometry(s.get("window/geometry"))
        else:
            self.resize(DEFAULT_SIZE)
        self.clamp_to_screen()
        for key, splitter in (("window/main_splitter", self.split), ("window/right_splitter", self.right)):
            if not s.get(key).isEmpty():
                splitter.restoreState(s.get(key))
        if not s.get("results/header").isEmpty():
            self.table.horizontalHeader().restoreState(s.get("results/header"))
        self.table.chosen = decode_columns(s.get("results/columns"))
        self.table.fit_columns()
        self.bar.set_sort(s.get("results/sort"))

    def clamp_to_screen(self) -> None:
        """Keep the window inside the available screen and at least ``MIN_SIZE`` (when the screen allows)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        width = min(max(self.width(), MIN_SIZE.width()), area.width())
        height = min(max(self.height(), MIN_SIZE.height()), area.height())
        self.resize(width, height)
        x = min(max(self.x(), area.left()), area.right() - width + 1)
        y = min(max(self.y(), area.top()), area.bottom() - height + 1)
        self.move(x, y)

    def save_settings(self) -> None:
        s = self.settings
        s.set("window/geometry", self.saveGeometry())
        s.set("window/state", self.saveState())
        s.set("window/main_splitter", self.split.saveState())
        s.set("window/right_splitter", self.right.saveState())
        s.set("results/header", self.table.horizontalHeader().saveState())
        s.set("results/columns", encode_columns(self.table.chosen))
        s.set("results/sort", self.bar.sort())
        s.sync()

    def shutdown(self) -> None:
        """Stop timers and join the worker thread (idempotent)."""
        self._debounce.stop()
        self._index_timer.stop()
        self.worker.stop()

    def dragEnterEvent(self, event):
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event):
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            if self.fulltext.drop(event, paths):  # a .txt/.pdf on a result row: its review's full text
                return
            bundles = [p for p in paths if p.lower().endswith(".vkref")]  # a dropped bundle opens as a bundle
            self.bundles.open_bundle(bundles[0]) if bundles else self.librarian.import_paths(paths)

    def closeEvent(self, event):
        self.save_settings()
        self.shutdown()
        super().closeEvent(event)


def encode_columns(chosen: dict[int, bool]) -> str:
    return ",".join(f"{col}:{int(shown)}" for col, shown in sorted(chosen.items()))


def decode_columns(text: str) -> dict[int, bool]:
    out = {}
    for part in (text or "").split(","):
        col, _, shown = part.partition(":")
        if col.isdigit() and shown in ("0", "1"):
            out[int(col)] = shown == "1"
    return out
