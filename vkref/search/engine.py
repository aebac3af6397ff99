"""Running a search against the index: matching, filtering, facet counts, ranking, highlights, spelling.

This is vkref's search interface to the rest of the program (the library facade calls :class:`SearchEngine`);
nothing outside :mod:`vkref.search` sees a Whoosh object. Results are plain data (:class:`RawResult`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from whoosh import highlight

from vkref.search import bitsets
from vkref.search.analysis import VkrefAnalyzer, terms
from vkref.search.facets import constrain
from vkref.search.index import SearchIndex
from vkref.search.query import QueryBuilder, QueryPlan

FEW_RESULTS = 3  # below this many records holding every word, rank by how many words match instead


@dataclass
class RawHit:
    key: str
    kind: str
    id: str
    score: float
    title: str
    text: str


@dataclass
class RawResult:
    total: int
    hits: list[RawHit]
    facets: dict[str, dict[str, int]]
    searched_as: str
    suggestion: str | None = None
    mode: str = "all"  # "all" words required | "any" words, ranked by how many match | "filters" only
    plan: QueryPlan | None = None
    keys: list[str] = field(default_factory=list)  # every result key in order (for lazy GUI models)


class MarkFormatter(highlight.HtmlFormatter):
    """``<mark>term</mark>``; everything else is HTML-escaped, so record text can never inject markup."""

    def __init__(self):
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text, token, replace=False):
        return "<mark>%s</mark>" % escape(highlight.get_text(text, token, replace), quote=False)

    def _text(self, text):
        return escape(text, quote=False)


_ANALYZER = VkrefAnalyzer()
_FORMATTER = MarkFormatter()


def highlights(text: str, highlight_terms: set[str], top: int = 3, whole: bool = False) -> list[str]:
    """Fragments of ``text`` with the query's terms marked. ``whole`` marks the entire text as one fragment."""
    if not text or not highlight_terms:
        return []
    fragmenter = highlight.WholeFragmenter() if whole else highlight.ContextFragmenter(maxchars=220, surround=60)
    out = highlight.highlight(text, frozenset(highlight_terms), _ANALYZER, fragmenter, _FORMATTER, top=top)
    return [frag for frag in out.split(" … ") if frag] if out else []


