"""The results table view: columns that fit the window, badges, species marks, a row context menu and copying.

Columns: Type, the text (stretches), Species, Direction, Evidence, Year and Source are always shown; Population,
Agents and Outcome are shown while the table is wide enough (narrow windows hide them first), unless the user
chose otherwise in the header's menu. Several rows can be selected; Ctrl+C copies the selected rows' citations
(each source review once, in table order). The context menu copies a citation or a finding with its citation,
opens the source review, or filters by a value of the clicked cell. The view emits signals; the main window acts.
"""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView

from vkref.ui.delegates import BadgeDelegate, KindDelegate
from vkref.ui.models import COL_DIRECTION, COL_KIND, COL_TEXT, COLUMNS, KEY_ROLE, ResultsModel
from vkref.ui.rows import Row, finding_with_citation

WIDTHS = {0: 58, 2: 104, 3: 130, 4: 120, 5: 130, 6: 92, 7: 112, 8: 44, 9: 120}
OPTIONAL = (4, 5, 3)  # agents, outcome, population: shown in this order while there is room
TEXT_MIN = 200  # the finding text keeps at least this many pixels
FILTERABLE = {"species", "population", "agent", "outcome", "direction", "evidence"}


class ResultsTable(QTableView):
    filterRequested = Signal(str, str)  # facet, label
    openRequested = Signal(str)  # a result key
    copied = Signal(str)  # what was copied, for the status bar

    def __init__(self, model: ResultsModel, parent=None):
        super().__init__(parent)
        self.setObjectName("resultsTable")
        self.setAccessibleName("Results")
        self.setModel(model)
        self.chosen: dict[int, bool] = {}  # column -> shown, as the user chose in the header menu
        self.menu_hooks: list = []  # hook(menu, row) adds actions to a row's context menu (Records, ...)
        self._setup_view()
        self._setup_header()
        self.setItemDelegateForColumn(COL_DIRECTION, BadgeDelegate(self))
        self.setItemDelegateForColumn(COL_KIND, KindDelegate(self))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._row_menu)

    def _setup_view(self) -> None:
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setTabKeyNavigation(False)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(2 * self.fontMetrics().lineSpacing() + 10)

    def _setup_header(self) -> None:
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        for col, width in WIDTHS.items():
            self.setColumnWidth(col, width)

    # ------------------------------------------------------------------ columns
    def fit_columns(self) -> None:
        """Show the optional columns that fit beside the text's minimum width (the user's choices win)."""
        room = self.viewport().width() - TEXT_MIN
        used = sum(self.columnWidth(c) for c in range(len(COLUMNS)) if c != COL_TEXT and c not in OPTIONAL
                   and not self.isColumnHidden(c))
        for col in OPTIONAL:
            width = self.columnWidth(col) or WIDTHS[col]  # a hidden column reports 0
            show = self.chosen.get(col, used + width <= room)
            self.setColumnHidden(col, not show)
            used += width if show else 0

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.fit_columns()

    def showEvent(self, event):  # a table first shown from behind the empty state: fit to its real width
        super().showEvent(event)
        self.fit_columns()

    def viewportEvent(self, event):
        if event.type() == event.Type.Resize:  # a scroll bar came or went
            self.fit_columns()
        return super().viewportEvent(event)

    def _header_menu(self, pos) -> None:
        menu = QMenu(self)
        for col, (title, _attr) in enumerate(COLUMNS):
            if col == COL_TEXT:
                continue
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(col))
            action.toggled.connect(lambda on, c=col: self._choose(c, on))
        menu.popup(self.horizontalHeader().mapToGlobal(pos))

    def _choose(self, col: int, shown: bool) -> None:
        self.chosen[col] = shown
        self.setColumnHidden(col, not shown)
        self.fit_columns()

    # ------------------------------------------------------------------ selection
    def select_key(self, key: str | None) -> bool:
        """Make ``key``'s row the current, only selected row (no row when it is not in the table)."""
        row = self.model().row_of(key) if key else -1
        selection = self.selectionModel()
        if row < 0:
            selection.clear()
            return False
        index = self.model().index(row, COL_TEXT)
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect |
                                  QItemSelectionModel.SelectionFlag.Rows)
        self.scrollTo(index)
        return True

    def selected_rows(self) -> list[Row]:
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        if not rows and self.currentIndex().isValid():
            rows = [self.currentIndex().row()]
        return [self.model().row_data(r) for r in rows]

    def selected_citations(self) -> str:
        citations = dict.fromkeys(r.citation for r in self.selected_rows() if r.citation)
        return "\n".join(citations)

    # ------------------------------------------------------------------ copying and the row menu
    def keyPressEvent(self, event):
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_text(self.selected_citations(), "Citation(s) copied")
            return
        super().keyPressEvent(event)

    def copy_text(self, text: str, message: str) -> None:
        if text:
            QGuiApplication.clipboard().setText(text)
            self.copied.emit(message)

    def _row_menu(self, pos) -> None:
        index = self.indexAt(pos)
        if not index.isValid():
            return
        if not self.selectionModel().isRowSelected(index.row()):
            self.select_key(index.data(KEY_ROLE))
        menu = self.row_menu(self.model().row_data(index.row()), COLUMNS[index.column()][1])
        menu.popup(self.viewport().mapToGlobal(pos))

    def row_menu(self, row: Row, attr: str) -> QMenu:
        """The context menu of ``row`` opened on the column showing ``attr``."""
        menu = QMenu(self)
        menu.setObjectName("rowMenu")
        many = len(self.selected_rows()) > 1
        menu.addAction("Copy citations" if many else "Copy citation",
                       lambda: self.copy_text(self.selected_citations(), "Citation(s) copied"))
        if row.kind == "finding":
            menu.addAction("Copy finding with citation",
                           lambda: self.copy_text(finding_with_citation(row), "Finding and citation copied"))
        if row.review_id and row.kind == "finding":
            menu.addAction("Open the review", lambda: self.openRequested.emit(f"review:{row.review_id}"))
        if attr in FILTERABLE and row.facets.get(attr):
            menu.addSeparator()
            for label in row.facets[attr]:
                action = menu.addAction(f"Filter by {COLUMNS_BY_ATTR[attr]}: {label.replace('&', '&&')}")
                action.triggered.connect(lambda _=False, v=label: self.filterRequested.emit(attr, v))
        for hook in self.menu_hooks:
            hook(menu, row)
        return menu


COLUMNS_BY_ATTR = {attr: title for title, attr in COLUMNS}
