"""From what a person typed to a Whoosh query: parsing, vocabulary expansion and a readable account.

Syntax (Help > Search syntax says the same): words are all required; ``"exact phrase"``; ``OR`` between two
words or phrases accepts either; ``-word`` or ``NOT word`` excludes; ``word*`` matches a prefix. Anything else
is taken literally. Unbalanced quotes close at the end, stray operators are ignored, and only a query that
cannot mean anything (a lone ``*``, or one longer than :data:`MAX_QUERY_LENGTH`) is a :class:`QueryError`.

Expansion: a run of words that names a vocabulary concept (label or synonym, longest match first) also finds
every synonym of the concept and of its descendants, and every record coded with them ("bisphosphonate" finds
risedronate; "menatetrenone" finds MK-4). ``searched_as`` shows the expansion. The words as typed weigh 1; the
other names of a concept weigh :attr:`PlanOptions.expansion_weight` and a record scores the best of them, never
their sum (:class:`MaxOr`). Everyday words that happen to name a concept ("diet", "humans", "clinical") are
searched as typed, without expansion. A short abbreviation written with capitals in the vocabulary (BMD, RANK,
cAMP, Ca: :func:`vkref.core.vocabulary.case_bound`) expands only when typed with those capitals or as the
concept's id: "rank" and "ca" stay words, "RANK" is the receptor.

Plain-language questions: connectors ("plus", "combined", "versus") are dropped; generic words of a question
("effects", "risk", "dose", "prevent", "reduce") are *soft*: they add to the score but are not required. A
hyphenated word also finds its closed form ("anti-angiogenesis" = "antiangiogenesis"); trailing punctuation, a
possessive, a contraction and brackets around a word are ignored ("fractures?", "K2's", "doesn't", "(MK-4)").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from math import ceil

from whoosh import query as Q

from vkref.core.errors import QueryError
from vkref.core.vocabulary import Vocabulary
from vkref.search.analysis import STOP_WORDS, stop_gap, terms
from vkref.search.schema import FIELD_BOOSTS

MAX_QUERY_LENGTH = 1000
MAX_CONCEPT_WORDS = 6
TEXT_FIELDS = tuple(FIELD_BOOSTS)

# Joining words of a question: never searched ("raloxifene plus vitamin K2" means raloxifene AND vitamin K2).
CONNECTORS = frozenset("plus combined combination together versus vs alongside along besides".split())
# Generic words of a question, compared by stem: scored where they occur, never required, so "does MK-4 prevent
# vertebral fractures" also finds the trials that say "reduced". A hand list: these are properties of English
# questions, not of any collection, and the vocabulary holds no such class.
SOFT_WORDS = frozenset(terms(" ".join("""
effect effects affect affects risk risks dose doses dosage prevent prevents prevention preventing treat treats
treatment treating reduce reduces reduced reducing reduction lower lowers improve improves improvement increase
increases decrease decreases role play plays benefit benefits beneficial help helps cause causes associated
association relation relationship link linked impact influence study studies evidence outcome outcomes result
results safe work works good better best bad take taking use using used need way much many really new get
make whether ever""".split())))
# Concept names that are everyday English: typed alone they are searched as typed, not expanded ("diet" into
# intake and RDA matched four documents in ten of a nutrition collection; "clinical" into patients and people).
EVERYDAY_WORDS = frozenset("""
human humans patients people clinical cells diet intake nutrition nutrients positive negative neutral null mixed
effective ineffective protective adverse favorable favourable detrimental conflicting inconsistent contradictory
mechanism elderly child children japan europe pregnancy pregnant stroke signaling signalling transcription
absorption proliferation cheese lactate beneficial harmful
""".split())


@dataclass
class PlanOptions:
    """Switches of query planning (benchmarks/ir_eval.py measures each with ``--variant``)."""

    expansion_weight: float = 0.5  # weight of a concept's other names against the words as typed
    dismax: bool = True  # a concept scores its best name, not the sum of its names
    soft: bool = True  # generic question words are optional
    everyday: bool = True  # everyday words are not expanded
    relax: bool = True  # too few records hold every word: require all but one, then fewer
    few: int = 10  # below this many records holding every word, relax ...
    few_share: float = 0.03  # ... or below this share of the searchable records, if that is more
    min_share: float = 0.0  # a relaxed search still needs this share of the required words (at least one)
    pair_few: int = 3  # two words are relaxed only below this many records holding both ...
    pair_share: float = 0.01  # ... or below this share of the searchable records, if that is more
    proximity: float = 0.0  # weight of two neighbouring query words found near each other (0: not scored)
    window: int = 5  # "near": the second word within this many positions after the first
    unordered: bool = False  # ... or before it
    feedback_docs: int = 0  # pseudo-relevance feedback from this many top records (0: none)
    feedback_terms: int = 10  # ... adding this many of their words to the scoring
    feedback_weight: float = 0.3  # ... the best of them weighing this much against a typed word

    def too_few(self, searchable: int, required: int = 3) -> int:
        """How many records holding every one of ``required`` words are too few, so that fewer words are asked
        for: a number that grows with the library (three in a hundred of a large library hold the words of a
        narrow question by chance). Two words are relaxed later than three: "raloxifene plus vitamin K2" must not
        turn into everything about vitamin K2."""
        if required == 2:
            return max(self.pair_few, ceil(self.pair_share * searchable))
        return max(self.few, ceil(self.few_share * searchable))


class MaxOr(Q.Or):
    """Matches like :class:`whoosh.query.Or`; scores the best child (times its boost), not the sum."""


@dataclass
class Item:
    text: str
    phrase: bool = False
    negate: bool = False
    prefix: bool = False


@dataclass
class Clause:
    """One required part of the query: alternatives that each satisfy it."""

    shown: list[str]
    query: Q.Query
    words: list[str] = field(default_factory=list)  # raw words, for spelling suggestions
    negate: bool = False
    highlight: list[str] = field(default_factory=list)  # names to mark in text (defaults to ``shown``)
    soft: bool = False  # scored where it occurs, never required
    concepts: tuple[str, ...] = ()  # the vocabulary concepts the typed words name (for "also broader" offers)

    def readable(self, most: int = 12) -> str:
        names = self.shown[:most] + ([f"{len(self.shown) - most} more"] if len(self.shown) > most else [])
        text = names[0] if len(names) == 1 else "(" + " OR ".join(names) + ")"
        return ("NOT " + text) if self.negate else text


@dataclass
class QueryPlan:
    clauses: list[Clause]
    notes: list[str] = field(default_factory=list)
    highlight_terms: set[tuple[str, ...]] = field(default_factory=set)  # unstemmed words of each name
    proximity: list[Q.Query] = field(default_factory=list)  # optional: neighbouring query words near each other

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negate]

    @property
    def required(self) -> list[Clause]:
        """The clauses a record must hold (every positive one when all are soft)."""
        hard = [c for c in self.positive if not c.soft]
        return hard or self.positive

    @property
    def negative(self) -> list[Clause]:
        return [c for c in self.clauses if c.negate]

    @property
    def is_empty(self) -> bool:
        return not self.positive

    def all_words(self) -> Q.Query | None:
        return _combine(self, Q.And([c.query for c in self.required]) if self.positive else Q.Every())

    def any_words(self) -> Q.Query | None:
        return _combine(self, Q.Or([c.query for c in self.required]))

    def scoring(self) -> Q.Query:
        """What ranks the matched records: every positive clause, soft ones included, and the proximity of
        neighbouring words, summed."""
        return Q.Or([c.query for c in self.positive] + self.proximity)

    def readable(self, joiner: str = " AND ") -> str:
        pos = joiner.join(c.readable() for c in self.positive)
        neg = " ".join(c.readable() for c in self.negative)
        return " ".join(x for x in (pos, neg) if x)

    def words(self) -> list[str]:
        return [w for c in self.positive for w in c.words]


def _combine(plan: QueryPlan, q: Q.Query) -> Q.Query:
    if plan.negative:
        return Q.AndNot(q, Q.Or([c.query for c in plan.negative]))
    return q


# ---------------------------------------------------------------------------- parsing

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


def parse(text: str) -> tuple[list[list[Item]], list[str]]:
    """Split a query into OR-groups of items. Returns the groups and notes on what was read leniently."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"query is too long ({len(text)} characters; the limit is {MAX_QUERY_LENGTH})")
    notes: list[str] = []
    if text.count('"') % 2:
        notes.append("an unmatched quote was closed at the end")
    groups: list[list[Item]] = []
    pending_or = pending_not = False
    for m in _TOKEN.finditer(text):
        phrase, word = m.group(1), m.group(2)
        if word is not None:
            if word == "OR":
                pending_or = bool(groups)
                continue
            if word == "AND":
                continue
            if word == "NOT":
                pending_not = True
                continue
            if word.strip("*") == "" and "*" in word:
                raise QueryError(f"{word!r} is not a search on its own: type at least two letters before the *")
            item = _word_item(word)
        else:
            item = Item(phrase.strip(), phrase=True)
        if item is None or not item.text:
            continue
        item.negate = item.negate or pending_not
        pending_not = False
        if pending_or and not item.negate and not groups[-1][0].negate:
            groups[-1].append(item)
        else:
            groups.append([item])
        pending_or = False
    return groups, notes


