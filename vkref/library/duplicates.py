"""Likely duplicate reviews: found by identifiers and by blocked fuzzy comparison; merged field by field.

Detection (:func:`find_duplicates`):

- the same DOI or PMID — also one a review answers to from an earlier merge (its ``aliases``) — is the same
  record (score 100, reason ``"same DOI"`` / ``"same PMID"``);
- otherwise reviews are compared only within *blocks* (they share a rare title word pair, or the first author's
  family name and year), so 100,000 reviews cost a few blocks each instead of n² pairs; a pair is scored with
  rapidfuzz on the normalised titles, and its reasons say what agreed (``"title 97, year, first author"``);
- a different DOI or PMID on both sides, a different first page, or a different kind of publication (an
  erratum, comment or retraction notice against the article) vetoes a match; a title that lost or gained its
  subtitle still matches on its main title; pairs a curator declared distinct are never proposed again.

:func:`merge` moves OTHER into KEEP in one undoable change batch: fields KEEP lacks (or those ``choose`` names)
come from OTHER, keywords/tags/MeSH are united, OTHER's findings are re-linked to KEEP, and OTHER's identifiers
become KEEP's aliases, so the next import of the same record matches KEEP.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable

from vkref.core import records as R
from vkref.core.entities import Review
from vkref.core.errors import DataError, UsageError
from vkref.library.importing import norm_title
from vkref.store import changes, repository as repo

if TYPE_CHECKING:
    from vkref.library.library import Library

NOTICE_TYPES = frozenset({"erratum", "comment", "retraction", "correction", "expression-of-concern"})
STOP = frozenset("a an and are as at by for from in into is of on or the to with without via vs its their"
                 .split())
TITLE_MIN = 90  # rapidfuzz token_sort_ratio at or above which titles are "the same"
MAX_BLOCK = 300  # a block this large says nothing (a common word pair): it is skipped
MERGE_FIELDS = tuple(n for n in R.REVIEW_FIELDS if n not in ("concepts", "concepts_suggested", "aliases"))


@dataclass
class Pair:
    a: str
    b: str
    score: float
    reasons: list[str] = field(default_factory=list)
    exact: bool = False  # an identifier match: safe to merge without a look

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "score": round(self.score, 1), "reason": ", ".join(self.reasons),
                "exact": self.exact}


def identifiers(r: Review) -> set[str]:
    out = {a for a in r.aliases if a.startswith(("doi:", "pmid:"))}
    if r.doi:
        out.add(f"doi:{r.doi.lower()}")
    if r.pmid:
        out.add(f"pmid:{r.pmid}")
    return out


def find_duplicates(reviews: list[Review], distinct: set[tuple[str, str]] = frozenset()) -> list[Pair]:
    """Every likely duplicate pair among ``reviews``, best first."""
    pairs: dict[tuple[str, str], Pair] = {}
    for pair in _exact(reviews):
        pairs[(pair.a, pair.b)] = pair
    by_id = {r.id: r for r in reviews}
    keys = {r.id: norm_title(r.title) for r in reviews}
    for a, b in _candidates(reviews, keys):
        if (a, b) in pairs:
            continue
        pair = score(by_id[a], by_id[b], keys[a], keys[b])
        if pair is not None:
            pairs[(a, b)] = pair
    out = [p for k, p in pairs.items() if k not in distinct]
    return sorted(out, key=lambda p: (-p.score, p.a, p.b))


def _exact(reviews: list[Review]) -> Iterable[Pair]:
    owners: dict[str, list[str]] = {}
    for r in reviews:
        for ident in identifiers(r):
            owners.setdefault(ident, []).append(r.id)
    seen = set()
    for ident, ids in owners.items():
        ids = sorted(set(ids))
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                if (a, b) not in seen:
                    seen.add((a, b))
                    yield Pair(a, b, 100.0, ["same DOI" if ident.startswith("doi:") else "same PMID"], True)


def _candidates(reviews: list[Review], keys: dict[str, str]) -> set[tuple[str, str]]:
    """Pairs sharing a block: the two rarest title words, or first author's family name + year."""
    df: dict[str, int] = {}
    words = {}
    for r in reviews:
        ws = {w for w in keys[r.id].split() if w not in STOP and len(w) > 2}
        words[r.id] = ws
        for w in ws:
            df[w] = df.get(w, 0) + 1
    blocks: dict[tuple, list[str]] = {}
    for r in reviews:
        rare = sorted(words[r.id], key=lambda w: (df[w], w))[:3]
        for i in range(len(rare)):
            for j in range(i + 1, len(rare)):
                blocks.setdefault(("w", rare[i], rare[j]), []).append(r.id)
        if r.authors:
            family = norm_title(r.authors[0].family)
            for year in ((r.year - 1, r.year) if r.year else (None,)):
                blocks.setdefault(("a", family, year), []).append(r.id)
    out: set[tuple[str, str]] = set()
    for ids in blocks.values():
        if 1 < len(ids) <= MAX_BLOCK:
            ids = sorted(set(ids))
            for i, a in enumerate(ids):
                out.update((a, b) for b in ids[i + 1:])
    return out


