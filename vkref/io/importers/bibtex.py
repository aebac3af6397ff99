"""BibTeX and BibLaTeX through bibtexparser 2.

bibtexparser splits the file, resolves ``@string`` macros, splits author lists on ``and``/``AND`` and names into
parts. This module adds what it leaves out: ``#`` concatenations of macros, ``crossref`` inheritance (cycles
stopped), LaTeX accents decoded in the fields that are kept (through pylatexenc, the decoder bibtexparser
itself uses; only where LaTeX characters occur, as decoding is slow), and braced corporate names kept whole. Blocks bibtexparser could not parse (and duplicate keys) become record errors
at their line; ``@string``, ``@preamble`` and ``@comment`` blocks are not records.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock
from pylatexenc.latex2text import LatexNodes2Text

from vkref.core.entities import Author
from vkref.io.importers.model import RawRecord

_NOT_RECORDS = re.compile(r"^\s*@\s*(?:string|preamble|comment)\b", re.IGNORECASE)
_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
_LATEX_CHARS = re.compile(r"[\\{}$~]")
_DECODED = ("title", "booktitle", "journal", "journaltitle", "shortjournal", "abstract", "keywords", "pages")
_INHERITED = ("journal", "journaltitle", "booktitle", "year", "date", "volume", "publisher")


def _latex(value) -> str:
    """Unicode for LaTeX markup; text without any LaTeX character is returned as is (pylatexenc is slow)."""
    if not isinstance(value, str) or not _LATEX_CHARS.search(value):
        return value if isinstance(value, str) else ""
    try:
        return _LATEX.latex_to_text(value)
    except Exception:  # pylatexenc raises assorted errors on broken LaTeX; the raw text is still useful
        return value


def _person(parts) -> Author:
    last = " ".join(parts.last)
    if not (parts.first or parts.von or parts.jr) and last.startswith("{") and last.endswith("}"):
        return Author(_latex(last[1:-1]))  # {World Health Organization}: a corporate author, kept whole
    family = _latex(" ".join(parts.von + parts.last))
    given = _latex(" ".join(parts.first))
    if parts.jr:
        given = f"{given}, {_latex(' '.join(parts.jr))}".strip(", ")
    return Author(family, given)


def _concat(value: str, strings: dict[str, str]) -> str:
    """Resolve ``jbr # " X"`` style concatenations that are left unresolved by the string middleware."""
    parts = [p.strip() for p in value.split("#")]
    if len(parts) < 2:
        return value
    out = []
    for part in parts:
        if part[:1] in "{\"" and part[-1:] in "}\"":
            out.append(part[1:-1])
        else:
            out.append(strings.get(part.lower(), part))
    return "".join(out)


def _library(text: str):
    """The parsed file: default bibtexparser stack, then ``#`` joined, then names split and LaTeX decoded."""
    library = bibtexparser.parse_string(text)
    strings = {s.key.lower(): str(s.value) for s in library.strings}
    for entry in library.entries:
        for f in entry.fields:
            if isinstance(f.value, str) and f.enclosing == "no-enclosing" and "#" in f.value:
                f.value = _concat(f.value, strings)
    for step in (middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()):
        library = step.transform(library)
    return library


def _fields(entry: Entry) -> dict:
    return {f.key.lower(): f.value for f in entry.fields}


def _resolve(key: str, entries: dict[str, dict], seen: frozenset = frozenset()) -> dict:
    """The fields of an entry with the missing ones filled from its ``crossref`` parents (cycles stopped)."""
    fields = dict(entries[key])
    parent = str(fields.get("crossref", "")).lower()
    if parent in entries and parent not in seen | {key}:
        inherited = _resolve(parent, entries, seen | {key})
        if "booktitle" not in fields and "title" in inherited:
            fields["booktitle"] = inherited["title"]
        for name in _INHERITED:
            if name not in fields and name in inherited:
                fields[name] = inherited[name]
    return fields


def _record(key: str, kind: str, f: dict) -> dict:
    f = {k: _latex(v) if k in _DECODED else v for k, v in f.items()}
    names = f.get("author") or f.get("editor") or []
    eprint = f.get("eprint") if str(f.get("eprinttype", "")).lower() == "pubmed" else ""
    return {
        "title": f.get("title") or f.get("booktitle"), "source_id": key, "type": [kind],
        "authors": [_person(p) for p in names] if isinstance(names, list) else [],
        "journal": f.get("journaltitle") or f.get("journal") or (f.get("booktitle") if f.get("title") else ""),
        "journal_abbrev": f.get("shortjournal"), "year": f.get("year") or f.get("date"),
        "volume": f.get("volume"), "issue": f.get("number") or f.get("issue"), "pages": f.get("pages"),
        "doi": f.get("doi"), "pmid": f.get("pmid") or eprint, "summary": f.get("abstract"),
        "keywords": re.split(r"[;,]", str(f.get("keywords", ""))),
    }


def _failure(block) -> str:
    if isinstance(block, DuplicateBlockKeyBlock):
        return f"duplicate entry key {block.key!r}"
    error = str(getattr(block, "error", "") or "").strip().split("\n")
    return error[-1] if error and error[-1] else "malformed entry"


def parse(text: str, name: str) -> Iterator[RawRecord]:
    library = _library(text)
    entries = {e.key.lower(): _fields(e) for e in library.entries}
    blocks = sorted(list(library.entries) + list(library.failed_blocks), key=lambda b: b.start_line)
    for block in blocks:
        line = block.start_line + 1
        if isinstance(block, Entry):
            yield RawRecord(line, _record(block.key, block.entry_type, _resolve(block.key.lower(), entries)))
        elif isinstance(block, ParsingFailedBlock) and not _NOT_RECORDS.match(block.raw or ""):
            yield RawRecord(line, error=_failure(block))
