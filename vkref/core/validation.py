"""What a record must be before it is stored: ids, types, sizes and characters (issue: hostile input).

One place for the rules, used by every path that writes records (the store's writer, so edits, imports,
bundles, merges and undo all pass here) and by the importer to skip a bad record with its reason instead of
failing the whole file. Each rule gives one line naming the record and the field.

- **Ids**: 1–100 characters, letters, digits and ``. _ : + -``, starting with a letter or digit (no slashes,
  markup, spaces or control characters: ids appear in paths of exports, in URLs of the detail pane and in
  file names).
- **Types**: text fields are strings, ``year`` an integer or empty, list fields lists of strings, authors
  :class:`~vkref.core.entities.Author` objects.
- **Sizes**: :data:`LIMITS` per field (a review's abstract may be long, a title may not), at most
  :data:`MAX_LIST` items in a list field, :data:`MAX_RECORD` characters in all (the attached full text apart,
  which has its own limit): a 10 MB record would make every search that shows it slow.
- **Characters**: no NUL and no lone surrogate (neither can be stored as UTF-8 text).
"""
from __future__ import annotations

import re
from dataclasses import fields as dc_fields

from vkref.core.entities import Author, Finding, Review, Study
from vkref.core.errors import DataError, QueryError
from vkref.core.status import status_problem

ID_RE = re.compile(r"^[^\W_][\w.:+\-]{0,99}$")
MAX_RECORD = 1_000_000
MAX_LIST = 2_000
MAX_ITEM = 2_000
DEFAULT_LIMIT = 10_000
LIMITS = {"title": 2_000, "summary": 200_000, "notes": 100_000, "caution": 20_000, "statement": 20_000,
          "effect_size": 20_000, "fulltext": 5_000_000, "fulltext_file": 120}
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
SKIP = {"provenance", "concepts", "concepts_suggested", "version", "year", "locator", "source_retracted",
        "study_terms"}


def id_problem(value) -> str | None:
    if not isinstance(value, str):
        return f"id must be text, not {type(value).__name__}"
    if not ID_RE.match(value):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return (f"id {shown!r} is not valid: use 1-100 letters, digits and . _ : + - "
                "(starting with a letter or digit)")
    return None


def check_id(value, what: str = "record") -> None:
    why = id_problem(value)
    if why:
        raise DataError(f"{what}: {why}")


def _text_problem(name: str, value) -> str | None:
    if not isinstance(value, str):
        return f"field {name} must be text, not {type(value).__name__}"
    limit = LIMITS.get(name, DEFAULT_LIMIT)
    if len(value) > limit:
        return f"field {name} is too long ({len(value):,} characters; the limit is {limit:,})"
    bad = _BAD_CHARS.search(value)
    if bad:
        return f"field {name} contains a character that cannot be stored (U+{ord(bad.group()):04X})"
    return None


def _list_problem(name: str, value) -> str | None:
    if not isinstance(value, list):
        return f"field {name} must be a list, not {type(value).__name__}"
    if len(value) > MAX_LIST:
        return f"field {name} has too many items ({len(value):,}; the limit is {MAX_LIST:,})"
    for item in value:
        if isinstance(item, Author):
            for part in ("family", "given"):
                why = _text_problem(f"{name}.{part}", getattr(item, part))
                if why:
                    return why
            continue
        if not isinstance(item, str):
            return f"field {name} must hold text items, not {type(item).__name__}"
        if len(item) > MAX_ITEM:
            return f"an item of field {name} is too long ({len(item):,} characters; the limit is {MAX_ITEM:,})"
        bad = _BAD_CHARS.search(item)
        if bad:
            return f"field {name} contains a character that cannot be stored (U+{ord(bad.group()):04X})"
    return None


def record_problem(record: Review | Finding | Study) -> str | None:
    """Why ``record`` cannot be stored, or None."""
    why = id_problem(record.id)
    if why:
        return why
    if isinstance(record, Finding):
        why = id_problem(record.review_id)
        if why:
            return f"review_id: {why}"
        if isinstance(record.statement, str) and not record.statement.strip():
            return "field statement is empty"
        bad = next((sid for sid in record.studies if id_problem(sid)), None) \
            if isinstance(record.studies, list) else None
        if bad is not None:
            return f"studies: {id_problem(bad)}"
    if isinstance(record, Study) and isinstance(record.label, str) and not record.label.strip():
        return "field label is empty"
    year = getattr(record, "year", None)
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not -9999 <= year <= 9999):
        return f"field year must be a whole number (a year), not {year!r}"[:120]
    total = 0
    for f in dc_fields(record):
        if f.name in SKIP or f.name == "id":
            continue
        value = getattr(record, f.name)
        if isinstance(value, list) or str(f.type).startswith("list"):
            why = _list_problem(f.name, value)
            total += sum(len(str(v)) for v in value) if not why else 0
        else:
            why = _text_problem(f.name, value)
            if isinstance(value, str) and f.name != "fulltext":
                total += len(value)
        if why:
            return why
    if isinstance(record, Review):
        why = status_problem(record.status, record.status_date)
        if why:
            return why
    if total > MAX_RECORD:
        return f"the record is too large ({total:,} characters; the limit is {MAX_RECORD:,})"
    concepts = getattr(record, "concepts", {})
    if not isinstance(concepts, dict) or any(not isinstance(v, list) for v in concepts.values()):
        return "field concepts must map each facet to a list of concept ids"
    return None


def check_record(record: Review | Finding | Study) -> None:
    why = record_problem(record)
    if why:
        kind = {Finding: "finding", Study: "study"}.get(type(record), "review")
        rid = record.id if isinstance(record.id, str) and len(record.id) <= 60 else "(bad id)"
        raise DataError(f"{kind} {rid!r}: {why}")


# ---------------------------------------------------------------------------- API arguments


def _whole(name: str, value, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"{name} must be a whole number, not {value!r}"[:120])


def _facet_spec(name: str, spec) -> None:
    if spec is None:
        return
    if not isinstance(spec, dict):
        raise QueryError(f"{name} must map facet names to values, e.g. {{'species': ['Human']}}")
    for facet, values in spec.items():
        if not isinstance(facet, str):
            raise QueryError(f"{name}: facet names are text, not {facet!r}"[:120])
        items = [values] if isinstance(values, str) else values
        try:
            items = list(items)
        except TypeError:
            raise QueryError(f"{name}[{facet!r}] must be a value or a list of values, not {values!r}"[:120]) from None
        if any(not isinstance(v, str) for v in items):
            raise QueryError(f"{name}[{facet!r}]: values are text (labels or concept ids)")


def check_search_args(query, filters, exclude, kind, year_from, year_to, limit, offset, sort) -> None:
    """Types of :meth:`Library.search`'s arguments: a wrong one is a one-line :class:`QueryError`."""
    if query is not None and not isinstance(query, str):
        raise QueryError(f"the query must be text, not {type(query).__name__}")
    if isinstance(query, str) and _BAD_CHARS.search(query):
        raise QueryError("the query contains a character that is not text (a NUL or a lone surrogate)")
    _facet_spec("filters", filters)
    _facet_spec("exclude", exclude)
    if kind is not None and not isinstance(kind, str):
        raise QueryError(f"kind must be 'finding', 'review' or 'passage', not {kind!r}"[:120])
    for name, value in (("year_from", year_from), ("year_to", year_to)):
        _whole(name, value)
    _whole("limit", limit, allow_none=False)
    _whole("offset", offset, allow_none=False)
    if not isinstance(sort, str):
        raise QueryError(f"sort must be text, not {sort!r}"[:120])
