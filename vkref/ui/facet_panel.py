"""The facet panel (tree of facet values with counts, year range) and the bar of active-filter chips.

Mouse: click a value (its box, text or count) to include it, again to remove it;
Ctrl+click (or Alt+click) a value to exclude it; right-click
for a menu. Keyboard: Space includes, the minus key excludes, Enter expands "Show more".
Both widgets edit the shared :class:`Filters` and emit ``filtersChanged``; the main window runs the search.
"""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QMenu, QSpinBox,
                               QToolButton, QTreeView, QVBoxLayout, QWidget, QSizePolicy)

from vkref.ui.delegates import EXCLUDE_MODIFIERS, FacetDelegate
from vkref.ui.facet_model import FacetModel, FacetProxy
from vkref.ui.filters import FACET_TITLES, Filters, value_title
from vkref.ui.flow import FlowLayout


class FacetTree(QTreeView):
    excludeRequested = Signal(QModelIndex)  # a proxy index
    activated_more = Signal(QModelIndex)

    def mousePressEvent(self, event):
        index = self.indexAt(event.position().toPoint())
        node = index.data(Qt.ItemDataRole.UserRole + 10) if index.isValid() else None
        if node is not None and event.button() == Qt.MouseButton.LeftButton:
            if node.kind == "value" and event.modifiers() & EXCLUDE_MODIFIERS:
                self.setCurrentIndex(index)
                self.excludeRequested.emit(index)
                return
            if node.kind == "more":
                self.setCurrentIndex(index)
                self.activated_more.emit(index)
                return
        super().mousePressEvent(event)

    def keyPressEvent(self, event):
        index = self.currentIndex()
        node = index.data(Qt.ItemDataRole.UserRole + 10) if index.isValid() else None
        if node is not None and node.kind == "value" and event.key() == Qt.Key.Key_Minus:
            self.excludeRequested.emit(index)
            return
        if node is not None and node.kind == "more" and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter,
                                                                         Qt.Key.Key_Space):
            self.activated_more.emit(index)
            return
        if node is not None and node.kind == "value" and index.column() != 0 and event.key() == Qt.Key.Key_Space:
            self.setCurrentIndex(index.siblingAtColumn(0))
        super().keyPressEvent(event)