def _word_item(word: str) -> Item | None:
    negate = word.startswith("-") and len(word) > 1
    if negate:
        word = word[1:]
    word = word.rstrip(".,;:!?").strip("'‘’")  # "fractures?", "'MK-4'"
    if _NEGATED_AUXILIARY.fullmatch(word):  # "doesn't", "isn't": function words, like "does" and "is"
        return None
    word = _POSSESSIVE.sub("", _CONTRACTION.sub("", word))  # "K2's", "women’s", "we're"
    prefix = word.endswith("*")
    word = word.rstrip("*")
    if word.count("(") != word.count(")"):
        word = word.strip("()")
    elif word.startswith("(") and word.endswith(")") and _balanced(word[1:-1]):  # "(MK-4)"; not "25(OH)D"
        word = word[1:-1]
    if not re.search(r"\w", word):
        return None
    if prefix and len(re.sub(r"\W", "", word)) < 2:
        raise QueryError(f"{word}* is too short a prefix: type at least two letters before the *")
    return Item(word, negate=negate, prefix=prefix)


_POSSESSIVE = re.compile(r"(?<=\w)['’]s$", re.IGNORECASE)
_CONTRACTION = re.compile(r"(?<=\w)['’](?:re|ve|ll|d|m)$", re.IGNORECASE)
_NEGATED_AUXILIARY = re.compile(r"[a-z]+n['’]t", re.IGNORECASE)


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


