"""Readers for the common bibliographic formats: one call turns a file into reviews and per-record errors.

``read_file`` owns the whole path from bytes to :class:`ParsedFile`: it refuses what cannot be read at all
(unreadable, empty, binary, unknown format, broken encoding, malformed XML or JSON, JSON that is not CSL, no
records) with one :class:`~vkref.core.errors.DataError` naming the file, and otherwise returns every record
read, each either usable (a :class:`ParsedRecord` holding a :class:`~vkref.core.entities.Review` whose ``id``
is left "") or a :class:`RecordError` with its 1-based record number, line when known and reason. Nothing
else is raised. XML formats are streamed from the file; the text formats are decoded whole first
(see :mod:`vkref.io.importers.decode`). Pure io: imports only :mod:`vkref.core` and parsing libraries.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from vkref.core.errors import DataError
from vkref.io.importers import bibtex, csljson, delimited, endnote, medline, pubmed_xml, ris
from vkref.io.importers.decode import decode, is_binary
from vkref.io.importers.detect import detect_format
from vkref.io.importers.model import ParsedFile, ParsedRecord, RawRecord, RecordError
from vkref.io.importers.normalize import RecordProblem, build

__all__ = ["FORMATS", "ParsedFile", "ParsedRecord", "RecordError", "detect_format", "read_file"]

FORMATS = ("ris", "bibtex", "medline", "pubmed-xml", "csl-json", "endnote-xml", "csv")
HEAD_BYTES = 65536
PROGRESS_EVERY = 100
_TEXT_READERS = {"ris": ris.parse, "bibtex": bibtex.parse, "medline": medline.parse, "csl-json": csljson.parse}
_STREAM_READERS = {"pubmed-xml": pubmed_xml.parse, "endnote-xml": endnote.parse}
_LABELS = {"ris": "RIS", "bibtex": "BibTeX", "medline": "MEDLINE", "pubmed-xml": "PubMed XML",
           "csl-json": "CSL-JSON", "endnote-xml": "EndNote XML", "csv": "CSV"}
_NAMES = ", ".join(_LABELS.values())


def _head(path: Path, name: str) -> bytes:
    try:
        with path.open("rb") as stream:
            return stream.read(HEAD_BYTES)
    except OSError as exc:
        raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None


def _format(head: bytes, name: str, fmt: str | None) -> str:
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise DataError(f"{name}: empty file")
    if is_binary(head):
        raise DataError(f"{name}: not a text file (binary content)")
    if fmt is not None and fmt not in FORMATS:
        raise DataError(f"{name}: unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
    found = fmt or detect_format(head, name)
    if found is None:
        raise DataError(f"{name}: unknown format (not one of {_NAMES})")
    return found


def _raw_records(path: Path, name: str, fmt: str, mapping: dict[str, str] | None) -> Iterator[RawRecord]:
    if fmt in _STREAM_READERS:
        with path.open("rb") as stream:
            yield from _STREAM_READERS[fmt](stream, name)
        return
    try:
        text = decode(path.read_bytes(), name)
    except OSError as exc:
        raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if not text.strip():
        raise DataError(f"{name}: empty file")
    reader = functools.partial(delimited.parse, mapping=mapping) if fmt == "csv" else _TEXT_READERS[fmt]
    yield from reader(text, name)


def _collect(parsed: ParsedFile, raws: Iterable[RawRecord], progress: Callable[[int], None] | None) -> None:
    for number, raw in enumerate(raws, 1):
        if raw.error:
            parsed.errors.append(RecordError(number, raw.line, raw.error))
        else:
            try:
                parsed.records.append(ParsedRecord(number, raw.line, build(raw.fields)))
            except RecordProblem as problem:
                parsed.errors.append(RecordError(number, raw.line, str(problem)))
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)


def read_file(path, fmt: str | None = None, mapping: dict[str, str] | None = None,
              progress: Callable[[int], None] | None = None) -> ParsedFile:
    """Every record of the file at ``path``; ``progress`` is called with the count read every 100 records and
    at the end. :class:`DataError` ("<file name>: <reason>") when the file cannot be read at all."""
    path = Path(path)
    name = path.name
    if path.is_dir():
        raise DataError(f"{name}: is a folder, not a file")
    fmt = _format(_head(path, name), name, fmt)
    parsed = ParsedFile(str(path), fmt)
    _collect(parsed, _raw_records(path, name, fmt, mapping), progress)
    if parsed.read == 0:
        raise DataError(f"{name}: no {_LABELS[fmt]} records found")
    if progress is not None:
        progress(parsed.read)
    return parsed
