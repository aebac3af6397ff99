"""Curating records one at a time: new, duplicate, update from a form, trash and restore, revert one change.

What the record forms of the window and ``vkref trash/restore/revert`` stand on. Every write goes through
:func:`vkref.library.curation.write` or a :func:`vkref.store.changes.unit_of_work` of its own, so each is one
undoable batch with field-level history.

- :func:`problems` checks a finding's form before anything is written and answers per field (an empty
  statement, a concept name the vocabulary does not know, two directions or evidence types, a species and an
  evidence type that contradict each other: an animal study coded Human, a clinical trial coded Rat).
  :func:`new_finding`, :func:`update` and ``vkref edit`` of a finding's codes refuse what it reports.
- The trash is the change log itself: a deleted finding's last snapshot is kept with its deletion, and
  :func:`restore` writes it back in its old place (versions keep growing). Nothing is ever purged.
- :func:`revert` takes back one field change (``vkref history`` lists their ids), refusing when the field was
  changed again since; reverting a record's creation moves it to the trash, reverting a deletion restores it.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from vkref.core import records as R
from vkref.core.entities import Finding, Review
from vkref.core.errors import ConflictError, DataError, QueryError, UsageError
from vkref.core.status import normalise, review_status, status_of
from vkref.core.vocabulary import CONCEPT_FACETS, Vocabulary
from vkref.library import conflicts, curation
from vkref.store import changes

if TYPE_CHECKING:
    from vkref.library.library import Library

SINGLE = ("direction", "evidence")  # one value per finding
HUMAN_ONLY = ("meta-analysis", "clinical-trial", "clinical-design-not-stated", "observational")
NOT_ANIMALS = ("human", "species-not-stated", "cell-culture")  # every other species is an animal
NUMBERED = re.compile(r"^(.*?)(\d+)$")


# ---------------------------------------------------------------------------- checking a form


def resolve_codes(vocabulary: Vocabulary, coded: dict[str, list[str]]) -> tuple[dict[str, list[str]], dict]:
    """Names as typed (ids, labels or synonyms) -> concept ids per facet, and a message per facet whose
    name the vocabulary does not know."""
    out: dict[str, list[str]] = {}
    bad: dict[str, str] = {}
    for facet, names in coded.items():
        if facet not in CONCEPT_FACETS:
            bad[facet] = f"unknown facet {facet!r}"
            continue
        for name in names:
            if not str(name).strip():
                continue
            try:
                cid = vocabulary.resolve(facet, str(name)).id
            except QueryError as exc:
                bad.setdefault(facet, str(exc))
                continue
            out.setdefault(facet, [])
            if cid not in out[facet]:
                out[facet].append(cid)
    return out, bad


def coding_problems(vocabulary: Vocabulary, concepts: dict[str, list[str]]) -> dict[str, str]:
    """Codes that contradict each other, per facet: one direction and one evidence type at most; a species
    and an evidence type that cannot both be true of one study."""
    bad: dict[str, str] = {}
    for facet in SINGLE:
        if len(concepts.get(facet, [])) > 1:
            bad[facet] = f"a finding has one {facet}, not {len(concepts[facet])}"
    lineage = {e for cid in concepts.get("evidence", []) for e in [cid, *vocabulary.ancestors(cid)]}
    species = set(concepts.get("species", []))
    label = lambda cid: vocabulary[cid].label if cid in vocabulary else cid  # noqa: E731
    if "animal-study" in lineage and "human" in species:
        bad["species"] = "an animal study cannot be coded Human: code the animal (Rat, Mouse) or the evidence"
    clinical = lineage & set(HUMAN_ONLY)
    animals = {s for s in species if s not in NOT_ANIMALS}
    if clinical and animals:
        what = label(sorted(concepts["evidence"])[0])
        bad["species"] = f"{what} is a study in people, not {', '.join(label(a) for a in sorted(animals))}"
    return bad


def problems(lib: "Library", fields: dict) -> dict[str, str]:
    """Everything wrong with a finding's form, field -> one-line message (empty when it can be saved).
    ``fields`` is a finding's field dict with ``concepts`` as names per facet (ids, labels or synonyms)."""
    bad: dict[str, str] = {}
    if not str(fields.get("statement") or "").strip():
        bad["statement"] = "the statement is empty"
    review_id = fields.get("review_id") or ""
    if lib.get_review(review_id) is None:
        bad["review_id"] = f"unknown review {review_id!r}"
    concepts, unknown = resolve_codes(lib.vocabulary, fields.get("concepts") or {})
    bad.update(unknown)
    for facet, message in coding_problems(lib.vocabulary, concepts).items():
        bad.setdefault(facet, message)
    return bad


