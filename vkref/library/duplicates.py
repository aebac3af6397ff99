"""Likely duplicate reviews: found by identifiers and by blocked fuzzy comparison; merged field by field.

Detection (:func:`find_duplicates`):

- the same DOI or PMID — also one a review answers to from an earlier merge (its ``aliases``) — is the same
  record (score 100, reason ``"same DOI"`` / ``"same PMID"``);
- otherwise reviews are compared only within *blocks* (they share a rare title word pair, or the first author's
  family name and year), so 100,000 reviews cost a few blocks each instead of n² pairs (seconds); in a large
  block (a common name, a common pair of words) each review meets only its neighbours in title order. Each review
  is normalised once (:class:`_Key`); a pair is refused on the cheap tests first — a different DOI or PMID on
  both sides, first page or kind of publication (an erratum, comment or retraction notice against the article),
  years more than one apart, another first author (names agree on a shared word: "van de Schoot"/"Schoot") —
  and only then scored with rapidfuzz on the normalised titles (words reordered, or spaces ignored:
  "post-menopausal"/"postmenopausal"); its reasons say what agreed (``"title 97, year, first author"``);
- a title that lost or gained its subtitle still matches on its main title; pairs a curator declared distinct
  are never proposed again. ``focus`` limits the pairs to those of some reviews (an import's new records:
  :func:`import_candidates`).

:func:`merge` moves OTHER into KEEP in one undoable change batch: fields KEEP lacks (or those ``choose`` names)
come from OTHER, keywords/tags/MeSH are united, OTHER's findings are re-linked to KEEP, and OTHER's identifiers
become KEEP's aliases, so the next import of the same record matches KEEP.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import combinations
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
TITLE_MIN = 90  # the title score (:func:`_title_score`) at or above which titles are "the same"
_RAPIDFUZZ: dict = {}
SMALL_BLOCK = 25  # a block up to this size compares every pair; a larger one, neighbours in title order
WINDOW = 8
MAX_BLOCK = 5000  # a block this large says nothing (a very common word pair): it is skipped
TOGETHER = frozenset({"fulltext", "fulltext_file"}) & set(R.REVIEW_FIELDS)  # taken from one record or none
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


def find_duplicates(reviews: list[Review], distinct: set[tuple[str, str]] = frozenset(),
                    focus: set[str] | None = None) -> list[Pair]:
    """Every likely duplicate pair among ``reviews``, best first (with ``focus``: only pairs with one of those)."""
    pairs: dict[tuple[str, str], Pair] = {}
    for pair in _exact(reviews):
        if focus is None or pair.a in focus or pair.b in focus:
            pairs[(pair.a, pair.b)] = pair
    keys = {r.id: _Key.of(r) for r in reviews}
    for a, b in _candidates(reviews, keys, focus):
        if (a, b) not in pairs:
            pair = _score(a, b, keys[a], keys[b])
            if pair is not None:
                pairs[(a, b)] = pair
    out = [p for k, p in pairs.items() if k not in distinct]
    return sorted(out, key=lambda p: (-p.score, p.a, p.b))


@dataclass
class _Key:
    """What the comparison of one review needs, normalised once (not once per pair)."""
    title: str
    raw_title: str
    family: str
    initial: str
    year: int | None
    journal: str
    page: str
    doi: str
    pmid: str
    notice: str  # the kind of notice (erratum...), "" for an article

    @classmethod
    def of(cls, r: Review) -> "_Key":
        first = r.authors[0] if r.authors else None
        return cls(norm_title(r.title), r.title, norm_title(first.family) if first else "",
                   first.given[:1].lower() if first else "", r.year, norm_title(r.journal_abbrev or r.journal),
                   _first_page(r.pages), r.doi.lower(), r.pmid, r.type if r.type in NOTICE_TYPES else "")


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


def _candidates(reviews: list[Review], keys: dict[str, _Key], focus: set[str] | None = None
                ) -> set[tuple[str, str]]:
    """Pairs sharing a block: two of the three rarest title words, or first author's family name + year."""
    words = {rid: {w for w in k.title.split() if w not in STOP and len(w) > 2} for rid, k in keys.items()}
    df: dict[str, int] = {}
    for ws in words.values():
        for w in ws:
            df[w] = df.get(w, 0) + 1
    blocks: dict[tuple, list[str]] = {}
    for r in reviews:
        rare = sorted(words[r.id], key=lambda w: (df[w], w))[:3]
        for i in range(len(rare)):
            for j in range(i + 1, len(rare)):
                blocks.setdefault(("w", rare[i], rare[j]), []).append(r.id)
        k = keys[r.id]
        if k.family:
            for year in ((k.year - 1, k.year) if k.year else (None,)):
                blocks.setdefault(("a", k.family, year), []).append(r.id)
    out: set[tuple[str, str]] = set()
    for ids in blocks.values():
        if 1 < len(ids) <= MAX_BLOCK and (focus is None or not focus.isdisjoint(ids)):
            out.update(p for p in _block_pairs(ids, keys) if focus is None or p[0] in focus or p[1] in focus)
    return out


