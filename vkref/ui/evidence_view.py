"""The Matrix tab (findings counted by two facets over the current search) and the tabs it sits in.

:class:`EvidenceTabs` wraps the results stack of the main window in a QTabWidget: Results, Matrix, Answer. The
views recompute when a search result arrives, off the GUI thread (:class:`~vkref.ui.operation.Operation`), and
only while they are the current tab (a hidden view is marked stale and catches up when shown); an answer that
is not for the newest request is dropped.

:class:`MatrixGrid` paints the matrix: each non-empty cell a stacked bar of its direction mix (the colour-blind-safe
colours of the file exports, each direction with its own fill pattern and letter in the legend) whose length grows
with the count, and the count as text; an empty cell is a dashed box (a visible gap); the species split is the
tooltip. A parent value (vitamin K2 above MK-4 and MK-7) has a triangle that collapses or expands what is coded
under it; its own counts are already rolled up, as the facets count. A click on a cell makes its two values the
filters of their facets (chips) and shows the Results tab; a click on a row or column header filters by that one
value. Export writes HTML or SVG (the library's renderers), PNG (the grid painted on a QImage under its caption)
or the matrix JSON.
"""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QFontMetrics, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QMenu, QScrollArea, QSizePolicy,
                               QTabWidget, QToolButton, QToolTip, QVBoxLayout, QWidget)

from shiboken6 import isValid

from vkref.core.errors import UsageError
from vkref.library import evidence
from vkref.ui.filters import FACET_TITLES
from vkref.ui.operation import Operation

AXES = evidence.AXIS_FACETS
PATTERNS = {"solid": Qt.BrushStyle.SolidPattern, "hatch": Qt.BrushStyle.BDiagPattern,
            "cross": Qt.BrushStyle.DiagCrossPattern, "dots": Qt.BrushStyle.Dense6Pattern,
            "hatch-back": Qt.BrushStyle.FDiagPattern, "grid": Qt.BrushStyle.CrossPattern}
LABEL_W, HEAD_H, CELL_W, CELL_H, LEGEND_H, TOGGLE_W = 250, 124, 62, 38, 30, 16
EXPORT_SUFFIXES = (".html", ".svg", ".png", ".json")
_LIVE: set = set()  # running jobs, kept here so a view closed meanwhile is never called back


def run_job(view, fn, done, failed) -> None:
    """Run ``fn()`` off the GUI thread; call ``done(result)`` or ``failed(message)`` on the GUI thread, unless
    ``view`` was deleted in the meantime (the job has no Qt parent, so its signals outlive the view)."""
    job = Operation(lambda _progress, _cancelled: fn())
    _LIVE.add(job)

    def finish(callback, value) -> None:
        _LIVE.discard(job)
        job.deleteLater()
        if isValid(view):
            callback(value)

    job.finished.connect(lambda result: finish(done, result))
    job.failed.connect(lambda message, _known: finish(failed, message))
    job.start()


def apply_filters(window, pairs: list[tuple[str, str]]) -> None:
    """Make each (facet, value) the one included value of its facet, then search once and show the results."""
    for facet, value in pairs:
        for old in list(window.filters.include.get(facet, [])):
            window.filters.set(facet, old, None)
        window.filters.set(facet, value, "include")
    window.facets.refresh()
    window.filters_changed()


