"""The answer card's cautions: one plain line each on what should temper a reader's trust in the card.

In this order: retracted, doubtful or corrected sources and findings resting on a retracted study; the cautions
the reviews and findings carry (findings with the same caution on one line); reviews and findings not confirmed
against their sources (the first five reviews, then one line for the rest); outcomes with animal or cell evidence
only; outcomes whose human findings disagree. Nothing here counts or changes the card's numbers.
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from vkref.core.status import banner, review_status

if TYPE_CHECKING:
    from vkref.library.answer_card import OutcomeLine
    from vkref.library.evidence import Kinds, Selection
    from vkref.library.library import Library


def cautions(lib: "Library", sel: Selection, kinds: Kinds, outcomes: list[OutcomeLine]) -> list[str]:
    """One line each: doubtful sources, unverified records, outcomes without human evidence, human evidence
    that disagrees."""
    return (_status_cautions(lib, sel) + _source_cautions(lib, sel) + _unverified(lib, sel)
            + _non_human_only(outcomes) + _conflicts(outcomes))


def _status_cautions(lib: "Library", sel: Selection) -> list[str]:
    """First of all: retracted, doubtful or corrected sources, and findings resting on a retracted study."""
    out = []
    for rid in dict.fromkeys(f.review_id for f in sel.findings):
        review = sel.reviews.get(rid)
        line = banner(review_status(review)) if review is not None else ""
        if line:
            out.append(f"{lib.review_label(rid)}: {line}")
    flagged = [f.id for f in sel.findings if f.source_retracted]
    if flagged:
        shown = ", ".join(flagged[:3]) + (f" and {len(flagged) - 3} more" if len(flagged) > 3 else "")
        out.append(f"Retracted study: {_plural(len(flagged), 'finding')} ({shown}) rest on a primary study "
                   "that was retracted")
    return out


def _source_cautions(lib: "Library", sel: Selection) -> list[str]:
    out = []
    for rid in dict.fromkeys(f.review_id for f in sel.findings):
        review = sel.reviews.get(rid)
        if review is not None and review.caution.strip():
            out.append(f"Source: {lib.review_label(rid)}: {review.caution.strip()}")
    by_text: dict[str, list[str]] = {}
    for f in sel.findings:
        if f.caution.strip():
            by_text.setdefault(f.caution.strip(), []).append(f.id)
    for text, ids in by_text.items():
        shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        out.append(f"{_plural(len(ids), 'finding')} ({shown}): {text}")
    return out


def _unverified(lib: "Library", sel: Selection, shown: int = 5) -> list[str]:
    """Reviews (and their findings) whose verification is not "confirmed": one line per review, the first
    ``shown`` of them, then one line for the rest."""
    lines, doubtful_of = [], Counter(f.review_id for f in sel.findings if f.provenance.verification != "confirmed")
    for rid in dict.fromkeys(f.review_id for f in sel.findings):
        review = sel.reviews.get(rid)
        status = review.provenance.verification if review is not None else "unknown"
        doubtful = doubtful_of[rid]
        if status == "confirmed" and not doubtful:
            continue
        what = f"record {status}, not confirmed" if status != "confirmed" else "record confirmed"
        lines.append(f"Unverified: {lib.review_label(rid)}: {what}; {_plural(doubtful, 'finding')} from it "
                     "not confirmed against the source")
    if len(lines) > shown + 1:
        lines = lines[:shown] + [f"Unverified: {len(lines) - shown} more reviews are not confirmed against "
                                 "their sources"]
    return lines


def _non_human_only(outcomes: list[OutcomeLine]) -> list[str]:
    """One line per kind of non-human evidence: the outcomes that have only that kind, with their counts."""
    kinds: dict[str, list[str]] = {}
    for line in outcomes:
        if line.human or not (line.animal or line.in_vitro):
            continue
        what = " and ".join(name for name, part in (("animal", line.animal), ("cell or in vitro", line.in_vitro))
                            if part)
        n = sum(line.animal.values()) + sum(line.in_vitro.values())
        kinds.setdefault(what, []).append(f"{line.outcome} ({n})")
    return [f"{what.capitalize()} evidence only, no human finding: {', '.join(items)}"
            for what, items in kinds.items()]


def _conflicts(outcomes: list[OutcomeLine]) -> list[str]:
    out = []
    for line in outcomes:
        if len(line.human) > 1:
            parts = ", ".join(f"{d} {n}" for d, n in line.human.items())
            out.append(f"{line.outcome}: human findings disagree ({parts})")
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