def _block_pairs(ids: list[str], keys: dict[str, _Key]) -> Iterable[tuple[str, str]]:
    """Every pair of a small block; in a larger one (a common name, a common pair of words) each review meets
    its WINDOW neighbours in title order (the sorted-neighbourhood method: near-identical titles sort together;
    equal titles are ordered by first author and year, so a copy lands beside its original)."""
    ids = sorted(set(ids))
    if len(ids) <= SMALL_BLOCK:
        yield from combinations(ids, 2)
        return
    ordered = sorted(ids, key=lambda rid: (keys[rid].title, keys[rid].family, keys[rid].year or 0, rid))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:i + 1 + WINDOW]:
            yield (a, b) if a < b else (b, a)


def score(a: Review, b: Review) -> Pair | None:
    """The pair's score and reasons, or None when it is no match or vetoed."""
    return _score(a.id, b.id, _Key.of(a), _Key.of(b))


def _score(a: str, b: str, ka: _Key, kb: _Key) -> Pair | None:
    """Cheap refusals first (identifiers, notices, pages, years, first author), the fuzzy title last."""
    if _vetoed(ka, kb) or (ka.year and kb.year and abs(ka.year - kb.year) > 1):
        return None
    if ka.family and kb.family and not _same_family(ka.family, kb.family):
        return None
    title = _title_score(ka.title, kb.title)
    reasons = [f"title {title:.0f}"]
    if title < TITLE_MIN and _same_main_title(ka, kb):
        title, reasons = TITLE_MIN, ["main title"]  # one record lost or added the subtitle
    if title < TITLE_MIN:
        return None
    points = title
    if ka.year and kb.year:
        reasons.append("year" if ka.year == kb.year else "year ±1")
        points -= 0 if ka.year == kb.year else 3
    if ka.family and kb.family:
        reasons.append("first author")
        if ka.initial and kb.initial and ka.initial != kb.initial:
            points -= 5
    else:
        points -= 5
    if ka.journal and ka.journal == kb.journal:
        reasons.append("journal")
    return Pair(*sorted((a, b)), score=max(points, 0.0), reasons=reasons)


def _same_family(a: str, b: str) -> bool:
    """"van de Schoot" and "Schoot", "Pinto-Gouveia" and "Pinto Gouveia", "Knapen MH" (unsplit) and "Knapen":
    a word of three letters or more in common, or the same letters without spaces."""
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return True
    return any(len(w) > 2 for w in set(a.split()) & set(b.split()))


def _title_score(a: str, b: str) -> float:
    """The better of rapidfuzz's ratio with words reordered and without spaces ("post-menopausal", "3-year")."""
    fuzz = _RAPIDFUZZ.get("fuzz")
    if fuzz is None:  # imported on first use, not at the start of every command
        from rapidfuzz import fuzz

        _RAPIDFUZZ["fuzz"] = fuzz
    return max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))


def _main(title: str) -> str:
    return norm_title(re.split(r":|\s[-–—]\s|\.\s", title, maxsplit=1)[0])


def _same_main_title(a: _Key, b: _Key) -> bool:
    """"Guidelines for written reports" and "Guidelines for written reports: Bachelor Biosciences"."""
    ma, mb = _main(a.raw_title), _main(b.raw_title)
    return len(ma.split()) >= 2 and ma == mb and (ma == a.title or mb == b.title)


def _first_page(pages: str) -> str:
    m = re.match(r"\s*([A-Za-z]?\d+)", pages or "")
    return m.group(1).lstrip("0") if m else ""


def _vetoed(a: _Key, b: _Key) -> bool:
    """Different identifiers, first pages (a chapter and its book) or kinds of publication."""
    if (a.doi and b.doi and a.doi != b.doi) or (a.pmid and b.pmid and a.pmid != b.pmid):
        return True
    if a.page and b.page and a.page != b.page:
        return True
    return a.notice != b.notice


def vetoed(a: Review, b: Review) -> bool:
    return _vetoed(_Key.of(a), _Key.of(b))


# ---------------------------------------------------------------------------- library operations