def _refuse(what: str, bad: dict[str, str]) -> None:
    if bad:
        raise DataError(f"{what}: " + "; ".join(f"{k}: {v}" for k, v in sorted(bad.items())))


# ---------------------------------------------------------------------------- new, duplicate, update


def next_id(lib: "Library", review_id: str) -> str:
    """An unused finding id in the style of the review's findings (``cds-014`` -> ``cds-015``)."""
    ids = [f.id for f in lib.findings_of(review_id)]
    numbered = [m for m in (NUMBERED.match(i) for i in ids) if m]
    prefix, width = (numbered[-1].group(1), len(numbered[-1].group(2))) if numbered else (f"{review_id}-", 3)
    n = max((int(m.group(2)) for m in numbered if m.group(1) == prefix), default=0) + 1
    while True:
        candidates = [f"{prefix}{k:0{width}d}" for k in range(n, n + 20)]
        used = changes.ids_ever_used(lib.db, "finding", candidates)
        free = [c for c in candidates if c not in used]
        if free:
            return free[0]
        n += 20


def _finding(lib: "Library", finding_id: str, fields: dict, version: int = 0) -> Finding:
    concepts, _ = resolve_codes(lib.vocabulary, fields.get("concepts") or {})
    base = R.finding_fields(Finding(finding_id, fields.get("review_id") or "", ""))
    base.update({k: v for k, v in fields.items() if k in R.FINDING_FIELDS})
    base["concepts"] = concepts
    return R.finding_from_fields(finding_id, base, version)


def new_finding(lib: "Library", review_id: str, fields: dict, who: str = "user") -> dict:
    """Create a finding of ``review_id`` from a form (concept names resolved); refuses an invalid one."""
    fields = dict(fields, review_id=review_id)
    _refuse(f"new finding of {review_id}", problems(lib, fields))
    finding = _finding(lib, next_id(lib, review_id), fields)
    batch = curation.write(lib, "edit", f"new finding {finding.id}", who, findings=[finding])
    return _done(lib, finding.id, batch)


def duplicate(lib: "Library", finding_id: str, who: str = "user") -> dict:
    """A copy of a finding, next in its review, to code a sibling claim."""
    original = _get(lib, finding_id)
    copy_id = next_id(lib, original.review_id)
    copy = R.finding_from_fields(copy_id, R.finding_fields(original))
    batch = curation.write(lib, "edit", f"duplicate {finding_id} as {copy_id}", who, findings=[copy])
    return _done(lib, copy_id, batch)


def update(lib: "Library", finding_id: str, fields: dict, if_version: int | None = None,
           who: str = "user") -> dict:
    """Save a finding's form over the stored finding (``if_version``: refuse when someone changed it)."""
    current = _get(lib, finding_id)
    merged = dict(R.finding_fields(current), **fields)
    _refuse(f"finding {finding_id}", problems(lib, merged))
    finding = _finding(lib, finding_id, merged, current.version)
    # the form's values as stored (names coded as concept ids), to compare with the stored record's
    mine = {k: v for k, v in R.finding_fields(finding).items() if k in fields}
    return _save_form(lib, finding, current.version, mine, if_version, who, R.finding_fields(current))


def _get(lib: "Library", finding_id: str) -> Finding:
    finding = lib.get_finding(finding_id)
    if finding is None:
        raise DataError(f"unknown finding id {finding_id!r}")
    return finding


