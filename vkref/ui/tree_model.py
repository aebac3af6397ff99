"""The index arithmetic of a Qt tree model over Python nodes, written once for the facet and vocabulary trees.

A node has ``children`` (a list), ``parent`` (a node, the root's children point at the root) and ``row()`` (its
place among its parent's children); the model keeps the invisible root in ``_root`` and says how many columns it
shows in ``COLUMNS``. Every index points at its node (``internalPointer``); ``node(index)`` gives it back.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex


class NodeTreeModel(QAbstractItemModel):
    COLUMNS = 1
    _root = None

    def node(self, index: QModelIndex):
        return index.internalPointer() if index.isValid() else None

    def index(self, row, column, parent=QModelIndex()):
        node = self.node(parent) if parent.isValid() else self._root
        if node is None or not (0 <= row < len(node.children)) or not (0 <= column < self.COLUMNS):
            return QModelIndex()
        return self.createIndex(row, column, node.children[row])

    def parent(self, index=QModelIndex()):
        node = self.node(index)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row(), 0, node.parent)

    def rowCount(self, parent=QModelIndex()):
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self.node(parent) if parent.isValid() else self._root
        return len(node.children) if node else 0

    def columnCount(self, parent=QModelIndex()):
        return self.COLUMNS
