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

Tables are cached by query node, so search-as-you-type and repeated searches reuse every finished word,
and a page is ranked by summing a handful of cached tables over the filtered documents. A table is two NumPy
columns (:class:`Table`: ascending int32 document numbers and float64 scores, 12 bytes a document); nodes are
combined in a dense scratch array of the index's size, so every sum, maximum and intersection is one vectorised
step, in the same order of operations as the per-document formula (the same floating-point results).
:func:`reference_scores` is the plain per-document evaluation of the same formula that
tests/integration/test_equivalence.py compares against.
"""
from __future__ import annotations

from math import log

import numpy as np
from whoosh import query as Q

from vkref.search import bitsets
from vkref.search.budgets import BUDGETS, SCORE_BYTES, entry_bytes
from vkref.search.query import MaxOr
from vkref.search.segcache import SegmentCache, read_lengths, read_postings, segment_id

B = 0.75
K1 = 1.2


def idf(n: int, df: int) -> float:
    """Inverse document frequency of a word held by ``df`` of ``n`` documents (Whoosh's BM25F form)."""
    return log(n / (df + 1)) + 1


class Table:
    """The documents a query node matches (ascending) and their scores."""

    __slots__ = ("ids", "scores")

    def __init__(self, ids: np.ndarray, scores: np.ndarray):
        self.ids, self.scores = ids, scores

    def __len__(self) -> int:
        return len(self.ids)

    def at(self, docs: np.ndarray, size: int) -> np.ndarray:
        """The scores of ``docs`` (0 where this node does not match)."""
        dense = np.zeros(size)
        dense[self.ids] = self.scores
        return dense[docs]

    def scaled(self, boost: float) -> "Table":
        return self if boost == 1.0 else Table(self.ids, self.scores * boost)


EMPTY = Table(np.empty(0, dtype=np.int32), np.empty(0))


class Scorer:
    """Per-generation BM25F scores of query nodes; one per searcher generation (like the matcher)."""

    def __init__(self, searcher, matcher, segcache: SegmentCache | None = None):
        self.segcache = segcache
        self.s = searcher
        self.reader = searcher.reader()
        self.matcher = matcher
        self.size = self.reader.doc_count_all()
        self.n = max(self.size, 1)
        self.cache: dict = {}
        self.bytes = 0  # what the cached score tables cost (budgets.entry_bytes)
        self._lengths: dict[str, np.ndarray | None] = {}

    # ------------------------------------------------------------------ statistics
    def idf(self, field: str, text: str) -> float:
        return idf(self.n, self.reader.doc_frequency(field, text))

    def lengths(self, field: str) -> np.ndarray | None:
        """Every document's length of ``field`` (global docnums), read once per generation from the columns."""
        if field not in self._lengths:
            self._lengths[field] = _field_lengths(self.reader, field, self.segcache)
        return self._lengths[field]

    def avg_length(self, field: str) -> float:
        return (self.reader.field_length(field) / self.n) or 1.0

    # ------------------------------------------------------------------ nodes
    def node(self, q) -> Table:
        cached = self.cache.get(q)
        if cached is None:
            cached = self._compute(q)
            self._remember(q, cached)
        return cached

    def _remember(self, key, value: Table) -> None:
        """Keep score tables within the ``scores`` budget (:mod:`vkref.search.budgets`), oldest dropped first."""
        self.cache[key] = value
        self.bytes += entry_bytes(len(value), SCORE_BYTES)
        while self.bytes > BUDGETS["scores"] and len(self.cache) > 1:
            old = next(iter(self.cache))
            self.bytes -= entry_bytes(len(self.cache.pop(old)), SCORE_BYTES)

    def _compute(self, q) -> Table:
        if isinstance(q, MaxOr):
            return self._combine([self.node(sub) for sub in q.subqueries], "max").scaled(q.boost)
        if isinstance(q, Q.Or):
            return self._combine([self.node(sub) for sub in q.subqueries], "sum").scaled(q.boost)
        if isinstance(q, Q.And):
            return self._combine([self.node(sub) for sub in q.subqueries], "all").scaled(q.boost)
        if isinstance(q, Q.AndNot):
            positive = self.node(q.a)
            keep = bitsets.to_mask(self.matcher.bits(q), self.size)[positive.ids]
            return Table(positive.ids[keep], positive.scores[keep])
        if isinstance(q, Q.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if isinstance(q, Q.Phrase):
            docs = bitsets.to_array(self.matcher.bits(q))
            total = np.zeros(len(docs))
            for w in q.words:
                total = total + self._term(q.fieldname, w, 1.0).at(docs, self.size)
            return Table(docs.astype(np.int32), q.boost * total)
        # Prefix and anything else: a constant for every matching document
        docs = bitsets.to_array(self.matcher.bits(q))
        return Table(docs.astype(np.int32), np.full(len(docs), float(q.boost)))

    def _combine(self, parts: list[Table], how: str) -> Table:
        """Children's tables summed ("sum": any matches; "all": every one matches) or their best ("max")."""
        if not parts:
            return EMPTY
        acc = np.full(self.size, -1.0) if how == "max" else np.zeros(self.size)
        seen = np.zeros(self.size, dtype=np.int32)
        for part in parts:
            if how == "max":
                acc[part.ids] = np.maximum(acc[part.ids], part.scores)
            else:
                acc[part.ids] += part.scores
            seen[part.ids] += 1
        ids = np.flatnonzero(seen == len(parts) if how == "all" else seen).astype(np.int32)
        return Table(ids, acc[ids])

    def _term(self, field: str, text: str, boost: float) -> Table:
        key = ("term", field, text, boost)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        out = EMPTY
        if (field, text) in self.reader:
            idf = self.idf(field, text)
            ids, tfs = postings(self.reader, field, text, self.segcache)
            lengths = self.lengths(field)
            if lengths is None:  # a field without lengths (keywords): presence only
                out = Table(ids, np.full(len(ids), boost * idf))
            else:
                avg = self.avg_length(field)
                a = boost * idf * (K1 + 1)
                k1b, k1_b = K1 * B / avg, K1 * (1 - B)
                tf = tfs.astype(np.float64)
                out = Table(ids, a * tf / (tf + k1_b + k1b * lengths[ids]))
        self._remember(key, out)
        return out

    # ------------------------------------------------------------------ ranking
    def scores(self, q, docs: np.ndarray) -> np.ndarray:
        """Scores of ``docs`` under ``q``: a top-level And/Or sums its children's cached tables."""
        if isinstance(q, Q.AndNot):
            q = q.a
        children = q.subqueries if isinstance(q, (Q.And, Q.Or)) else [q]
        total = np.zeros(len(docs))
        for child in children:
            total = total + self.node(child).at(docs, self.size)
        if isinstance(q, (Q.And, Q.Or)) and q.boost != 1.0:
            total = total * q.boost
        return total


def postings(reader, field: str, text: str, segcache: SegmentCache | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Global document numbers (int32, ascending) and term frequencies of a term (per-segment parts come from
    ``segcache``)."""
    ids: list[np.ndarray] = []
    tfs: list[np.ndarray] = []
    for leaf, offset in reader.leaf_readers():
        if (field, text) not in leaf:
            continue
        local_ids, local_tfs = (segcache.postings(leaf, segment_id(leaf), field, text) if segcache
                                else read_postings(leaf, field, text))
        local_ids = np.asarray(local_ids, dtype=np.int32)
        ids.append(local_ids + offset if offset else local_ids)
        tfs.append(np.asarray(local_tfs, dtype=np.float32))
    if not ids:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
    return (ids[0], tfs[0]) if len(ids) == 1 else (np.concatenate(ids), np.concatenate(tfs))


def _field_lengths(reader, field: str, segcache: SegmentCache | None = None) -> np.ndarray | None:
    """Document lengths of ``field`` for every global docnum (None for a field without lengths)."""
    out = np.zeros(reader.doc_count_all(), dtype=np.int32)
    found = False
    for leaf, offset in reader.leaf_readers():
        size = leaf.doc_count_all()
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
        weight = idf(n, reader.doc_frequency(field, text))
        if (field, text) not in postings:
            postings[field, text] = dict(reader.postings(field, text).items_as("weight"))
        weights = postings[field, text]
        if d not in weights:
            return 0.0
        if field not in keyword:
            keyword[field] = _field_lengths(reader, field) is None
        if keyword[field]:
            return boost * weight
        fl = reader.doc_field_length(d, field, 0)
        avg = (reader.field_length(field) / n) or 1.0
        tf = weights[d]
        return boost * weight * tf * (K1 + 1) / (tf + K1 * ((1 - B) + B * fl / avg))

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
