"""Bulk insert of new reviews (a large import): the same rows as :func:`vkref.store.repository.upsert_review`
writes for a new review, in a few multi-row INSERTs instead of an ORM object graph per review.

What it promises (tests/integration/test_changes.py, tests/integration/test_bulk_import.py): each review gets its
row, authors, tags, concepts, one change record of field ``*`` holding the whole record (version: one above the
highest an earlier life of the same id reached) and one outbox row, inside the caller's change batch and
transaction; undo and history read them like any other. The ORM's unit of work (an object, its relationships
and its flush per review) cost more than three quarters of writing an import of 5,000 records.
"""
from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from vkref.core import entities as E, records as R
from vkref.store import models as M, passages
from vkref.store.repository import _dump, _tags

CHUNK = 500  # ids per version look-up


def insert_new_reviews(s: Session, reviews: list[E.Review], who: str) -> None:
    """Insert reviews whose ids the caller knows are unused; recorded and queued like every write."""
    if not reviews:
        return
    batch_id = s.info.get("batch_id")
    if batch_id is None:
        raise RuntimeError("a library write outside a change batch (use vkref.store.changes.unit_of_work)")
    last = _last_versions(s, [r.id for r in reviews])
    with s.no_autoflush:
        tags = {r.id: [t for t in _tags(s, r.tags)] for r in reviews}
    s.flush()  # new tags get their ids
    now = M.utcnow()
    rows, authors, tag_rows, concept_rows, changes, outbox = [], [], [], [], [], []
    for r in reviews:
        version = last.get(r.id, 0) + 1
        rows.append(_row(r, version, who, now))
        authors.extend({"review_id": r.id, "position": i, "family": a.family, "given": a.given}
                       for i, a in enumerate(r.authors))
        tag_rows.extend({"review_id": r.id, "tag_id": t.id} for t in tags[r.id])
        concept_rows.extend({"review_id": r.id, "concept_id": cid}
                            for cid in dict.fromkeys(c for ids in r.concepts.values() for c in ids))
        changes.append({"batch_id": batch_id, "entity": "review", "entity_id": r.id, "field": "*", "old": None,
                        "new": _dump(R.review_fields(r)), "version": version})
        outbox.append({"entity": "review", "entity_id": r.id, "op": "upsert", "created_at": now})
    for table, values in ((M.Review.__table__, rows), (M.Author.__table__, authors), (M.review_tag, tag_rows),
                          (M.review_concept, concept_rows), (M.Change.__table__, changes),
                          (M.Outbox.__table__, outbox)):
        if values:
            s.execute(insert(table), values)
    for r in reviews:
        if r.fulltext:
            passages.refresh(s, r.id, r.fulltext)


def _last_versions(s: Session, ids: list[str]) -> dict[str, int]:
    """A review created again after an undo continues its version count."""
    last: dict[str, int] = {}
    for i in range(0, len(ids), CHUNK):
        last.update(s.execute(select(M.Change.entity_id, func.max(M.Change.version))
                              .where(M.Change.entity == "review", M.Change.entity_id.in_(ids[i:i + CHUNK]))
                              .group_by(M.Change.entity_id)).all())
    return last


def _row(r: E.Review, version: int, who: str, now) -> dict:
    p = r.provenance
    row = {name: getattr(r, name) for name in R.REVIEW_TEXT}
    row.update({name: list(getattr(r, name)) for name in R.REVIEW_LISTS if name != "tags"})
    row.update(id=r.id, version=version, year=r.year, concepts_suggested=R.review_fields(r)["concepts_suggested"],
               verification=p.verification or "unverified", verification_note=p.verification_note or "",
               created_by=p.created_by or who, updated_by=who or p.updated_by, created_at=now, updated_at=now)
    return row
