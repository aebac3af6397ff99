"""The Matrix tab: findings counted by two facets over the current search (``Library.matrix``).

:class:`MatrixView` holds the axis choosers, the caption, the scrollable :class:`~vkref.ui.matrix_grid.MatrixGrid`
and Export. The matrix is recomputed when a search result arrives, off the GUI thread
(:func:`~vkref.ui.view_job.run_job`), and only while the tab is shown (a hidden view is marked stale and catches up
when shown); a matrix that is not for the newest request is dropped. A click on a cell makes its two values the
filters of their facets (chips) and shows the Results tab; a click on a row or column header filters by that one
value. Export writes HTML or SVG (the library's renderers), PNG (the grid painted on a QImage under its caption)
or the matrix JSON.
"""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QAction, QFontMetrics, QImage, QPainter, QPalette
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QMenu, QScrollArea, QToolButton,
                               QVBoxLayout, QWidget)

from vkref.core.errors import UsageError
from vkref.library import evidence
from vkref.ui.filters import FACET_TITLES
from vkref.ui.matrix_grid import MatrixGrid
from vkref.ui.export_picker import ExportPicker
from vkref.ui.view_job import run_job

AXES = evidence.AXIS_FACETS
EXPORT_SUFFIXES = (".html", ".svg", ".png", ".json")


def apply_filters(window, pairs: list[tuple[str, str]]) -> None:
    """Make each (facet, value) the one included value of its facet, then search once and show the results."""
    for facet, value in pairs:
        for old in list(window.filters.include.get(facet, [])):
            window.filters.set(facet, old, None)
        window.filters.set(facet, value, "include")
    window.facets.refresh()
    window.filters_changed()


