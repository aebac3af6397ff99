"""From what a person typed to a Whoosh query: parsing, vocabulary expansion and a readable account.

Syntax (Help > Search syntax says the same): words are all required; ``"exact phrase"``; ``OR`` between two
words or phrases accepts either; ``-word`` or ``NOT word`` excludes; ``word*`` matches a prefix. Anything else
is taken literally. Unbalanced quotes close at the end, stray operators are ignored, and only a query that
cannot mean anything (a lone ``*``, or one longer than :data:`MAX_QUERY_LENGTH`) is a :class:`QueryError`.

Expansion: a run of words that names a vocabulary concept (label or synonym, longest match first) also finds
every synonym of the concept and of its descendants, and every record coded with them ("bisphosphonate" finds
risedronate; "menatetrenone" finds MK-4). ``searched_as`` shows the expansion.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as Q

from vkref.core.errors import QueryError
from vkref.core.vocabulary import Vocabulary
from vkref.search.analysis import STOP_WORDS, terms
from vkref.search.schema import FIELD_BOOSTS

MAX_QUERY_LENGTH = 1000
MAX_CONCEPT_WORDS = 6
TEXT_FIELDS = tuple(FIELD_BOOSTS)


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

    def readable(self, most: int = 12) -> str:
        names = self.shown[:most] + ([f"{len(self.shown) - most} more"] if len(self.shown) > most else [])
        text = names[0] if len(names) == 1 else "(" + " OR ".join(names) + ")"
        return ("NOT " + text) if self.negate else text


@dataclass
class QueryPlan:
    clauses: list[Clause]
    notes: list[str] = field(default_factory=list)
    highlight_terms: set[str] = field(default_factory=set)

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negate]

    @property
    def negative(self) -> list[Clause]:
        return [c for c in self.clauses if c.negate]

    @property
    def is_empty(self) -> bool:
        return not self.positive

    def all_words(self) -> Q.Query | None:
        return _combine(self, Q.And([c.query for c in self.positive]) if self.positive else Q.Every())

    def any_words(self) -> Q.Query | None:
        # the coordination bonus ranks records matching more of the words first
        return _combine(self, Q.Or([c.query for c in self.positive], scale=0.9))

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
    prefix = word.endswith("*")
    word = word.rstrip("*")
    if word.count("(") != word.count(")"):
        word = word.strip("()")
    if not re.search(r"\w", word):
        return None
    if prefix and len(re.sub(r"\W", "", word)) < 2:
        raise QueryError(f"{word}* is too short a prefix: type at least two letters before the *")
    return Item(word, negate=negate, prefix=prefix)


# ---------------------------------------------------------------------------- building


def _text_query(name: str, slop: int = 1, loose: bool = False) -> Q.Query | None:
    """``name`` in any text field; several words form a phrase (``slop`` 1 = adjacent, 2 = one word between).

    ``loose`` (vocabulary names): in the short fields (title, statement, details) all the words of a several-word
    name only need to occur together; only the long full text needs them as a phrase. Checking word positions
    is by far the costliest part of a Whoosh query, and a one-to-three-sentence statement holding "vertebral"
    and "fracture" is about vertebral fracture.
    """
    words = terms(name)
    if not words:
        return None
    parts = []
    for fname, boost in FIELD_BOOSTS.items():
        if len(words) == 1:
            parts.append(Q.Term(fname, words[0], boost=boost))
        elif loose and fname != "fulltext":
            parts.append(Q.And([Q.Term(fname, w) for w in dict.fromkeys(words)], boost=boost))
        else:
            parts.append(Q.Phrase(fname, words, slop=slop, boost=boost))
    return Q.Or(parts)


def _prefix_query(word: str) -> Q.Query:
    stem = terms(word, stem=False)
    text = stem[0] if stem else word.lower()
    return Q.Or([Q.Prefix(f, text, boost=b) for f, b in FIELD_BOOSTS.items()])


class QueryBuilder:
    """Builds :class:`QueryPlan` objects against one vocabulary."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary

    def plan(self, text: str) -> QueryPlan:
        groups, notes = parse(text)
        plan = QueryPlan([], notes)
        i = 0
        while i < len(groups):
            group = groups[i]
            item = group[0]
            if len(group) == 1 and not item.phrase and not item.prefix and not item.negate:
                # longest run of plain words starting here that names a concept
                run = self._plain_run(groups, i)
                matched = False
                for n in range(min(len(run), MAX_CONCEPT_WORDS), 0, -1):
                    phrase = " ".join(run[:n])
                    clause = self._concept_clause(phrase)
                    if clause is not None:
                        plan.clauses.append(clause)
                        i += n
                        matched = True
                        break
                if matched:
                    continue
            clause = self._group_clause(group)
            if clause is not None:
                plan.clauses.append(clause)
            i += 1
        for c in plan.positive:
            for name in c.highlight or c.shown:
                plan.highlight_terms.update(terms(name))
        return plan

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
        concepts = self.vocabulary.find_all(phrase)
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
        # a vocabulary name may have a word inserted ("lumbar BMD" in "lumbar spine BMD")
        alternatives = [q for q in (_text_query(n, slop=2, loose=True) for n in shown.values()) if q is not None]
        alternatives += [Q.Term("concepts", cid, boost=2.0) for cid in ids]
        highlight = list(shown.values()) + [n for cid in ids for n in self.vocabulary[cid].names]
        labels = list(shown.values()) + [n for k, n in narrower.items() if k not in shown]
        return Clause(labels, Q.Or(alternatives), words=phrase.split(), negate=negate, highlight=highlight)

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
                    q = _text_query(item.text)
                    shown.append(f'"{item.text}"' if item.phrase else item.text)
                words.extend(item.text.split())
            if q is not None:
                alternatives.append(q)
        if not alternatives:
            return None
        q = alternatives[0] if len(alternatives) == 1 else Q.Or(alternatives)
        return Clause(shown, q, words=words, negate=negate)
