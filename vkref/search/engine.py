"""Running a search against the index: matching, filtering, facet counts, ranking, highlights, spelling.

This is vkref's search interface to the rest of the program (the library facade calls :class:`SearchEngine`);
nothing outside :mod:`vkref.search` sees a Whoosh object. Results are plain data
(:class:`~vkref.search.hits.RawResult`).
"""
from __future__ import annotations

import re
from functools import lru_cache
from math import ceil
from html import escape

import numpy as np
from whoosh import highlight
from whoosh import query as Q

from vkref.search import bitsets, docsets, phrases
from vkref.search.budgets import BUDGETS, bitset_bytes
from vkref.search.analysis import SpellAnalyzer, VkrefAnalyzer, terms
from vkref.search.facets import constrain
from vkref.search.feedback import feedback_query
from vkref.search.index import SearchIndex
from vkref.search.query import QueryBuilder, QueryPlan
from vkref.search.hits import RawHit, RawResult
from vkref.search.schema import PASSAGE_WEIGHT
from vkref.search.scoring import Scorer, reference_scores
from vkref.search.segcache import segment_id


def ranked(docs: np.ndarray, scores: np.ndarray, strengths: np.ndarray, sort: str,
           k: int | None) -> list[tuple[int, float]]:
    """The best ``k`` (all: None) of ``docs`` as (docnum, score). "relevance": best score first, ties by strength
    of evidence (smaller is stronger), then by document number; "evidence": strongest first, then best score,
    then document number. Only the candidates that can reach the top k are sorted (``np.partition``)."""
    strength = strengths[docs]
    primary = -scores if sort == "relevance" else strength
    if k is not None and k < len(docs):
        bound = np.partition(primary, k - 1)[k - 1]
        keep = np.flatnonzero(primary <= bound)  # every tie at the bound stays: the order below decides
        docs, scores, strength, primary = docs[keep], scores[keep], strength[keep], primary[keep]
    second = strength if sort == "relevance" else -scores
    best = np.lexsort((docs, second, primary))[:k]
    return list(zip(docs[best].tolist(), scores[best].tolist()))


def reference_docs(s, q) -> int:
    """The straightforward match (the tests' reference): Whoosh's ``docs_for_query``, with NOT as a set
    difference, as :meth:`Matcher.bits` does it."""
    if isinstance(q, Q.AndNot):
        return reference_docs(s, q.a) & ~reference_docs(s, q.b)
    return bitsets.from_docnums(s.docs_for_query(q))