def library_duplicates(lib: "Library") -> list[Pair]:
    return find_duplicates(list(lib._reviews.values()), repo.distinct_pairs(lib.db))


def import_candidates(lib: "Library", new: list[Review], updates: dict[str, Review]) -> list[Pair]:
    """Pairs of a new record (``new``) with a review already there or another new one, as an import would leave
    them (``updates``: reviews the import merged more into)."""
    if not new:
        return []
    reviews = {**lib._reviews, **updates, **{r.id: r for r in new}}
    return find_duplicates(list(reviews.values()), repo.distinct_pairs(lib.db), focus={r.id for r in new})


def merged_review(keep: Review, other: Review, choose: Iterable[str] = ()) -> Review:
    """KEEP with OTHER's values for the fields KEEP lacks and for every field in ``choose``."""
    choose = set(choose)
    if choose & TOGETHER:  # a full text and the file it was read from are one choice
        choose |= TOGETHER
    unknown = choose - set(MERGE_FIELDS)
    if unknown:
        raise UsageError(f"cannot choose {', '.join(sorted(unknown))}: fields are {', '.join(MERGE_FIELDS)}")
    kf, of = R.review_fields(keep), R.review_fields(other)
    out = dict(kf)
    for name in MERGE_FIELDS:
        if name in choose or _fills(name, kf, of):
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


def _fills(name: str, kf: dict, of: dict) -> bool:
    """OTHER's value fills a field KEEP lacks (a full text only when KEEP has neither text nor file)."""
    if name in TOGETHER:
        return not any(kf[t] for t in TOGETHER) and bool(of[name])
    return not kf[name] and bool(of[name])


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
        w.flush()  # the moved findings are no longer under OTHER; one added meanwhile would be
        w.delete_review(other_id, expect_version=other.version, expect_findings=set())
        batch = w.batch_id
    from vkref.library import curation

    curation.after_write(lib)
    return {"batch": batch, "kept": keep_id, "merged": other_id, "findings_moved": len(moved)}


def merge_exact(lib: "Library", who: str = "user") -> dict:
    """Merge every group of identifier-matched reviews in one batch. Each group keeps the review with the most
    findings, then the fullest record, then the smallest id (a curated review is not merged into a bare import);
    a member declared distinct from the kept review stays."""
    pairs = [p for p in library_duplicates(lib) if p.exact]
    apart = repo.distinct_pairs(lib.db)
    done = []
    if pairs:
        lib.db.backup("merge")
    with lib._write_lock, changes.unit_of_work(lib.db, "merge", f"merge {len(pairs)} exact duplicates", who) as w:
        for group in _groups(pairs):
            keep_id = _keeper(lib, group)
            keep = lib.get_review(keep_id)
            for other_id in sorted(group - {keep_id}):
                if tuple(sorted((keep_id, other_id))) in apart:
                    continue
                keep = merged_review(keep, lib.get_review(other_id))  # A+B, then A+B+C
                w.save_review(keep)
                for f in lib.findings_of(other_id):
                    w.save_finding(replace(f, review_id=keep_id))
                w.flush()
                w.delete_review(other_id)
                done.append([keep_id, other_id])
        batch = w.batch_id
    from vkref.library import curation

    curation.after_write(lib)
    return {"batch": batch if done else None, "merged": done}


def _groups(pairs: list[Pair]) -> list[set[str]]:
    """Reviews linked by pairs, as groups (A=B and B=C: one group), in a stable order."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for p in pairs:
        parent[root(p.b)] = root(p.a)
    groups: dict[str, set[str]] = {}
    for x in parent:
        groups.setdefault(root(x), set()).add(x)
    return sorted(groups.values(), key=min)


def _keeper(lib: "Library", group: set[str]) -> str:
    def rank(rid: str) -> tuple:
        filled = sum(1 for value in R.review_fields(lib.get_review(rid)).values() if value)
        return (-len(lib.findings_of(rid)), -filled, rid)

    return min(group, key=rank)


def distinct(lib: "Library", a: str, b: str, who: str = "user") -> dict:
    if a == b:
        raise UsageError(f"{a} and {b} are the same review: give two different ids")
    for rid in (a, b):
        if lib.get_review(rid) is None:
            raise DataError(f"unknown review id {rid!r}")
    with lib._write_lock, changes.unit_of_work(lib.db, "distinct", f"{a} and {b} are not duplicates", who) as w:
        changed = w.mark_distinct(a, b)
        batch = w.batch_id
    return {"batch": batch if changed else None, "a": min(a, b), "b": max(a, b)}
