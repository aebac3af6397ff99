"""Which vitamin K2? Findings coded only with a broader concept than one the query names.

A review that says "vitamin K2" without saying which is coded ``vitamin-k2``; a search for MK-4 rightly does not
return it, yet a clinician should know it exists. For each concept the typed query names (a search plan's
concept clauses) and each of its broader concepts (every parent, grandparent, ... along every path of the
poly-hierarchy, nearest first, each once), :func:`offers` counts the findings
that are coded with the broader concept itself and with none of its narrower ones, that match the rest of the
query and the page's filters, and that the query's own concept did not find (``NOT "MK-4"``: its codes and
names). Each offer carries the query and the filters that list exactly those findings, so the window's link and
``vkref search`` show what was counted. Counting runs one unscored search per broader concept (sorted by year,
so no relevance scores are computed).
"""
from __future__ import annotations

import re

from vkref.library.results import Broader


def offers(lib, query: str, plan, filters: dict, exclude: dict, year_from, year_to) -> list[Broader]:
    """The offers for ``plan`` (nearest broader concept first, for each concept the query names)."""
    out: list[Broader] = []
    if plan is None:
        return out
    vocab = lib.vocabulary
    for clause in plan.positive:
        phrase = " ".join(clause.words)
        rest = _without(query, clause.words)
        if rest is None:
            continue
        for cid in clause.concepts:
            for broader in vocab.ancestors(cid):
                offer = _offer(lib, vocab, cid, broader, f'{rest} NOT "{phrase}"'.strip(), filters, exclude,
                               year_from, year_to)
                if offer is not None:
                    out.append(offer)
    return out


def _offer(lib, vocab, cid: str, broader: str, query: str, filters, exclude, year_from, year_to) -> Broader | None:
    concept = vocab[broader]
    facet = concept.facet
    add = {"kind": ["finding"], facet: [concept.label]}
    leave_out = {facet: [vocab[c].label for c in vocab.children(broader)]}
    page = lib.search(query, filters=_merged(filters, add), exclude=_merged(exclude, leave_out),
                      year_from=year_from, year_to=year_to, limit=0, sort="year", spell=False, broader=False)
    if not page.total:
        return None
    return Broader(facet, broader, concept.label, vocab[cid].label, page.total, query, add, leave_out)


def _merged(base: dict | None, extra: dict[str, list[str]]) -> dict[str, list[str]]:
    out = {k: list(v) if not isinstance(v, str) else [v] for k, v in (base or {}).items()}
    for facet, labels in extra.items():
        out[facet] = out.get(facet, []) + [label for label in labels if label not in out.get(facet, [])]
    return out


def _without(query: str, words: list[str]) -> str | None:
    """``query`` with the run of ``words`` taken out (trailing punctuation too), or None when it is not there."""
    if not words:
        return None
    pattern = r"(?<!\S)" + r"\s+".join(re.escape(w) + r"[.,;:!?]*" for w in words) + r"(?!\S)"
    rest, n = re.subn(pattern, " ", query, count=1)
    return " ".join(rest.split()) if n else None