def _done(lib: "Library", record_id: str, batch: int) -> dict:
    record = lib.get_finding(record_id) or lib.get_review(record_id)
    return {"id": record_id, "batch": batch or None, "version": record.version if record else None}


def update_review(lib: "Library", review_id: str, fields: dict, if_version: int | None = None,
                  who: str = "user") -> dict:
    """Save a review's form (metadata, verification, publication status) as one batch. With ``if_version`` a
    review changed since raises :class:`~vkref.core.errors.EditConflict` with a merge proposal, as for findings."""
    current = lib.get_review(review_id)
    if current is None:
        raise DataError(f"unknown review id {review_id!r}")
    merged = dict(R.review_fields(current), **fields)
    merged["status"] = normalise(merged.get("status", ""))
    review = R.review_from_fields(review_id, merged, current.version)
    mine = {k: v for k, v in R.review_fields(review).items() if k in fields}  # the form's values as stored
    return _save_form(lib, review, current.version, mine, if_version, who, R.review_fields(current))


def _save_form(lib: "Library", record, version: int, mine: dict, if_version: int | None, who: str,
               stored: dict) -> dict:
    """Write a form's ``record`` (a review or finding) over ``version``, the one read. With ``if_version`` (the
    version the form was opened on) a record changed since — before the read, or by a writer between the read
    and the write — raises EditConflict with the merge proposal of ``mine`` (the form's fields) and saves
    nothing."""
    rid, is_review = record.id, isinstance(record, Review)
    if if_version is not None and version != if_version:
        raise conflicts.conflict(lib, rid, if_version, mine, stored, version)
    try:  # the write is checked against the version read: a writer in between fails it whole
        batch = curation.write(lib, "edit", f"edit {rid}", who, expect={rid: version},
                               **({"reviews": [record]} if is_review else {"findings": [record]}))
    except ConflictError:
        if if_version is None:
            raise
        now = lib.get_review(rid) if is_review else lib.get_finding(rid)
        now_fields = (R.review_fields(now) if is_review else R.finding_fields(now)) if now else None
        raise conflicts.conflict(lib, rid, if_version, mine, now_fields, now.version if now else None) from None
    return _done(lib, rid, batch)


def status(lib: "Library", record_id: str) -> dict | None:
    """What a review or finding shows: its review's status or its own retracted-source flag."""
    review = lib._reviews.get(record_id)
    if review is not None:
        return review_status(review)
    finding = lib.get_finding(record_id)
    return status_of(lib._reviews.get(finding.review_id), finding.source_retracted) if finding else None


def new_review(lib: "Library", fields: dict, who: str = "user") -> dict:
    """Create a review from a form (a title at least); its id is ``family-year-hash`` as an import makes it."""
    from vkref.library.importing import new_id

    base = dict(R.review_fields(Review(id="new", title="")), **fields)
    base["status"] = normalise(base.get("status", ""))
    if not str(base.get("title") or "").strip():
        raise DataError("new review: the title is empty")
    draft, taken = R.review_from_fields("new", base), set()
    while (rid := new_id(draft, taken)) in changes.ids_ever_used(lib.db, "review", [rid]):
        taken.add(rid)
    batch = curation.write(lib, "edit", f"new review {rid}", who, reviews=[R.review_from_fields(rid, base)])
    return _done(lib, rid, batch)


# ---------------------------------------------------------------------------- trash and restore


def trash(lib: "Library", finding_id: str, who: str = "user") -> dict:
    """Move a finding to the trash (a deletion whose snapshot :func:`restore` brings back)."""
    _get(lib, finding_id)
    batch = curation.write(lib, "edit", f"move {finding_id} to the trash", who, delete_findings=[finding_id])
    return {"id": finding_id, "batch": batch or None}


