"""The index schema and the document shape. One module owns them (STYLE habit 7).

Bump :data:`INDEX_FORMAT` whenever the schema, the analyzer's output or the document shape changes: an index
with another format is rebuilt from the database at open.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence

from vkref.search.analysis import SpellAnalyzer, VkrefAnalyzer

INDEX_FORMAT = 12
META_KEY = "__meta__"

# Field boosts used by query building: statement/title above abstract/summary above full text.
FIELD_BOOSTS = {"title": 3.0, "text": 3.0, "body": 1.6, "fulltext": 1.0}
# a passage of a full text holds its words in the full-text field only, and its score is scaled by this: a
# finding that states the same words ranks above the passage it comes from
PASSAGE_WEIGHT = 0.5
OWNER_PREFIX = "owner:"  # a delete key "owner:<review id>" removes every passage document of that review


def make_schema() -> Schema:
    analyzer = VkrefAnalyzer()
    return Schema(
        key=ID(stored=True, unique=True),  # "finding:<id>" | "review:<id>" | "passage:<review id>/<n>" | META_KEY
        owner=ID(),  # a passage's review id (its passages are replaced together)
        kind=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True),
        text=TEXT(analyzer=analyzer, stored=True),  # finding statement, or a review's summary
        body=TEXT(analyzer=analyzer),  # review: authors, journal, keywords; finding: cited author, studies, dose/effect
        fulltext=TEXT(analyzer=analyzer),  # attached local full text
        spell=spelling_field(),  # unstemmed words for spelling suggestions
        concepts=KEYWORD(commas=True, lowercase=False),  # coded concept ids (not rolled up)
        facets=STORED(),  # {"agent": [...rolled-up ids], ..., "review": [id], "year": ["2006"]}
        coded=STORED(),  # {"agent": [ids as coded], ...}: what a hit shows, without a database look-up
        year=NUMERIC(stored=True),
        strength=STORED(),  # evidence order, smaller is stronger: the "evidence" sort and relevance's tie-breaker
        counts=STORED(),  # a review's findings counted by direction: {concept id: n}
        meta=STORED(),  # only on the META_KEY document: {"last_change": n, "library": uuid, "format": f}
    )


def spelling_field() -> FieldType:
    """Only the lexicon of this field is read (spelling suggestions), so it keeps no frequencies, positions or
    lengths: a third of the rebuild's posting work went into positions and lengths nobody read."""
    return FieldType(Existence(), SpellAnalyzer(), scorable=False)


# Segments are written as separate files, not one compound file: Whoosh opens a compound file's parts through
# BytesIO, which copies each part into memory (at 100,000 findings ~230 MB per process, before any search),
# while separate files are read where needed.
WRITER_OPTIONS = {"compound": False}


@dataclass
class IndexDoc:
    """What the index stores for one finding or review (built by the library facade from entities)."""

    kind: str
    id: str
    title: str
    text: str
    body: str = ""
    fulltext: str = ""
    concepts: list[str] = field(default_factory=list)
    facets: dict[str, list[str]] = field(default_factory=dict)
    coded: dict[str, list[str]] = field(default_factory=dict)
    year: int | None = None
    strength: int = 0  # smaller is stronger (see vkref.library.documents.evidence_strength)
    counts: dict[str, int] = field(default_factory=dict)  # a review's findings by direction concept

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    def fields(self) -> dict:
        out = {
            "key": self.key, "kind": self.kind, "title": self.title, "text": self.text, "body": self.body,
            "fulltext": self.fulltext, "spell": " ".join((self.title, self.text, self.body)),
            "concepts": ",".join(self.concepts), "facets": self.facets, "coded": self.coded,
            "strength": self.strength, "counts": self.counts,
        }
        if self.year is not None:
            out["year"] = self.year
        if self.kind == "passage":  # searched as full text, shown as heading and paragraph
            out.update(owner=self.id.rpartition("/")[0], title="", text="", fulltext=self.text,
                       _stored_title=self.title, _stored_text=self.text, spell=self.text)
        return out
