"""BibTeX export: one ``@article{iwamoto2006, ...}`` entry per review.

Written by hand rather than with bibtexparser 2's writer: that writer leaves LaTeX specials unescaped, and its
LaTeX-encoding middleware turns every non-ASCII letter into a macro, while vkref keeps UTF-8 (biber and
bibtex8 read it) and needs only the escaping below — a dozen lines either way.

Promises: keys are unique within the file (``iwamoto2006``, then ``iwamoto2006a``, ``iwamoto2006b`` ...);
authors are joined by `` and `` as "Family, Given", a corporate author is wrapped in braces so it is never
split into names; LaTeX specials (``\\ { } & % $ # _ ~ ^``) in text fields are escaped; words whose capitals
matter (``MK-4``, ``K2``, ``BMD``) are braced in titles so styles cannot lower-case them; DOI and
PMID are written as they are (verbatim fields).
"""
from __future__ import annotations

import re
import unicodedata

from vkref.core.entities import Author, Review
from vkref.core.status import banner, review_status
from vkref.io.export.records import one_line

ENTRY_TYPES = {"journal-article": "article", "book": "book", "chapter": "incollection", "report": "techreport",
               "thesis": "phdthesis"}
_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
             "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_SPECIAL_RE = re.compile(r"[\\{}&%$#_~^]")
_FOLD = str.maketrans({"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "ß": "ss", "ł": "l", "Ł": "l", "đ": "d",
                       "Đ": "d", "þ": "th", "œ": "oe"})


def escape(text: str) -> str:
    """``text`` with the LaTeX specials escaped (non-ASCII characters are kept)."""
    escaped = _SPECIAL_RE.sub(lambda m: _SPECIALS[m.group()], one_line(text))
    # "--" and "---" are dashes to LaTeX: "-{}-" keeps two hyphens for every LaTeX-aware reader
    while "--" in escaped:
        escaped = escaped.replace("--", "-{}-")
    return escaped


def protect_title(text: str) -> str:
    """Escape, then brace the words whose capitals a style must keep (``{MK-4}``, ``vitamin {K2}``): every word
    after the first that has a capital letter, and the first word when a capital follows its first letter."""
    words = escape(text).split(" ")
    return " ".join("{" + w + "}" if _keeps_case(w, i) else w for i, w in enumerate(words))


def _keeps_case(word: str, position: int) -> bool:
    return "\\" not in word and any(c.isupper() for c in (word if position else word[1:]))


def bib_name(author: Author) -> str:
    if not author.given:
        return "{" + escape(author.family) + "}" if " " in author.family.strip() else escape(author.family)
    return f"{escape(author.family)}, {escape(author.given)}"


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower()


def base_key(review: Review) -> str:
    """``iwamoto2006``: the first author's family name folded to ASCII letters and digits (``vanderberg``,
    at most 20), else "ref" and the review id, then the year when there is one."""
    name = _ascii_word(review.authors[0].family)[:20] if review.authors else ""
    return (name or "ref" + _ascii_word(review.id)[:20]) + (str(review.year) if review.year else "")


def unique_keys(reviews: list[Review]) -> list[str]:
    """One key per review, suffixed a, b, c ... (then aa, ab ...) where the base key repeats."""
    used: set[str] = set()
    keys = []
    for review in reviews:
        base = key = base_key(review)
        n = 0
        while key in used:
            key = base + _suffix(n)
            n += 1
        used.add(key)
        keys.append(key)
    return keys


def _suffix(n: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[n] if n < 26 else _suffix(n // 26 - 1) + letters[n % 26]


def _fields(review: Review) -> list[tuple[str, str]]:
    pages = review.pages.replace("\u2013", "-").replace("--", "-").replace("-", "--")
    fields = [("author", " and ".join(bib_name(a) for a in review.authors)), ("title", protect_title(review.title)),
              ("journal", escape(review.journal)), ("shortjournal", escape(review.journal_abbrev)),
              ("year", str(review.year or "")), ("volume", escape(review.volume)), ("number", escape(review.issue)),
              ("pages", _SPECIAL_RE.sub(lambda m: _SPECIALS[m.group()], one_line(pages))), ("doi", one_line(review.doi)), ("pmid", one_line(review.pmid)),
              ("abstract", escape(review.summary)), ("keywords", escape(", ".join(review.keywords))),
              ("note", escape(banner(review_status(review))))]
    return [(name, value) for name, value in fields if value]


def entry(review: Review, key: str) -> str:
    kind = ENTRY_TYPES.get(review.type, "misc")
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in _fields(review))
    return f"@{kind}{{{key},\n{body}\n}}\n"


def to_bibtex(reviews: list[Review]) -> str:
    return "\n".join(entry(r, k) for r, k in zip(reviews, unique_keys(reviews)))
