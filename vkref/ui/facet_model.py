"""The facet tree: one group per facet, its values (a tree for hierarchical vocabularies) with live counts.

``FacetModel`` has a fixed structure built from the vocabulary (values of the review and year facets are
added as searches report them; :meth:`FacetModel.set_vocabulary` rebuilds it after a vocabulary edit; a concept
with several parents is shown under each of them, all its places with the same count and check state); each
search only updates counts. ``FacetProxy`` hides values with no hits
(unless active), keeps long facets short until "Show all" is chosen, and orders values by count.
The check state of a value mirrors the shared :class:`~vkref.ui.filters.Filters`: checked = included; an
excluded value is unchecked and drawn struck out. The counts are the facade's (each facet counted with every
filter but its own, hierarchical values rolled up).
"""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFont

from vkref.ui import qtcompat
from vkref.ui.filters import FACET_TITLES, PANEL_ORDER, Filters, value_title
from vkref.ui.models import plain_tooltip
from vkref.ui.tree_model import NodeTreeModel

SHORT_LIMIT = 8
FIXED_ORDER = ("species", "direction", "evidence", "kind")  # meaningful vocabulary order, not by count
NODE_ROLE = Qt.ItemDataRole.UserRole + 10
COUNT_ROLE = Qt.ItemDataRole.UserRole + 11


class Node:
    __slots__ = ("kind", "facet", "label", "parent", "children", "count", "top", "order")

    def __init__(self, kind: str, facet: str, label: str = "", parent: "Node | None" = None, order: int = 0):
        self.kind, self.facet, self.label, self.parent = kind, facet, label, parent  # kind: facet|value|more
        self.children: list[Node] = []
        self.count = 0
        self.top = True  # among the first SHORT_LIMIT values of its facet
        self.order = order

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent else 0


