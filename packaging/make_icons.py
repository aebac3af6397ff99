"""Render ``resources/icons/vkref.svg`` into the PNG sizes, a Windows ``.ico`` and a macOS ``.icns``.

Run with any Python that has PySide6 (QtSvg ships in PySide6-Essentials)::

    .venv/bin/python packaging/make_icons.py

Outputs (committed, so builds need no renderer): ``resources/icons/vkref-<N>.png`` for N in 16..512,
``vkref.ico`` (PNG-compressed entries 16..256) and ``vkref.icns`` (PNG entries 16..1024). Both container
formats are written by hand: they are a header plus a table of PNG blobs.
"""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns types holding PNG data, by pixel size
ICNS_TYPES = ((16, b"icp4"), (32, b"icp5"), (64, b"icp6"), (128, b"ic07"), (256, b"ic08"), (512, b"ic09"),
              (1024, b"ic10"))


def render(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise RuntimeError(f"could not encode {size}px PNG")
    return bytes(data.data())


def write_ico(path: Path, pngs: dict[int, bytes]) -> None:
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    table, blobs = b"", b""
    for s in sizes:
        blob = pngs[s]
        dim = 0 if s >= 256 else s  # 0 means 256 in the ICO directory
        table += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset + len(blobs))
        blobs += blob
    path.write_bytes(header + table + blobs)


def write_icns(path: Path, pngs: dict[int, bytes]) -> None:
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[s])) + pngs[s] for s, kind in ICNS_TYPES)
    path.write_bytes(b"icns" + struct.pack(">I", 8 + len(body)) + body)


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (fonts/painting need it)
    renderer = QSvgRenderer(str(ICONS / "vkref.svg"))
    if not renderer.isValid():
        print("vkref.svg is not a valid SVG", file=sys.stderr)
        return 1
    pngs = {s: render(renderer, s) for s in sorted(set(PNG_SIZES) | {s for s, _ in ICNS_TYPES})}
    for s in PNG_SIZES:
        (ICONS / f"vkref-{s}.png").write_bytes(pngs[s])
    write_ico(ICONS / "vkref.ico", pngs)
    write_icns(ICONS / "vkref.icns", pngs)
    print(f"wrote {len(PNG_SIZES)} PNGs, vkref.ico, vkref.icns to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