class MatrixView(ExportPicker, QWidget):
    """Axis choosers, caption, the scrollable grid and Export. ``matrixShown(generation)`` after a new matrix
    is on screen; ``failed`` text is shown in the caption."""
    EXPORT_PICKER, EXPORT_TITLE = "matrixExportPicker", "Export the matrix"
    EXPORT_STEM, EXPORTED = "evidence-matrix", "Matrix"

    matrixShown = Signal(int)

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window = window
        self.library = window.library
        self.matrix = None
        self.request = None
        self.stale = True
        self._generation = 0
        self.rows_box, self.cols_box = QComboBox(self), QComboBox(self)
        self._set_up_axis_boxes()
        self.export_button = self._export_button()
        self.caption = QLabel(self, objectName="matrixCaption", wordWrap=True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.grid = MatrixGrid(self)
        self.grid.cellClicked.connect(self._cell_clicked)
        self.grid.headerClicked.connect(self._header_clicked)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.grid)
        self.scroll.setWidgetResizable(False)
        self._arrange()
        self.dialog = None

    def _set_up_axis_boxes(self) -> None:
        for box, name, default in ((self.rows_box, "matrixRows", "agent"), (self.cols_box, "matrixCols", "outcome")):
            box.setObjectName(name)
            for facet in AXES:
                box.addItem(FACET_TITLES.get(facet, facet.title()), facet)
            box.setCurrentIndex(AXES.index(default))
            box.currentIndexChanged.connect(self._axes_changed)
        self.rows_box.setAccessibleName("Matrix rows")
        self.cols_box.setAccessibleName("Matrix columns")

    def _export_button(self) -> QToolButton:
        button = QToolButton(self, text="Export…", objectName="matrixExport")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        for label, suffix in (("HTML page…", ".html"), ("SVG image…", ".svg"), ("PNG image…", ".png"),
                              ("JSON data…", ".json")):
            action = QAction(label, menu)
            action.triggered.connect(lambda _=False, s=suffix: self.choose_file(s))
            menu.addAction(action)
        button.setMenu(menu)
        return button

    def _arrange(self) -> None:
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        for widget in (QLabel("Rows:", self), self.rows_box, QLabel("Columns:", self), self.cols_box):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.export_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 0)
        column.addLayout(top)
        column.addWidget(self.caption)
        column.addWidget(self.scroll, 1)

    # ------------------------------------------------------------------ computing
    def axes(self) -> tuple[str, str]:
        return self.rows_box.currentData(), self.cols_box.currentData()

    def set_axes(self, rows: str, cols: str) -> None:
        for box, facet in ((self.rows_box, rows), (self.cols_box, cols)):
            box.blockSignals(True)
            box.setCurrentIndex(AXES.index(facet))
            box.blockSignals(False)
        self._axes_changed()

    def _axes_changed(self) -> None:
        rows, cols = self.axes()
        if rows == cols:  # keep two different facets: move the other box off the chosen one
            other = self.cols_box if self.sender() is self.rows_box else self.rows_box
            other.blockSignals(True)
            other.setCurrentIndex(next(i for i, f in enumerate(AXES) if f != rows))
            other.blockSignals(False)
        self.grid.collapsed = {"rows": set(), "cols": set()}
        self.refresh()

    def result_arrived(self, request) -> None:
        self.request = request
        self.stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> int:
        """Compute the matrix of the current request off the GUI thread; returns the job's generation."""
        if self.request is None:
            return self._generation
        self.stale = False
        self._generation += 1
        generation, (rows, cols), req = self._generation, self.axes(), self.request
        filters, lib = dict(req.filters), self.library
        run_job(self, lambda: lib.matrix(req.query, rows, cols, filters, req.exclude, req.year_from, req.year_to),
                lambda m: self._show(generation, m), lambda message: self._fail(generation, message))
        return generation

    def _show(self, generation: int, m) -> None:
        if generation != self._generation:
            return  # a newer request is on its way
        self.matrix = m
        self.grid.set_matrix(m)
        self.caption.setText(evidence.caption_line(m.caption()) + (
            "" if m.cells else " · no finding matches: nothing to count"))
        self.matrixShown.emit(generation)

    def _fail(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.caption.setText(message)
            self.matrixShown.emit(generation)

    def showEvent(self, event):
        super().showEvent(event)
        if self.stale:
            self.refresh()

    # ------------------------------------------------------------------ clicks
    def _cell_clicked(self, row: str, col: str) -> None:
        m = self.matrix
        apply_filters(self.window, [(m.rows.facet, row), (m.cols.facet, col)])
        self.window.evidence.show_results()

    def _header_clicked(self, axis: str, value: str) -> None:
        facet = (self.matrix.rows if axis == "rows" else self.matrix.cols).facet
        apply_filters(self.window, [(facet, value)])
        self.window.evidence.show_results()

    # ------------------------------------------------------------------ export
    def export_to(self, path: str) -> Path:
        """Write the shown matrix to ``path`` as its suffix says: .html, .svg, .png or .json."""
        target = Path(path)
        suffix = target.suffix.lower()
        if self.matrix is None:
            raise UsageError("no matrix to export yet")
        if suffix not in EXPORT_SUFFIXES:
            raise UsageError(f"{target.name}: the file name must end with {', '.join(EXPORT_SUFFIXES)}")
        if suffix == ".png":
            if not self.image().save(str(target), "PNG"):
                raise OSError(f"could not write {target}")
        elif suffix == ".json":
            target.write_text(json.dumps(self.matrix.to_dict(), ensure_ascii=False, indent=2) + "\n",
                              encoding="utf-8")
        else:
            target.write_text(self.matrix.render(suffix[1:]), encoding="utf-8")
        return target

    def image(self) -> QImage:
        """The whole grid (not just the scrolled part) under its caption, on the current theme's background."""
        caption = evidence.caption_line(self.matrix.caption())
        fm = QFontMetrics(self.grid.font())
        grid = self.grid.sizeHint()
        width = max(grid.width(), 640)
        lines = fm.boundingRect(QRect(0, 0, width - 16, 2000), Qt.TextFlag.TextWordWrap, caption).height()
        top = lines + 16
        image = QImage(width, grid.height() + top, QImage.Format.Format_ARGB32)
        image.fill(self.grid.palette().color(QPalette.ColorRole.Base))
        p = QPainter(image)
        try:
            p.setFont(self.grid.font())
            p.setPen(self.grid.palette().color(QPalette.ColorRole.Text))
            p.drawText(QRect(8, 8, width - 16, lines), Qt.TextFlag.TextWordWrap, caption)
            p.translate(0, top)
            self.grid.paint(p)
        finally:
            p.end()
        return image
