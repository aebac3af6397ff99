"""Pseudo-relevance feedback: the words that the best-ranked records of a search share, added to its scoring.

What it promises: feedback only *reorders* the records a search matched (it never adds or removes one, so the
total, the facet counts and "searched as" stay those of the words typed); it is deterministic (the top records
are taken by score, then document number); with ``feedback_weight`` below 1 (0.3 unless changed) a typed word
weighs more than any word it adds.

The weighting is a Rocchio centroid of the top ``feedback_docs`` records (title and statement/summary): each
word's share of a record's words, weighted by the record's share of the top records' scores, times the word's
idf, so a word the top records share and the rest of the library lacks comes first (plain RM3 without the idf
picked "study", "patient" and "num" on a medical collection). The best ``feedback_terms`` words not already
typed are scored like typed words, the best at ``feedback_weight`` of a typed word and the others in proportion.
Written here because Whoosh's own ``key_terms`` needs stored term vectors, which the index does not keep.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from math import log

import numpy as np
from whoosh import query as Q

from vkref.search.analysis import terms
from vkref.search.query import PlanOptions, QueryPlan
from vkref.search.schema import FIELD_BOOSTS

FEEDBACK_FIELDS = ("title", "text")
MIN_LENGTH = 3  # shorter words (codes such as "k", "ca") are never added


@lru_cache(maxsize=2048)
def _bag(text: str) -> tuple[Counter, int]:
    words = Counter(terms(text))
    return words, sum(words.values())


def top_docs(docs: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` best-scored of ``docs`` (ties: lower document number first) with a positive score."""
    order = np.lexsort((docs, -scores))[:k]
    return order[scores[order] > 0]


def feedback_query(searcher, plan: QueryPlan, options: PlanOptions, docs: np.ndarray,
                   scores: np.ndarray) -> Q.Query | None:
    """The words to add to the scoring of ``docs`` (None: feedback is off or there is nothing to learn from)."""
    if not options.feedback_docs or len(docs) <= options.feedback_docs:
        return None
    best = top_docs(docs, scores, options.feedback_docs)
    if not len(best):
        return None
    total = float(scores[best].sum())
    weights: Counter = Counter()
    for i in best:
        stored = searcher.stored_fields(int(docs[i]))
        words, length = _bag(" ".join(stored.get(f) or "" for f in FEEDBACK_FIELDS))
        for word, tf in words.items():
            weights[word] += (scores[i] / total) * tf / max(length, 1)
    typed = {t for w in plan.words() for t in terms(w)}
    chosen = _choose(searcher.reader(), weights, typed, options.feedback_terms)
    if not chosen:
        return None
    top = chosen[0][1]
    return Q.Or([Q.Or([Q.Term(f, word, boost=FIELD_BOOSTS[f]) for f in FEEDBACK_FIELDS],
                      boost=options.feedback_weight * weight / top) for word, weight in chosen])


def _choose(reader, weights: Counter, typed: set[str], n: int) -> list[tuple[str, float]]:
    """The ``n`` heaviest words by share × idf (ties by the word), leaving out the typed ones."""
    size = max(reader.doc_count(), 1)
    scored = []
    for word, weight in weights.items():
        if word in typed or len(word) < MIN_LENGTH:
            continue
        df = reader.doc_frequency("text", word) + reader.doc_frequency("title", word)
        scored.append((-(weight * log(size / (df + 1) + 1)), word))
    scored.sort()
    return [(word, -w) for w, word in scored[:n]]