def score(a: Review, b: Review, ka: str | None = None, kb: str | None = None) -> Pair | None:
    """The pair's score and reasons, or None when it is no match or vetoed."""
    from rapidfuzz import fuzz

    if _vetoed(a, b):
        return None
    ka = ka if ka is not None else norm_title(a.title)
    kb = kb if kb is not None else norm_title(b.title)
    title = fuzz.token_sort_ratio(ka, kb)
    reasons = [f"title {title:.0f}"]
    if title < TITLE_MIN and _same_main_title(a.title, b.title):
        title, reasons = TITLE_MIN, ["main title"]  # one record lost or added the subtitle
    if title < TITLE_MIN:
        return None
    points = title
    if a.year and b.year:
        if abs(a.year - b.year) > 1:
            return None
        reasons.append("year" if a.year == b.year else "year ±1")
        points -= 0 if a.year == b.year else 3
    if a.authors and b.authors:
        fa, fb = a.authors[0], b.authors[0]
        if norm_title(fa.family) != norm_title(fb.family):
            return None
        reasons.append("first author")
        if fa.given[:1] and fb.given[:1] and fa.given[:1].lower() != fb.given[:1].lower():
            points -= 5
    else:
        points -= 5
    ja, jb = norm_title(a.journal_abbrev or a.journal), norm_title(b.journal_abbrev or b.journal)
    if ja and jb and ja == jb:
        reasons.append("journal")
    return Pair(*sorted((a.id, b.id)), score=max(points, 0.0), reasons=reasons)


def _main(title: str) -> str:
    return norm_title(re.split(r":|\s[-–—]\s|\.\s", title, maxsplit=1)[0])


def _same_main_title(a: str, b: str) -> bool:
    """"Guidelines for written reports" and "Guidelines for written reports: Bachelor Biosciences"."""
    ma, mb = _main(a), _main(b)
    return len(ma.split()) >= 2 and ma == mb and (ma == norm_title(a) or mb == norm_title(b))


def _first_page(pages: str) -> str:
    m = re.match(r"\s*([A-Za-z]?\d+)", pages or "")
    return m.group(1).lstrip("0") if m else ""


def _vetoed(a: Review, b: Review) -> bool:
    if a.doi and b.doi and a.doi.lower() != b.doi.lower():
        return True
    if a.pmid and b.pmid and a.pmid != b.pmid:
        return True
    pa, pb = _first_page(a.pages), _first_page(b.pages)
    if pa and pb and pa != pb:
        return True  # a chapter and its book, two parts of one report
    notice_a, notice_b = a.type in NOTICE_TYPES, b.type in NOTICE_TYPES
    return notice_a != notice_b or (notice_a and a.type != b.type)


# ---------------------------------------------------------------------------- library operations


def library_duplicates(lib: "Library") -> list[Pair]:
    return find_duplicates(list(lib._reviews.values()), repo.distinct_pairs(lib.db))