# ---------------------------------------------------------------------------- building


def _text_query(name: str, slop: int = 1, loose: bool = False, boost: float = 1.0) -> Q.Query | None:
    """``name`` in any text field; several words form a phrase (``slop`` 1 = adjacent, 2 = one word between).

    ``loose`` (vocabulary names): in the short fields (title, statement, details) all the words of a several-word
    name only need to occur together; only the long full text needs them as a phrase. Checking word positions
    is by far the costliest part of a Whoosh query, and a one-to-three-sentence statement holding "vertebral"
    and "fracture" is about vertebral fracture.
    """
    words = terms(name)
    if not words:
        return None
    if len(words) > 1:
        slop += stop_gap(name)  # "steady and lowers": the unindexed "and" still holds its place in the text
    parts = []
    for fname, fboost in FIELD_BOOSTS.items():
        if len(words) == 1:
            parts.append(Q.Term(fname, words[0], boost=fboost))
        elif loose and fname != "fulltext":
            parts.append(Q.And([Q.Term(fname, w) for w in dict.fromkeys(words)], boost=fboost))
        else:
            parts.append(Q.Phrase(fname, words, slop=slop, boost=fboost))
    return Q.Or(parts, boost=boost) if boost != 1.0 else Q.Or(parts)


def _word_query(word: str) -> Q.Query | None:
    """A typed word; a hyphenated one ("anti-angiogenesis") is its parts as a phrase or its closed form."""
    q = _text_query(word)
    closed = _HYPHENS.sub("", word)
    if q is None or closed == word or terms(closed) == terms(word):
        return q
    return MaxOr([q, _text_query(closed)])


