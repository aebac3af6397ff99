"""Item delegates for the results table: the coloured direction badge and the kind tag."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from vkref.ui.colours import DIRECTION_SHORT, colours, direction_colour
from vkref.ui.theme import is_dark


def badge_layout(widths: list[int], room: int, more_width) -> tuple[int, int]:
    """How many badges of ``widths`` (4 px apart) fit in ``room`` with a "+N" mark for the rest: (shown, N)."""
    x = 0
    for i, width in enumerate(widths):
        rest = len(widths) - i - 1
        if x + width + (more_width(rest) if rest else 0) > room:
            return i, len(widths) - i
        x += width + 4
    return len(widths), 0


class BadgeDelegate(QStyledItemDelegate):
    """Paints each comma-separated direction as a small rounded badge (colour plus text, never colour alone)."""

    def paint(self, painter: QPainter, option, index):
        from vkref.ui.models import ROW_ROLE

        row = index.data(ROW_ROLE)
        if row is not None and row.kind == "review":  # its findings counted by direction: plain text
            super().paint(painter, option, index)
            return
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
        h = fm.height() + 4
        box = QRectF(option.rect.x() + 4, option.rect.y() + (option.rect.height() - h) / 2, 0, h)
        labels = [t.strip() for t in text.split(",") if t.strip()]
        widths = [fm.horizontalAdvance(DIRECTION_SHORT.get(lab, lab)) + 14 for lab in labels]
        shown, more = badge_layout(widths, option.rect.width() - 4, lambda n: fm.horizontalAdvance(f"+{n}") + 6)
        for label, width in zip(labels[:shown], widths):
            box.setWidth(width)
            self._badge(painter, box, DIRECTION_SHORT.get(label, label), direction_colour(label, is_dark()))
            box.translate(width + 4, 0)
        if more:
            self._more(painter, option, box, f"+{more}")
        painter.restore()

    @staticmethod
    def _badge(painter: QPainter, box: QRectF, text: str, colour: str) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawRoundedRect(box, box.height() / 2, box.height() / 2)
        painter.setPen(QColor(colours(is_dark())["badge_text"]))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _more(painter: QPainter, option, box: QRectF, text: str) -> None:
        """The badges that did not fit, counted ("+2"); the cell's tooltip lists them all."""
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        painter.drawText(QRectF(box.x(), box.y(), option.rect.right() - box.x(), box.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)


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

    def editorEvent(self, event, model, option, index):  # noqa: N802 (Qt name)
        """A plain left click anywhere on a value (its text, its count or its box) toggles it, as its tooltip
        says; Ctrl/Alt+click is the tree's exclude gesture and is left to it."""
        from PySide6.QtCore import QEvent

        node = index.data(Qt.ItemDataRole.UserRole + 10)
        if node is None or node.kind != "value" or not hasattr(event, "button"):
            return super().editorEvent(event, model, option, index)
        if event.button() != Qt.MouseButton.LeftButton or event.modifiers() & EXCLUDE_MODIFIERS:
            return False
        if event.type() == QEvent.Type.MouseButtonDblClick:
            self._double = True
            return True
        if event.type() != QEvent.Type.MouseButtonRelease:
            return True
        if getattr(self, "_double", False):  # the release that ends a double click: already toggled
            self._double = False
            return True
        first = index.siblingAtColumn(0)
        checked = first.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        new = Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked
        return model.setData(first, new.value, Qt.ItemDataRole.CheckStateRole)


EXCLUDE_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | \
    Qt.KeyboardModifier.MetaModifier
