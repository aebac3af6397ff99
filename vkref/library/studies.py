"""Primary studies: the records findings rest on, linked across reviews.

A study (:class:`vkref.core.entities.Study`) is one trial or experiment however many reviews cite it; a
finding's ``studies`` field names the studies it rests on (none: the review's own synthesis). Every write here is
one change batch through :mod:`vkref.library.curation`'s path (history, undo, redo):

- :func:`save` creates or edits a study, :func:`delete` removes one no finding rests on;
- :func:`link` / :func:`unlink` add or drop a finding's link (a field of the finding, so its history shows it);
- :func:`merge` makes two records of one study one: the findings of the other point at the kept one, the other
  is deleted, all in one batch.

Counting (:class:`StudyLinks`) keeps every finding's studies in memory, read again only when the change log moved,
so a search page can say "9 findings from 5 studies" for any number of matches.
"""
from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Iterable

from vkref.core import records as R
from vkref.core.entities import Study
from vkref.core.errors import DataError, VkrefError
from vkref.library import curation
from vkref.store import changes, repository as repo, studies as store

if TYPE_CHECKING:
    from vkref.library.library import Library

FIELDS = R.STUDY_FIELDS


def get(lib: "Library", study_id: str) -> Study:
    study = store.get(lib.db, study_id)
    if study is None:
        raise DataError(f"unknown study {study_id!r}")
    return study


def listing(lib: "Library", query: str = "") -> list[dict]:
    """Every study (or those whose label or first author holds ``query``) with how many findings rest on it."""
    counts = lib.study_links.counts()
    words = query.casefold().split()
    out = []
    for s in store.all_studies(lib.db):
        if all(w in f"{s.label} {s.first_author}".casefold() for w in words):
            out.append(dict(to_dict(s), findings=counts.get(s.id, 0)))
    return out


def to_dict(study: Study) -> dict:
    return {"id": study.id, **R.study_fields(study), "version": study.version}


def show(lib: "Library", study_id: str) -> dict:
    """A study with the findings, from any review, that rest on it."""
    study = get(lib, study_id)
    findings = [{"id": f.id, "review": f.review_id, "review_label": lib.review_label(f.review_id),
                 "statement": f.statement, "cited_ref": f.cited_ref}
                for f in repo.get_findings(lib.db, ids=store.findings_resting_on(lib.db, study_id))]
    return dict(to_dict(study), findings=findings, reviews=sorted({f["review"] for f in findings}))


def studies_of(lib: "Library", finding_id: str) -> list[dict]:
    """The studies a finding rests on, each with the other findings that rest on it (any review)."""
    finding = lib.get_finding(finding_id)
    if finding is None:
        raise DataError(f"unknown finding {finding_id!r}")
    out = []
    for sid in finding.studies:
        shown = show(lib, sid)
        shown["findings"] = [f for f in shown["findings"] if f["id"] != finding_id]
        out.append(shown)
    return out


_ID_WORD = re.compile(r"[^a-z0-9]+")


def new_id(lib: "Library", fields: dict) -> str:
    """An unused id from the first author (or label) and year: "shiraki-2000", "shiraki-2000-2"."""
    stem = "-".join(x for x in (_ID_WORD.sub("-", str(fields.get("first_author") or fields.get("label") or "")
                                             .casefold()).strip("-")[:40], str(fields.get("year") or "")) if x)
    stem = stem or "study"
    taken = store.ids_ever_used(lib.db, stem)
    n, sid = 1, stem
    while sid in taken:
        n += 1
        sid = f"{stem}-{n}"
    return sid