class FacetPanel(QWidget):
    filtersChanged = Signal()

    def __init__(self, vocabulary, filters: Filters, parent=None):
        super().__init__(parent)
        self.filters = filters
        self.model = FacetModel(vocabulary, filters, self)
        self.proxy = FacetProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.sort(0, Qt.SortOrder.AscendingOrder)
        self.tree = FacetTree(self)
        self._setup_tree()
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.excludeRequested.connect(self._toggle_exclude)
        self.tree.activated_more.connect(self._more)
        self.model.filtersChanged.connect(self._changed)
        for facet in ("species", "evidence", "direction"):
            self.tree.expand(self.proxy.mapFromSource(self.model.group_index(facet)))
        self._arrange()

    def _setup_tree(self) -> None:
        self.tree.setModel(self.proxy)
        self.tree.setObjectName("facetTree")
        self.tree.setAccessibleName("Filters")
        self.tree.setAccessibleDescription("Facet values with result counts. Space filters, minus excludes.")
        self.tree.setItemDelegate(FacetDelegate(self.tree))
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.setAnimated(False)
        self.tree.setIndentation(14)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

    def _arrange(self) -> None:
        title = QLabel("Filters")
        title.setObjectName("panelTitle")
        self.year_from = self._year_box("From year")
        self.year_to = self._year_box("To year")
        years = QHBoxLayout()
        years.setContentsMargins(0, 0, 0, 0)
        years.addWidget(QLabel("Years"))
        years.addWidget(self.year_from, 1)
        years.addWidget(QLabel("–"))
        years.addWidget(self.year_to, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.addWidget(title)
        layout.addWidget(self.tree, 1)
        layout.addLayout(years)

    def _year_box(self, name: str) -> QSpinBox:
        box = QSpinBox(self)
        box.setRange(1899, 2100)
        box.setSpecialValueText("any")
        box.setValue(1899)
        box.setAccessibleName(name)
        box.setKeyboardTracking(False)
        box.valueChanged.connect(self._years_changed)
        return box

    def _years_changed(self) -> None:
        lo, hi = self.year_from.value(), self.year_to.value()
        self.filters.year_from = None if lo == self.year_from.minimum() else lo
        self.filters.year_to = None if hi == self.year_to.minimum() else hi
        self.filtersChanged.emit()

    def sync_years(self) -> None:
        """Show the shared filters' year range (after "clear all" or a chip removal)."""
        for box, value in ((self.year_from, self.filters.year_from), (self.year_to, self.filters.year_to)):
            box.blockSignals(True)
            box.setValue(value if value is not None else box.minimum())
            box.blockSignals(False)

    def update_counts(self, facets: dict) -> None:
        self.model.update_counts(facets)

    def set_vocabulary(self, vocabulary) -> None:
        """The vocabulary was edited: rebuild the tree, keeping which facets are open."""
        def index(facet):
            return self.proxy.mapFromSource(self.model.group_index(facet))

        groups = [f for f in FACET_TITLES if self.tree.isExpanded(index(f))]
        self.model.set_vocabulary(vocabulary)
        for facet in groups:
            self.tree.expand(index(facet))

    def refresh(self) -> None:
        self.model.refresh_states()
        self.sync_years()

    def _changed(self) -> None:
        self.filtersChanged.emit()

    def _source(self, proxy_index: QModelIndex) -> QModelIndex:
        return self.proxy.mapToSource(proxy_index.siblingAtColumn(0))

    def _toggle_exclude(self, proxy_index: QModelIndex) -> None:
        node = self.model.node(self._source(proxy_index))
        state = self.filters.state(node.facet, node.label)
        self.model.set_state(self._source(proxy_index), None if state == "exclude" else "exclude")

    def _more(self, proxy_index: QModelIndex) -> None:
        node = self.model.node(self._source(proxy_index))
        self.model.toggle_show_all(node.facet)
        group = self.proxy.mapFromSource(self.model.group_index(node.facet))
        more = self.proxy.index(self.proxy.rowCount(group) - 1, 0, group)
        self.tree.selectionModel().setCurrentIndex(more, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.tree.scrollTo(more)

    def _menu(self, pos) -> None:
        index = self.tree.indexAt(pos)
        if not index.isValid():
            index = self.tree.currentIndex()
        node = self.model.node(self._source(index)) if index.isValid() else None
        if node is None or node.kind != "value":
            return
        state = self.filters.state(node.facet, node.label)
        title = value_title(node.facet, node.label)
        menu = QMenu(self)
        for text, target in ((f"Only show “{title}”", "include"), (f"Exclude “{title}”", "exclude"),
                             ("Remove this filter", None)):
            action = QAction(text, menu)
            action.setEnabled(state != target)
            action.triggered.connect(lambda _=False, t=target: self.model.set_state(self._source(index), t))
            menu.addAction(action)
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def focus_facet(self, facet: str) -> None:
        index = self.proxy.mapFromSource(self.model.group_index(facet))
        self.tree.expand(index)
        self.tree.setCurrentIndex(index)
        self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)


class ChipBar(QWidget):
    """The active filters as removable chips, plus "Clear all"."""

    removeRequested = Signal(str, str)  # facet, label ("" label for the year range)
    clearRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("chipBar")
        self._layout = FlowLayout(self, margin=0, spacing=6)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def set_filters(self, filters: Filters) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        chips = filters.chips()
        for facet, label, excluded in chips:
            prefix = "not " if excluded else ""  # said in words; the chip is not also struck out
            self._add_chip(f"{FACET_TITLES[facet]}: {prefix}{value_title(facet, label)}", facet, label, excluded)
        if filters.year_from is not None or filters.year_to is not None:
            span = f"{filters.year_from or '…'}–{filters.year_to or '…'}"
            self._add_chip(f"Years: {span}", "year-range", "", False)
        if chips or filters.year_from is not None or filters.year_to is not None:
            clear = QToolButton(self)
            clear.setText("Clear all")
            clear.setObjectName("clearAll")
            clear.setAccessibleName("Clear all filters")
            clear.setAutoRaise(True)
            clear.clicked.connect(self.clearRequested)
            self._layout.addWidget(clear)
        self.setVisible(self._layout.count() > 0)
        self.updateGeometry()

    def _add_chip(self, text: str, facet: str, label: str, excluded: bool) -> None:
        chip = QToolButton(self)
        chip.setText(f"{text}  ✕")
        chip.setObjectName("chipExcluded" if excluded else "chip")
        chip.setProperty("excluded", excluded)
        chip.setToolTip("Remove this filter")
        chip.setAccessibleName(f"Remove filter {text}")
        chip.setCursor(Qt.CursorShape.PointingHandCursor)
        chip.clicked.connect(lambda _=False: self.removeRequested.emit(facet, label))
        self._layout.addWidget(chip)

    def chip_buttons(self) -> list[QToolButton]:
        return [self._layout.itemAt(i).widget() for i in range(self._layout.count())
                if self._layout.itemAt(i).widget().objectName().startswith("chip")]

