"""Ranking without Whoosh's per-document scoring loop.

Whoosh scores a query by walking every matching document through a tree of Python matcher objects (~35 µs per
document and leaf here), which made ranking the slowest part of a broad search. vkref instead scores with the
same BM25F formula Whoosh uses by default, computed once per index generation and per query *node* into a
``{docnum: score}`` dictionary:

- a term leaf: ``boost × idf × tf·(K1+1) / (tf + K1·(1 − B + B·fl/avgfl))`` from its postings and the
  field-length column (Whoosh's ``BM25F`` defaults B=0.75, K1=1.2, idf = ln(N/(df+1)) + 1);
- a keyword leaf (coded concept ids, no lengths): ``boost × idf``;
- a phrase: the sum of its words' scores, for the documents where the phrase occurs (found by the matcher);
- a prefix: ``boost`` for every document it matches;
- Or: the sum of its children's scores; :class:`~vkref.search.query.MaxOr`: the best child's score (a concept's
  names: synonyms never add up past the word typed); And: the sum, only where every child matches; AndNot: its
  positive part.

Dictionaries are cached by query node, so search-as-you-type and repeated searches reuse every finished word,
and a page is ranked by summing a handful of cached dictionaries over the filtered documents and taking the
top k. :func:`reference_scores` is the plain per-document evaluation of the same formula that
tests/integration/test_equivalence.py compares against.
"""
from __future__ import annotations

import heapq
from itertools import repeat
from math import log
from operator import add

from whoosh import query as Q

from vkref.search import bitsets
from vkref.search.budgets import BUDGETS, SCORE_BYTES
from vkref.search.query import MaxOr
from vkref.search.segcache import SegmentCache, read_lengths, read_postings, segment_id

B = 0.75
K1 = 1.2


class Scorer:
    """Per-generation BM25F scores of query nodes; one per searcher generation (like the matcher)."""

    def __init__(self, searcher, matcher, segcache: SegmentCache | None = None):
        self.segcache = segcache
        self.s = searcher
        self.reader = searcher.reader()
        self.matcher = matcher
        self.n = max(self.reader.doc_count_all(), 1)
        self.cache: dict = {}
        self.bytes = 0  # what the cached score tables cost, counted as SCORE_BYTES per document
        self._lengths: dict[str, list[int] | None] = {}

    # ------------------------------------------------------------------ statistics
    def idf(self, field: str, text: str) -> float:
        return log(self.n / (self.reader.doc_frequency(field, text) + 1)) + 1

    def lengths(self, field: str) -> list[int] | None:
        """Every document's length of ``field`` (global docnums), read once per generation from the columns."""
        if field not in self._lengths:
            self._lengths[field] = _field_lengths(self.reader, field, self.segcache)
        return self._lengths[field]

    def avg_length(self, field: str) -> float:
        return (self.reader.field_length(field) / self.n) or 1.0

    # ------------------------------------------------------------------ nodes
    def node(self, q) -> dict[int, float]:
        cached = self.cache.get(q)
        if cached is None:
            cached = self._compute(q)
            self._remember(q, cached)
        return cached

    def _remember(self, key, value: dict) -> None:
        """Keep score tables within the ``scores`` budget (:mod:`vkref.search.budgets`), oldest dropped first."""
        self.cache[key] = value
        self.bytes += len(value) * SCORE_BYTES
        while self.bytes > BUDGETS["scores"] and len(self.cache) > 1:
            old = next(iter(self.cache))
            self.bytes -= len(self.cache.pop(old)) * SCORE_BYTES

    def _compute(self, q) -> dict[int, float]:
        boost = q.boost
        if isinstance(q, MaxOr):
            best: dict[int, float] = {}
            for sub in q.subqueries:
                for d, v in self.node(sub).items():
                    if v > best.get(d, -1.0):
                        best[d] = v
            return _scaled(best, boost)
        if isinstance(q, Q.Or):
            out: dict[int, float] = {}
            for sub in q.subqueries:
                for d, v in self.node(sub).items():
                    out[d] = out.get(d, 0.0) + v
            return _scaled(out, boost)
        if isinstance(q, Q.And):
            parts = [self.node(sub) for sub in q.subqueries]
            if not parts:
                return {}
            smallest = min(parts, key=len)
            out = {d: sum(p[d] for p in parts) for d in smallest if all(d in p for p in parts)}
            return _scaled(out, boost)
        if isinstance(q, Q.AndNot):
            positive = self.node(q.a)
            keep = set(bitsets.to_docnums(self.matcher.bits(q)))
            return {d: v for d, v in positive.items() if d in keep}
        if isinstance(q, Q.Term):
            return self._term(q.fieldname, q.text, boost)
        if isinstance(q, Q.Phrase):
            where = self.matcher.bits(q)
            words = [self._term(q.fieldname, w, 1.0) for w in q.words]
            return {d: boost * sum(w.get(d, 0.0) for w in words) for d in bitsets.to_docnums(where)}
        # Prefix and anything else: a constant for every matching document
        return {d: boost for d in bitsets.to_docnums(self.matcher.bits(q))}

    def _term(self, field: str, text: str, boost: float) -> dict[int, float]:
        key = ("term", field, text, boost)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        out: dict[int, float] = {}
        if (field, text) in self.reader:
            idf = self.idf(field, text)
            ids, tfs = postings(self.reader, field, text, self.segcache)
            lengths = self.lengths(field)
            if lengths is None:  # a field without lengths (keywords): presence only
                out = dict.fromkeys(ids, boost * idf)
            else:
                avg = self.avg_length(field)
                a = boost * idf * (K1 + 1)
                k1b, k1_b = K1 * B / avg, K1 * (1 - B)
                out = {d: a * tf / (tf + k1_b + k1b * lengths[d]) for d, tf in zip(ids, tfs)}
        self._remember(key, out)
        return out

    # ------------------------------------------------------------------ ranking
    def rank(self, q, docs: list[int], k: int | None) -> list[tuple[int, float]]:
        """``docs`` (all matching ``q``) ordered by score, best first, ties by document number; top ``k``."""
        scores = self.scores(q, docs)
        pairs = zip(scores, docs)
        if k is not None and k < len(docs):
            best = heapq.nsmallest(k, pairs, key=lambda p: (-p[0], p[1]))
        else:
            best = sorted(pairs, key=lambda p: (-p[0], p[1]))
        return [(d, s) for s, d in best]

    def scores(self, q, docs: list[int]) -> list[float]:
        """Scores of ``docs`` under ``q``: a top-level And/Or sums its children's cached dictionaries."""
        if isinstance(q, Q.AndNot):
            q = q.a
        children = q.subqueries if isinstance(q, (Q.And, Q.Or)) else [q]
        total = [0.0] * len(docs)
        for child in children:
            total = list(map(add, total, map(self.node(child).get, docs, repeat(0.0))))
        if isinstance(q, (Q.And, Q.Or)) and q.boost != 1.0:
            total = [v * q.boost for v in total]
        return total


