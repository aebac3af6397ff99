"""pypdf against pypdfium2 on PDFs made from the seed texts (one and two columns, running header, page numbers).

    .venv/bin/python -m benchmarks.pdf_text SEEDS_DIR [--out benchmarks/PDF_TEXT.md]

For each seed text and layout: extraction time per library (best of 3), and what the cleaning makes of each
library's text compared with the cleaning of the text file itself: headings found, words in the same order
(difflib ratio over the words of the cleaned texts), and running headers left in. Needs pypdfium2 installed
(it is not a dependency of vkref) and Qt for writing the PDFs.
"""
from __future__ import annotations

import argparse
import difflib
import io
import sys
import tempfile
import time
from pathlib import Path

from vkref.core.passages import split
from vkref.io.cleaning import clean

HEADER = "Test J Vol. 1, No. 1, 2006"


def pypdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]


def pdfium_pages(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(doc))]
    finally:
        doc.close()


def measure(extract, data: bytes) -> tuple[float, list[str]]:
    best, pages = float("inf"), []
    for _ in range(3):
        t0 = time.perf_counter()
        pages = extract(data)
        best = min(best, time.perf_counter() - t0)
    return best, pages


def compare(reference: str, pages: list[str]) -> dict:
    text = clean(pages)
    ref_heads = [p.text for p in split("r", reference) if p.kind == "heading"]
    heads = {p.text for p in split("x", text) if p.kind == "heading"}
    words = difflib.SequenceMatcher(None, reference.split(), text.split(), autojunk=False).ratio()
    return {"headings": f"{sum(h in heads for h in ref_heads)}/{len(ref_heads)}", "words": round(words, 3),
            "headers_left": text.count("Test J Vol")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("seeds", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (the PDF writer needs it)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.pdfmaker import make_pdf

    rows = ["| seed | columns | pypdf ms | pypdfium2 ms | pypdf headings | pypdfium2 headings | pypdf words | "
            "pypdfium2 words | headers left (pypdf/pdfium) |", "|---|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for seed in sorted(args.seeds.glob("0*.txt")):
            raw = seed.read_text(encoding="utf-8")
            reference = clean([raw])
            for cols in (1, 2):
                data = make_pdf(raw, Path(tmp) / f"{seed.stem}-{cols}.pdf", HEADER, cols).read_bytes()
                t1, p1 = measure(pypdf_pages, data)
                t2, p2 = measure(pdfium_pages, data)
                a, b = compare(reference, p1), compare(reference, p2)
                rows.append(f"| {seed.stem[:3]} | {cols} | {t1 * 1000:.0f} | {t2 * 1000:.0f} | {a['headings']} | "
                            f"{b['headings']} | {a['words']} | {b['words']} | {a['headers_left']}/"
                            f"{b['headers_left']} |")
    table = "\n".join(rows)
    print(table)
    if args.out:
        old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        notes = old.split("## Notes", 1)[1] if "## Notes" in old else "\n"
        args.out.write_text(f"# PDF text: pypdf against pypdfium2\n\nMade by `python -m benchmarks.pdf_text`.\n\n"
                            f"{table}\n\n## Notes{notes}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
