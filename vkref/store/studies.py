"""Primary studies: reading and writing ``study`` rows and the finding -> study links.

A study is written like every record: inside a change batch, with field-level change records (entity
``study``), so history, undo and redo cover it. A finding's links are a field of the finding (``studies``) and
are written by :func:`vkref.store.repository.upsert_finding`; a study whose label or first author changes
queues the findings resting on it for the index (their documents hold those words).
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vkref.core import entities as E, records as R
from vkref.store import models as M
from vkref.store.database import Database

INDEXED = ("label", "first_author")  # the study fields a finding's index document holds


def to_entity(row: M.Study) -> E.Study:
    return E.Study(id=row.id, label=row.label, first_author=row.first_author or "", year=row.year,
                   design=row.design or "", population=row.population or "", size=row.size or "",
                   note=row.note or "", version=row.version or 0)


def terms(row: M.Study) -> str:
    """The words a finding resting on this study is also found by."""
    return " ".join(x for x in (row.label, row.first_author) if x)


def rows(s: Session, ids) -> list[M.Study]:
    """Study rows by id, in the order given (an unknown id is left out)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    cache: dict[str, M.Study] = s.info.setdefault("studies", {})
    missing = [i for i in ids if i not in cache]
    if missing:
        with s.no_autoflush:
            cache.update({r.id: r for r in s.scalars(select(M.Study).where(M.Study.id.in_(missing)))})
    return [cache[i] for i in ids if i in cache]


def upsert(s: Session, study: E.Study, record) -> bool:
    """Insert or update ``study``; ``record(s, entity, id, old, new, version)`` writes its change records.
    Returns False when nothing changed."""
    row = s.get(M.Study, study.id)
    old = R.study_fields(to_entity(row)) if row is not None else None
    new = R.study_fields(study)
    if old == new:
        return False
    if row is None:
        last = s.scalar(select(func.max(M.Change.version)).where(M.Change.entity == "study",
                                                                  M.Change.entity_id == study.id))
        row = M.Study(id=study.id, version=(last or 0) + 1)
        s.add(row)
        s.info.setdefault("studies", {})[study.id] = row
    else:
        row.version = row.version + 1
    for name in R.STUDY_TEXT:
        setattr(row, name, getattr(study, name) or "")
    row.year = study.year
    s.flush()
    record(s, "study", study.id, old, new, row.version)
    if old is not None and any(old[k] != new[k] for k in INDEXED):
        for fid in finding_ids(s, study.id):
            s.add(M.Outbox(entity="finding", entity_id=fid, op="upsert"))
    return True


def delete(s: Session, study_id: str, record) -> bool:
    """Remove a study no finding rests on (the database refuses the others)."""
    row = s.get(M.Study, study_id)
    if row is None:
        return False
    record(s, "study", study_id, R.study_fields(to_entity(row)), None, row.version + 1)
    s.delete(row)
    s.info.get("studies", {}).pop(study_id, None)
    return True


def finding_ids(s: Session, study_id: str) -> list[str]:
    return list(s.scalars(select(M.finding_study.c.finding_id).where(M.finding_study.c.study_id == study_id)
                          .order_by(M.finding_study.c.finding_id)))


# ---------------------------------------------------------------------------- reads


def get(db: Database, study_id: str) -> E.Study | None:
    with db.session() as s:
        row = s.get(M.Study, study_id)
        return to_entity(row) if row else None


def all_studies(db: Database) -> list[E.Study]:
    with db.session() as s:
        return [to_entity(r) for r in s.scalars(select(M.Study).order_by(M.Study.label, M.Study.id))]


def links(db: Database) -> list[tuple[str, str]]:
    """Every (finding id, study id) link, for counting without loading records."""
    with db.session() as s:
        return [tuple(r) for r in s.execute(select(M.finding_study.c.finding_id, M.finding_study.c.study_id))]


def labels(db: Database) -> dict[str, str]:
    """Study id -> label, for every study."""
    with db.session() as s:
        return dict(s.execute(select(M.Study.id, M.Study.label)).all())


def findings_resting_on(db: Database, study_id: str) -> list[str]:
    with db.session() as s:
        return finding_ids(s, study_id)


def change_mark(db: Database) -> int:
    """The newest change's id: the study links can only have changed when it moved."""
    with db.session() as s:
        return s.scalar(select(func.max(M.Change.id))) or 0


def ids_ever_used(db: Database, stem: str) -> set[str]:
    """The study ids starting with ``stem`` that a study has now or ever had (in the change log): a new study
    must not take the id, and so the history, of a deleted one."""
    with db.session() as s:
        used = set(s.scalars(select(M.Study.id).where(M.Study.id.startswith(stem, autoescape=True))))
        used |= set(s.scalars(select(M.Change.entity_id).where(
            M.Change.entity == "study", M.Change.entity_id.startswith(stem, autoescape=True))))
        return used