def save(lib: "Library", fields: dict, study_id: str | None = None, who: str = "user") -> dict:
    """Create a study (``study_id`` None: an id is made from author and year) or change the given fields of
    one. Returns ``{"id", "batch", "version"}``."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise DataError(f"study: unknown field {unknown[0]!r}: use {', '.join(FIELDS)}")
    if study_id is None:
        if not str(fields.get("label") or "").strip():
            raise DataError("study: a label is needed (e.g. \"Shiraki 2000\")")
        study_id, base = new_id(lib, fields), {}
    else:
        base = R.study_fields(get(lib, study_id))
    study = R.study_from_fields(study_id, dict(base, **fields))
    batch = _write(lib, f"study {study_id}", who, lambda w: w.save_study(study))
    return {"id": study_id, "batch": batch, "version": get(lib, study_id).version}


def delete(lib: "Library", study_id: str, who: str = "user") -> dict:
    get(lib, study_id)
    resting = store.findings_resting_on(lib.db, study_id)
    if resting:
        raise DataError(f"study {study_id!r}: {len(resting)} finding(s) rest on it ({', '.join(resting[:3])}); "
                        "unlink them or merge the study into another first")
    return {"id": study_id, "batch": _write(lib, f"delete study {study_id}", who,
                                            lambda w: w.delete_study(study_id))}


def link(lib: "Library", finding_id: str, study_ids: Iterable[str], who: str = "user", drop: bool = False) -> dict:
    """Add (``drop``: remove) links from a finding to studies; one batch, the finding's history shows it."""
    study_ids = list(dict.fromkeys(study_ids))
    for sid in study_ids:
        get(lib, sid)
    finding = lib.get_finding(finding_id)
    if finding is None:
        raise DataError(f"unknown finding {finding_id!r}")
    now = [s for s in finding.studies if s not in study_ids] if drop else \
        list(dict.fromkeys(finding.studies + study_ids))
    changed = R.finding_from_fields(finding_id, dict(R.finding_fields(finding), studies=now))
    verb = "unlink" if drop else "link"
    batch = curation.write(lib, "edit", f"{verb} {finding_id} {' '.join(study_ids)}", who, findings=[changed],
                           expect={finding_id: finding.version})
    return {"id": finding_id, "studies": sorted(now), "batch": batch}


def merge(lib: "Library", keep: str, other: str, who: str = "user") -> dict:
    """One study cited under two records: the findings of ``other`` rest on ``keep``; ``other`` is deleted;
    fields ``keep`` leaves empty are taken from ``other``. One batch."""
    if keep == other:
        raise DataError(f"study {keep!r}: cannot merge a study with itself")
    kept, gone = get(lib, keep), get(lib, other)
    fields = R.study_fields(kept)
    for name, value in R.study_fields(gone).items():
        if fields[name] in ("", None) and value not in ("", None):
            fields[name] = value
    moved = repo.get_findings(lib.db, ids=store.findings_resting_on(lib.db, other))

    def apply(w) -> None:
        w.save_study(R.study_from_fields(keep, fields))
        for f in moved:
            ids = [keep if s == other else s for s in f.studies]
            w.save_finding(R.finding_from_fields(f.id, dict(R.finding_fields(f), studies=ids)))
        w.delete_study(other)

    batch = _write(lib, f"merge study {other} into {keep}", who, apply, kind="merge")
    return {"id": keep, "merged": other, "findings": [f.id for f in moved], "batch": batch}


def adopt_bundled(lib: "Library", directory=None, who: str = "user") -> dict:
    """Bring the bundled library's studies into a library made before studies were records: every bundled
    study it lacks, and the links of each bundled finding it still holds unlinked with the same cited reference.
    One undoable batch; a library that already has them is left as it is."""
    from vkref.core import paths
    from vkref.io import bundled

    data = bundled.load(directory or paths.bundled_data_dir())
    have = {s.id for s in store.all_studies(lib.db)}
    new = [s for s in data.studies if s.id not in have]
    stored = {f.id: f for f in repo.get_findings(lib.db, ids=[f.id for f in data.findings if f.studies])}
    relink = [R.finding_from_fields(f.id, dict(R.finding_fields(stored[f.id]), studies=f.studies))
              for f in data.findings if f.id in stored and not stored[f.id].studies
              and stored[f.id].review_id == f.review_id and stored[f.id].cited_ref == f.cited_ref]

    def apply(w) -> None:
        for study in new:
            w.save_study(study)
        for finding in relink:
            w.save_finding(finding)

    batch = _write(lib, "studies of the bundled library", who, apply) if new or relink else 0
    return {"studies": len(new), "findings": len(relink), "batch": batch}


