"""The passages of a cleaned full text, and the sections they belong to.

A cleaned full text (what :mod:`vkref.io.fulltext` makes of a text or PDF file, kept in ``Review.fulltext``) is
plain text in a light mark-up: paragraphs separated by one blank line, section headings on their own line
starting with ``# ``, figure and table captions as paragraphs starting with ``Fig.``, ``Figure`` or ``Table``,
citation markers in square brackets (``rats. [23]``). :func:`split` turns it into passages with their character
offsets in that text, so the same text always gives the same passages (the store refreshes them whenever a
review's full text changes, undo included).

A finding's section may name its parent heading when the heading occurs more than once: ``"Treatment with
vitamin K2 alone (in Effects of vitamin K2 in ovariectomized rats)"``. :func:`section_passages` resolves such
a name to the passages under that heading.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

HEADING_MARK = "# "
CAPTION = re.compile(r"^(Fig\.|Figs\.|Figure|Table|Scheme)\s*\d+", re.I)
_PARENT = re.compile(r"^(.*?)\s*\(in (.+)\)\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])((?:\s*\[[^\]]{1,30}\])?)\s+(?=[A-Z0-9(\[\"γαβκµμ])")


@dataclass
class Passage:
    """One heading, paragraph or caption of a review's full text; ``start``/``end`` index ``Review.fulltext``."""

    review_id: str
    position: int  # 0, 1, 2... in reading order
    section: str  # the heading it stands under ("" before the first heading); a heading's own text
    kind: str  # heading | paragraph | caption
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.review_id}/{self.position}"


def split(review_id: str, text: str) -> list[Passage]:
    """The passages of a cleaned full text, in reading order."""
    out: list[Passage] = []
    section = ""
    for start, end in _blocks(text):
        block = text[start:end]
        if block.startswith(HEADING_MARK):
            section = block[len(HEADING_MARK):].strip()
            kind, start = "heading", start + len(HEADING_MARK)
        else:
            kind = "caption" if CAPTION.match(block) else "paragraph"
        out.append(Passage(review_id, len(out), section, kind, start, end, text[start:end]))
    return out


def _blocks(text: str):
    for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
        chunk = m.group(0)
        lead = len(chunk) - len(chunk.lstrip())
        body = chunk.strip()
        if body:
            yield m.start() + lead, m.start() + lead + len(body)


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a heading (for matching section names)."""
    text = unicodedata.normalize("NFKD", text).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def parse_section(name: str) -> tuple[str, str]:
    """``"X (in Y)"`` -> (X, Y); a plain heading -> (heading, "")."""
    m = _PARENT.match(name or "")
    return (m.group(1).strip(), m.group(2).strip()) if m else ((name or "").strip(), "")


def section_passages(passages: list[Passage], name: str) -> list[Passage]:
    """The passages under the heading ``name`` (see the module docstring), headings excluded; [] if none.

    ``"X (in Y)"`` takes the first heading X after the first heading Y."""
    head, parent = parse_section(name)
    want, after = fold(head), fold(parent)
    if not want:
        return []
    seen_parent = not after
    for p in passages:
        if p.kind != "heading":
            continue
        if not seen_parent and fold(p.text) == after:
            seen_parent = True
        elif seen_parent and fold(p.text) == want:
            return _under(passages, p.position)
    return []


def _under(passages: list[Passage], heading: int) -> list[Passage]:
    out = []
    for p in passages[heading + 1:]:
        if p.kind == "heading":
            break
        out.append(p)
    return out


def sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (shifted by ``offset``); a citation marker stays with its sentence."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if _abbreviation(text, m.start()):
            continue
        spans.append((offset + start, offset + m.start() + len(m.group(1))))  # its reference marker too
        start = m.end()
    if start < len(text.rstrip()):
        spans.append((offset + start, offset + len(text.rstrip())))
    return spans


_ABBREVIATIONS = ("et al.", "Fig.", "Figs.", "e.g.", "i.e.", "vs.", "No.", "Vol.", "approx.", "ca.")


def _abbreviation(text: str, end: int) -> bool:
    """Whether the full stop before ``end`` ends an abbreviation ("et al.", "Fig.") rather than a sentence."""
    head = text[:end].rstrip()
    head = re.sub(r"\s*\[[^\]]{1,30}\]$", "", head)
    return head.endswith(_ABBREVIATIONS) or bool(re.search(r"\b[A-Z]\.$", head))
