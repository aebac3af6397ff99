"""The vocabulary editor's tree: a thin Qt model over the plain concept rows ``Library.concepts(facet)`` returns.

``ConceptTreeModel`` holds :class:`ConceptNode` objects built from one facet's rows (parents before children,
as the facade lists them); column 0 is the label, column 1 the number of findings coded with the concept
and column 2 the findings coded with it or a narrower concept (as the facet panel counts);
the tooltip adds the synonyms. ``set_filter(text)`` keeps the concepts
whose label or a synonym contains the text (case and accents folded as look-ups fold them) and their ancestors.
A concept with several parents (the vocabulary is a poly-hierarchy) has a node under each of them; its first
node (:meth:`ConceptTreeModel.index_of`) is the one under its primary parent.

Dragging a concept onto another asks to move it there from the place it was dragged from, dropping it on the
empty area below the tree asks to take it to the top level: the model only emits
``moveRequested(concept id, new parent id or "", parent id it was dragged from or "")``; the editor runs the
change through the Library (which refuses cycles) and then gives the model fresh rows. Nothing here writes or
reads the library.
"""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QModelIndex, Qt, Signal

from vkref.core.text import fold
from vkref.ui.models import plain_tooltip
from vkref.ui.tree_model import NodeTreeModel

MIME = "application/x-vkref-concept"
ID_ROLE = Qt.ItemDataRole.UserRole + 20


class ConceptNode:
    __slots__ = ("info", "parent", "children")

    def __init__(self, info, parent: "ConceptNode | None"):
        self.info, self.parent = info, parent
        self.children: list[ConceptNode] = []

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent else 0


def _parents(info) -> list[str]:
    return list(getattr(info, "parents", None) or ([info.parent] if info.parent else []))


def _matches(info, key: str) -> bool:
    return any(key in fold(name) for name in (info.label, *info.synonyms, info.id))


class ConceptTreeModel(NodeTreeModel):
    moveRequested = Signal(str, str, str)  # concept id, new parent id ("" = top level), old parent id (or "")
    HEADERS = ("Concept", "Findings", "With narrower")
    COLUMNS = len(HEADERS)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list = []
        self._filter = ""
        self._root = ConceptNode(None, None)
        self._by_id: dict[str, ConceptNode] = {}

    # ------------------------------------------------------------------ content
    def set_rows(self, rows: list) -> None:
        """One facet's concepts (``ConceptInfo`` objects, parents first)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._build()
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        self.beginResetModel()
        self._filter = fold(" ".join(text.split()))
        self._build()
        self.endResetModel()

    def _build(self) -> None:
        by_id = {r.id: r for r in self._rows}
        shown = self._shown(by_id)
        self._root = ConceptNode(None, None)
        self._by_id = {}
        children: dict[str, list] = {}
        for info in self._rows:
            for pid in _parents(info):
                children.setdefault(pid, []).append(info)
        for info in self._rows:
            if info.id in shown and not any(p in by_id for p in _parents(info)):
                self._place(info, self._root, children, shown, set())

    def _place(self, info, parent: ConceptNode, children: dict, shown: set, path: set) -> None:
        node = ConceptNode(info, parent)
        parent.children.append(node)
        primary = parent.info is None or parent.info.id == info.parent
        if primary or info.id not in self._by_id:
            self._by_id[info.id] = node
        for child in children.get(info.id, ()):
            if child.id in shown and child.id not in path:  # a cycle cannot be stored; never loop on one
                self._place(child, node, children, shown, path | {info.id})

    def _shown(self, by_id: dict) -> set[str]:
        if not self._filter:
            return set(by_id)
        shown: set[str] = set()
        stack = [info for info in self._rows if _matches(info, self._filter)]
        while stack:  # a match and all its ancestors along every path
            info = stack.pop()
            if info.id not in shown:
                shown.add(info.id)
                stack.extend(by_id[p] for p in _parents(info) if p in by_id)
        return shown

    def first_match(self) -> str | None:
        """The first concept (in tree order) the filter matches itself, not as an ancestor of a match."""
        return next((r.id for r in self._rows if not self._filter or _matches(r, self._filter)), None)

    def info(self, index: QModelIndex):
        node = self.node(index)
        return node.info if node is not None else None

    def index_of(self, concept_id: str, column: int = 0) -> QModelIndex:
        node = self._by_id.get(concept_id)
        return self.createIndex(node.row(), column, node) if node else QModelIndex()

    def rows(self) -> list:
        return list(self._rows)

    # ------------------------------------------------------------------ Qt model API (index arithmetic: NodeTreeModel)
    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        node = self.node(index)
        if node is None:
            return None
        info, col = node.info, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (info.label, str(info.findings), str(info.findings_with_narrower))[col]
        if role == ID_ROLE:
            return info.id
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(_tooltip(info))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (f"{info.label}, {info.findings} findings", f"{info.findings} findings",
                    f"{info.findings_with_narrower} findings with narrower concepts")[col]
        return None

    def flags(self, index):
        node = self.node(index)
        if node is None:
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        flags |= Qt.ItemFlag.ItemIsDropEnabled
        if not node.children:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    # ------------------------------------------------------------------ drag and drop (asks, never moves)
    def supportedDropActions(self):
        return Qt.DropAction.MoveAction

    def supportedDragActions(self):
        return Qt.DropAction.MoveAction

    def mimeTypes(self):
        return [MIME]

    def mimeData(self, indexes):
        """The dragged concept's id and the parent of the place it was dragged from ("id\tparent")."""
        places = [self.node(i) for i in indexes if i.isValid()]
        ids = list(dict.fromkeys(f"{n.info.id}\t{n.parent.info.id if n.parent.info else ''}" for n in places))
        data = QMimeData()
        data.setData(MIME, "\n".join(ids).encode("utf-8"))
        return data

    def canDropMimeData(self, data, action, row, column, parent):
        return data is not None and data.hasFormat(MIME) and action == Qt.DropAction.MoveAction

    def dropMimeData(self, data, action, row, column, parent):
        """Ask to move the dragged concept under ``parent`` (the top level when there is none). Returns False:
        the model itself never moves a row, so the view removes nothing."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        first = bytes(data.data(MIME)).decode("utf-8").split("\n")[0]
        cid, _tab, source = first.partition("\t")
        target = self.data(parent.siblingAtColumn(0), ID_ROLE) if parent.isValid() else ""
        if cid and cid != target and target != source:
            self.moveRequested.emit(cid, target or "", source)
        return False


def _tooltip(info) -> str:
    lines = [f"{info.label} ({info.id})",
             f"Coded on {info.findings} findings; {info.findings_with_narrower} with its narrower concepts"]
    if info.reviews:
        lines.append(f"Coded on {info.reviews} reviews")
    if len(_parents(info)) > 1:
        lines.append(f"Under {len(_parents(info))} broader concepts: " + ", ".join(_parents(info)))
    if info.synonyms:
        lines.append("Synonyms: " + "; ".join(info.synonyms))
    return "\n".join(lines)
