"""PubMed MEDLINE format (.nbib, .txt "PubMed" downloads).

Written by hand: no well-kept Python parser of the format exists outside Biopython, too large a dependency for
one reader. The format: a tag of up to four characters padded to four, "- ", the value; continuation lines
start with spaces; records are separated by blank lines (a new ``PMID-`` line also starts a record). Blocks
with no tag line at all (stray text between records) are not records.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from vkref.core.entities import Author
from vkref.io.importers import clean
from vkref.io.importers.model import RawRecord

_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3})\s*-(?: ?)(.*)$")
_AID_DOI = re.compile(r"(\S+)\s*\[doi\]")


def _blocks(text: str) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    """(first line, [(tag, value), ...]) per record, continuation lines joined to their tag's value."""
    start, tags = 0, []
    for number, line in enumerate(text.split("\n"), 1):
        match = _TAG.match(line)
        if not line.strip():
            if tags:
                yield start, tags
            start, tags = 0, []
        elif match and not line[:1].isspace():
            if match.group(1) == "PMID" and any(t == "PMID" for t, _ in tags):
                yield start, tags
                start, tags = 0, []
            start = start or number
            tags.append((match.group(1), match.group(2).strip()))
        elif tags and line[:1].isspace():
            tags[-1] = (tags[-1][0], f"{tags[-1][1]} {line.strip()}")
    if tags:
        yield start, tags


def parse(text: str, name: str) -> Iterator[RawRecord]:
    for start, tags in _blocks(text):
        yield RawRecord(start, _fields(tags))


def _values(tags: list[tuple[str, str]], *wanted: str) -> list[str]:
    return [v for t, v in tags if t in wanted and v]


def _authors(tags: list[tuple[str, str]]) -> list[Author]:
    """Full names (FAU) when the record has them, else the short ones (AU); corporate authors (CN) in place."""
    person = "FAU" if any(t == "FAU" for t, _ in tags) else "AU"
    found = [clean.author(v) if t == person else Author(clean.text(v)) for t, v in tags
             if v and t in (person, "CN")]
    return [a for a in found if a is not None]


def _mesh(heading: str) -> str:
    """"Vitamin K 2/*therapeutic use" -> "Vitamin K 2"; "*Osteoporosis" -> "Osteoporosis"."""
    return heading.split("/", 1)[0].replace("*", "").strip()


def _doi(tags: list[tuple[str, str]]) -> str:
    for value in _values(tags, "AID", "LID"):
        match = _AID_DOI.search(value)
        if match:
            return match.group(1)
    return next((v for v in _values(tags, "AID") if "10." in v), "")


def _fields(tags: list[tuple[str, str]]) -> dict:
    first = {}
    for tag, value in tags:
        if value:
            first.setdefault(tag, value)
    return {
        "title": " ".join(_values(tags, "TI")) or first.get("BTI") or first.get("TT"),
        "authors": _authors(tags), "journal": first.get("JT") or first.get("BTI"),
        "journal_abbrev": first.get("TA"), "year": first.get("DP") or first.get("DEP"),
        "volume": first.get("VI"), "issue": first.get("IP"), "pages": first.get("PG"), "doi": _doi(tags),
        "pmid": first.get("PMID"), "source_id": first.get("PMID"), "type": _values(tags, "PT"),
        "summary": " ".join(_values(tags, "AB")), "keywords": _values(tags, "OT"),
        "mesh": [_mesh(v) for v in _values(tags, "MH")],
    }
