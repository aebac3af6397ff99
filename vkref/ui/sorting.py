"""Sorting the results by their column headers (mouse and keyboard), kept in step with the sort box.

The search does the sorting (``Library.search(sort=...)``): a header only chooses the sort box's value, which
runs the search again. Sortable columns: the finding text (relevance), Species and Evidence (strongest evidence
first: human, animal, in vitro, then meta-analysis > RCT > controlled trial > observational > expert) and Year
(newest first; clicked again, oldest first). Other headers say in their tooltip that they do not sort. The
header shows the active order's column with a sort indicator. Keyboard: "Sort by the current column"
(View menu, Ctrl+Shift+S) does for the results table's current cell's column what a click on its header does.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt

from vkref.ui.models import COL_SPECIES, COL_TEXT, COL_YEAR, COLUMNS

COL_EVIDENCE = next(i for i, (_t, attr) in enumerate(COLUMNS) if attr == "evidence")
COLUMN_SORTS = {COL_TEXT: ("relevance",), COL_SPECIES: ("evidence",), COL_EVIDENCE: ("evidence",),
                COL_YEAR: ("year", "year-asc")}
INDICATOR = {"relevance": (COL_TEXT, Qt.SortOrder.DescendingOrder),
             "evidence": (COL_EVIDENCE, Qt.SortOrder.AscendingOrder),
             "year": (COL_YEAR, Qt.SortOrder.DescendingOrder), "year-asc": (COL_YEAR, Qt.SortOrder.AscendingOrder)}
TOOLTIPS = {COL_TEXT: "Click to sort by relevance", COL_SPECIES: "Click to sort by strongest evidence first",
            COL_EVIDENCE: "Click to sort by strongest evidence first",
            COL_YEAR: "Click to sort newest first; click again for oldest first"}
NOT_SORTABLE = "This column does not sort: sort by relevance, evidence or year"


def sort_for_column(column: int, current: str) -> str | None:
    """The sort a click on ``column``'s header chooses, given the ``current`` one (None: the column does not
    sort)."""
    choices = COLUMN_SORTS.get(column)
    if not choices:
        return None
    if current in choices:  # clicked again: the next order of the same column (year: newest <-> oldest)
        return choices[(choices.index(current) + 1) % len(choices)]
    return choices[0]


def header_tooltip(column: int) -> str:
    return TOOLTIPS.get(column, NOT_SORTABLE)


class HeaderSorting(QObject):
    """Connects the results table's header to the search bar's sort box."""

    def __init__(self, table, bar, parent=None):
        super().__init__(parent or table)
        self.table, self.bar = table, bar
        header = table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self.sort_by)
        bar.sortChanged.connect(self.show_indicator)
        bar.sortSet.connect(self.show_indicator)
        self.show_indicator()

    def sort_by(self, column: int) -> None:
        wanted = sort_for_column(column, self.bar.sort())
        if wanted is not None and wanted != self.bar.sort():
            self.bar.choose_sort(wanted)  # runs the search through the sort box
        self.show_indicator()  # a click on a column that does not sort keeps the indicator where it was

    def sort_by_current_column(self) -> None:
        index = self.table.currentIndex()
        self.sort_by(index.column() if index.isValid() else COL_TEXT)

    def show_indicator(self) -> None:
        column, order = INDICATOR.get(self.bar.sort(), INDICATOR["relevance"])
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)
