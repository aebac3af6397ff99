"""The main window: search field, status line, filter chips, facet panel, results table and detail pane.

Invariants: every search goes through the :class:`SearchWorker` (never on the GUI thread); only the answer to
the latest request is shown; the shared :class:`Filters` is the single source of truth for facet selections.
``resultsShown`` is emitted after a search's results, counts and detail are on screen (tests and
``--screenshot`` wait on it).
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMainWindow, QMenu, QProgressBar, QSplitter, QStackedWidget, QTableView, QVBoxLayout,
                               QWidget)

from vkref.ui import dialogs, qtcompat
from vkref.ui.delegates import BadgeDelegate, KindDelegate
from vkref.ui.detail import DetailPane, SafeBrowser
from vkref.ui.facet_panel import ChipBar, FacetPanel
from vkref.ui.filters import Filters
from vkref.ui.models import COL_DIRECTION, COL_TEXT, COLUMNS, KEY_ROLE, ResultsModel
from vkref.ui.rows import build_row
from vkref.ui.settings import Settings
from vkref.ui.worker import SearchRequest, SearchWorker

DEBOUNCE_MS = 140
SEARCHED_AS_MAX = 180  # characters of the expanded query shown under the field (all of it in the tooltip)
SORTS = (("Relevance", "relevance"), ("Newest first", "year"), ("Oldest first", "year-asc"))
EXAMPLES = ("MK-4 vertebral fracture", "raloxifene vitamin K2", "OVX rats bone strength", "MK-7 osteocalcin")
COLUMN_WIDTHS = (56, 360, 70, 118, 112, 118, 90, 112, 42, 112)
HIDDEN_COLUMNS = (2,)  # species: the population says it; the Species facet filters it


class MainWindow(QMainWindow):
    resultsShown = Signal(int)  # generation

    def __init__(self, library, settings: Settings | None = None, parent=None):
        qtcompat.apply()
        super().__init__(parent)
        self.library = library
        self.settings = settings or Settings()
        self.filters = Filters()
        self.page = None
        self.generation = 0
        self._focus_results_for = -1
        self._syncing = False
        self.setWindowTitle("vkref — vitamin K2 and bone health evidence")
        self.setObjectName("mainWindow")
        self.worker = SearchWorker(library, self)
        self.worker.finished.connect(self._show_result)
        self.worker.failed.connect(self._show_failure)
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        self._build()
        self._build_menus()
        self._restore()
        self._index_timer = QTimer(self, interval=250)
        self._index_timer.timeout.connect(self._poll_index)
        self._poll_index()
        if library.index_state == "rebuilding":
            self._index_timer.start()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        self.search_field = QLineEdit(self)
        self.search_field.setObjectName("searchField")
        self.search_field.setPlaceholderText("Search findings and reviews — e.g. MK-4 vertebral fracture   (Ctrl+K)")
        self.search_field.setAccessibleName("Search")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.textEdited.connect(lambda _t: self._debounce.start())
        self.search_field.textChanged.connect(lambda t: None if t else self._debounce.start())
        self.search_field.returnPressed.connect(self._search_and_focus)
        self.search_field.installEventFilter(self)
        self.status_line = QLabel(self)
        self.status_line.setObjectName("searchedAs")
        self.status_line.setTextFormat(Qt.TextFormat.RichText)
        self.status_line.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse |
                                                 Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.status_line.setWordWrap(True)
        self.status_line.setAccessibleName("What was searched")
        self.status_line.linkActivated.connect(self._status_link)
        self.sort_box = QComboBox(self)
        self.sort_box.setAccessibleName("Sort results")
        for title, _ in SORTS:
            self.sort_box.addItem(title)
        self.sort_box.currentIndexChanged.connect(lambda _i: self.search_now())
        sort_label = QLabel("&Sort:")
        sort_label.setBuddy(self.sort_box)
        self.chips = ChipBar(self)
        self.chips.removeRequested.connect(self._remove_chip)
        self.chips.clearRequested.connect(self.clear_filters)
        self.chips.hide()

        self.facets = FacetPanel(self.library.vocabulary, self.filters, self)
        self.facets.filtersChanged.connect(self._filters_changed)
        self.model = ResultsModel(lambda key: build_row(self.library, key), self)
        self.table = QTableView(self)
        self.table.setObjectName("resultsTable")
        self.table.setAccessibleName("Results")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(2 * self.fontMetrics().lineSpacing() + 10)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        for col, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(col, width)
        for col in HIDDEN_COLUMNS:
            self.table.setColumnHidden(col, True)
        self.table.setItemDelegateForColumn(COL_DIRECTION, BadgeDelegate(self.table))
        self.table.setItemDelegateForColumn(0, KindDelegate(self.table))
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(lambda _i: self.detail.browser.setFocus(Qt.FocusReason.OtherFocusReason))
        self.empty = SafeBrowser(self)
        self.empty.setObjectName("emptyState")
        self.empty.setAccessibleName("Getting started")
        self.empty.anchorClicked.connect(lambda url: self._status_link(url.toString()))
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.detail = DetailPane(self.library, self)
        self.detail.filterRequested.connect(self.add_filter)
        self.detail.openRequested.connect(self.open_key)
        self.detail.citationCopied.connect(lambda _t: self.statusBar().showMessage("Citation copied", 3000))

        top = QVBoxLayout()
        top.setContentsMargins(10, 10, 10, 4)
        top.setSpacing(6)
        top.addWidget(self.search_field)
        line = QHBoxLayout()
        line.addWidget(self.status_line, 1)
        line.addWidget(sort_label)
        line.addWidget(self.sort_box)
        top.addLayout(line)
        top.addWidget(self.chips)
        results = QWidget(self)
        rl = QVBoxLayout(results)
        rl.setContentsMargins(0, 0, 8, 0)
        rl.addLayout(top)
        rl.addWidget(self.stack, 1)
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
        self.split.setSizes([270, 1010])
        self.right.setSizes([440, 330])
        self.setCentralWidget(self.split)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Index rebuild progress")
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("Rebuilding index %p%")
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)
        QWidget.setTabOrder(self.search_field, self.sort_box)
        QWidget.setTabOrder(self.sort_box, self.table)
        QWidget.setTabOrder(self.table, self.detail.copy_button)
        QWidget.setTabOrder(self.detail.copy_button, self.detail.browser)
        QWidget.setTabOrder(self.detail.browser, self.facets.tree)
        QWidget.setTabOrder(self.facets.tree, self.facets.year_from)
        QWidget.setTabOrder(self.facets.year_from, self.facets.year_to)
        self._show_empty_state()

    def _action(self, menu, text, slot, shortcuts=(), name=None) -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Quit", self.close, [QKeySequence.StandardKey.Quit, "Ctrl+Q"], "actionQuit")
        edit = bar.addMenu("&Edit")
        self._action(edit, "&Find…", self.focus_search, [QKeySequence.StandardKey.Find, "Ctrl+K"], "actionFind")
        self._action(edit, "Copy &citation", self.detail.copy_citation, ["Ctrl+Shift+C"], "actionCopyCitation")
        edit.addSeparator()
        self._action(edit, "C&lear all filters", self.clear_filters, ["Ctrl+Shift+Backspace"], "actionClear")
        view = bar.addMenu("&View")
        self._action(view, "&Filters", lambda: self.facets.tree.setFocus(Qt.FocusReason.ShortcutFocusReason),
                     ["Ctrl+1"])
        self._action(view, "&Results", self.focus_results, ["Ctrl+2"])
        self._action(view, "&Detail", lambda: self.detail.browser.setFocus(Qt.FocusReason.ShortcutFocusReason),
                     ["Ctrl+3"])
        view.addSeparator()
        self._action(view, "Human evidence only", lambda: self.add_filter("species", "Human"), [], "actionHuman")
        help_ = bar.addMenu("&Help")
        self._action(help_, "&Search syntax", lambda: self._dialog(dialogs.search_syntax_dialog(self)),
                     [QKeySequence.StandardKey.HelpContents, "F1"], "actionSyntax")
        self._action(help_, "&Keyboard shortcuts", lambda: self._dialog(dialogs.shortcuts_dialog(self)), [],
                     "actionShortcuts")
        help_.addSeparator()
        self._action(help_, "&About vkref", lambda: self._dialog(dialogs.about_dialog(self.library.info(), self)),
                     [], "actionAbout")

    def _header_menu(self, pos) -> None:
        menu = QMenu(self)
        for col, (title, _attr) in enumerate(COLUMNS):
            if col == COL_TEXT:
                continue
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(col))
            action.toggled.connect(lambda on, c=col: self.table.setColumnHidden(c, not on))
        menu.popup(self.table.horizontalHeader().mapToGlobal(pos))

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
        self.worker.submit(SearchRequest(self.generation, self.search_field.text().strip(),
                                         {k: list(v) for k, v in f.include.items()},
                                         {k: list(v) for k, v in f.exclude.items()}, f.year_from, f.year_to,
                                         SORTS[self.sort_box.currentIndex()][1], self.detail.key,
                                         self.detail.renderer.dark))
        return self.generation

    def set_query(self, text: str) -> int:
        self.search_field.setText(text)
        return self.search_now()

    def _search_and_focus(self) -> None:
        self._focus_results_for = self.search_now()

    def _filters_changed(self) -> None:
        self.chips.set_filters(self.filters)
        self.search_now()

    def _show_result(self, result) -> None:
        page = result.page
        self.page = page
        self.model.set_results(page.keys, result.rows)
        self.facets.update_counts(page.facets)
        self.chips.set_filters(self.filters)
        self._update_status_line(page)
        request = result.request
        if not request.query and self.filters.is_empty():
            self._show_empty_state(page.total)
        elif page.total == 0:
            self._show_no_results(request.query)
        else:
            self.stack.setCurrentWidget(self.table)
        row = self.model.row_of(result.detail_key) if result.detail_key else -1
        if self.stack.currentWidget() is self.table and row >= 0:
            self.detail.show_key(result.detail_key, request.query, result.detail_html)
            self._syncing = True
            try:
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(row, COL_TEXT),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            finally:
                self._syncing = False
            self.table.scrollTo(self.model.index(row, COL_TEXT))
        else:
            self.detail.clear()
        if request.generation == self._focus_results_for and page.total:
            self.focus_results()
        self.resultsShown.emit(request.generation)

    def _show_failure(self, generation: int, message: str, known: bool) -> None:
        prefix = "" if known else "Internal error (please report it): "
        self.status_line.setText(f'<span style="color:#c62828">{escape(prefix + message)}</span>')
        self.resultsShown.emit(generation)

    def _update_status_line(self, page) -> None:
        n = page.total
        parts = [f"<b>{n:,}</b> result{'s' if n != 1 else ''}", f"{page.elapsed_ms:.0f} ms"]
        if page.query:
            shown = page.searched_as if len(page.searched_as) <= SEARCHED_AS_MAX else \
                page.searched_as[:SEARCHED_AS_MAX].rsplit(" ", 1)[0] + " …"
            parts.append(f"searched as: {escape(shown)}")
        elif page.index_state == "rebuilding":
            parts.append("the search index is being rebuilt: results come from a slower scan")
        self.status_line.setToolTip(f"Searched as: {page.searched_as}" if page.query else "")
        text = " · ".join(parts)
        if page.suggestion:
            text += (f' · Did you mean <a href="suggest:{escape(page.suggestion, quote=True)}">'
                     f"{escape(page.suggestion)}</a>?")
        self.status_line.setText(text)

    def _show_empty_state(self, total: int | None = None) -> None:
        total = total if total is not None else 0
        examples = " &nbsp;·&nbsp; ".join(f'<a href="example:{escape(e, quote=True)}">{escape(e)}</a>'
                                         for e in EXAMPLES)
        browse = f' or <a href="browse:">browse all {total:,} records</a>' if total else ""
        self.empty.setHtml(
            '<div align="center" style="margin-top:40px;"><p style="font-size:x-large;">Search the evidence on '
            "vitamin K2 and bone health</p>"
            f"<p>Type a question in a few words. Try: {examples}</p>"
            f"<p>Narrow with the filters on the left{browse}. Start with <b>Species</b> and <b>Evidence</b> "
            "to keep human and animal evidence apart.</p>"
            '<p>Synonyms are understood (MK-4 = menatetrenone, OVX = ovariectomized). '
            '<a href="help:syntax">Search syntax</a> (F1)</p></div>')
        self.stack.setCurrentWidget(self.empty)

    def _show_no_results(self, query: str) -> None:
        hint = ("Remove a filter above, or " if not self.filters.is_empty() else "") + "try fewer or other words."
        self.empty.setHtml(f'<div align="center" style="margin-top:40px;"><p style="font-size:large;">No results'
                           f"{' for “' + escape(query) + '”' if query else ''}.</p><p>{escape(hint)} "
                           'Words can be combined with OR; see <a href="help:syntax">Search syntax</a>.</p></div>')
        self.stack.setCurrentWidget(self.empty)

    def _status_link(self, link: str) -> None:
        scheme, _, rest = link.partition(":")
        if scheme in ("suggest", "example"):
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

    def open_key(self, key: str) -> None:
        row = self.model.row_of(key)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, COL_TEXT))
        self.detail.show_key(key, self.search_field.text())

    def _current_changed(self, current, _previous) -> None:
        if current.isValid() and not self._syncing:
            self.detail.show_key(self.model.data(current, KEY_ROLE), self.search_field.text().strip())

    # ------------------------------------------------------------------ focus and keys
    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def focus_results(self) -> None:
        if self.stack.currentWidget() is self.table:
            self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
            if not self.table.currentIndex().isValid() and self.model.rowCount():
                self.table.selectRow(0)

    def eventFilter(self, obj, event):
        if obj is self.search_field and event.type() == event.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape and self.search_field.text():
                self.search_field.clear()
                return True
            if event.key() == Qt.Key.Key_Down:
                self.focus_results()
                return True
        return super().eventFilter(obj, event)

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

    # ------------------------------------------------------------------ settings and closing
    def _restore(self) -> None:
        s = self.settings
        if not s.get("window/geometry").isEmpty():
            self.restoreGeometry(s.get("window/geometry"))
        else:
            self.resize(1280, 800)
        for key, splitter in (("window/main_splitter", self.split), ("window/right_splitter", self.right)):
            if not s.get(key).isEmpty():
                splitter.restoreState(s.get(key))
        if not s.get("results/header").isEmpty():
            self.table.horizontalHeader().restoreState(s.get("results/header"))
        sort = s.get("results/sort")
        index = next((i for i, (_, v) in enumerate(SORTS) if v == sort), 0)
        self.sort_box.blockSignals(True)
        self.sort_box.setCurrentIndex(index)
        self.sort_box.blockSignals(False)

    def save_settings(self) -> None:
        s = self.settings
        s.set("window/geometry", self.saveGeometry())
        s.set("window/state", self.saveState())
        s.set("window/main_splitter", self.split.saveState())
        s.set("window/right_splitter", self.right.saveState())
        s.set("results/header", self.table.horizontalHeader().saveState())
        s.set("results/sort", SORTS[self.sort_box.currentIndex()][1])
        s.sync()

    def shutdown(self) -> None:
        """Stop timers and join the worker thread (idempotent)."""
        self._debounce.stop()
        self._index_timer.stop()
        self.worker.stop()

    def closeEvent(self, event):
        self.save_settings()
        self.shutdown()
        super().closeEvent(event)
