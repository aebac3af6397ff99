"""Reading a review's local full text: a plain-text or PDF file, page by page, then cleaned.

:func:`read` returns a :class:`FullText`: the file's bytes, its kind (``txt`` or ``pdf``) and the cleaned text
(see :mod:`vkref.io.cleaning`). Anything that is not a readable text or PDF file — another kind of file, an
encrypted PDF, a broken one, an empty file or one without any text — raises a one-line
:class:`~vkref.core.errors.DataError` naming the file.

PDF text comes from pypdf (BSD licence, pure Python): on PDFs made from the seed texts it kept the headings
and paragraph lines as lines of their own where pypdfium2 ran some of them together (the measurement is in
``benchmarks/PDF_TEXT.md``); pypdfium2 was faster but speed is not what limits attaching one file.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from vkref.core.errors import DataError
from vkref.io.cleaning import clean

KINDS = ("txt", "pdf")
MAX_BYTES = 200 * 1024 * 1024


@dataclass
class FullText:
    name: str  # the file's own name
    kind: str  # txt | pdf
    data: bytes
    text: str  # cleaned (mark-up of vkref.core.passages)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read(path: str | Path, hints: tuple[str, ...] = ()) -> FullText:
    """Read and clean ``path``; ``hints`` are headings known to occur (see :func:`vkref.io.cleaning.clean`)."""
    path = Path(path)
    data = _bytes(path)
    kind = _kind(path, data)
    pages = pdf_pages(path, data) if kind == "pdf" else [_text(path, data)]
    if not any(p.strip() for p in pages):
        raise DataError(f"{path.name}: the file holds no text" + (" (a scanned PDF needs OCR first)"
                                                                  if kind == "pdf" else ""))
    return FullText(path.name, kind, data, clean(pages, hints))


def _bytes(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise DataError(f"{path.name}: the file is larger than {MAX_BYTES // 2**20} MB")
        data = path.read_bytes()
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a text or PDF file") from None
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise DataError(f"{path.name}: the file is empty")
    return data


def _kind(path: Path, data: bytes) -> str:
    from vkref.io.importers.decode import is_binary  # the importers' package: only when a file is attached

    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "pdf":
        raise DataError(f"{path.name}: not a PDF file (it does not start with %PDF-)")
    if is_binary(data[:4096]) or suffix not in ("txt", "text", ""):
        raise DataError(f"{path.name}: not a text or PDF file (attach a .txt or .pdf full text)")
    return "txt"


def _text(path: Path, data: bytes) -> str:
    from vkref.io.importers.decode import decode

    try:
        return decode(data, path.name)
    except DataError:
        raise
    except Exception:  # undecodable bytes: not text
        raise DataError(f"{path.name}: not a text or PDF file (the bytes are not text)") from None


def pdf_pages(path: Path, data: bytes) -> list[str]:
    """The text of each page of a PDF (pypdf, layout off: lines in reading order)."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # warnings about odd objects are not the user's problem
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DataError(f"{path.name}: the PDF is encrypted (remove the password protection first)")
        return [page.extract_text() or "" for page in reader.pages]
    except DataError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(f"{path.name}: a damaged PDF ({exc.__class__.__name__}: {str(exc)[:80]})") from None
