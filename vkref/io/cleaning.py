"""Cleaning of text extracted from a review's PDF or text file into the mark-up of :mod:`vkref.core.passages`.

What extraction gives (the seed texts are real examples): lines broken at the column width, words hyphenated
across lines, running headers and footers (sometimes glued into the middle of a word), page numbers, reference
numbers stuck to words (``rats.23``) or left on a line of their own, figure captions between the lines of a
paragraph, and headings that are just short lines. :func:`clean` promises:

- a word hyphenated across lines is joined (``osteo-/calcin`` -> ``osteocalcin``) unless the hyphen belongs to
  it: a code (``MK-/4`` -> ``MK-4``), a number before the hyphen, or the hyphenated form used elsewhere in the
  same text (``calcium-/deficient``);
- lines repeated at the top or bottom of several pages (digits ignored), lines or line ends repeating a running
  footer, and page numbers are removed; a footer glued into a word is cut out and the word joined again;
- reference numbers are detached from words and kept as markers (``rats.23`` -> ``rats. [23]``) when the text
  cites with superscripts (a text citing with ``[n]`` is left as it is);
- headings are lines on their own (also a heading broken over two lines) written as ``# Heading``; captions
  (``Fig. 1. ...``) are paragraphs of their own, and a paragraph the caption interrupted continues after it.

It is written by hand: the PDF libraries give the text in reading order but know nothing of paragraphs,
headings or reference markers, and no well-kept library restores those from plain text.
"""
from __future__ import annotations

import re
from collections import Counter
from statistics import median

from vkref.core.passages import CAPTION, HEADING_MARK, fold

_FUNCTION_WORDS = {"and", "or", "of", "with", "for", "in", "on", "the", "to", "by", "a", "an", "from", "as",
                   "at", "into", "its", "their", "vitamin"}
_ONE_WORD_HEADINGS = {"abstract", "introduction", "conclusion", "conclusions", "discussion", "methods", "results",
                      "references", "acknowledgements", "acknowledgments", "prospect", "prospects", "background",
                      "summary", "materials and methods"}
_FOOTER = re.compile(r"\b(19|20)\d\d\b|\bVol\.|\bNo\.")  # what a running footer names
_LONE_REF = re.compile(r"^\d{1,3}(?:\s*[,–-]\s*\d{1,3})*$")
_BRACKET_REF = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
_STUCK_REF = re.compile(r"(?:(?<=[A-Za-z][a-z]{2})|(?<=\bal)|(?<=\)))([.,;:]{0,2}|\)[.,;:]?)"
                        r"(\d{1,3}(?:[,–-]\d{1,3})*)(?=[\s.,;:)]|$)")