def trashed(lib: "Library") -> list[dict]:
    """The findings in the trash, newest deletion first: id, review_id, statement, deleted (when), who.
    A finding whose creation was undone is not in it (redo brings that back)."""
    out = []
    for c in changes.deleted_records(lib.db, "finding"):
        if c.kind == "undo":
            continue
        snap = c.old or {}
        out.append({"id": c.id, "review_id": snap.get("review_id"), "statement": snap.get("statement", ""),
                    "deleted": c.when, "who": c.who, "batch": c.batch, "change": c.change})
    return out


def restore(lib: "Library", finding_id: str, who: str = "user") -> dict:
    """Bring a finding back from the trash in its old place (its review must still exist)."""
    if lib.get_finding(finding_id) is not None:
        raise DataError(f"{finding_id} is not in the trash: it exists")
    gone = [c for c in changes.deleted_records(lib.db, "finding") if c.id == finding_id]
    if not gone:
        raise DataError(f"{finding_id} is not in the trash")
    return _recreate(lib, finding_id, gone[0].old, who, f"restore {finding_id} from the trash")


def _recreate(lib: "Library", finding_id: str, snapshot: dict, who: str, label: str) -> dict:
    snap = dict(snapshot)
    position = snap.pop("_position", None)
    finding = R.finding_from_fields(finding_id, snap)
    if lib.get_review(finding.review_id) is None:
        raise DataError(f"{finding_id}: its review {finding.review_id!r} no longer exists; restore it first")
    curation.check_codes(lib.vocabulary, f"finding {finding_id!r}", finding.concepts)
    with lib._write_lock, changes.unit_of_work(lib.db, "edit", label, who) as w:
        w.save_finding(finding, position=position)
        batch = w.batch_id
    curation.after_write(lib, reviews_changed=False)
    return _done(lib, finding_id, batch)


# ---------------------------------------------------------------------------- revert one change


def revert(lib: "Library", change_id: int, who: str = "user") -> dict:
    """Take back one field-level change as a new batch (see the module docstring)."""
    c = changes.change(lib.db, change_id)
    if c is None:
        raise UsageError(f"unknown change {change_id}: `vkref history ID` lists the changes of a record")
    if c.entity not in ("finding", "review"):
        raise UsageError(f"change {change_id} is of a {c.entity}; only review and finding changes can be reverted")
    label = f"revert change {change_id} ({c.id} {c.field})"
    if c.field == "*":
        return _revert_whole(lib, c, who, label)
    record = lib.get_finding(c.id) if c.entity == "finding" else lib.get_review(c.id)
    if record is None:
        raise ConflictError(f"cannot revert change {change_id}: {c.entity} {c.id} no longer exists")
    fields = R.finding_fields(record) if c.entity == "finding" else R.review_fields(record)
    if fields.get(c.field) != c.new:
        raise ConflictError(f"cannot revert change {change_id}: field {c.field!r} of {c.id} was changed again "
                            "after it (nothing was changed)")
    fields[c.field] = c.old
    if c.entity == "finding":
        new = R.finding_from_fields(c.id, fields, record.version)
        batch = curation.write(lib, "revert", label, who, findings=[new])
    else:
        new = R.review_from_fields(c.id, fields, record.version)
        batch = curation.write(lib, "revert", label, who, reviews=[new])
    return dict(_done(lib, c.id, batch), field=c.field)


def _revert_whole(lib: "Library", c, who: str, label: str) -> dict:
    exists = (lib.get_finding(c.id) if c.entity == "finding" else lib.get_review(c.id)) is not None
    if c.new is None:  # a deletion: bring the record back
        if exists or c.entity != "finding":
            raise ConflictError(f"cannot revert change {c.change}: {c.entity} {c.id} "
                                + ("exists again" if exists else "deletions of reviews are taken back by undo"))
        return dict(_recreate(lib, c.id, c.old, who, label), field="*")
    if not exists:
        raise ConflictError(f"cannot revert change {c.change}: {c.entity} {c.id} no longer exists")
    if c.entity != "finding":
        raise UsageError(f"change {c.change} created review {c.id}: undo its batch instead")
    return dict(trash(lib, c.id, who), field="*")
