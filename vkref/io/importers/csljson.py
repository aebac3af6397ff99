"""CSL-JSON: an array of CSL items, or an object holding one under ``items`` (as Zotero and citeproc write).

Any other JSON, or an array holding anything but objects, is refused as "not CSL-JSON"; an object that
carries no CSL field at all in the whole file is refused too. Names are ``family``/``given`` (with particles
and suffixes) or ``literal`` (corporate names, kept whole).
"""
from __future__ import annotations

import json
from collections.abc import Iterator

from vkref.core.entities import Author
from vkref.core.errors import DataError
from vkref.io.importers.model import RawRecord

_CSL_KEYS = {"id", "type", "title", "author", "issued", "DOI", "container-title", "editor", "PMID", "URL",
             "page", "volume", "issue", "abstract", "publisher", "citation-key"}


def _items(text: str, name: str) -> list:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{name}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise DataError(f"{name}: malformed JSON (nested too deeply)") from None
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise DataError(f"{name}: not CSL-JSON (expected an array of CSL items)")
    if any(data) and not any(_CSL_KEYS & item.keys() for item in data):
        raise DataError(f"{name}: not CSL-JSON (no item has a CSL field such as title, type or author)")
    return data


def parse(text: str, name: str) -> Iterator[RawRecord]:
    for item in _items(text, name):
        yield RawRecord(None, _fields(item))


def _text(value) -> str:
    if isinstance(value, list):  # raw Crossref items hold titles and journals as lists
        value = value[0] if value else ""
    return value if isinstance(value, str) else "" if value is None else str(value)


def _person(name) -> Author | None:
    if not isinstance(name, dict):
        return None
    if name.get("literal") and not name.get("family"):
        return Author(_text(name["literal"]))
    family = " ".join(_text(name.get(k)) for k in ("non-dropping-particle", "family") if name.get(k))
    given = " ".join(_text(name.get(k)) for k in ("given", "dropping-particle") if name.get(k))
    if name.get("suffix"):
        given = f"{given}, {_text(name['suffix'])}".strip(", ")
    return Author(family, given) if family else None


def _year(date) -> str:
    if not isinstance(date, dict):
        return _text(date)
    parts = date.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        return _text(parts[0][0])
    return _text(date.get("raw") or date.get("literal") or date.get("season"))


def _fields(item: dict) -> dict:
    names = item.get("author") or item.get("editor")
    people = [p for p in (_person(n) for n in (names if isinstance(names, list) else [])) if p is not None]
    return {
        "title": _text(item.get("title")), "authors": people, "journal": _text(item.get("container-title")),
        "journal_abbrev": _text(item.get("container-title-short") or item.get("journalAbbreviation")),
        "year": _year(item.get("issued") or item.get("published-print") or item.get("published-online")),
        "volume": _text(item.get("volume")), "issue": _text(item.get("issue")), "pages": _text(item.get("page")),
        "doi": _text(item.get("DOI")), "pmid": _text(item.get("PMID")), "source_id": _text(item.get("id")),
        "type": [_text(item.get("type"))], "summary": _text(item.get("abstract")),
        "keywords": _text(item.get("keyword")).replace(";", ",").split(","),
    }