class Matcher:
    """Which documents a query matches, as a bitset, without scoring (measured 5-50x faster than
    ``searcher.docs_for_query`` on vkref's expanded queries).

    An expanded query is an Or of And/Or trees over Term, Phrase and Prefix leaves. Leaves are evaluated once per
    index generation and cached (search-as-you-type re-uses every finished word), Or/And/AndNot become big-int
    ``|``/``&``/``& ~``, and a phrase is only checked position by position where all its words occur together,
    for all those documents at once (:mod:`vkref.search.phrases`).
    A term's (and a prefix's expanded terms') documents come from the segments' document-set sidecars
    (:mod:`vkref.search.docsets`): no posting block is decoded to match, negate or expand a wildcard.
    Anything else falls back to Whoosh. The result equals ``docs_for_query`` (tests/integration/test_equivalence.py).
    """

    def __init__(self, searcher, segcache=None):
        self.s = searcher
        self.reader = searcher.reader()
        self.segcache = segcache
        self.cache: dict = {}
        self.bytes = 0  # what the cached leaf sets hold (budgets.bitset_bytes)
        self._leaves: list[tuple] | None = None

    def bits(self, q) -> int:
        if isinstance(q, Q.Or):
            out = 0
            for sub in q.subqueries:
                out |= self.bits(sub)
            return out
        if isinstance(q, Q.And):
            out = -1
            for sub in q.subqueries:
                out &= self.bits(sub)
                if not out:
                    return 0
            return 0 if out == -1 else out
        if isinstance(q, Q.AndNot):  # a set difference; Whoosh's own AndNot matcher walks every document of
            # ``a`` through a matcher tree (~0.2 ms each: 100 negated words took minutes at 100k findings) and was
            # seen to let through a document that ``b`` matches ("bone NOT fracture" kept cds-006)
            out = self.bits(q.a)
            return out & ~self.bits(q.b) if out else 0
        return self._leaf(q)  # anything else is left to Whoosh

    def _leaf(self, q) -> int:
        cached = self.cache.get(q)
        if cached is None:
            cached = self._compute(q)
            self.cache[q] = cached
            self.bytes += bitset_bytes(cached)
            while self.bytes > BUDGETS["leaf_sets"] and len(self.cache) > 1:
                self.bytes -= bitset_bytes(self.cache.pop(next(iter(self.cache))))
        return cached

    def _compute(self, q) -> int:
        if isinstance(q, Q.Term):
            if (q.fieldname, q.text) not in self.reader:
                return 0
            if self.segcache is not None:
                return self._holding(q.fieldname, [q.text])
            return bitsets.from_docnums(self.s.postings(q.fieldname, q.text).all_ids())
        if isinstance(q, Q.Prefix) and self.segcache is not None:  # Whoosh's expansion, then a union of sets
            return self._holding(q.fieldname, list(self.reader.expand_prefix(q.fieldname, q.text)))
        if isinstance(q, Q.Phrase):
            together = -1
            for word in q.words:
                together &= self._leaf(Q.Term(q.fieldname, word))
                if not together:
                    return 0
            found = self._phrase(q, together) if self.segcache is not None and q.words else None
            if found is not None:
                return found
        return bitsets.from_docnums(self.s.docs_for_query(q))

    def _phrase(self, q, together: int) -> int | None:
        """A phrase's documents among those holding all its words (:mod:`vkref.search.phrases`), or None: Whoosh
        checks it."""
        out = 0
        for leaf, offset, _docs, _deleted in self._segments():
            fmt = leaf.schema[q.fieldname].format if q.fieldname in leaf.schema else None
            if fmt is None or not fmt.supports("positions"):
                return None
            local = (together >> offset) & ((1 << leaf.doc_count_all()) - 1)
            if local:
                found = phrases.phrase_bits(leaf, q.fieldname, q.words, q.slop, local)
                if found is None:
                    return None
                out |= found << offset
        return out

    def _holding(self, field: str, texts: list[str]) -> int:
        """The live documents holding any of ``texts`` in ``field``: from each segment's document-set sidecar
        (deletions masked), or from its postings where it has none."""
        out = 0
        for leaf, offset, docs, deleted in self._segments():
            if docs is not None and field in docsets.FIELDS:
                to_bytes = leaf.schema[field].to_bytes
                local = docs.union(field, [to_bytes(t) for t in texts]) & ~deleted
            else:
                segid = segment_id(leaf)
                local = 0
                for text in texts:
                    local |= bitsets.from_docnums(self.segcache.postings(leaf, segid, field, text)[0])
            if local:
                out |= local << offset
        return out

    def _segments(self) -> list[tuple]:
        """(segment reader, document offset, its sidecar or None, its deleted documents as a bitset)."""
        if self._leaves is None:
            self._leaves = []
            for leaf, offset in self.reader.leaf_readers():
                docs = self.segcache.docs(leaf, segment_id(leaf))
                deleted = bitsets.from_docnums(sorted(leaf.deleted_docs_set)) if leaf.has_deletions() else 0
                self._leaves.append((leaf, offset, docs, deleted))
        return self._leaves


def among(table, final: int, keys: frozenset) -> list[str]:
    """Which of ``keys`` are in the bitset ``final``: a few are tested bit by bit, many through one mask."""
    positions = table.positions(keys)
    if len(positions) <= 2000:
        return [k for k, d in positions if final >> d & 1]
    mask = bitsets.to_mask(final, len(table.keys))
    return [k for k, d in positions if mask[d]]


class MarkFormatter(highlight.HtmlFormatter):
    """``<mark>term</mark>``; everything else is HTML-escaped, so record text can never inject markup."""

    def __init__(self):
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text, token, replace=False):
        return "<mark>%s</mark>" % escape(highlight.get_text(text, token, replace), quote=False)

    def _text(self, text):
        return escape(text, quote=False)


_ANALYZER = VkrefAnalyzer()
_WORDS = SpellAnalyzer()
_FORMATTER = MarkFormatter()
_SCORER = highlight.BasicFragmentScorer()
PHRASE_GAP = 3  # positions between two words of a marked name (a query name may have a word inserted)