def merged_review(keep: Review, other: Review, choose: Iterable[str] = ()) -> Review:
    """KEEP with OTHER's values for the fields KEEP lacks and for every field in ``choose``."""
    choose = set(choose)
    unknown = choose - set(MERGE_FIELDS)
    if unknown:
        raise UsageError(f"cannot choose {', '.join(sorted(unknown))}: fields are {', '.join(MERGE_FIELDS)}")
    kf, of = R.review_fields(keep), R.review_fields(other)
    out = dict(kf)
    for name in MERGE_FIELDS:
        if name in choose or (not kf[name] and of[name]):
            out[name] = of[name]
    for name in ("keywords", "tags", "mesh"):
        if name not in choose:
            out[name] = list(dict.fromkeys(kf[name] + of[name]))
    out["aliases"] = list(dict.fromkeys(kf["aliases"] + _aliases_of(other)))
    codes = {f: list(dict.fromkeys(kf["concepts"].get(f, []) + of["concepts"].get(f, [])))
             for f in set(kf["concepts"]) | set(of["concepts"])}
    out["concepts"] = codes
    out["concepts_suggested"] = kf["concepts_suggested"] or (not kf["concepts"] and of["concepts_suggested"])
    return R.review_from_fields(keep.id, out, keep.version)


def _aliases_of(r: Review) -> list[str]:
    out = [f"id:{r.id}"] + list(r.aliases)
    if r.doi:
        out.append(f"doi:{r.doi.lower()}")
    if r.pmid:
        out.append(f"pmid:{r.pmid}")
    if r.source_id:
        out.append(f"source:{r.source_id}")
    return out


def merge(lib: "Library", keep_id: str, other_id: str, choose: Iterable[str] = (), who: str = "user") -> dict:
    if keep_id == other_id:
        raise UsageError("cannot merge a review with itself")
    keep, other = lib.get_review(keep_id), lib.get_review(other_id)
    for rid, r in ((keep_id, keep), (other_id, other)):
        if r is None:
            raise DataError(f"unknown review id {rid!r}")
    combined = merged_review(keep, other, choose)
    moved = lib.findings_of(other_id)
    lib.db.backup("merge")
    with lib._write_lock, changes.unit_of_work(lib.db, "merge", f"merge {other_id} into {keep_id}", who) as w:
        w.save_review(combined, expect_version=keep.version)  # what was read is what is merged: no lost update
        for f in moved:
            w.save_finding(replace(f, review_id=keep_id), expect_version=f.version)
        w.delete_review(other_id)
        batch = w.batch_id
    from vkref.library import curation

    curation.after_write(lib)
    return {"batch": batch, "kept": keep_id, "merged": other_id, "findings_moved": len(moved)}


def merge_exact(lib: "Library", who: str = "user") -> dict:
    """Merge every identifier-matched pair in one batch (the older id is kept)."""
    pairs = [p for p in library_duplicates(lib) if p.exact]
    gone: set[str] = set()
    current: dict[str, Review] = {}  # a kept review as merged so far in this batch (A+B, then A+B+C)
    done = []
    if pairs:
        lib.db.backup("merge")
    with lib._write_lock, changes.unit_of_work(lib.db, "merge", f"merge {len(pairs)} exact duplicates", who) as w:
        for p in pairs:
            if p.a in gone or p.b in gone:
                continue
            keep, other = current.get(p.a) or lib.get_review(p.a), lib.get_review(p.b)
            current[p.a] = merged_review(keep, other)
            w.save_review(current[p.a])
            for f in lib.findings_of(p.b):
                w.save_finding(replace(f, review_id=p.a))
            w.flush()
            w.delete_review(p.b)
            gone.add(p.b)
            done.append([p.a, p.b])
        batch = w.batch_id
    from vkref.library import curation

    curation.after_write(lib)
    return {"batch": batch if done else None, "merged": done}


def distinct(lib: "Library", a: str, b: str, who: str = "user") -> dict:
    for rid in (a, b):
        if lib.get_review(rid) is None:
            raise DataError(f"unknown review id {rid!r}")
    with lib._write_lock, changes.unit_of_work(lib.db, "distinct", f"{a} and {b} are not duplicates", who) as w:
        changed = w.mark_distinct(a, b)
        batch = w.batch_id
    return {"batch": batch if changed else None, "a": min(a, b), "b": max(a, b)}
