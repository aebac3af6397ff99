"""RIS (Embase, Ovid, Scopus, Rayyan, ProQuest, EndNote, Zotero dialects) and Web of Science tagged files.

Both go through rispy: :class:`rispy.RisParser` for RIS and :class:`rispy.WokParser` for the Web of Science
field-tagged format (PT/AU/TI/SO/ER) that is often saved as ``.ris``. The line where each record starts is
found by a second pass over the lines with the parser's own tag rules. A record that rispy never closes (no ``ER``
before the end of the file) is reported as an error instead of being lost silently.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import rispy

from vkref.core.errors import DataError
from vkref.io.importers import clean
from vkref.io.importers.model import RawRecord

_WOS = re.compile(r"^(?:FN |VR |PT [A-Z]\s*$)")


def _starts(parser: rispy.RisParser, lines: list[str]) -> list[int]:
    """The 1-based line of each record, found the way rispy reads: a record opens at the first line starting
    with the start tag after the previous ``ER``, and closes at the next ``ER`` tag."""
    starts, inside = [], False
    for number, line in enumerate(lines, 1):
        if not inside and line.startswith(parser.START_TAG):
            starts.append(number)
            inside = True
        elif inside and parser.parse_line(line)[0] == parser.END_TAG:
            inside = False
    return starts


def is_wos(text: str) -> bool:
    return any(_WOS.match(line) for line in text.split("\n", 20)[:20])


def parse(text: str, name: str) -> Iterator[RawRecord]:
    wos = is_wos(text)
    parser = (rispy.WokParser if wos else rispy.RisParser)(skip_unknown_tags=True)
    lines = text.split("\n")
    entries = parser.parse_lines(iter(lines))
    starts = _starts(parser, lines)
    if not starts and any(parser.parse_line(line)[0] == parser.END_TAG for line in lines):
        raise DataError(f"{name}: no RIS record opens with a {parser.START_TAG} line")
    convert = _wos_fields if wos else _ris_fields
    for start, entry in zip(starts, entries):
        yield RawRecord(start, convert(entry))
    for start in starts[len(entries):]:
        yield RawRecord(start, error="record not closed by an ER line")


def _first(entry: dict, *keys: str):
    for key in keys:
        value = entry.get(key)
        if value not in (None, "", []):
            return value
    return None


def _ris_fields(e: dict) -> dict:
    return {
        "title": _first(e, "primary_title", "title", "translated_title", "short_title"),
        "authors": _first(e, "authors", "first_authors") or [],
        "journal": _first(e, "secondary_title", "journal_name", "alternate_title3", "alternate_title2"),
        "journal_abbrev": _first(e, "alternate_title1", "alternate_title2"),
        "year": _first(e, "year", "publication_year", "date"),
        "volume": e.get("volume"), "issue": e.get("number"),
        "pages": clean.pages(e.get("start_page"), e.get("end_page")),
        "doi": _first(e, "doi") or _doi_in(e.get("urls")), "pmid": _pmid(e),
        "source_id": _first(e, "id", "accession_number"), "type": [e.get("type_of_reference", "")],
        "summary": _first(e, "abstract", "notes_abstract"),
        "keywords": [k for kw in e.get("keywords") or [] for k in str(kw).split(";")],
    }


def _doi_in(urls) -> str:
    return next((u for u in urls or [] if "doi.org/" in str(u)), "")


def _pmid(e: dict) -> str:
    """PubMed ids that exporters put in AN (PubMed via EndNote/Zotero) or C2/M1 ("PMID: 123")."""
    for key in ("accession_number", "custom2", "note"):
        value = clean.text(e.get(key))
        if value.isdigit() or value.upper().startswith("PMID"):
            return value
    return ""


def _wos_fields(e: dict) -> dict:
    return {
        "title": e.get("document_title"),
        "authors": e.get("author_full_name") or e.get("authors") or [],
        "journal": e.get("publication_name"), "journal_abbrev": e.get("iso_source_abbreviation"),
        "year": _first(e, "publication_year", "publication_date"), "volume": e.get("volume"),
        "issue": e.get("issue"), "pages": clean.pages(e.get("beginning_page"), e.get("ending_page")),
        "doi": e.get("doi"), "pmid": e.get("pubmed_id"), "source_id": e.get("accession_number"),
        "type": [e.get("document_type", ""), e.get("publication_type", "")], "summary": e.get("abstract"),
        "keywords": clean.text(e.get("author_keywords")).split(";"),
    }