def highlights(text: str, highlight_terms: set[tuple[str, ...]], top: int = 3, whole: bool = False) -> list[str]:
    """Fragments of ``text`` with the query's names marked. ``highlight_terms`` holds each name's unstemmed words
    (:attr:`QueryPlan.highlight_terms`); a name of several words is marked only where they stand together, in
    order. ``whole`` marks the entire text as one fragment."""
    if not text or not highlight_terms:
        return []
    fragmenter = highlight.WholeFragmenter() if whole else highlight.ContextFragmenter(maxchars=220, surround=60)
    tokens = _marked_tokens(text, [_name_key(n) for n in highlight_terms])
    if not any(t.matched for t in tokens):
        return []
    fragments = highlight.top_fragments(fragmenter.fragment_tokens(text, tokens), top, _SCORER, highlight.FIRST, 1)
    out = _FORMATTER(text, fragments)
    return [frag for frag in out.split(" … ") if frag] if out else []


@lru_cache(maxsize=20_000)
def _name_key(words) -> tuple[tuple[str, str], ...]:
    if isinstance(words, str):
        words = (words,)
    return tuple((terms(w)[0] if terms(w) else w, w) for w in words)


class _Tok:
    """A token as Whoosh's fragmenters, fragment scorer and formatter read it."""

    __slots__ = ("text", "pos", "startchar", "endchar", "matched")
    boost = 1.0

    def __init__(self, text, pos, startchar, endchar, matched=False):
        self.text, self.pos, self.startchar, self.endchar, self.matched = text, pos, startchar, endchar, matched

    def copy(self) -> "_Tok":
        return _Tok(self.text, self.pos, self.startchar, self.endchar, self.matched)


# Analysing a hit's text is most of a highlight's cost (~0.7 ms per hit): the same records come back as a
# question is typed, refined or paged, so each text's analysis is kept (one entry per text, a few KB; see the
# cache table in docs/ARCHITECTURE.md).
TOKEN_CACHE_TEXTS = 2048


@lru_cache(maxsize=TOKEN_CACHE_TEXTS)
def _analysed(text: str) -> tuple[tuple[str, int, int, int], ...]:
    return tuple((t.text, t.pos, t.startchar, t.endchar) for t in _ANALYZER(text, positions=True, chars=True))


@lru_cache(maxsize=TOKEN_CACHE_TEXTS)
def _unstemmed(text: str) -> tuple[str, ...]:
    return tuple(w.text for w in _WORDS(text))


def _marked_tokens(text: str, names: list[tuple[tuple[str, str], ...]]) -> list:
    """The text's tokens, ``matched`` where a name occurs: same stems, the same word (see :func:`same_word`),
    each next word of the name within :data:`PHRASE_GAP` positions."""
    tokens = [_Tok(*t) for t in _analysed(text)]
    by_first: dict[str, list] = {}
    for name in names:
        if name:
            by_first.setdefault(name[0][0], []).append(name)
    words: tuple[str, ...] = ()  # the unstemmed words, read only once a stem matches
    for i, t in enumerate(tokens):
        for name in by_first.get(t.text, ()):
            words = words or _unstemmed(text)
            span = _match_at(tokens, words, i, name)
            for j in span:
                tokens[j].matched = True
    return tokens


def _match_at(tokens, words, i: int, name) -> list[int]:
    span, at = [], i
    for n, (stem, word) in enumerate(name):
        if n:
            at = next((j for j in range(at + 1, min(at + 1 + PHRASE_GAP, len(tokens)))
                       if tokens[j].text == stem and tokens[j].pos - tokens[at].pos <= PHRASE_GAP), None)
            if at is None:
                return []
        if tokens[at].text != stem or not same_word(word, words[at]):
            return []
        span.append(at)
    return span


_ENDINGS = ("ies", "es", "s", "ed", "ing", "ly")


def _light(word: str) -> str:
    for end in _ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= 3 and not word.endswith(("ss", "us", "is")):
            return word[:-len(end)] + ("y" if end == "ies" else "e" if end == "es" and word[-3] in "cgsvz" else "")
    return word


def same_word(typed: str, seen: str) -> bool:
    """Whether ``seen`` (a text word with the same Porter stem) is a form of ``typed``, for marking only.

    Porter stemming joins words that are not forms of each other ("mechanism" and "mechanical" both give
    ``mechan``): a match found through the stem is marked only when, after dropping an inflection (-s, -es,
    -ed, -ing, -ly), one word begins with the other ("fractures"/"fractured", "reduced"/"reduction").
    Hand-written because no light English stemmer ships with Whoosh and this one rule is all marking needs."""
    if typed == seen or not typed.isalpha():
        return True
    a, b = _light(typed), _light(seen)
    return a.startswith(b) or b.startswith(a)


