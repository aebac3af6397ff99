"""Test PDFs made with Qt's PDF writer from a plain text: one or two columns, a running header and page numbers
on every page (what a journal's PDF gives an extractor). Needs a QGuiApplication (pytest-qt's ``qapp``)."""
from __future__ import annotations

from pathlib import Path


def make_pdf(text: str, target: Path, header: str = "Test J Vol. 1, No. 1, 2006", columns: int = 1,
             encrypt: bool = False) -> Path:
    from PySide6.QtCore import QMarginsF, QRectF, Qt
    from PySide6.QtGui import QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter

    writer = QPdfWriter(str(target))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    painter = QPainter(writer)
    font = QFont("DejaVu Sans", 9)
    painter.setFont(font)
    metrics = QFontMetricsF(font, writer)
    width, height = writer.width(), writer.height()
    line_h = metrics.lineSpacing()
    gap = 60
    col_w = (width - gap * (columns - 1)) / columns
    lines = [ln for raw in text.split("\n") for ln in _wrap(raw.strip(), metrics, col_w)]
    top, bottom = line_h * 2.5, height - line_h * 2.5
    per_col = int((bottom - top) // line_h)
    page, i = 1, 0
    while i < len(lines):
        painter.drawText(QRectF(0, 0, width, line_h), Qt.AlignmentFlag.AlignCenter, header)
        for c in range(columns):
            for n in range(per_col):
                if i >= len(lines):
                    break
                painter.drawText(QRectF(c * (col_w + gap), top + n * line_h, col_w, line_h),
                                 Qt.AlignmentFlag.AlignLeft, lines[i])
                i += 1
        painter.drawText(QRectF(0, height - line_h, width, line_h), Qt.AlignmentFlag.AlignCenter, str(page))
        if i < len(lines):
            writer.newPage()
            page += 1
    painter.end()
    if encrypt:
        _encrypt(target)
    return target


def _wrap(line: str, metrics, width: float) -> list[str]:
    if metrics.horizontalAdvance(line) <= width:
        return [line]
    out, current = [], ""
    for word in line.split(" "):
        trial = f"{current} {word}".strip()
        if metrics.horizontalAdvance(trial) > width and current:
            out.append(current)
            current = word
        else:
            current = trial
    return out + [current]


def _encrypt(target: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(target)))
    writer.encrypt("secret")
    writer.write(str(target))
