"""The results table: a thin ``QAbstractTableModel`` over the rows of one search.

It holds every result key of the search (``SearchPage.keys``) and the rows built from the hits delivered so far.
More rows are asked for a page at a time: ``fetchMore`` calls ``request_more(offset)`` once, and the rows arrive
later through :meth:`ResultsModel.add_rows` (from the search worker), so the GUI thread never searches.
Sorting is done by the search itself (relevance / evidence / year, see :mod:`vkref.ui.sorting`), never by
the model.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from vkref.ui import qtcompat
from vkref.ui.rows import Row
from vkref.ui.species import species_icon

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS = (  # (title, attribute or facet)
    ("Type", "kind"), ("Finding / review", "text"), ("Species", "species"), ("Population", "population"),
    ("Agents", "agent"), ("Outcome", "outcome"), ("Direction", "direction"), ("Evidence", "evidence"),
    ("Year", "year"), ("Source", "source"),
)
COL_KIND, COL_TEXT, COL_SPECIES, COL_DIRECTION, COL_YEAR = 0, 1, 2, 6, 8
TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole)


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally: Qt guesses rich text in tooltips, so escape it explicitly."""
    from html import escape

    return f"<p style='white-space:pre-wrap'>{escape(text)}</p>" if text else ""


class ResultsModel(QAbstractTableModel):
    def __init__(self, request_more=None, parent=None):
        """``request_more(offset)`` asks for the rows from ``offset`` on; they come back through ``add_rows``."""
        qtcompat.apply()
        super().__init__(parent)
        self._request_more = request_more
        self._keys: list[str] = []
        self._rows: list[Row] = []
        self._pending = False

    # ------------------------------------------------------------------ content
    def set_results(self, keys: list[str], rows: list[Row]) -> None:
        self.beginResetModel()
        self._keys = list(keys)
        self._rows = list(rows[:len(self._keys)])
        self._pending = False
        self.endResetModel()

    def add_rows(self, offset: int, rows: list[Row]) -> None:
        """The rows from ``offset`` on (an answer to ``request_more``); ignored unless they continue the table."""
        self._pending = False
        rows = rows[:len(self._keys) - len(self._rows)]
        if offset != len(self._rows) or not rows:
            return
        self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
        self._rows += rows
        self.endInsertRows()

    def keys(self) -> list[str]:
        return list(self._keys)

    def total(self) -> int:
        return len(self._keys)

    def row_of(self, key: str) -> int:
        """The table row of ``key`` if it is loaded, else -1."""
        return next((i for i, r in enumerate(self._rows) if r.key == key), -1)

    def row_data(self, row: int) -> Row:
        return self._rows[row]

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and not self._pending and len(self._rows) < len(self._keys) \
            and self._request_more is not None

    def fetchMore(self, parent=QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self._pending = True
            self._request_more(len(self._rows))

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][0]
            if role == Qt.ItemDataRole.ToolTipRole:
                from vkref.ui.sorting import header_tooltip

                return header_tooltip(section)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and section >= 0:
            return str(section + 1)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or \
                not (0 <= index.column() < len(COLUMNS)):
            return None
        row = self._rows[index.row()]
        if role == KEY_ROLE:
            return row.key
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = Qt.AlignmentFlag.AlignRight if index.column() == COL_YEAR else Qt.AlignmentFlag.AlignLeft
            return int(Qt.AlignmentFlag.AlignVCenter | side)
        if role == Qt.ItemDataRole.DecorationRole and index.column() == COL_SPECIES:
            return species_icon(row.facets.get("species", ()))
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == COL_TEXT and row.status \
                and row.status_label != "Corrected":  # a retracted or doubtful source: in the error colour
            from PySide6.QtGui import QColor

            from vkref.ui.colours import colours
            from vkref.ui.theme import is_dark

            return QColor(colours(is_dark())["error"])
        if role not in TEXT_ROLES:
            return None
        text = cell_text(row, COLUMNS[index.column()][1])
        if row.status and index.column() == COL_TEXT:  # the banner goes wherever the record appears
            if role == Qt.ItemDataRole.ToolTipRole:
                return plain_tooltip(f"{row.status}\n\n{text}")
            return f"[{row.status_label}] {text}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(text) if len(text) > 30 else None
        return text


def cell_text(row: Row, attr: str) -> str:
    if attr == "kind":
        return row.kind.capitalize()
    if attr == "text":
        return row.text
    if attr == "year":
        return str(row.year) if row.year else "n.d."
    if attr == "source":
        return row.source
    if attr == "direction" and row.kind == "review":
        return row.direction_counts()
    return row.labels(attr)
