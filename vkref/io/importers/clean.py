"""Cleaning of single field values shared by every format: titles, years, DOIs, PMIDs, names, types.

Each function takes whatever a file holds (possibly ``None`` or a list) and returns the cleaned value or an
empty result; none of them raises on odd input.
"""
from __future__ import annotations

import html
import re

from vkref.core.entities import Author

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|21\d\d)(?!\d)")
_YEAR_DATE = re.compile(r"^(1[5-9]\d\d|20\d\d|21\d\d)(?:\d\d){1,2}$")  # 20060315, 200603
_DOI = re.compile(r"10\.\d{3,9}/\S+")
_DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/|^doi:\s*|^\s*doi\s+", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_INITIALS = re.compile(r"^(?:[A-Z][.-]?){1,4}$")  # "JA", "R.", "D.G.", "J-P"


def text(value) -> str:
    """A value as one line of text: lists joined by spaces, whitespace collapsed, ``None`` as ""."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = " ".join(text(v) for v in value)
    return _SPACES.sub(" ", str(value)).strip()


def strip_markup(value) -> str:
    """Text without HTML/XML tags, entities decoded, whitespace collapsed."""
    return text(html.unescape(_TAG.sub("", text(value))))


def title(value) -> str:
    """A clean title: markup and LaTeX braces removed, whitespace collapsed, one trailing period dropped."""
    cleaned = strip_markup(value).replace("{", "").replace("}", "")
    cleaned = text(cleaned)
    if cleaned.endswith(".") and not cleaned.endswith(".."):
        cleaned = cleaned[:-1].rstrip()
    return cleaned


def year(value) -> int | None:
    """The first plausible year in any date form ("2006 Mar 15", "Spring 2006", "2006-2007", 20060315)."""
    raw = text(value)
    match = _YEAR_DATE.match(raw) or _YEAR.search(raw)
    return int(match.group(1)) if match else None


def doi(value) -> str:
    """A bare, lower-case DOI ("10.1000/xyz") from a DOI, a doi.org URL or "doi:..."; "" when there is none."""
    raw = _DOI_URL.sub("", text(value))
    match = _DOI.search(raw)
    if not match:
        return ""
    found = match.group(0).split("[")[0]
    return found.rstrip(".,;)").lower()


def pmid(value) -> str:
    """The PMID as digits only ("PMID: 123 [PubMed]" -> "123"); "" when there is none."""
    match = _DIGITS.search(text(value))
    return match.group(0) if match else ""


def author(value) -> Author | None:
    """An author from "Family, Given", "Family GI" (MEDLINE AU) or a corporate name kept whole."""
    raw = text(value).strip(" ,;")
    if not raw:
        return None
    if "," in raw:
        return Author.parse(raw)
    family, _, last = raw.rpartition(" ")
    if family and _INITIALS.match(last):
        return Author(family, last)
    return Author(raw)


def authors(values) -> list[Author]:
    return [a for a in (author(v) for v in values or []) if a is not None]


def words(values, split: str = "") -> list[str]:
    """Distinct non-empty strings in order, each optionally split on ``split`` (";" for keyword lists)."""
    out: list[str] = []
    if isinstance(values, str):
        values = [values]
    for value in values or []:
        for part in (text(value).split(split) if split else [text(value)]):
            part = strip_markup(part)
            if part and part not in out:
                out.append(part)
    return out


def pages(first, last=None) -> str:
    first, last = text(first), text(last)
    if first and last and last != first:
        return f"{first}-{last}"
    return first or last
