"""The one text analyzer of vkref's index and queries. Stable import path: the schema pickled into the index
refers to :class:`VkrefTokenizer` and :class:`VkrefFilter` by this module name, so never move them.

What it promises (tested in tests/unit/test_analysis.py):

- drug codes and numbers stay whole: "MK-4" -> ``mk4`` (never ``mk`` + ``4``, so MK-4 does not match MK-7),
  "K2" -> ``k2``, "25(OH)D" -> ``25ohd``, "IGF-1" -> ``igf1``, "4.92%" -> ``4.92``, "mg/kg" -> ``mg`` + ``kg``;
- Greek letters, accents and the micro sign fold: "NF-κB" = "NF-kB" -> ``nfkb``, "μg" = "µg" = "ug",
  "1α-hydroxyvitamin" -> ``1alphahydroxyvitamin``, "γ-carboxylation" -> ``gamma`` + ``carboxylation``;
- hyphenated ordinary words split ("ovariectomy-induced" -> ``ovariectomi`` + ``induc``);
- English words are stemmed (Porter) unless they hold a digit; single letters survive ("vitamin K");
- common English function words are dropped so a question typed in plain words still works.
"""
from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import Composable, Filter, Tokenizer
from whoosh.analysis.acore import Token
from whoosh.lang.porter import stem as porter_stem

from vkref.core.text import fold

# A run of word characters, parenthesised groups glued to them (25(OH)D) and internal joiners between them
# (MK-4, 1,25, 4.92, NF-κB). Joiners: hyphens of all kinds, a dot or comma between digits. A slash separates.
_PIECE = r"(?:\w|\(\w+\))+"
TOKEN_RE = re.compile(rf"{_PIECE}(?:(?:[-‐‑–]|(?<=\d)[.,](?=\d)){_PIECE})*", re.UNICODE)
_SPLIT_RE = re.compile(r"[-‐‑–]|(?<=\d)[.,](?=\d)")
_JOINERS = re.compile(r"[-‐‑–()]")

STOP_WORDS = frozenset("""
a an and are as at be been being but by can could did do does doing for from had has have how if in into is it
its may might must of on or over per so such than that the their them then there these they this those through
to under was were what when where which while who whom why will with would whether you your we our us i me my
about also both each other some any all more most very only own same should shall not no nor
""".split())


@lru_cache(maxsize=100_000)
def _compound_terms(raw: str) -> tuple[str, ...]:
    """Index terms for one raw token: a code stays whole, a hyphenated pair of ordinary words splits."""
    folded = fold(raw)
    parts = [p for p in _SPLIT_RE.split(folded) if p]
    if len(parts) > 1 and all(len(p) >= 3 and p.isalpha() for p in parts):
        return tuple(parts)
    return (_JOINERS.sub("", folded),)


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    return porter_stem(word)


@lru_cache(maxsize=200_000)
def _raw_terms(raw: str, stem: bool) -> tuple[str | None, ...]:
    """What one raw token leaves in the index: its terms, stemmed or not, None for a stop word (it keeps its
    position). The tokenizer and filter below, in one memoised step."""
    return tuple(None if t in STOP_WORDS else (_stem(t) if stem else t) for t in _compound_terms(raw))


def positions(text: str, stem: bool = True) -> dict[str, list[int]]:
    """Each index term of ``text`` with its positions, exactly as :func:`VkrefAnalyzer` (``stem``) or
    :func:`SpellAnalyzer` produce them, without a Token per word: the full rebuild's analysis
    (:mod:`vkref.search.bulkwrite`)."""
    out: dict[str, list[int]] = {}
    pos = 0
    for raw in TOKEN_RE.findall(text):
        for term in _raw_terms(raw, stem):
            if term is not None:
                got = out.get(term)
                if got is None:
                    out[term] = [pos]
                else:
                    got.append(pos)
            pos += 1
    return out


class VkrefTokenizer(Tokenizer):
    """Finds tokens with :data:`TOKEN_RE` and emits folded terms (codes whole, ordinary compounds split)."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = fold(value)
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos
        for match in TOKEN_RE.finditer(value):
            raw = match.group(0)
            for term in _compound_terms(raw):
                t.text = term
                t.original = raw
                t.boost = 1.0
                t.stopped = False
                if positions:
                    t.pos = pos
                    pos += 1
                if chars:
                    t.startchar = start_char + match.start()
                    t.endchar = start_char + match.end()
                yield t


class VkrefFilter(Filter):
    """Drops function words and stems the rest (words with digits are left alone)."""

    def __init__(self, stem: bool = True):
        self.stem = stem

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.stem == self.stem

    def __call__(self, tokens):
        for t in tokens:
            if t.text in STOP_WORDS:
                if t.removestops:
                    continue
                t.stopped = True
            elif self.stem:
                t.text = _stem(t.text)
            yield t


def VkrefAnalyzer() -> Composable:
    """Analyzer for every text field: code-aware tokens, folding, stop words, stemming."""
    return VkrefTokenizer() | VkrefFilter(stem=True)


def SpellAnalyzer() -> Composable:
    """Same tokens without stemming: the words spelling suggestions are drawn from."""
    return VkrefTokenizer() | VkrefFilter(stem=False)


def stop_gap(text: str) -> int:
    """The longest run of stop words between two indexed words of ``text`` ("steady and lowers": 1). Stop words
    are not indexed but keep their positions, so a phrase that holds them needs that much more slop."""
    gap = run = 0
    started = False
    for t in VkrefTokenizer()(text, positions=True, removestops=False):
        if t.text in STOP_WORDS:
            run += started
        else:
            gap, run, started = max(gap, run), 0, True
    return gap


def terms(text: str, stem: bool = True) -> list[str]:
    """The index terms of ``text`` (convenience for query building and tests)."""
    analyzer = VkrefAnalyzer() if stem else SpellAnalyzer()
    return [t.text for t in analyzer(text)]