class SearchEngine:
    """Searches one :class:`SearchIndex` with one vocabulary's query expansion."""

    def __init__(self, index: SearchIndex, builder: QueryBuilder):
        self.index = index
        self.builder = builder
        self.optimized = True  # False: the straightforward path (docs_for_query, unpruned scoring), for tests
        self._matchers: dict = {}  # thread's reader -> Matcher (one generation each)
        self._scorers: dict = {}  # id(matcher) -> Scorer of the same generation

    def _matcher(self, s) -> Matcher | None:
        if not self.optimized:
            return None
        reader = s.reader()
        m = self._matchers.get(id(reader))
        if m is None or m.reader is not reader:
            # one generation is kept: the caches of older readers go with them
            m = Matcher(s, self.index.segments)
            self._matchers = {id(reader): m}
        return m

    def _scores(self, s, q, docs: np.ndarray) -> np.ndarray:
        """BM25F scores of ``docs`` (see :mod:`vkref.search.scoring`): cached per generation, or evaluated
        document by document on the straightforward path."""
        m = self._matcher(s)
        if m is None:
            return np.array(reference_scores(s.reader(), Matcher(s), q, docs.tolist()), dtype=np.float64)
        scorer = self._scorers.get(id(m))
        if scorer is None or scorer.matcher is not m:
            self._scorers = {id(m): Scorer(s, m, self.index.segments)}
            scorer = self._scorers[id(m)]
        return scorer.scores(q, docs)

    def _docs(self, s, q) -> int:
        m = self._matcher(s)
        return m.bits(q) if m is not None else reference_docs(s, q)

    def run(self, text: str, *, filters: dict[str, set[str]], exclude: dict[str, set[str]],
            year_from: int | None = None, year_to: int | None = None, limit: int = 20, offset: int = 0,
            sort: str = "relevance", spell: bool = True, all_keys: bool = False) -> RawResult:
        plan = self.builder.plan(text)
        s = self.index.searcher()
        table = self.index.facet_table(s)
        if plan.is_empty and not plan.negative:
            return self._collect(s, table, plan, None, table.searchable, "filters", filters, exclude,
                                 year_from, year_to, limit, offset, sort, all_keys)
        matched = self._docs(s, plan.all_words())
        mode, need = "all", len(plan.required)
        n_all = (matched & table.searchable).bit_count()
        options = self.builder.options
        few = options.too_few(table.searchable.bit_count(), need)
        if options.relax and need > 1 and n_all < few:
            relaxed, need = self._relaxed(s, plan, table.searchable, few, options.min_share)
            if (relaxed & table.searchable).bit_count() > n_all:
                matched, mode = relaxed, "any"
        result = self._collect(s, table, plan, plan.scoring(), matched, mode, filters, exclude, year_from,
                               year_to, limit, offset, sort, all_keys, n_all, need)
        if result.total == 0 and spell and plan.words():
            corrected = self.suggest(text, plan)
            if corrected:
                again = self.run(corrected, filters=filters, exclude=exclude, year_from=year_from,
                                 year_to=year_to, limit=limit, offset=offset, sort=sort, spell=False,
                                 all_keys=all_keys)
                if again.total:
                    again.suggestion = corrected
                    return again
        return result

    def _relaxed(self, s, plan: QueryPlan, searchable: int, few: int, share: float) -> tuple[int, int]:
        """Records holding at least k of the n required clauses, minus the excluded ones; k is the largest below
        n that gives ``few`` records, but at least ``share`` of n, unless no record holds that many: then one.
        Returns the records and k."""
        parts = [self._docs(s, c.query) for c in plan.required]
        at_least = [-1] + [0] * len(parts)  # at_least[k]: records holding k or more of the parts
        for bits in parts:
            for k in range(len(parts), 0, -1):
                at_least[k] |= at_least[k - 1] & bits
        if plan.negative:
            excluded = self._docs(s, Q.Or([c.query for c in plan.negative]))
            at_least = [bits & ~excluded for bits in at_least]
        floor = max(1, ceil(len(parts) * share))
        need = next((k for k in range(len(parts) - 1, floor, -1) if (at_least[k] & searchable).bit_count() >= few),
                    floor)
        if not at_least[need] & searchable:
            need = 1
        return at_least[need], need

    def _collect(self, s, table, plan, q, matched, mode, filters, exclude, year_from, year_to, limit, offset,
                 sort, all_keys, n_all=0, need=0) -> RawResult:
        final, counts, undated_outside = constrain(table, matched, filters, exclude, year_from, year_to)
        total = final.bit_count()
        wanted = None if all_keys else offset + limit
        if wanted == 0:
            order = []  # a count only (limit 0, as the broader-concept offers ask): nothing to rank or sort
        elif q is not None and sort in ("relevance", "evidence"):
            docs = bitsets.to_array(final)
            scores = self._scores(s, q, docs)
            extra = feedback_query(s, plan, self.builder.options, docs, scores)
            if extra is not None:  # reorders the matched records only (vkref/search/feedback.py)
                scores = scores + self._scores(s, extra, docs)
            passages = table.get("kind", "passage") & final
            if passages:  # ranked below the findings that state the same words
                inside = bitsets.to_mask(passages, len(table.keys))[docs]
                scores = np.where(inside, scores * PASSAGE_WEIGHT, scores)
            order = ranked(docs, scores, table.strength_column(), sort, wanted)
        else:
            # the cached year (or evidence) order, kept to the documents in ``final``, up to the page's end
            walk = table.order_by_strength() if sort == "evidence" else table.order_by_year(sort != "year-asc")
            inside = bitsets.to_mask(final, len(walk))[walk] if total else np.zeros(len(walk), dtype=bool)
            picked = walk[np.flatnonzero(inside)[:wanted]]
            order = list(zip(picked.tolist(), [0.0] * len(picked)))
        page = order[offset:offset + limit]
        hits = []
        for docnum, score in page:
            stored = s.stored_fields(docnum)
            kind, _, rid = stored["key"].partition(":")
            hits.append(RawHit(stored["key"], kind, rid, round(float(score), 3), stored.get("title", ""),
                               stored.get("text", ""), stored.get("coded") or {},
                               ((stored.get("facets") or {}).get("review") or [""])[0],
                               stored.get("counts") or {}))
        keys = [table.keys[d] for d, _ in order] if all_keys else []
        searched_as = self.describe(plan, mode, n_all, need)
        return RawResult(total, hits, counts, searched_as, None, mode, plan, keys, undated_outside,
                         matched_among=lambda keys: among(table, final, keys))

    @staticmethod
    def describe(plan: QueryPlan, mode: str, n_all: int = 0, need: int = 1) -> str:
        """The readable `searched_as` of a plan run in ``mode`` (also the fallback scan's)."""
        required = {id(c) for c in plan.required}
        optional = [c.readable() for c in plan.positive if id(c) not in required]
        hard = QueryPlan(plan.required + plan.negative)
        held = f"only {n_all} record{'s' if n_all > 1 else ''} held" if n_all else "no record holds"
        if mode == "filters":
            text = "everything that matches the filters"
        elif mode == "any":
            some = "any one" if need <= 1 else f"at least {need}"
            text = hard.readable(" OR ") + (f" ({held} every word: showing records with {some} of the "
                                            f"{len(plan.required)}, best match first)")
        else:
            text = hard.readable()
        if optional:
            text += " (scored higher with: " + ", ".join(optional) + ")"
        if plan.notes:
            text += " (" + "; ".join(plan.notes) + ")"
        return text

    # ------------------------------------------------------------------ spelling
    def suggest(self, text: str, plan: QueryPlan) -> str | None:
        """The query with each unknown word replaced by the closest word of the library or vocabulary."""
        from rapidfuzz import fuzz, process

        lexicon = self._lexicon()
        vocabulary = self.builder.vocabulary
        corrected, changed = text, False
        for word in plan.words():
            folded = terms(word, stem=False)
            if not folded or len(folded) != 1 or folded[0] in lexicon or len(folded[0]) < 4:
                continue
            if vocabulary.find_all(word):  # a vocabulary term is never "corrected" into another word
                continue
            best = process.extractOne(folded[0], lexicon.keys(), scorer=fuzz.ratio, score_cutoff=80)
            if best:
                corrected = _replace_word(corrected, word, lexicon[best[0]])
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


def _replace_word(text: str, word: str, new: str) -> str:
    """``text`` with its first stand-alone ``word`` replaced by ``new``, never a part of a longer word (the
    misspelt "menatetr" in "menatetrenone menatetrenon" is the second word, not the start of the first)."""
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", lambda _m: new, text, count=1)