class MatrixGrid(QWidget):
    """The painted matrix. ``cellClicked(row, col)``, ``headerClicked(axis, value)`` with axis "rows"/"cols"."""

    cellClicked = Signal(str, str)
    headerClicked = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("matrixGrid")
        self.setMouseTracking(True)
        self.setAccessibleName("Evidence matrix")
        self.matrix = None
        self.collapsed: dict[str, set[str]] = {"rows": set(), "cols": set()}
        self._cells: dict[tuple[str, str], object] = {}
        self._rows: list[str] = []
        self._cols: list[str] = []
        self._max = 1
        self._styles: dict = {}
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    # ------------------------------------------------------------------ data and layout
    def set_matrix(self, m) -> None:
        self.matrix = m
        self._cells = {(c.row, c.col): c for c in m.cells}
        self._max = max((c.findings for c in m.cells), default=1)
        self._styles = evidence.direction_styles(list(evidence.DIRECTIONS) + [d for c in m.cells
                                                                              for d in c.direction])
        self._relayout()

    def _parents(self, axis: str) -> dict[str, str | None]:
        return (self.matrix.rows if axis == "rows" else self.matrix.cols).parents

    def _values(self, axis: str) -> list[str]:
        return list((self.matrix.rows if axis == "rows" else self.matrix.cols).values) if self.matrix else []

    def _visible(self, axis: str) -> list[str]:
        parents, hidden = self._parents(axis) if self.matrix else {}, self.collapsed[axis]
        out = []
        for v in self._values(axis):
            p, seen = parents.get(v), set()
            while p and p not in hidden and p not in seen:
                seen.add(p)
                p = parents.get(p)
            if not p:
                out.append(v)
        return out

    def has_children(self, axis: str, value: str) -> bool:
        return value in set(self._parents(axis).values()) if self.matrix else False

    def depth(self, axis: str, value: str) -> int:
        parents, depth, p = self._parents(axis), 0, self._parents(axis).get(value)
        while p and depth < 20:
            depth, p = depth + 1, parents.get(p)
        return depth

    def toggle(self, axis: str, value: str) -> None:
        self.collapsed[axis] ^= {value}
        self._relayout()

    def _relayout(self) -> None:
        self._rows, self._cols = self._visible("rows"), self._visible("cols")
        self.setFixedSize(self.sizeHint())
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(LABEL_W + max(len(self._cols), 1) * CELL_W + 8,
                     LEGEND_H + HEAD_H + max(len(self._rows), 1) * CELL_H + 8)

    def cell_rect(self, row: str, col: str) -> QRect:
        i, j = self._rows.index(row), self._cols.index(col)
        return QRect(LABEL_W + j * CELL_W, LEGEND_H + HEAD_H + i * CELL_H, CELL_W, CELL_H)

    def header_rect(self, axis: str, value: str) -> QRect:
        if axis == "rows":
            i = self._rows.index(value)
            return QRect(0, LEGEND_H + HEAD_H + i * CELL_H, LABEL_W, CELL_H)
        j = self._cols.index(value)
        return QRect(LABEL_W + j * CELL_W, LEGEND_H, CELL_W, HEAD_H)

    def toggle_rect(self, axis: str, value: str) -> QRect:
        r = self.header_rect(axis, value)
        if axis == "rows":
            return QRect(4 + self.depth(axis, value) * 14, r.top(), TOGGLE_W, r.height())
        return QRect(r.left(), r.bottom() - TOGGLE_W, r.width(), TOGGLE_W + 1)

    def hit(self, pos: QPoint) -> tuple[str, str, str] | None:
        """("cell", row, col), ("rows"|"cols", value, "") or ("toggle-rows"|"toggle-cols", value, "")."""
        x, y = pos.x(), pos.y()
        top = LEGEND_H + HEAD_H
        if x >= LABEL_W and y >= top:
            i, j = (y - top) // CELL_H, (x - LABEL_W) // CELL_W
            if i < len(self._rows) and j < len(self._cols):
                return "cell", self._rows[i], self._cols[j]
        elif x < LABEL_W and y >= top:
            i = (y - top) // CELL_H
            if i < len(self._rows):
                value = self._rows[i]
                on_toggle = self.has_children("rows", value) and self.toggle_rect("rows", value).contains(pos)
                return ("toggle-rows" if on_toggle else "rows"), value, ""
        elif x >= LABEL_W and LEGEND_H <= y < top:
            j = (x - LABEL_W) // CELL_W
            if j < len(self._cols):
                value = self._cols[j]
                on_toggle = self.has_children("cols", value) and self.toggle_rect("cols", value).contains(pos)
                return ("toggle-cols" if on_toggle else "cols"), value, ""
        return None

    # ------------------------------------------------------------------ mouse
    def mousePressEvent(self, event):
        target = self.hit(event.position().toPoint()) if event.button() == Qt.MouseButton.LeftButton else None
        if target is None:
            return super().mousePressEvent(event)
        what, a, b = target
        if what == "cell":
            self.cellClicked.emit(a, b)
        elif what.startswith("toggle-"):
            self.toggle(what[7:], a)
        else:
            self.headerClicked.emit(what, a)

    def event(self, e):
        if e.type() == e.Type.ToolTip:
            target = self.hit(e.pos())
            text = self.tooltip(*target) if target else ""
            if text:
                QToolTip.showText(e.globalPos(), text, self)
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().event(e)

    def tooltip(self, what: str, a: str, b: str) -> str:
        if what == "cell":
            cell = self._cells.get((a, b))
            if cell is None:
                return f"{a} × {b}: no finding in this library (for this search)"
            mix = ", ".join(f"{d} {n}" for d, n in cell.direction.items())
            species = ", ".join(f"{s} {n}" for s, n in cell.species.items())
            return (f"{a} × {b}: {cell.findings} finding{'s' if cell.findings != 1 else ''}\n"
                    f"Direction: {mix or 'not coded'}\nSpecies: {species or 'not coded'}\nClick to filter")
        if what.startswith("toggle-"):
            return "Collapse or expand what is coded under " + a
        return f"Filter by {FACET_TITLES.get(self._axis_facet(what), what).lower()}: {a}"

    def _axis_facet(self, axis: str) -> str:
        return (self.matrix.rows if axis == "rows" else self.matrix.cols).facet

    # ------------------------------------------------------------------ painting
    def paintEvent(self, _event):
        p = QPainter(self)
        try:
            self.paint(p)
        finally:
            p.end()

    def paint(self, p: QPainter) -> None:
        pal = self.palette()
        text, muted = pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.PlaceholderText)
        border = pal.color(QPalette.ColorRole.Mid)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        if self.matrix is None:
            return
        self._paint_legend(p, text)
        fm = QFontMetrics(self.font())
        for v in self._rows:
            self._paint_row_head(p, v, fm, text)
        for v in self._cols:
            self._paint_col_head(p, v, fm, text)
        for row in self._rows:
            for col in self._cols:
                self._paint_cell(p, self.cell_rect(row, col), self._cells.get((row, col)), text, muted, border)

    def _paint_legend(self, p: QPainter, text: QColor) -> None:
        x = 8
        fm = QFontMetrics(self.font())
        for label in evidence.DIRECTIONS:
            colour, pattern, letter = self._styles[label]
            box = QRect(x, 8, 16, 14)
            self._fill(p, box, colour, pattern)
            p.setPen(text)
            caption = f"{letter} = {label}"
            p.drawText(x + 22, 8, fm.horizontalAdvance(caption) + 4, 14, Qt.AlignmentFlag.AlignVCenter, caption)
            x += 22 + fm.horizontalAdvance(caption) + 18
        p.drawText(x, 8, 400, 14, Qt.AlignmentFlag.AlignVCenter, "dashed box = no finding")

    def _fill(self, p: QPainter, r: QRect, colour: str, pattern: str) -> None:
        p.fillRect(r, QColor(colour))
        style = PATTERNS.get(pattern, Qt.BrushStyle.SolidPattern)
        if style != Qt.BrushStyle.SolidPattern:
            p.fillRect(r, QBrush(QColor(0, 0, 0, 150), style))
        p.setPen(QPen(QColor(0, 0, 0, 120), 1))
        p.drawRect(r.adjusted(0, 0, -1, -1))

    def _paint_row_head(self, p: QPainter, value: str, fm: QFontMetrics, text: QColor) -> None:
        r = self.header_rect("rows", value)
        x = 4 + self.depth("rows", value) * 14
        p.setPen(text)
        if self.has_children("rows", value):
            p.drawText(QRect(x, r.top(), TOGGLE_W, r.height()), Qt.AlignmentFlag.AlignCenter,
                       "▸" if value in self.collapsed["rows"] else "▾")
        x += TOGGLE_W + 2
        p.drawText(QRect(x, r.top(), LABEL_W - x - 6, r.height()),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                   fm.elidedText(value, Qt.TextElideMode.ElideRight, LABEL_W - x - 6))

    def _paint_col_head(self, p: QPainter, value: str, fm: QFontMetrics, text: QColor) -> None:
        r = self.header_rect("cols", value)
        depth = self.depth("cols", value)
        p.setPen(text)
        if self.has_children("cols", value):
            p.drawText(self.toggle_rect("cols", value), Qt.AlignmentFlag.AlignCenter,
                       "▸" if value in self.collapsed["cols"] else "▾")
        p.save()
        p.translate(r.left() + CELL_W / 2 + fm.height() / 3, r.bottom() - TOGGLE_W - 2)
        p.rotate(-60)
        room = int((HEAD_H - TOGGLE_W - 4) / 0.87) - depth * 10
        p.drawText(depth * 10, 0, fm.elidedText(value, Qt.TextElideMode.ElideRight, room))
        p.restore()

    def _paint_cell(self, p: QPainter, r: QRect, cell, text: QColor, muted: QColor, border: QColor) -> None:
        inner = r.adjusted(3, 3, -3, -3)
        if cell is None:  # a visible gap: no finding in this library for this pair
            p.setPen(QPen(muted, 1, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(inner)
            return
        p.setPen(text)
        font = QFont(self.font())
        font.setBold(True)
        p.setFont(font)
        p.drawText(QRect(inner.left(), inner.top(), inner.width(), 16), Qt.AlignmentFlag.AlignCenter,
                   str(cell.findings))
        p.setFont(self.font())
        total = max(sum(cell.direction.values()), 1)
        length = max(6, round(inner.width() * (cell.findings / self._max) ** 0.5))
        x, y, h = inner.left() + (inner.width() - length) // 2, inner.top() + 19, inner.height() - 19
        if not cell.direction:
            p.setPen(QPen(muted, 1))
            p.drawRect(QRect(x, y, length, h))
        for label, n in cell.direction.items():
            w = max(2, round(length * n / total))
            colour, pattern, _letter = self._styles.get(label, ("#777777", "solid", "?"))
            self._fill(p, QRect(x, y, min(w, inner.left() + inner.width() - x), h), colour, pattern)
            x += w


class MatrixView(QWidget):
    """Axis choosers, caption, the scrollable grid and Export. ``matrixShown(generation)`` after a new matrix
    is on screen; ``failed`` text is shown in the caption."""

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
        for box, name, default in ((self.rows_box, "matrixRows", "agent"), (self.cols_box, "matrixCols", "outcome")):
            box.setObjectName(name)
            for facet in AXES:
                box.addItem(FACET_TITLES.get(facet, facet.title()), facet)
            box.setCurrentIndex(AXES.index(default))
            box.currentIndexChanged.connect(self._axes_changed)
        self.rows_box.setAccessibleName("Matrix rows")
        self.cols_box.setAccessibleName("Matrix columns")
        self.export_button = QToolButton(self, text="Export…", objectName="matrixExport")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for label, suffix in (("HTML page…", ".html"), ("SVG image…", ".svg"), ("PNG image…", ".png"),
                              ("JSON data…", ".json")):
            action = QAction(label, menu)
            action.triggered.connect(lambda _=False, s=suffix: self.choose_file(s))
            menu.addAction(action)
        self.export_button.setMenu(menu)
        self.caption = QLabel(self, objectName="matrixCaption", wordWrap=True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.grid = MatrixGrid(self)
        self.grid.cellClicked.connect(self._cell_clicked)
        self.grid.headerClicked.connect(self._header_clicked)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.grid)
        self.scroll.setWidgetResizable(False)
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
        self.dialog = None

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
    def choose_file(self, suffix: str) -> QFileDialog:
        dialog = QFileDialog(self, "Export the matrix", f"evidence-matrix{suffix}")
        dialog.setObjectName("matrixExportPicker")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setDefaultSuffix(suffix[1:])
        dialog.fileSelected.connect(self._export_chosen)
        dialog.open()
        self.dialog = dialog
        return dialog

    def _export_chosen(self, path: str) -> None:
        try:
            self.export_to(path)
        except (OSError, UsageError) as exc:
            self.window.statusBar().showMessage(f"Export failed: {exc}", 8000)
        else:
            self.window.statusBar().showMessage(f"Matrix exported to {Path(path).name}", 5000)

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


class EvidenceTabs:
    """The Results, Matrix and Answer tabs of the main window (built around its results stack)."""

    def __init__(self, window):
        from vkref.ui.answer_view import AnswerView

        self.window = window
        self.tabs = QTabWidget(window)
        self.tabs.setObjectName("resultTabs")
        self.tabs.setDocumentMode(True)
        self.matrix = MatrixView(window, self.tabs)
        self.answer = AnswerView(window, self.tabs)
        self.tabs.addTab(window.stack, "Results")
        self.tabs.addTab(self.matrix, "Matrix")
        self.tabs.addTab(self.answer, "Answer")
        self.tabs.setTabToolTip(1, "Findings counted by two facets over this search (Ctrl+4)")
        self.tabs.setTabToolTip(2, "What the library says on this question, human evidence first (Ctrl+5)")

    def add_view_actions(self, menu) -> None:
        w = self.window
        w.action(menu, "&Matrix", lambda: self.tabs.setCurrentWidget(self.matrix), "Ctrl+4", "actionMatrix")
        w.action(menu, "&Answer card", lambda: self.tabs.setCurrentWidget(self.answer), "Ctrl+5", "actionAnswer")

    def result_arrived(self, request) -> None:
        self.matrix.result_arrived(request)
        self.answer.result_arrived(request)

    def show_results(self) -> None:
        self.tabs.setCurrentWidget(self.window.stack)

    def set_dark(self, dark: bool) -> None:
        self.matrix.grid.update()
        self.answer.set_dark(dark)
