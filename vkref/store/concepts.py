"""Who uses a vocabulary concept, and keeping the index in step when a concept changes.

- :func:`vocabulary_mark` tells a reader whether the vocabulary changed since it read it.
- :func:`usage` counts, per concept id, the findings and reviews coded with it (directly, not rolled up).
- :func:`coded_with` reads, inside a change batch, the findings and reviews coded with one concept (a merge
  recodes them in the same transaction that removes the concept).
- :func:`queue_users` adds outbox rows for the records whose index documents a concept change alters: a new
  label reaches the finding titles of its direct users; a parent added or removed reaches the rolled-up facets
  (and the evidence order) of every record coded with the concept or anything under it along any path. Synonyms live only in the
  vocabulary the query builder reads, so changing them queues nothing. It is called by
  ``repository.upsert_concept`` for every write of an existing concept, undo and redo included, so a change
  and its index work are one transaction.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vkref.store import models as M
from vkref.store.database import Database


def usage(db: Database) -> dict[str, dict[str, int]]:
    """Concept id -> ``{"findings": n, "reviews": m}`` for every concept in use (two GROUP BY queries)."""
    out: dict[str, dict[str, int]] = {}
    with db.session() as s:
        for table, key in ((M.finding_concept, "findings"), (M.review_concept, "reviews")):
            rows = s.execute(select(table.c.concept_id, func.count()).group_by(table.c.concept_id))
            for cid, n in rows:
                out.setdefault(cid, {"findings": 0, "reviews": 0})[key] = n
    return out


def vocabulary_mark(db: Database) -> int:
    """The id of the newest recorded change of any concept (0: none). It grows whenever any process edits the
    vocabulary, takes an edit back or imports concepts, so a reader can tell that its copy is old."""
    with db.session() as s:
        return s.scalar(select(func.max(M.Change.id)).where(M.Change.entity == "concept")) or 0


def user_ids(s: Session, concept_ids: list[str]) -> tuple[list[str], list[str]]:
    """The ids of the findings and of the reviews coded with any of ``concept_ids``, sorted."""
    if not concept_ids:
        return [], []
    findings = s.scalars(select(M.finding_concept.c.finding_id).distinct()
                         .where(M.finding_concept.c.concept_id.in_(concept_ids)))
    reviews = s.scalars(select(M.review_concept.c.review_id).distinct()
                        .where(M.review_concept.c.concept_id.in_(concept_ids)))
    return sorted(findings), sorted(reviews)


def subtree(s: Session, concept_id: str) -> list[str]:
    """``concept_id`` and every concept below it along any path, as the database holds them now."""
    children: dict[str, list[str]] = {}
    for cid, parent in s.execute(select(M.ConceptParent.concept_id, M.ConceptParent.parent_id)):
        children.setdefault(parent, []).append(cid)
    out, stack = [], [concept_id]
    while stack:
        cid = stack.pop()
        if cid not in out:  # a cycle cannot be stored, but never loop on one
            out.append(cid)
            stack.extend(children.get(cid, ()))
    return out


def queue_users(s: Session, concept_id: str, old: dict, new: dict) -> int:
    """Outbox rows for the records whose documents the change ``old`` -> ``new`` of a concept alters.

    Returns how many records were queued."""
    if old.get("parents") != new.get("parents"):
        ids = subtree(s, concept_id)
    elif old.get("label") != new.get("label"):
        ids = [concept_id]
    else:
        return 0
    findings, reviews = user_ids(s, ids)
    s.add_all(M.Outbox(entity="finding", entity_id=fid, op="upsert") for fid in findings)
    s.add_all(M.Outbox(entity="review", entity_id=rid, op="refresh") for rid in reviews)
    return len(findings) + len(reviews)
