"""Item delegates for the results table: the coloured direction badge and the kind tag."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from vkref.ui.render import direction_colour
from vkref.ui.theme import is_dark


class BadgeDelegate(QStyledItemDelegate):
    """Paints each comma-separated direction as a small rounded badge (colour plus text, never colour alone)."""

    def paint(self, painter: QPainter, option, index):
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        if not text:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(option.font)
        x = option.rect.x() + 4
        h = fm.height() + 4
        y = option.rect.y() + (option.rect.height() - h) / 2
        for label in [t.strip() for t in text.split(",") if t.strip()]:
            short = {"No significant effect": "No effect", "Mixed or inconsistent": "Mixed"}.get(label, label)
            w = fm.horizontalAdvance(short) + 14
            if x + w > option.rect.right():
                break
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(direction_colour(label, is_dark())))
            painter.drawRoundedRect(QRectF(x, y, w, h), h / 2, h / 2)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(QRectF(x, y, w, h), Qt.AlignmentFlag.AlignCenter, short)
            x += w + 4
        painter.restore()


class KindDelegate(QStyledItemDelegate):
    """Draws "Review" rows' type in the link colour so the two kinds are easy to tell apart."""

    def initStyleOption(self, option, index):
        super().initStyleOption(option, index)
        if index.data(Qt.ItemDataRole.DisplayRole) == "Review":
            option.palette.setColor(QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.Link))
            option.font.setBold(True)


class FacetDelegate(QStyledItemDelegate):
    """Fusion draws check boxes with almost no contrast on dark palettes: outline them in a visible colour."""

    def paint(self, painter: QPainter, option, index):
        super().paint(painter, option, index)
        if not (index.flags() & Qt.ItemFlag.ItemIsUserCheckable):
            return
        opt = type(option)(option)
        self.initStyleOption(opt, index)
        widget = option.widget
        style = widget.style() if widget else None
        if style is None:
            return
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, opt, widget)
        painter.save()
        colour = QColor(opt.palette.color(QPalette.ColorRole.Text))
        colour.setAlpha(150 if is_dark() else 110)
        painter.setPen(colour)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.restore()
