"""The passage table: a review's cleaned full text split into headings, paragraphs and captions.

Passages are derived from ``review.fulltext`` (:func:`vkref.core.passages.split`); :func:`refresh` rewrites a
review's passages in the transaction that changed its full text, so every path that writes a review — an
attach, an edit, an import, a bundle, undo and redo — leaves passages that match the text.
"""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vkref.core import passages as P
from vkref.store import models as M
from vkref.store.database import Database


def refresh(s: Session, review_id: str, fulltext: str) -> None:
    s.execute(delete(M.Passage).where(M.Passage.review_id == review_id))
    s.add_all(M.Passage(id=p.id, review_id=review_id, position=p.position, section=p.section, kind=p.kind,
                        start=p.start, end=p.end, text=p.text) for p in P.split(review_id, fulltext or ""))


def of_review(db: Database, review_id: str) -> list[P.Passage]:
    with db.session() as s:
        rows = s.scalars(select(M.Passage).where(M.Passage.review_id == review_id).order_by(M.Passage.position))
        return [_passage(r) for r in rows]


def of_reviews(db: Database, review_ids) -> dict[str, list[P.Passage]]:
    out: dict[str, list[P.Passage]] = {}
    ids = list(review_ids)
    with db.session() as s:
        for i in range(0, len(ids), 500):
            rows = s.scalars(select(M.Passage).where(M.Passage.review_id.in_(ids[i:i + 500]))
                             .order_by(M.Passage.review_id, M.Passage.position))
            for r in rows:
                out.setdefault(r.review_id, []).append(_passage(r))
    return out


def reviews_with_passages(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(M.Passage.review_id).distinct()))


def set_locator(s: Session, finding_id: str, locator: dict | None) -> bool:
    row = s.get(M.Finding, finding_id)
    if row is None:
        return False
    row.locator = locator
    return True


def _passage(r: M.Passage) -> P.Passage:
    return P.Passage(r.review_id, r.position, r.section, r.kind, r.start, r.end, r.text)


def count_documents(db: Database) -> int:
    """Passages the index holds as documents (every passage but the headings)."""
    from sqlalchemy import func

    with db.session() as s:
        return s.scalar(select(func.count()).select_from(M.Passage).where(M.Passage.kind != "heading")) or 0
