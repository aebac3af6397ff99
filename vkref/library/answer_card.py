"""The clinician's answer card: what the library holds on a question (``vkref answer``, the Answer tab).

The card reads the findings a search selects in bulk (:func:`vkref.library.evidence.select`: it needs doses,
cautions and provenance) and reports them counted by species, evidence and direction, one line per outcome with
human, animal and cell or in vitro evidence side by side, the strongest findings as the search's own hits, and the
cautions of :mod:`vkref.library.answer_cautions`.

Promises:

- The card never mixes species: an outcome's ``human`` part counts findings coded Human only, ``animal``
  findings of other organisms, ``in_vitro`` cell, tissue and in vitro work (which is never counted as either)
  (:class:`~vkref.library.evidence.Kinds`).
- Key findings come human first, then by strength of evidence; animal after human, in vitro last; each is the very
  hit ``vkref search`` shows for it (score and highlights).
- ``AnswerCard.to_dict()`` is exactly the JSON of ``vkref answer --json``.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vkref.core.entities import Finding
from vkref.io import evidence_render as R
from vkref.library.answer_cautions import cautions
from vkref.library.evidence import GROUPS, Kinds, Selection, select, values_of

if TYPE_CHECKING:
    from vkref.library.library import Library
    from vkref.library.results import Hit

KEY_FINDINGS = 10


@dataclass
class OutcomeLine:
    outcome: str
    human: dict[str, int]
    animal: dict[str, int]
    in_vitro: dict[str, int]

    def to_dict(self) -> dict:
        return {"outcome": self.outcome, "human": self.human, "animal": self.animal, "in_vitro": self.in_vitro}


@dataclass
class AnswerCard:
    """What the library holds on a question. ``to_dict()`` is exactly the JSON of ``vkref answer --json``."""

    query: str
    searched_as: str
    total: int
    species: dict[str, int]
    evidence: dict[str, int]
    direction: dict[str, int]
    outcomes: list[OutcomeLine]
    key_findings: list["Hit"]
    cautions: list[str]
    filters: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    library_date: str = ""

    def caption(self) -> dict:
        return {"query": self.query, "filters": self.filters, "exclude": self.exclude,
                "library_date": self.library_date, "total": self.total}

    def render(self, fmt: str = "html") -> str:
        """The card as a self-contained HTML page."""
        return R.answer_html(self.to_dict(), self.caption())

    def to_dict(self) -> dict:
        return {"query": self.query, "searched_as": self.searched_as, "total": self.total,
                "species": self.species, "evidence": self.evidence, "direction": self.direction,
                "outcomes": [o.to_dict() for o in self.outcomes],
                "key_findings": [h.to_dict() for h in self.key_findings], "cautions": self.cautions}


def answer(lib: "Library", query: str, filters=None, exclude=None, key_findings: int = KEY_FINDINGS,
           year_from: int | None = None, year_to: int | None = None) -> AnswerCard:
    """The answer card for a question: counts, outcome lines per species group, key findings and cautions."""
    sel = select(lib, query, filters, exclude, year_from, year_to)
    kinds = Kinds(lib.vocabulary)
    summary = {facet: _label_counts(lib, facet, Counter(v for f in sel.findings
                                                        for v in values_of(lib, f, None, facet)))
               for facet in ("species", "evidence", "direction")}
    outcomes = _outcome_lines(lib, sel.findings, kinds)
    warnings = cautions(lib, sel, kinds, outcomes)
    return AnswerCard(sel.query, sel.page.searched_as, sel.page.total, summary["species"], summary["evidence"],
                      summary["direction"], outcomes, _key_hits(lib, sel, kinds, key_findings), warnings,
                      sel.filters, sel.exclude, sel.library_date)


def _outcome_lines(lib: "Library", findings: list[Finding], kinds: Kinds) -> list[OutcomeLine]:
    """One line per outcome as coded; each group's direction counts come from that group's findings only."""
    tally: dict[str, dict[str, Counter]] = {}
    for f in findings:
        groups = kinds.groups(f)
        directions = values_of(lib, f, None, "direction")
        for outcome in dict.fromkeys(f.concepts.get("outcome", [])):
            if outcome not in lib.vocabulary:
                continue
            line = tally.setdefault(outcome, {g: Counter() for g in GROUPS})
            for g in groups:
                line[g].update(directions or ["(direction not coded)"])
    order = sorted(tally, key=lambda o: (-sum(tally[o]["human"].values()), -sum(sum(c.values()) for c in
                                                                                tally[o].values()),
                                         lib.vocabulary[o].label.lower()))
    return [OutcomeLine(lib.vocabulary[o].label, *(_direction_labels(lib, tally[o][g]) for g in GROUPS))
            for o in order]


def _direction_labels(lib: "Library", counts: Counter) -> dict[str, int]:
    return {(lib.facet_label("direction", v) if v in lib.vocabulary else v): n
            for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


def _key_hits(lib: "Library", sel: Selection, kinds: Kinds, n: int) -> list["Hit"]:
    """The ``n`` strongest findings as search hits: fetched by their position in the relevance order, in runs
    of neighbouring positions, so each is the very hit ``vkref search`` shows (score and highlights)."""
    position = {k.split(":", 1)[1]: p for p, k in enumerate(sel.page.keys)}
    chosen = sorted(sel.findings, key=lambda f: (*kinds.order(f), position[f.id]))[:n]
    hits = {}
    for start, stop in _runs(sorted(position[f.id] for f in chosen)):
        page = lib.search(sel.query, filters=sel.filters, exclude=sel.exclude, kind="finding",
                          limit=stop - start, offset=start, broader=False, **sel.years)
        hits.update({h.id: h for h in page.hits})
    return [hits[f.id] for f in chosen if f.id in hits]


def _runs(positions: list[int], gap: int = 8) -> list[tuple[int, int]]:
    runs: list[list[int]] = []
    for p in positions:
        if runs and p - runs[-1][1] <= gap:
            runs[-1][1] = p + 1
        else:
            runs.append([p, p + 1])
    return [(a, b) for a, b in runs]


def _label_counts(lib: "Library", facet: str, counts: Counter) -> dict[str, int]:
    return {lib.facet_label(facet, v): n for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}
