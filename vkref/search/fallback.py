"""Searching without an index, while one is being rebuilt: a plain scan over documents held in memory.

It evaluates the same query plans (Term, Phrase, Prefix, And, Or, AndNot, Every) against each document's
term set and computes facets with the same :mod:`vkref.search.facets` code, so filters and counts behave as
usual; only ranking is simpler (by the number of query parts matched) and phrases are matched as words.

The documents may be given as a function returning them: they are then read and tokenised at the first search,
on the thread that searches, never on the thread that started the rebuild (a GUI opens its window at once).
"""
from __future__ import annotations

import threading
from typing import Callable

from whoosh import query as Q

from vkref.search import bitsets
from vkref.search.analysis import terms
from vkref.search.facets import FacetTable, constrain, segment_from_docs
from vkref.search.hits import RawHit, RawResult
from vkref.search.schema import IndexDoc


class FallbackEngine:
    def __init__(self, docs: list[IndexDoc] | Callable[[], list[IndexDoc]]):
        self._source = docs
        self._lock = threading.Lock()
        self.ready = False
        if not callable(docs):
            self._prepare()

    def _prepare(self) -> None:
        """Read and tokenise the documents once (the first search waits for it; later ones do not)."""
        with self._lock:
            if self.ready:
                return
            docs = self._source() if callable(self._source) else self._source
            self.docs = docs
            self.terms = [set(terms(" ".join((d.title, d.text, d.body, d.fulltext)))) for d in docs]
            self.concepts = [set(d.concepts) for d in docs]
            self.table = FacetTable([(segment_from_docs(docs), 0, (1 << len(docs)) - 1)])
            self.ready = True

    def _match(self, q: Q.Query, n: int) -> bool:
        if isinstance(q, Q.Every):
            return True
        if isinstance(q, Q.AndNot):
            return self._match(q.a, n) and not self._match(q.b, n)
        if isinstance(q, Q.And):
            return all(self._match(sub, n) for sub in q.subqueries)
        if isinstance(q, Q.Or):
            return any(self._match(sub, n) for sub in q.subqueries)
        if isinstance(q, Q.Term):
            return (q.text in self.concepts[n]) if q.fieldname == "concepts" else q.text in self.terms[n]
        if isinstance(q, Q.Phrase):
            return all(w in self.terms[n] for w in q.words)
        if isinstance(q, Q.Prefix):
            return any(t.startswith(q.text) for t in self.terms[n])
        return False

    def scan(self, plan, filters, exclude, year_from, year_to, limit, offset, sort, all_keys):
        if not self.ready:
            self._prepare()
        if plan.is_empty and not plan.negative:
            matched, mode, scores = self.table.searchable, "filters", {}
        else:
            q = plan.all_words()
            docs = [n for n in range(len(self.docs)) if self._match(q, n)]
            scores = {n: float(sum(self._match(c.query, n) for c in plan.positive)) for n in docs}
            matched, mode = bitsets.from_docnums(docs), "all"
        final, counts, undated_outside = constrain(self.table, matched, filters, exclude, year_from, year_to)
        order = bitsets.to_docnums(final)
        if mode == "all" and sort == "relevance":
            order.sort(key=lambda n: (-scores.get(n, 0.0), self.docs[n].strength))
        elif sort == "evidence":
            order.sort(key=lambda n: (self.docs[n].strength, -scores.get(n, 0.0)))
        else:
            order.sort(key=lambda n: -(self.docs[n].year or 0) if sort != "year-asc" else (self.docs[n].year or 9999))
        hits = [RawHit(self.docs[n].key, self.docs[n].kind, self.docs[n].id, scores.get(n, 0.0),
                       self.docs[n].title, self.docs[n].text, self.docs[n].coded,
                       (self.docs[n].facets.get("review") or [""])[0], self.docs[n].counts)
                for n in order[offset:offset + limit]]
        from vkref.search.engine import SearchEngine

        keys = [self.docs[n].key for n in order] if all_keys else []
        return RawResult(len(order), hits, counts, SearchEngine.describe(plan, mode), None, mode, plan, keys,
                         undated_outside, matched_among=lambda wanted: [self.docs[n].key for n in order
                                                                        if self.docs[n].key in wanted])