PAGE_BREAK = "\x01"  # marks a line cut short by a running footer: what follows may be a heading
_LIGATURES = {"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "\u00ad": "", "\u00a0": " ", "\r": ""}


def clean(pages: list[str], hints: tuple[str, ...] = ()) -> str:
    """The cleaned text (mark-up of :mod:`vkref.core.passages`) of a document given page by page.

    ``hints``: headings known to occur (the sections of a review's coded findings); a line or two lines that
    read as one of them are taken as a heading even where the layout alone would not tell."""
    pages = [_normalise(p) for p in pages]
    lines = _drop_running_lines(pages)
    lines = _cut_glued_footers(lines)
    bracketed = len(_BRACKET_REF.findall("\n".join(lines))) >= 5
    lines = _join_hyphenated(lines)
    paragraphs = _paragraphs(lines, {fold(h) for h in hints if h})
    if not bracketed:
        names = Counter(re.findall(r"\b[A-Za-z]+\d+\b", "\n".join(paragraphs)))
        keep = {n for n, c in names.items() if c > 1}  # "Runx2" twice is a name; a reference number varies
        paragraphs = [p if p.startswith(HEADING_MARK) else _detach_refs(p, keep) for p in paragraphs]
    return "\n\n".join(re.sub(r"[ \t]+", " ", p).strip() for p in paragraphs if p.strip()) + "\n"


def _normalise(page: str) -> str:
    for a, b in _LIGATURES.items():
        page = page.replace(a, b)
    return "\n".join(line.strip() for line in page.split("\n"))


# ---------------------------------------------------------------------------- running headers, page numbers
def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _drop_running_lines(pages: list[str]) -> list[str]:
    """Every line of every page, without page numbers and lines repeated at the edges of several pages."""
    split = [[ln for ln in p.split("\n")] for p in pages]
    edges = Counter()
    for lines in split:
        for ln in set(_edge_lines(lines)):
            edges[_shape(ln)] += 1
    # on several pages (a heading that happens to open two pages of a long text is not a running title)
    running = {s for s, n in edges.items() if n >= max(2, 0.3 * len(pages)) and len(pages) > 1}
    out: list[str] = []
    for lines in split:
        edge = set(_edge_lines(lines))
        for ln in lines:
            if ln in edge and (_shape(ln) in running or (len(pages) > 1 and ln.isdigit())):
                continue
            out.append(ln)
        out.append("")  # a page break is a possible paragraph break
    return out


def _edge_lines(lines: list[str]) -> list[str]:
    body = [ln for ln in lines if ln.strip()]
    return body[:2] + body[-2:]


def _cut_glued_footers(lines: list[str]) -> list[str]:
    """Remove a running footer repeated at the end of several lines (often glued into a word: ``neurectoYonsei
    Med J Vol. 47``); the word is joined with the next line again."""
    footer = _repeated_tail(lines)
    if not footer:
        return lines
    out = []
    for i, ln in enumerate(lines):
        cut = _strip_footer(ln, footer)
        if cut is None:
            out.append(ln)
        elif cut and cut[-1].isalpha():
            j = _next_nonblank(lines, i + 1)
            glue = j is not None and lines[j][:1].islower()
            out.append(cut + ("\x00" if glue else PAGE_BREAK))  # glue: the next line continues this word
        elif cut:
            out.append(cut)
    return out


def _repeated_tail(lines: list[str]) -> str:
    """The longest footer-like text (>= 12 characters, naming a year, volume or number) that ends two or more
    lines without being the whole line. Suffixes are counted, not lines compared pairwise: a 300-page PDF has
    tens of thousands of lines."""
    counts: Counter = Counter()
    for ln in lines:
        if len(ln) > 12 and _FOOTER.search(ln):
            counts.update({ln[-n:] for n in range(12, min(len(ln) - 1, 90) + 1)})
    best = ""
    for tail, n in counts.items():
        if n >= 2 and len(tail) > len(best):
            tail = re.sub(r"^[a-z]+(?=[A-Z])", "", tail.lstrip())  # "cYonsei Med J" was glued to a word
            if _FOOTER.search(tail) and len(tail) > len(best) and len(tail) >= 12:
                best = tail
    return best


def _strip_footer(line: str, footer: str) -> str | None:
    if line.strip() == footer:
        return ""
    for n in range(len(footer), 9, -1):  # the footer, or its beginning cut off at the line end
        if line.endswith(footer[:n]) and len(line) > n:
            return line[:-n].rstrip()
    return None


# ---------------------------------------------------------------------------- hyphenation
def _join_hyphenated(lines: list[str]) -> list[str]:
    text = "\n".join(lines)
    hyphenated = set(re.findall(r"\b\w+-\w+\b", text.replace("-\n", "")))
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j = _next_nonblank(lines, i + 1)
        while j is not None and (line.endswith("\x00") or _breaks_word(line, lines[j])):
            line = _join(line, lines[j], hyphenated)
            i = j
            j = _next_nonblank(lines, i + 1)
        out.append(line)
        i += 1
    return out


def _next_nonblank(lines: list[str], i: int) -> int | None:
    for j in range(i, min(i + 3, len(lines))):
        if lines[j].strip():
            return j
    return None


def _breaks_word(line: str, nxt: str) -> bool:
    return bool(re.search(r"\w-$", line)) and not line.endswith("--") and bool(nxt[:1].isalnum())


def _join(line: str, nxt: str, hyphenated: set[str]) -> str:
    if line.endswith("\x00"):
        return line[:-1] + nxt
    head = re.search(r"(\S*)-$", line).group(1)
    tail = re.match(r"\S*", nxt).group(0).rstrip(".,;:)")
    if _keeps_hyphen(head, tail, hyphenated):
        return line + nxt
    return line[:-1] + nxt


def _keeps_hyphen(head: str, tail: str, hyphenated: set[str]) -> bool:
    word = re.sub(r"^\W+", "", head)
    if not tail[:1].islower() or word[-1:].isdigit() or re.search(r"[A-Z]{2}$|[A-Z]\d*$", word):
        return True  # "MK-4", "25-hydroxy...", "NF-κB", "-/Table"
    return f"{word.split('-')[-1]}-{tail}" in hyphenated


# ---------------------------------------------------------------------------- paragraphs and headings
def _paragraphs(lines: list[str], hints: set[str]) -> list[str]:
    widths = [len(ln) for ln in lines if len(ln) > 20]
    typical = median(widths) if widths else 60
    out: list[str] = []
    current: list[str] = []
    interrupted: int | None = None  # index of a body paragraph a caption interrupted
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        heading, used = _heading_at(lines, i, hints, typical)
        if heading:
            _flush(out, current)
            out.append(HEADING_MARK + heading)
            interrupted, i = None, i + used
            continue
        if not line:
            if current and _blank_ends_paragraph(current[-1], lines, i):
                _flush(out, current)
        elif _LONE_REF.match(line) and current:
            current[-1] += f" [{line.replace(' ', '')}]"
        else:
            interrupted = _around_captions(out, current, line, interrupted)
            current.append(line.replace(PAGE_BREAK, ""))
            if _ends_sentence(line) and len(line) < 0.6 * typical and not CAPTION.match(current[0]):
                _flush(out, current)
        i += 1
    _flush(out, current)
    return out


def _around_captions(out: list[str], current: list[str], line: str, interrupted: int | None) -> int | None:
    """A caption starts a paragraph of its own; a paragraph it interrupted continues after it (the lower-case
    line after the caption's last sentence is joined to it). Returns the interrupted paragraph's index."""
    if CAPTION.match(line) and not (current and current[-1].endswith(("(", "and", "see"))):
        if current and not _ends_sentence(current[-1]):
            interrupted = len(out)
        _flush(out, current)
    elif current and CAPTION.match(current[0]) and line[:1].islower() and _ends_sentence(current[-1]) \
            and interrupted is not None:
        _flush(out, current)
        current.extend(out.pop(interrupted).split("\n"))
        interrupted = None
    return interrupted


def _blank_ends_paragraph(last: str, lines: list[str], i: int) -> bool:
    """A blank line ends a paragraph after a sentence, or before a capital when the line before it does not
    run on (a blank line in mid-sentence is a page or column break)."""
    j = _next_nonblank(lines, i + 1)
    runs_on = last.endswith((",", "-")) or last.split()[-1].lower() in _FUNCTION_WORDS
    return _ends_sentence(last) or (j is not None and lines[j][:1].isupper() and not runs_on)


def _flush(out: list[str], current: list[str]) -> None:
    if current:
        out.append(" ".join(current))
        current.clear()


def _ends_sentence(line: str) -> bool:
    return bool(re.search(r"[.!?]\)?(\s*\[[^\]]+\])?$|[.!?]\d{1,3}(?:[,–-]\d{1,3})*$", line.strip()))


def _heading_at(lines: list[str], i: int, hints: set[str], typical: float) -> tuple[str, int]:
    """(heading, lines used) when a heading starts at line ``i``, else ("", 0)."""
    line = lines[i].strip()
    j = _next_nonblank(lines, i + 1) if line else None
    nxt = lines[j].strip() if j is not None else ""
    if hints and line:  # a known heading needs no help from the layout
        if fold(line) in hints:
            return line, 1
        if nxt and fold(f"{line} {nxt}") in hints:
            return f"{line} {nxt}", j - i + 1
    if not line or not (_prev_ends(lines, i) or _capital_after_blank(lines, i)):
        return "", 0
    if not _heading_shape(line):
        return "", 0
    if nxt and _continues(line, nxt) and _heading_shape(nxt, second=True):
        k = _next_nonblank(lines, j + 1)
        after = lines[k].strip() if k is not None else ""
        if _starts_paragraph(after) and len(f"{line} {nxt}".split()) <= 14:
            return f"{line} {nxt}", j - i + 1
    if not _starts_paragraph(nxt):
        return "", 0
    words = line.split()
    if len(words) == 1 and fold(line) not in _ONE_WORD_HEADINGS:
        return "", 0
    if words[-1].lower() in _FUNCTION_WORDS or (len(line) > 1.25 * typical and not line.isupper()):
        return "", 0
    return line, 1


def _heading_shape(line: str, second: bool = False) -> bool:
    words = line.split()
    if not words or len(words) > 14 or len(line) > 90 or re.search(r"[.,;:]$|\.\s|\w-$", line):
        return False
    if CAPTION.match(line) or _LONE_REF.match(line) or re.search(r"[,=:]", line):
        return False
    return second or line[:1].isupper() or bool(re.match(r"\d+(\.\d+)*\.?\s+[A-Z]", line))


def _continues(line: str, nxt: str) -> bool:
    short = len(nxt) <= 3 or (len(nxt.split()) <= 2 and len(nxt) <= 12 and nxt[:1].islower())
    return line.split()[-1].lower() in _FUNCTION_WORDS or short


def _starts_paragraph(line: str) -> bool:
    return not line or line[:1].isupper() or line[:1] in "γαβκ("


def _capital_after_blank(lines: list[str], i: int) -> bool:
    """An all-capital or one-word heading after a blank line (the line before may end without a full stop)."""
    line = lines[i].strip()
    return (i == 0 or not lines[i - 1].strip()) and (line.isupper() or fold(line) in _ONE_WORD_HEADINGS)


def _prev_ends(lines: list[str], i: int) -> bool:
    for j in range(i - 1, -1, -1):
        prev = lines[j].strip()
        if prev:
            return _ends_sentence(prev) or prev.endswith((":", ")", PAGE_BREAK)) or _LONE_REF.match(prev) is not None \
                or _heading_shape(prev)
    return True


# ---------------------------------------------------------------------------- reference markers
def _detach_refs(paragraph: str, keep: set[str] = frozenset()) -> str:
    def detach(m: re.Match) -> str:
        word = re.search(r"[A-Za-z]+$", paragraph[:m.start()])
        if not m.group(1) and word and word.group(0) + m.group(2) in keep:
            return m.group(0)
        return f"{m.group(1)} [{m.group(2)}]"

    return _STUCK_REF.sub(detach, paragraph)
