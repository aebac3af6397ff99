"""Writing a library: saving and deleting records, field edits, undo and redo, history.

Every write is one change batch (:mod:`vkref.store.changes`): one transaction that also records every changed
field, so :func:`undo` can take it back whole. Concept codes are validated here, on one path, and bad ones
raise :class:`DataError` (bad data, not a bad query). A write that committed is reported as done: bringing the
index up to date afterwards is the index's business (see :mod:`vkref.library.indexing`), and a failure there is
logged and caught up later, never reported as a failed write.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Iterable

from vkref.core import logs, validation
from vkref.core import records as R
from vkref.core.entities import Finding, Review
from vkref.core.errors import ConflictError, DataError, UsageError, VkrefError
from vkref.core.status import normalise
from vkref.core.vocabulary import CONCEPT_FACETS, Vocabulary
from vkref.library import conflicts
from vkref.store import changes

if TYPE_CHECKING:
    from vkref.library.library import Library

log = logs.get("curation")


def check_codes(vocabulary: Vocabulary, what: str, concepts: dict[str, list[str]]) -> None:
    """Every coded id exists and belongs to the facet it is filed under."""
    for facet, ids in concepts.items():
        if facet not in CONCEPT_FACETS:
            raise DataError(f"{what}: unknown facet {facet!r}: use one of {', '.join(CONCEPT_FACETS)}")
        for cid in ids:
            if cid not in vocabulary or vocabulary[cid].facet != facet:
                raise DataError(f"{what}: {cid!r} is not a {facet} concept")


def write(lib: "Library", kind: str, label: str, who: str, reviews: Iterable[Review] = (),
          findings: Iterable[Finding] = (), delete_findings: Iterable[str] = (), sync: bool = True,
          expect: dict[str, int] | None = None) -> int:
    """Write records in one change batch. Returns the batch id (0 when nothing changed). ``expect``: record id
    -> the version the editor read; a record changed since fails the whole batch with ConflictError."""
    expect = expect or {}
    reviews, findings = list(reviews), list(findings)
    for expected, items in ((Review, reviews), (Finding, findings)):
        for item in items:
            if not isinstance(item, expected):
                raise DataError(f"expected a {expected.__name__}, not {type(item).__name__}")
            validation.check_record(item)
    for f in findings:
        check_codes(lib.vocabulary, f"finding {f.id!r}", f.concepts)
    for r in reviews:
        check_codes(lib.vocabulary, f"review {r.id!r}", r.concepts)
    with lib._write_lock, changes.unit_of_work(lib.db, kind, label, who) as w:
        for r in reviews:
            w.save_review(r, expect_version=expect.get(r.id))
        known = w.existing_finding_ids([f.id for f in findings])
        for f in findings:
            w.save_finding(f, new=f.id not in known and f.id not in expect, expect_version=expect.get(f.id))
        for fid in delete_findings:
            w.delete_finding(fid)
        batch = w.batch_id
    after_write(lib, reviews_changed=bool(reviews), sync=sync)
    return batch if changes.batch_exists(lib.db, batch) else 0


def after_write(lib: "Library", reviews_changed: bool = True, sync: bool = True) -> None:
    """Labels, citations and the index after a committed write. Index trouble does not undo the write."""
    if reviews_changed:
        lib.refresh_reviews()
    else:
        lib.refresh_flags()  # a finding's retracted-source flag shows in its hits
    if not sync:
        return
    try:
        lib.sync_index()
    except VkrefError as exc:  # committed: the index catches up at the next search or open
        log.warning("index not updated after a write: %s", exc)


# ---------------------------------------------------------------------------- field edits


def edit(lib: "Library", record_id: str, assignments: dict[str, str], if_version: int | None = None,
         who: str = "user") -> dict:
    """Change fields of one review or finding (``vkref edit ID --set FIELD=VALUE``) in one batch.

    The write carries the version read (``UPDATE ... AND version = ?``). With ``if_version`` (the version the
    editor saw) a record changed since raises :class:`~vkref.core.errors.EditConflict` with a merge proposal
    (:mod:`vkref.library.conflicts`) and saves nothing. Without it, a writer that slipped in between the read
    and the write makes the edit start again on the new version (the assignments are field values)."""
    for _ in range(5):
        review, finding = _load(lib, record_id)
        current = review or finding
        fields = R.review_fields(review) if review else R.finding_fields(finding)
        new = dict(fields)
        for name, text in assignments.items():
            new[name] = _value(lib, record_id, new, name, text)
        if finding is not None and set(assignments) & {"concepts", "species", "evidence", "direction"}:
            _check_coding(lib, record_id, new["concepts"])  # codes that contradict each other: nothing saved
        mine = {k: v for k, v in new.items() if k in assignments or v != fields.get(k)}
        if if_version is not None and current.version != if_version:
            raise conflicts.conflict(lib, record_id, if_version, mine, fields, current.version)
        try:
            batch = _write_edit(lib, record_id, review, new, current.version, who)
        except ConflictError:
            if if_version is not None:
                review, finding = _load(lib, record_id, missing_ok=True)
                now = review or finding
                now_fields = (R.review_fields(review) if review else R.finding_fields(finding)) if now else None
                raise conflicts.conflict(lib, record_id, if_version, mine, now_fields,
                                         now.version if now else None) from None
            continue
        # the write was checked against the version read, so it made exactly the next one (re-reading could see
        # a later writer's version)
        version = current.version + 1 if batch else current.version
        return {"id": record_id, "batch": batch or None, "version": version, "changed": sorted(assignments)}
    raise ConflictError(f"{record_id} keeps being changed by others: your edit was not saved; try again")


def _load(lib: "Library", record_id: str, missing_ok: bool = False):
    review = lib.get_review(record_id)
    finding = None if review else lib.get_finding(record_id)
    if review is None and finding is None and not missing_ok:
        raise DataError(f"unknown record id {record_id!r}")
    return review, finding


def _write_edit(lib: "Library", record_id: str, review, fields: dict, version: int, who: str) -> int:
    if review:
        fields["status"] = normalise(fields.get("status", ""))
        new_review = R.review_from_fields(record_id, fields, version)
        return write(lib, "edit", f"edit {record_id}", who, reviews=[new_review], expect={record_id: version})
    new_finding = R.finding_from_fields(record_id, fields, version)
    if lib.get_review(new_finding.review_id) is None:
        raise DataError(f"finding {record_id}: unknown review {new_finding.review_id!r}")
    return write(lib, "edit", f"edit {record_id}", who, findings=[new_finding], expect={record_id: version})


def _check_coding(lib: "Library", record_id: str, concepts: dict[str, list[str]]) -> None:
    from vkref.library.findings import coding_problems  # findings builds on this module

    bad = coding_problems(lib.vocabulary, concepts)
    if bad:
        raise DataError(f"finding {record_id}: " + "; ".join(f"{k}: {v}" for k, v in sorted(bad.items())))


def _value(lib: "Library", record_id: str, fields: dict, name: str, text: str):
    if name in CONCEPT_FACETS:
        return _codes(lib, fields, name, text)
    if name not in fields or name.startswith("_"):
        raise UsageError(f"{record_id}: unknown field {name!r}: use one of {', '.join(sorted(fields))}")
    old = fields[name]
    if name == "concepts":
        return _codes(lib, fields, name, text)
    if isinstance(old, (list, dict)) or name == "year":
        try:
            value = json.loads(text) if text.strip() else (None if name == "year" else type(old)())
        except json.JSONDecodeError:
            if name == "year":
                raise UsageError(f"{record_id}: year must be a number, not {text!r}") from None
            value = [x.strip() for x in text.split(";") if x.strip()]
        if name == "year" and value is not None and not isinstance(value, int):
            raise UsageError(f"{record_id}: year must be a number, not {text!r}")
        if name == "authors" and isinstance(value, list):
            from vkref.core.entities import Author

            value = [{"family": a.family, "given": a.given} for a in
                     (Author.parse(x) if isinstance(x, str) else Author(x["family"], x.get("given", ""))
                      for x in value)]
        if name != "year" and not isinstance(value, type(old)):
            raise UsageError(f"{record_id}: {name} takes a JSON {type(old).__name__}")
        return value
    if isinstance(old, bool):
        return text.strip().lower() in ("1", "true", "yes")
    return text


def _codes(lib: "Library", fields: dict, name: str, text: str):
    """``--set species='["Rat"]'``: a coded facet takes concept ids, labels or synonyms, as --filter does."""
    try:
        values = json.loads(text)
    except json.JSONDecodeError:
        values = [x.strip() for x in text.split(";") if x.strip()]
    if name == "concepts":
        if not isinstance(values, dict):
            raise UsageError("concepts takes a JSON object: facet -> list of concepts")
        return {facet: [lib.vocabulary.resolve(facet, str(v)).id for v in vs] for facet, vs in values.items()}
    if isinstance(values, str):
        values = [values]
    concepts = dict(fields["concepts"])
    concepts[name] = [lib.vocabulary.resolve(name, str(v)).id for v in values]
    fields["concepts"] = {k: v for k, v in concepts.items() if v}  # a facet is stored under "concepts"
    return concepts[name]


# ---------------------------------------------------------------------------- undo, redo, history


def undo(lib: "Library", who: str = "user") -> dict | None:
    return _step(lib, changes.undo, who)


def redo(lib: "Library", who: str = "user") -> dict | None:
    return _step(lib, changes.redo, who)


def _step(lib: "Library", fn, who: str) -> dict | None:
    with lib._write_lock:
        info = fn(lib.db, who)
    if info is None:
        return None
    lib.reload_vocabulary()  # the batch may have added or changed concepts
    after_write(lib)
    return {"batch": info.id, "kind": info.kind, "undid" if info.kind == "undo" else "redid": info.label,
            "changes": info.changes}


def history(lib: "Library", record_id: str) -> list[dict]:
    return [c.to_dict() for c in changes.history(lib.db, record_id)]
