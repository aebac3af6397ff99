"""Species marks for the results table: a distinct shape per species, so human and animal evidence differ in
shape (readable in greyscale and by colour-blind readers) as well as in the label beside it.

Human = filled circle, Rat = triangle, Mouse = diamond, Cell or tissue culture = square; any other species an
outlined circle. A row with several species shows the mark of the first, and every label as text.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF

SHAPES = {"Human": "circle", "Rat": "triangle", "Mouse": "diamond", "Cell or tissue culture": "square"}
SIZE = 14
_cache: dict[str, QIcon] = {}


def shape_of(species: tuple[str, ...] | list[str]) -> str | None:
    """The shape that marks a row with these species, or None for a row without species."""
    if not species:
        return None
    return SHAPES.get(species[0], "ring")


def species_icon(species) -> QIcon | None:
    shape = shape_of(tuple(species))
    if shape is None:
        return None
    if shape not in _cache:
        _cache[shape] = QIcon(_pixmap(shape))
    return _cache[shape]


def _pixmap(shape: str) -> QPixmap:
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor("#7a8088")  # mid grey: at least 3:1 on light and dark rows alike
    painter.setPen(colour)
    painter.setBrush(colour if shape != "ring" else Qt.BrushStyle.NoBrush)
    r = QRectF(2, 2, SIZE - 4, SIZE - 4)
    if shape in ("circle", "ring"):
        painter.drawEllipse(r)
    elif shape == "square":
        painter.drawRect(r.adjusted(1, 1, -1, -1))
    else:
        painter.drawPolygon(_polygon(shape, r))
    painter.end()
    return pixmap


def _polygon(shape: str, r: QRectF) -> QPolygonF:
    c = r.center()
    if shape == "triangle":
        points = [QPointF(c.x(), r.top()), QPointF(r.right(), r.bottom()), QPointF(r.left(), r.bottom())]
    else:  # diamond
        points = [QPointF(c.x(), r.top()), QPointF(r.right(), c.y()), QPointF(c.x(), r.bottom()),
                  QPointF(r.left(), c.y())]
    return QPolygonF(points)