def duplicates(lib: "Library") -> list[dict]:
    """Pairs of study records that may be one study: the same label, or the same first author and the same
    year (both given), compared with case and accents folded. Surname alone is not enough (one author publishes
    several studies). Each pair: ``{"a", "b", "reason"}``, for :func:`merge` once a curator has checked it."""
    from vkref.core.text import fold

    out, seen = [], {}
    for s in store.all_studies(lib.db):
        keys = [("the same label", fold(s.label))]
        if s.first_author and s.year:
            keys.append(("the same first author and year", f"{fold(s.first_author)}|{s.year}"))
        for reason, key in keys:
            other = seen.get((reason, key))
            if other is not None and not any({p["a"], p["b"]} == {other, s.id} for p in out):
                out.append({"a": other, "b": s.id, "reason": reason})
            seen.setdefault((reason, key), s.id)
    return out


def _write(lib: "Library", label: str, who: str, apply, kind: str = "edit") -> int:
    with lib._write_lock, changes.unit_of_work(lib.db, kind, label, who) as w:
        apply(w)
        batch = w.batch_id
    curation.after_write(lib, reviews_changed=False)
    return batch if changes.batch_exists(lib.db, batch) else 0


# ---------------------------------------------------------------------------- counting


class StudyLinks:
    """Every finding's studies, held in memory and read again when the library's change log moved (a write here
    or in another process). When the database cannot be read the links held are kept."""

    def __init__(self, db):
        self._db = db
        self._mark = -1
        self._by_finding: dict[str, tuple[str, ...]] = {}
        self._keys: frozenset = frozenset()
        self._labels: dict[str, str] = {}
        self._lock = threading.Lock()

    def _fresh(self) -> dict[str, tuple[str, ...]]:
        with self._lock:
            return self._fresh_locked()

    def _fresh_locked(self) -> dict[str, tuple[str, ...]]:
        try:
            mark = store.change_mark(self._db)
            if mark != self._mark:
                by: dict[str, list[str]] = {}
                for fid, sid in store.links(self._db):
                    by.setdefault(fid, []).append(sid)
                self._by_finding = {k: tuple(sorted(v)) for k, v in by.items()}
                self._keys = frozenset(f"finding:{fid}" for fid in by)
                self._labels = store.labels(self._db) if by else {}
                self._mark = mark
        except VkrefError:
            pass
        return self._by_finding

    def count(self, finding_ids: Iterable[str]) -> int:
        """How many distinct studies the findings rest on."""
        by = self._fresh()
        return len({s for fid in finding_ids for s in by.get(fid, ())})

    def of_hits(self) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
        """Finding id -> its studies' ids, and study id -> label (what a page's hits show)."""
        with self._lock:
            return self._fresh_locked(), self._labels

    def snapshot(self) -> tuple[dict[str, tuple[str, ...]], frozenset]:
        """Finding id -> the ids of the studies it rests on (findings resting on none left out), and the index
        keys ("finding:<id>") of those findings."""
        with self._lock:
            by = self._fresh_locked()
            return by, self._keys

    def counts(self) -> dict[str, int]:
        """Study id -> how many findings rest on it."""
        out: dict[str, int] = {}
        for ids in self._fresh().values():
            for sid in ids:
                out[sid] = out.get(sid, 0) + 1
        return out


def result_count(lib: "Library", raw, kinds=None, avoided=None) -> dict[str, int]:
    """``{"findings": n, "studies": m}`` over every match of a search (not only its page): the findings matched
    and the distinct studies they rest on. ``kinds`` / ``avoided``: the kind filter's included and excluded values
    (the kind facet is counted without them). Only the findings linked to a study are looked for among the
    matches, so the count costs the same for ten matches and for a hundred thousand."""
    wanted = (not kinds or "finding" in kinds) and "finding" not in (avoided or ())
    findings = raw.facets.get("kind", {}).get("finding", 0) if wanted else 0
    linked, linked_keys = lib.study_links.snapshot() if findings else ({}, frozenset())
    if not linked:
        return {"findings": findings, "studies": 0}
    if raw.matched_among is not None:
        keys = raw.matched_among(linked_keys)
    else:
        keys = raw.keys or [h.key for h in raw.hits]
    studies = {s for k in keys if k.startswith("finding:") for s in linked.get(k[8:], ())}
    return {"findings": findings, "studies": len(studies)}
