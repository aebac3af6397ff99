"""CSV and TSV files with a header row (the delimiter is sniffed: comma, tab, semicolon or bar).

Common headers of reference managers and databases (Scopus, PubMed, Zotero, Rayyan, ASReview) are mapped to
fields automatically; ``mapping={"COLUMN": "field"}`` overrides or adds to that; unknown columns are ignored.
A file with no title column after mapping is refused with the list of its columns.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from vkref.core.errors import DataError
from vkref.io.importers.model import RawRecord

FIELDS = ("title", "authors", "journal", "journal_abbrev", "year", "volume", "issue", "pages", "doi", "pmid",
          "source_id", "type", "summary", "keywords", "mesh")
_HEADERS = {
    "title": "title", "article title": "title", "document title": "title", "primary title": "title",
    "ti": "title", "abstract": "summary", "ab": "summary", "abstract note": "summary", "summary": "summary",
    "authors": "authors", "author": "authors", "au": "authors", "author names": "authors",
    "year": "year", "publication year": "year", "py": "year", "pubyear": "year", "date": "year",
    "publication date": "year", "journal": "journal", "source title": "journal", "source": "journal",
    "journal/book": "journal", "publication title": "journal", "so": "journal", "secondary title": "journal",
    "journal abbreviation": "journal_abbrev", "abbreviated source title": "journal_abbrev",
    "doi": "doi", "di": "doi", "pmid": "pmid", "pubmed id": "pmid", "keywords": "keywords",
    "author keywords": "keywords", "de": "keywords", "mesh": "mesh", "mesh terms": "mesh",
    "id": "source_id", "key": "source_id", "record id": "source_id", "record number": "source_id",
    "volume": "volume", "issue": "issue", "number": "issue", "pages": "pages", "page": "pages",
    "type": "type", "item type": "type", "document type": "type",
}
_VANCOUVER = re.compile(r"^\s*\S.*\s[A-Z]{1,4}\s*$")  # "Iwamoto J", as PubMed's CSV lists authors


def _columns(header: list[str], mapping: dict[str, str] | None, name: str) -> dict[str, str]:
    """column -> field for every column that maps to a field."""
    columns = {c: _HEADERS[" ".join(c.lower().replace("_", " ").split())] for c in header
               if " ".join(c.lower().replace("_", " ").split()) in _HEADERS}
    by_lower = {c.lower().strip(): c for c in header}
    for column, target in (mapping or {}).items():
        if target not in FIELDS:
            raise DataError(f"{name}: unknown field {target!r} in the column mapping (fields: {', '.join(FIELDS)})")
        found = by_lower.get(column.lower().strip())
        if found is None:
            raise DataError(f"{name}: no column {column!r} to map (columns: {', '.join(header)})")
        columns = {c: f for c, f in columns.items() if f != target}
        columns[found] = target
    if "title" not in columns.values():
        raise DataError(f"{name}: no title column (columns: {', '.join(header)})")
    return columns


def _dialect(text: str):
    try:
        return csv.Sniffer().sniff(text[:8192].split("\n", 1)[0], delimiters=",\t;|")
    except csv.Error:
        return csv.excel


def split_authors(value: str) -> list[str]:
    """Authors separated by ";" or " and ", or by "," when every part is a "Family GI" name."""
    if ";" in value:
        return value.split(";")
    if re.search(r"\s+and\s+", value):
        return re.split(r"\s+and\s+", value)
    parts = value.split(",")
    return parts if len(parts) > 1 and all(_VANCOUVER.match(p) for p in parts) else [value]


def _fields(row: dict, columns: dict[str, str]) -> dict:
    fields: dict = {}
    for column, target in columns.items():
        value = row.get(column) or ""
        if target == "authors":
            fields[target] = split_authors(value)
        elif target in ("keywords", "mesh"):
            fields[target] = re.split(r"[;|]", value)
        else:
            fields[target] = [value] if target == "type" else value
    return fields


def parse(text: str, name: str, mapping: dict[str, str] | None = None) -> Iterator[RawRecord]:
    reader = csv.reader(text.split("\n"), _dialect(text))
    try:
        header = [h.strip() for h in next(reader, [])]
        columns = _columns(header, mapping, name)
        index = {c: header.index(c) for c in columns}
        last = reader.line_num
        for values in reader:
            start, last = last + 1, reader.line_num
            if any(v.strip() for v in values):
                row = {c: values[i] if i < len(values) else "" for c, i in index.items()}
                yield RawRecord(start, _fields(row, columns))
    except csv.Error as exc:
        raise DataError(f"{name}: malformed CSV at line {reader.line_num}: {exc}") from None