def postings(reader, field: str, text: str, segcache: SegmentCache | None = None) -> tuple[list[int], list[float]]:
    """Global document numbers and term frequencies of a term (per-segment parts come from ``segcache``)."""
    ids: list[int] = []
    tfs: list[float] = []
    for leaf, offset in reader.leaf_readers():
        if (field, text) not in leaf:
            continue
        local_ids, local_tfs = (segcache.postings(leaf, segment_id(leaf), field, text) if segcache
                                else read_postings(leaf, field, text))
        ids.extend([d + offset for d in local_ids] if offset else local_ids)
        tfs.extend(local_tfs)
    return ids, tfs


def _scaled(out: dict[int, float], boost: float) -> dict[int, float]:
    return out if boost == 1.0 else {d: v * boost for d, v in out.items()}


def _field_lengths(reader, field: str, segcache: SegmentCache | None = None) -> list[int] | None:
    """Document lengths of ``field`` for every global docnum (None for a field without lengths)."""
    out: list[int] = []
    found = False
    for leaf, offset in reader.leaf_readers():
        size = leaf.doc_count_all()
        out.extend([0] * (offset + size - len(out)))
        values = segcache.lengths(leaf, segment_id(leaf), field) if segcache else read_lengths(leaf, field)
        if values is None:
            continue
        found = True
        out[offset:offset + size] = values
    return out if found else None


def reference_scores(reader, matcher, q, docs: list[int]) -> list[float]:
    """The same formula evaluated document by document, with no caching or merging (for tests)."""
    n = max(reader.doc_count_all(), 1)
    postings: dict = {}  # read once per call: this evaluation has no cache shared between queries
    keyword: dict = {}

    def term(field, text, boost, d):
        if (field, text) not in reader:
            return 0.0
        idf = log(n / (reader.doc_frequency(field, text) + 1)) + 1
        if (field, text) not in postings:
            postings[field, text] = dict(reader.postings(field, text).items_as("weight"))
        weights = postings[field, text]
        if d not in weights:
            return 0.0
        if field not in keyword:
            keyword[field] = _field_lengths(reader, field) is None
        if keyword[field]:
            return boost * idf
        fl = reader.doc_field_length(d, field, 0)
        avg = (reader.field_length(field) / n) or 1.0
        tf = weights[d]
        return boost * idf * tf * (K1 + 1) / (tf + K1 * ((1 - B) + B * fl / avg))

    def matches(node, d):
        return matcher.bits(node) >> d & 1

    def score(node, d):
        if isinstance(node, MaxOr):
            return node.boost * max((score(c, d) for c in node.subqueries if matches(c, d)), default=0.0)
        if isinstance(node, Q.Or):
            return node.boost * sum(score(c, d) for c in node.subqueries if matches(c, d))
        if isinstance(node, Q.And):
            return node.boost * sum(score(c, d) for c in node.subqueries) if matches(node, d) else 0.0
        if isinstance(node, Q.AndNot):
            return score(node.a, d) if matches(node, d) else 0.0
        if isinstance(node, Q.Term):
            return term(node.fieldname, node.text, node.boost, d)
        if isinstance(node, Q.Phrase):
            return node.boost * sum(term(node.fieldname, w, 1.0, d) for w in node.words) if matches(node, d) else 0.0
        return node.boost if matches(node, d) else 0.0

    top = q.a if isinstance(q, Q.AndNot) else q
    return [score(top, d) for d in docs]