_HYPHENS = re.compile(r"(?<=[^\W\d])[-‐‑–](?=[^\W\d])")


def _prefix_query(word: str) -> Q.Query:
    stem = terms(word, stem=False)
    text = stem[0] if stem else word.lower()
    return Q.Or([Q.Prefix(f, text, boost=b) for f, b in FIELD_BOOSTS.items()])


class QueryBuilder:
    """Builds :class:`QueryPlan` objects against one vocabulary."""

    def __init__(self, vocabulary: Vocabulary, options: PlanOptions | None = None):
        self.vocabulary = vocabulary
        self.options = options or PlanOptions()

    def plan(self, text: str) -> QueryPlan:
        groups, notes = parse(text)
        groups = [g for g in groups if not _is_connector(g)]
        plan = QueryPlan([], notes)
        i = 0
        while i < len(groups):
            clause, used = self._plain_clause(groups, i)
            if clause is None:
                clause, used = self._group_clause(groups[i]), 1
            if clause is not None:
                plan.clauses.append(clause)
            i += used
        for c in plan.positive:
            for name in c.highlight or c.shown:
                words = tuple(terms(name.strip('"*'), stem=False))
                if words:
                    plan.highlight_terms.add(words)
        if self.options.proximity:
            plan.proximity = proximity_queries(plan.words(), self.options.proximity, self.options.window,
                                               self.options.unordered)
        return plan

    def _plain_clause(self, groups: list[list[Item]], i: int) -> tuple[Clause | None, int]:
        """The longest run of plain words starting at ``i`` that names a concept, or a soft word."""
        run = self._plain_run(groups, i)
        for n in range(min(len(run), MAX_CONCEPT_WORDS), 0, -1):
            phrase = " ".join(run[:n])
            if n == 1 and self.options.soft and _is_soft(phrase):
                clause = self._group_clause(groups[i])
                if clause is not None:
                    clause.soft = True
                return clause, 1
            clause = self._concept_clause(phrase)
            if clause is not None:
                return clause, n
        return None, 1

    @staticmethod
    def _plain_run(groups: list[list[Item]], start: int) -> list[str]:
        run = []
        for group in groups[start:start + MAX_CONCEPT_WORDS]:
            item = group[0]
            if len(group) != 1 or item.phrase or item.prefix or item.negate:
                break
            run.append(item.text)
        return run

    def _concept_clause(self, phrase: str, negate: bool = False) -> Clause | None:
        if phrase.lower() in STOP_WORDS:
            return None
        if self.options.everyday and phrase.casefold() in EVERYDAY_WORDS:
            return None
        concepts = self.vocabulary.find_typed(phrase)
        if not concepts:
            return None
        # Text is searched for the named concept's own label and synonyms; narrower concepts are reached through
        # the records coded with them (their ids), which keeps an expanded query small: "patients" would
        # otherwise become ~60 phrases in every field. Every name is still highlighted.
        shown: dict[str, str] = {phrase.casefold(): phrase}  # case-folded -> as first written
        narrower: dict[str, str] = {}
        ids: dict[str, None] = {}
        for concept in concepts:
            for name in concept.names:
                shown.setdefault(name.casefold(), name)
            for cid in [concept.id] + self.vocabulary.descendants(concept.id):
                ids[cid] = None
                if cid != concept.id:
                    narrower.setdefault(self.vocabulary[cid].label.casefold(), self.vocabulary[cid].label)
        coded = [Q.Term("concepts", cid, boost=2.0) for cid in ids]
        query = Q.Or([self._names_query(list(shown.values())), MaxOr(coded) if self.options.dismax else Q.Or(coded)])
        highlight = list(shown.values()) + [n for cid in ids for n in self.vocabulary[cid].names]
        labels = list(shown.values()) + [n for k, n in narrower.items() if k not in shown]
        return Clause(labels, query, words=phrase.split(), negate=negate, highlight=highlight,
                      concepts=tuple(c.id for c in concepts))

    def _names_query(self, names: list[str]) -> Q.Query:
        """The typed name (first) at weight 1, the other names below it; a record scores its best name."""
        seen = {tuple(terms(names[0]))}
        alternatives = [_text_query(names[0], slop=2, loose=True)]
        for name in names[1:]:
            key = tuple(terms(name))
            if key and key not in seen:
                seen.add(key)
                # a vocabulary name may have a word inserted ("lumbar BMD" in "lumbar spine BMD")
                alternatives.append(_text_query(name, slop=2, loose=True, boost=self.options.expansion_weight))
        alternatives = [q for q in alternatives if q is not None]
        return MaxOr(alternatives) if self.options.dismax else Q.Or(alternatives)

    def _group_clause(self, group: list[Item]) -> Clause | None:
        shown, alternatives, words = [], [], []
        negate = group[0].negate
        for item in group:
            if item.prefix:
                q = _prefix_query(item.text)
                shown.append(item.text + "*")
            else:
                concept = self._concept_clause(item.text) if item.phrase or negate else None
                if concept is not None:
                    q = concept.query
                    shown.extend(concept.shown)
                else:
                    q = _text_query(item.text) if item.phrase else _word_query(item.text)
                    shown.append(f'"{item.text}"' if item.phrase else item.text)
                words.extend(item.text.split())
            if q is not None:
                alternatives.append(q)
        if not alternatives:
            return None
        q = alternatives[0] if len(alternatives) == 1 else Q.Or(alternatives)
        return Clause(shown, q, words=words, negate=negate)


