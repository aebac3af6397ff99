"""Vancouver (ICMJE/NLM) citations, formatted by hand: the rules are short and fixed, and a CSL processor
(citeproc-py) would add a dependency and a style file to the frozen build for one style."""
from __future__ import annotations

from vkref.core.entities import Review


def vancouver(review: Review) -> str:
    """``Iwamoto J, Takeda T, Sato Y. Title. Yonsei Med J. 2006;47(2):157-66. doi:...``

    Up to six authors are listed, then "et al."; missing parts are left out rather than guessed.
    """
    names = [a.display for a in review.authors]
    if len(names) > 6:
        names = names[:6] + ["et al"]
    parts = []
    if names:
        parts.append(", ".join(names) + ".")
    title = review.title.rstrip(".")
    if title:
        parts.append(title + ".")
    journal = review.journal_abbrev or review.journal
    source = ""
    if journal:
        source = journal.rstrip(".") + "."
    detail = ""
    if review.year:
        detail = str(review.year)
    if review.volume:
        detail += f";{review.volume}"
        if review.issue:
            detail += f"({review.issue})"
    if review.pages:
        detail += f":{_short_pages(review.pages)}"
    if detail:
        source += " " + detail.lstrip(";") + "."
    if source:
        parts.append(source.strip())
    if review.doi:
        parts.append(f"doi:{review.doi}")
    return " ".join(parts)


def _short_pages(pages: str) -> str:
    """NLM style drops repeated leading digits of the last page: 157-166 -> 157-66."""
    if "-" not in pages:
        return pages
    first, last = (p.strip() for p in pages.split("-", 1))
    if first.isdigit() and last.isdigit() and len(first) == len(last):
        i = 0
        while i < len(first) - 1 and first[i] == last[i]:
            i += 1
        last = last[i:]
    return f"{first}-{last}"


def short_label(review: Review) -> str:
    """A compact label for facets and tables: "Iwamoto 2006, Yonsei Med J"."""
    first = review.authors[0].family if review.authors else "Anon"
    year = str(review.year) if review.year else "n.d."
    journal = review.journal_abbrev or review.journal
    return f"{first} {year}, {journal}" if journal else f"{first} {year}"
