"""The results table: a thin ``QAbstractTableModel`` over the result keys of one search page.

It holds only keys; a row's details are built on first display (``rows.build_row`` through the facade) and
cached. Rows are exposed in batches through ``canFetchMore``/``fetchMore`` so thousands of results scroll
smoothly. Sorting is done by the search itself (relevance / year), never by the model.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from vkref.ui import qtcompat
from vkref.ui.rows import Row, missing_row

BATCH = 200
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS = (  # (title, attribute or facet)
    ("Type", "kind"), ("Finding / review", "text"), ("Species", "species"), ("Population", "population"),
    ("Agents", "agent"), ("Outcome", "outcome"), ("Direction", "direction"), ("Evidence", "evidence"),
    ("Year", "year"), ("Source", "source"),
)
COL_TEXT, COL_DIRECTION, COL_YEAR = 1, 6, 8


class ResultsModel(QAbstractTableModel):
    def __init__(self, fetch=None, parent=None):
        """``fetch(key) -> Row`` builds a row on demand (``rows.build_row`` bound to the library)."""
        qtcompat.apply()
        super().__init__(parent)
        self._fetch = fetch or missing_row
        self._keys: list[str] = []
        self._loaded = 0
        self._cache: dict[str, Row] = {}

    # ------------------------------------------------------------------ content
    def set_results(self, keys: list[str], rows: dict[str, Row] | None = None) -> None:
        self.beginResetModel()
        self._keys = list(keys)
        self._loaded = min(BATCH, len(self._keys))
        self._cache = {k: r for k, r in (rows or {}).items()}
        self.endResetModel()

    def clear_cache(self) -> None:
        """Forget fetched rows (after the library changed); they are fetched again when shown."""
        self._cache.clear()
        if self._loaded:
            self.dataChanged.emit(self.index(0, 0), self.index(self._loaded - 1, len(COLUMNS) - 1))

    def keys(self) -> list[str]:
        return list(self._keys)

    def total(self) -> int:
        return len(self._keys)

    def row_of(self, key: str) -> int:
        """The row of ``key`` (loading more rows if needed), or -1."""
        try:
            row = self._keys.index(key)
        except ValueError:
            return -1
        while row >= self._loaded:
            self.fetchMore(QModelIndex())
        return row

    def row_data(self, row: int) -> Row:
        key = self._keys[row]
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._fetch(key)
        return cached

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._loaded

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and self._loaded < len(self._keys)

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid() or self._loaded >= len(self._keys):
            return
        more = min(BATCH, len(self._keys) - self._loaded)
        self.beginInsertRows(QModelIndex(), self._loaded, self._loaded + more - 1)
        self._loaded += more
        self.endInsertRows()

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][0]
            if role == Qt.ItemDataRole.ToolTipRole and section == COL_YEAR:
                return "Sort by year with the Sort menu or the sort box above the table"
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and section >= 0:
            return str(section + 1)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < self._loaded) or not (0 <= index.column() < len(COLUMNS)):
            return None
        if role == KEY_ROLE:
            return self._keys[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, ROW_ROLE,
                        Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = Qt.AlignmentFlag.AlignVCenter
            return int(align | (Qt.AlignmentFlag.AlignRight if index.column() == COL_YEAR else Qt.AlignmentFlag.AlignLeft))
        row = self.row_data(index.row())
        if role == ROW_ROLE:
            return row
        text = self._cell(row, COLUMNS[index.column()][1])
        if role == Qt.ItemDataRole.ToolTipRole:
            return text if len(text) > 40 else None
        return text

    @staticmethod
    def _cell(row: Row, attr: str) -> str:
        if attr == "kind":
            return row.kind.capitalize()
        if attr == "text":
            return row.text
        if attr == "year":
            return str(row.year) if row.year else "n.d."
        if attr == "source":
            return row.source
        return row.labels(attr)


def persistent(index) -> QPersistentModelIndex:
    return QPersistentModelIndex(index)