def proximity_queries(words: list[str], weight: float, window: int, unordered: bool = False) -> list[Q.Query]:
    """Each pair of neighbouring query words, in the order typed (``unordered``: either order), within
    ``window`` positions of each other in a title or statement/summary: scored as the pair's words times
    ``weight`` where they stand that close (the sequential dependence model's ordered window). Short fields
    only: positions are the costly part of a phrase check, and a full text holds most pairs somewhere."""
    stems = [t for w in words for t in terms(w)]
    pairs = dict.fromkeys((a, b) for a, b in zip(stems, stems[1:]) if a != b)
    return [Q.Or([_near(f, pair, window, unordered) for f in SHORT_FIELDS], boost=weight) for pair in pairs]


def _near(field: str, pair: tuple[str, str], window: int, unordered: bool) -> Q.Query:
    boost = FIELD_BOOSTS[field]
    if not unordered:
        return Q.Phrase(field, list(pair), slop=window, boost=boost)
    return MaxOr([Q.Phrase(field, list(p), slop=window, boost=boost) for p in (pair, pair[::-1])])


SHORT_FIELDS = ("title", "text")


def _is_connector(group: list[Item]) -> bool:
    item = group[0]
    return len(group) == 1 and not (item.phrase or item.prefix or item.negate) and item.text.lower() in CONNECTORS


def _is_soft(word: str) -> bool:
    words = terms(word)
    return len(words) == 1 and words[0] in SOFT_WORDS