class SearchEngine:
    """Searches one :class:`SearchIndex` with one vocabulary's query expansion."""

    def __init__(self, index: SearchIndex, builder: QueryBuilder):
        self.index = index
        self.builder = builder

    def search(self, text: str, *, filters: dict[str, set[str]], exclude: dict[str, set[str]],
               year_from: int | None = None, year_to: int | None = None, limit: int = 20, offset: int = 0,
               sort: str = "relevance", spell: bool = True, all_keys: bool = False) -> RawResult:
        plan = self.builder.plan(text)
        s = self.index.searcher()
        table = self.index.facet_table(s)
        if plan.is_empty and not plan.negative:
            return self._collect(s, table, plan, None, table.searchable, "filters", filters, exclude,
                                 year_from, year_to, limit, offset, sort, all_keys)
        q = plan.all_words()
        matched = bitsets.from_docnums(s.docs_for_query(q))
        mode = "all"
        n_all = (matched & table.searchable).bit_count()
        if len(plan.positive) > 1 and n_all < FEW_RESULTS:
            q_any = plan.any_words()
            matched_any = bitsets.from_docnums(s.docs_for_query(q_any))
            if (matched_any & table.searchable).bit_count() > (matched & table.searchable).bit_count():
                q, matched, mode = q_any, matched_any, "any"
        result = self._collect(s, table, plan, q, matched, mode, filters, exclude, year_from, year_to,
                               limit, offset, sort, all_keys, n_all)
        if result.total == 0 and spell and plan.words():
            corrected = self.suggest(text, plan)
            if corrected:
                again = self.search(corrected, filters=filters, exclude=exclude, year_from=year_from,
                                    year_to=year_to, limit=limit, offset=offset, sort=sort, spell=False,
                                    all_keys=all_keys)
                if again.total:
                    again.suggestion = corrected
                    return again
        return result

    def _collect(self, s, table, plan, q, matched, mode, filters, exclude, year_from, year_to, limit, offset,
                 sort, all_keys, n_all=0) -> RawResult:
        final, counts = constrain(table, matched, filters, exclude, year_from, year_to)
        total = final.bit_count()
        order: list[tuple[int, float]]
        if q is not None and sort == "relevance" and mode == "any":
            # rank by how many parts of the query a record matches, then by score within each group
            parts = [bitsets.from_docnums(s.docs_for_query(c.query)) for c in plan.positive]
            found = s.search(q, filter=set(bitsets.to_docnums(final)), limit=None) if total else []
            ranked = sorted(((sum(bits >> h.docnum & 1 for bits in parts), h.score, h.docnum) for h in found),
                            key=lambda t: (-t[0], -t[1]))
            order = [(d, score) for _, score, d in ranked]
        elif q is not None and sort == "relevance":
            wanted = total if all_keys else offset + limit
            found = s.search(q, filter=set(bitsets.to_docnums(final)), limit=max(wanted, 1)) if total else []
            order = [(h.docnum, h.score) for h in found]
        else:
            docs = bitsets.to_docnums(final)
            newest_first = sort != "year-asc"
            docs.sort(key=lambda d: (-(table.years[d] or 0) if newest_first else (table.years[d] or 9999),
                                     _natural(table.keys[d])))
            order = [(d, 0.0) for d in docs]
        page = order[offset:offset + limit]
        hits = []
        for docnum, score in page:
            stored = s.stored_fields(docnum)
            kind, _, rid = stored["key"].partition(":")
            hits.append(RawHit(stored["key"], kind, rid, round(float(score), 3), stored.get("title", ""),
                               stored.get("text", "")))
        keys = [table.keys[d] for d, _ in order] if all_keys else []
        searched_as = self._describe(plan, mode, n_all)
        return RawResult(total, hits, counts, searched_as, None, mode, plan, keys)

    @staticmethod
    def _describe(plan: QueryPlan, mode: str, n_all: int = 0) -> str:
        if mode == "filters":
            text = "everything that matches the filters"
        elif mode == "any" and n_all:
            text = plan.readable(" OR ") + (f" (only {n_all} record{'s' if n_all > 1 else ''} held every word: "
                                            "showing records with any of them, ranked by how many match)")
        elif mode == "any":
            text = plan.readable(" OR ") + " (no record holds every word: ranked by how many of them match)"
        else:
            text = plan.readable()
        if plan.notes:
            text += " (" + "; ".join(plan.notes) + ")"
        return text

    # ------------------------------------------------------------------ spelling
    def suggest(self, text: str, plan: QueryPlan) -> str | None:
        """The query with each unknown word replaced by the closest word of the library or vocabulary."""
        from rapidfuzz import fuzz, process

        lexicon = self._lexicon()
        corrected, changed = text, False
        for word in plan.words():
            folded = terms(word, stem=False)
            if not folded or len(folded) != 1 or folded[0] in lexicon or len(folded[0]) < 4:
                continue
            best = process.extractOne(folded[0], lexicon.keys(), scorer=fuzz.ratio, score_cutoff=80)
            if best:
                corrected = corrected.replace(word, lexicon[best[0]], 1)
                changed = True
        return corrected if changed and corrected != text else None

    def _lexicon(self) -> dict[str, str]:
        """Known words (folded) -> how to write them: index words plus every vocabulary name's words."""
        s = self.index.searcher()
        cache = getattr(self, "_lex_cache", None)
        if cache is not None and cache[0] is s.reader():
            return cache[1]
        lex = {w.decode("utf-8") if isinstance(w, bytes) else w: None for w in s.reader().lexicon("spell")}
        out = {w: w for w in lex}
        for name in self.builder.vocabulary.names():
            for raw in name.split():
                folded = terms(raw, stem=False)
                if len(folded) == 1:
                    out.setdefault(folded[0], raw.lower() if raw.lower() == folded[0] else raw)
        self._lex_cache = (s.reader(), out)
        return out


def _natural(key: str):
    import re

    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key)]