class FacetModel(NodeTreeModel):
    COLUMNS = 2
    filtersChanged = Signal()

    def __init__(self, vocabulary, filters: Filters, parent=None):
        qtcompat.apply()
        super().__init__(parent)
        self.filters = filters
        self.show_all: set[str] = set()
        self._build(vocabulary)

    def set_vocabulary(self, vocabulary) -> None:
        """Rebuild the structure after the vocabulary was edited (counts come with the next search)."""
        self.beginResetModel()
        self._build(vocabulary)
        self.endResetModel()

    def _build(self, vocabulary) -> None:
        self._root = Node("root", "")
        self._by_label: dict[tuple[str, str], Node] = {}  # the first place of a value
        self._values: list[Node] = []  # every place: a concept with two parents is shown under each
        for facet in PANEL_ORDER:
            group = Node("facet", facet, FACET_TITLES[facet], self._root, len(self._root.children))
            self._root.children.append(group)
            if facet == "kind":
                for label in ("finding", "review", "passage"):
                    self._add(group, facet, label)
            elif facet not in ("review", "year"):
                self._add_concepts(vocabulary, group, facet)
            group.children.append(Node("more", facet, "", group, 10**6))

    def _add(self, parent: Node, facet: str, label: str) -> Node:
        node = Node("value", facet, label, parent, len(parent.children))
        parent.children.insert(len([c for c in parent.children if c.kind != "more"]), node)
        self._by_label.setdefault((facet, label), node)
        self._values.append(node)
        return node

    def _add_concepts(self, vocabulary, group: Node, facet: str) -> None:
        concepts = vocabulary.in_facet(facet)
        ids = {c.id for c in concepts}

        def add(parent: Node, concept) -> None:
            node = self._add(parent, facet, concept.label)
            for child in vocabulary.children(concept.id):
                add(node, vocabulary[child])

        for c in concepts:
            if not any(p in ids for p in c.parents):
                add(group, c)

    # ------------------------------------------------------------------ updates
    def update_counts(self, facets: dict[str, dict[str, int]]) -> None:
        """Take the counts of a new search page (``page.facets``)."""
        for facet in ("review", "year"):
            group = self._group(facet)
            for label in facets.get(facet, {}):
                if (facet, label) not in self._by_label:
                    pos = len(group.children) - 1
                    self.beginInsertRows(self.createIndex(group.row(), 0, group), pos, pos)
                    self._add(group, facet, label)
                    self.endInsertRows()
        for node in self._values:
            node.count = facets.get(node.facet, {}).get(node.label, 0)
        self._mark_top()
        self._changed_everywhere()

    def _mark_top(self) -> None:
        for group in self._root.children:
            values = [c for c in group.children if c.kind == "value"]
            ranked = sorted(values, key=lambda n: sort_key(n))
            live = [n for n in ranked if n.count or self.filters.state(n.facet, n.label)]
            for rank, node in enumerate(ranked):
                node.top = node in live[:SHORT_LIMIT] or bool(self.filters.state(node.facet, node.label))
            more = group.children[-1]
            more.count = max(0, len(live) - SHORT_LIMIT)

    def refresh_states(self) -> None:
        """The shared filters changed elsewhere (chips, detail links): redraw check states."""
        self._mark_top()
        self._changed_everywhere()

    def toggle_show_all(self, facet: str) -> None:
        self.show_all.symmetric_difference_update({facet})
        self._changed_everywhere()

    def set_state(self, index: QModelIndex, state: str | None) -> None:
        node = self.node(index)
        if node is not None and node.kind == "value":
            self.filters.set(node.facet, node.label, state)
            self.refresh_states()
            self.filtersChanged.emit()

    def _changed_everywhere(self) -> None:
        """Counts and states changed, structure did not: one layout change instead of a signal per value
        (a proxy re-filters and re-sorts on it; views repaint)."""
        self.layoutAboutToBeChanged.emit()
        self.layoutChanged.emit()

    def _group(self, facet: str) -> Node:
        return next(g for g in self._root.children if g.facet == facet)

    def index_of(self, facet: str, label: str) -> QModelIndex:
        node = self._by_label.get((facet, label))
        return self.createIndex(node.row(), 0, node) if node else QModelIndex()

    def places(self, facet: str, label: str) -> list[QModelIndex]:
        """Every place of a value: a concept with several parents has one under each."""
        return [self.createIndex(n.row(), 0, n) for n in self._values if (n.facet, n.label) == (facet, label)]

    def group_index(self, facet: str) -> QModelIndex:
        group = self._group(facet)
        return self.createIndex(group.row(), 0, group)

    # ------------------------------------------------------------------ Qt model API (index arithmetic: NodeTreeModel)
    def flags(self, index):
        node = self.node(index)
        if node is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if node.kind == "value" and index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if not node.children:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and section in (0, 1):
            return ("Filter", "Count")[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        node = self.node(index)
        if node is None:
            return None
        if role == NODE_ROLE:
            return node
        if role == COUNT_ROLE:
            return node.count
        state = self.filters.state(node.facet, node.label) if node.kind == "value" else None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(node, col)
        if role == Qt.ItemDataRole.CheckStateRole and node.kind == "value" and col == 0:
            return Qt.CheckState.Checked if state == "include" else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            if node.kind == "facet":
                font.setBold(True)
            elif state == "exclude":
                font.setStrikeOut(True)
            elif node.kind == "more":
                font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and node.kind == "value":
            extra = " — excluded" if state == "exclude" else ""
            return plain_tooltip(f"{value_title(node.facet, node.label)}: {node.count} result(s){extra}\n"
                                 "Click to filter; Ctrl+click or the context menu to exclude")
        if role == Qt.ItemDataRole.AccessibleTextRole and col == 0:
            text = self._display(node, 0)
            return f"{text}, excluded" if state == "exclude" else text
        if role == Qt.ItemDataRole.ForegroundRole and state == "exclude":
            from PySide6.QtGui import QColor

            from vkref.ui.colours import colours
            from vkref.ui.theme import is_dark

            return QColor(colours(is_dark())["error"])
        return None

    def _display(self, node: Node, col: int) -> str:
        if node.kind == "facet":
            n = sum(1 for _ in self._active(node.facet))
            return node.label if col == 0 else (f"{n} active" if n else "")
        if node.kind == "more":
            if col == 1:
                return ""
            return "Show fewer" if node.facet in self.show_all else f"Show {node.count} more…"
        if col == 1:
            return str(node.count)
        return ("not " if self.filters.state(node.facet, node.label) == "exclude" else "") + \
            value_title(node.facet, node.label)

    def _active(self, facet: str):
        yield from self.filters.include.get(facet, ())
        yield from self.filters.exclude.get(facet, ())

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        node = self.node(index)
        if node is None or node.kind != "value" or role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        self.filters.set(node.facet, node.label, "include" if checked else None)
        self.refresh_states()
        self.filtersChanged.emit()
        return True


def sort_key(node: Node):
    """How values are ordered in the panel: fixed order for small facets, else count then label."""
    if node.kind == "more":
        return (2, 0, "")
    if node.facet in FIXED_ORDER or node.kind == "facet":
        return (0, node.order, "")
    if node.facet == "year":
        return (0, -int(node.label) if node.label.isdigit() else 0, node.label)
    return (0, -node.count, node.label.lower())


class FacetProxy(QSortFilterProxyModel):
    """Hides empty values and the tail of long facets; orders values (see :func:`sort_key`)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDynamicSortFilter(True)
        self.setRecursiveFilteringEnabled(False)

    def filterAcceptsRow(self, source_row, source_parent):
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        node = model.node(index)
        if node is None or node.kind == "facet":
            return True
        if node.kind == "more":
            return node.count > 0 or node.facet in model.show_all
        active = model.filters.state(node.facet, node.label) is not None
        if not (node.count or active):
            return False
        is_top_level = node.parent is not None and node.parent.kind == "facet"
        return not is_top_level or node.top or node.facet in model.show_all

    def lessThan(self, left, right):
        model = self.sourceModel()
        return sort_key(model.node(left)) < sort_key(model.node(right))

    def refilter(self) -> None:
        self.beginFilterChange()
        self.endFilterChange()
