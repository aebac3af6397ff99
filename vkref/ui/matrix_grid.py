"""The painted evidence matrix: :class:`MatrixGrid`, the grid widget inside the Matrix tab.

Each non-empty cell is a stacked bar of its direction mix (the colour-blind-safe colours of the file exports, each
direction with its own fill pattern and letter in the legend) whose length grows with the count, and the count as
text; an empty cell is a dashed box (a visible gap); the species split is the tooltip. A parent value (vitamin K2
above MK-4 and MK-7) has a triangle that collapses or expands what is coded under it; its own counts are already
rolled up, as the facets count. The grid only paints and reports clicks (``cellClicked``, ``headerClicked``);
what a click does is the view's (:mod:`vkref.ui.matrix_view`). :meth:`MatrixGrid.paint` also draws the PNG export.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from vkref.library import evidence
from vkref.ui.filters import FACET_TITLES

PATTERNS = {"solid": Qt.BrushStyle.SolidPattern, "hatch": Qt.BrushStyle.BDiagPattern,
            "cross": Qt.BrushStyle.DiagCrossPattern, "dots": Qt.BrushStyle.Dense6Pattern,
            "hatch-back": Qt.BrushStyle.FDiagPattern, "grid": Qt.BrushStyle.CrossPattern}
LABEL_W, HEAD_H, CELL_W, CELL_H, LEGEND_H, TOGGLE_W = 250, 124, 62, 38, 30, 16


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
