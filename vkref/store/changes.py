"""Change batches: every write to a library belongs to one, and one batch is what undo takes back.

- :func:`unit_of_work` opens one transaction with a new batch; the repository's write functions record a
  field-level change (record, field, old, new, version) for everything they write, in that same transaction.
  A batch that wrote nothing is removed again, so history holds only real changes.
- :func:`undo` applies the inverse of the newest batch that is done (kind not ``undo``/``redo``) as a new batch
  of kind ``undo``; :func:`redo` re-applies the batch whose undo is newest, provided no new batch was made since.
  Both refuse (ConflictError, nothing written) when a record changed after the batch: the current value of
  every field they would restore must still be the value the batch left.
- :func:`history` lists the changes of one record, oldest first.
- On a shared catalog (``db.identity`` set) a batch's author also names the database role and computer, and
  undo/redo consider only this curator's own batches (a colleague's work is never taken back by my Ctrl+Z).

The writer object handed out by :func:`unit_of_work` is the only way the library writes; the Session it wraps
never leaves this package.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vkref.core import records as R
from vkref.core.entities import Finding, Review
from vkref.core.errors import ConflictError, DataError
from vkref.core.validation import check_record
from vkref.core.vocabulary import Concept
from vkref.store import bulk, catalog, concepts as concept_users, models as M
from vkref.store import repository as repo, studies as study_rows
from vkref.store.database import Database

NORMAL = ("undo", "redo")  # batch kinds that are bookkeeping of others
NOT_UNDOABLE = NORMAL + ("bundled",)  # the bundled library a new library starts from is not an undo step


@dataclass
class BatchInfo:
    id: int
    kind: str
    label: str
    who: str
    created_at: str
    state: str
    changes: int


@dataclass
class ChangeInfo:
    batch: int
    kind: str
    when: str
    who: str
    entity: str
    id: str
    field: str
    old: object
    new: object
    version: int
    change: int = 0  # the change's own id (``vkref revert CHANGE``)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class Writer:
    """The writes of one change batch. Every method records its field-level changes and an outbox row."""

    def __init__(self, session: Session, batch: M.ChangeBatch, who: str):
        self._s = session
        self.batch = batch
        self.who = who

    @property
    def batch_id(self) -> int:
        return self.batch.id

    def save_review(self, review: Review, expect_version: int | None = None) -> bool:
        """``expect_version``: the version the editor read; a record changed since fails the whole batch
        (:class:`ConflictError`, nothing written)."""
        check_record(review)  # every write path passes here: a bad record fails its whole batch
        return repo.upsert_review(self._s, review, who=self.who, expect_version=expect_version)

    def insert_new_reviews(self, reviews: list[Review]) -> None:
        """Bulk insert of reviews with unused ids (imports): recorded and queued like every write."""
        for review in reviews:
            check_record(review)
        bulk.insert_new_reviews(self._s, reviews, self.who)

    def save_finding(self, finding: Finding, position: int | None = None, new: bool = False,
                     expect_version: int | None = None) -> bool:
        check_record(finding)
        return repo.upsert_finding(self._s, finding, position=position, who=self.who, new=new,
                                   expect_version=expect_version)

    def delete_review(self, review_id: str, expect_version: int | None = None,
                      expect_findings: set[str] | None = None) -> bool:
        return repo.delete_review(self._s, review_id, expect_version, expect_findings)

    def delete_finding(self, finding_id: str) -> bool:
        return repo.delete_finding(self._s, finding_id)

    def save_concept(self, concept: Concept) -> bool:
        return repo.upsert_concept(self._s, concept)

    def set_label(self, label: str) -> None:
        """Name the batch once its content is known (Edit > Undo shows it)."""
        self.batch.label = label[:2000]

    def vocabulary(self):
        """The vocabulary as this batch's transaction sees it: a check made on it holds when the batch commits
        (the batch row written first took the database's write lock)."""
        return repo.vocabulary_in(self._s)

    def concept_users(self, concept_id: str) -> tuple[list[str], list[str]]:
        """The ids of the findings and reviews coded with ``concept_id``."""
        return concept_users.user_ids(self._s, [concept_id])

    def save_study(self, study) -> bool:
        """Insert or update a primary study (:class:`vkref.core.entities.Study`)."""
        check_record(study)
        return repo.save_study(self._s, study)

    def delete_study(self, study_id: str) -> bool:
        """Remove a study no finding rests on (the database refuses the others)."""
        return repo.delete_study(self._s, study_id)

    def delete_concept(self, concept_id: str) -> bool:
        """Remove a concept no record is coded with and no concept has as parent (the database refuses others)."""
        return repo.delete_concept(self._s, concept_id)

    def coded_with(self, concept_id: str) -> tuple[list[Finding], list[Review]]:
        """The findings and reviews coded with ``concept_id``, read in this batch's own transaction."""
        fids, rids = concept_users.user_ids(self._s, [concept_id])
        findings = self._s.scalars(select(M.Finding).options(*repo.FINDING_LOAD).where(M.Finding.id.in_(fids))
                                   .order_by(M.Finding.id)) if fids else []
        reviews = self._s.scalars(select(M.Review).options(*repo.REVIEW_LOAD).where(M.Review.id.in_(rids))
                                  .order_by(M.Review.id)) if rids else []
        return [repo.finding_entity(r) for r in findings], [repo.review_entity(r) for r in reviews]

    def write_vocabulary(self, vocabulary) -> int:
        return repo.write_vocabulary(self._s, vocabulary)

    def set_meta(self, key: str, value: str) -> None:
        repo.set_meta(self._s, key, value)

    def existing_review_ids(self, ids: list[str]) -> set[str]:
        return repo.existing_ids(self._s, M.Review, ids)

    def existing_finding_ids(self, ids: list[str]) -> set[str]:
        return repo.existing_ids(self._s, M.Finding, ids)

    def mark_distinct(self, a: str, b: str, value: bool = True) -> bool:
        return repo.set_distinct(self._s, a, b, self.who, value)

    def flush(self) -> None:
        self._s.flush()


@contextmanager
def unit_of_work(db: Database, kind: str, label: str = "", who: str = "") -> Iterator[Writer]:
    """One transaction, one change batch: commits everything on success, nothing on any error."""
    who = _who(db, who)
    with db.session() as s:
        catalog.begin_write(s)
        batch = M.ChangeBatch(kind=kind, label=label[:2000], who=who, state="done")
        s.add(batch)
        s.flush()
        s.info["batch_id"] = batch.id
        yield Writer(s, batch, who)
        s.flush()
        if not s.scalar(select(func.count()).select_from(M.Change).where(M.Change.batch_id == batch.id)):
            s.delete(batch)  # nothing changed: no empty step in the undo history
        else:
            catalog.announce(s)
        s.info.pop("batch_id", None)


def _who(db: Database, who: str) -> str:
    """On a shared catalog a batch also names the database role and computer that made it (for conflicts)."""
    return f"{who} ({db.identity})"[:200] if db.identity and db.identity not in who else who


@contextmanager
def batch_in(session: Session, kind: str, label: str = "", who: str = "") -> Iterator[Writer]:
    """A change batch inside a transaction someone else owns (the creation of a new library, which fills the
    database in the same transaction as its schema)."""
    batch = M.ChangeBatch(kind=kind, label=label[:2000], who=who, state="done")
    session.add(batch)
    session.flush()
    session.info["batch_id"] = batch.id
    try:
        yield Writer(session, batch, who)
        session.flush()
    finally:
        session.info.pop("batch_id", None)


def batch_changes(db: Database, batch_id: int) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(M.Change).where(M.Change.batch_id == batch_id)) or 0


def batch_exists(db: Database, batch_id: int) -> bool:
    with db.session() as s:
        return s.get(M.ChangeBatch, batch_id) is not None


# ---------------------------------------------------------------------------- undo / redo


def _mine(db: Database):
    """On a shared catalog undo and redo take back this curator's own batches (role@computer), never a
    colleague's; on a local library every batch is the user's."""
    if not db.identity:
        return True
    return M.ChangeBatch.who.endswith(f"({db.identity})", autoescape=True)


def _undo_target(s: Session, mine=True) -> M.ChangeBatch | None:
    return s.scalars(select(M.ChangeBatch).where(M.ChangeBatch.state == "done",
                                                 M.ChangeBatch.kind.not_in(NOT_UNDOABLE), mine)
                     .order_by(M.ChangeBatch.id.desc()).limit(1)).first()


def _redo_target(s: Session, mine=True) -> M.ChangeBatch | None:
    """The batch of the newest undo whose target is still undone, unless a new batch was made after that undo
    (then the redo stack is gone, as in every editor)."""
    for u in s.scalars(select(M.ChangeBatch).where(M.ChangeBatch.kind == "undo", mine)
                       .order_by(M.ChangeBatch.id.desc()).limit(500)):
        target = s.get(M.ChangeBatch, u.target_id) if u.target_id is not None else None
        if target is None or target.state != "undone":
            continue
        newer = s.scalar(select(func.count()).select_from(M.ChangeBatch).where(
            M.ChangeBatch.id > u.id, M.ChangeBatch.kind.not_in(NORMAL), mine))
        return None if newer else target
    return None


def undo(db: Database, who: str = "") -> BatchInfo | None:
    """Take back the newest batch that is done. Returns the new undo batch, or None when there is nothing."""
    return _step(db, "undo", who)


def redo(db: Database, who: str = "") -> BatchInfo | None:
    return _step(db, "redo", who)


def can_undo(db: Database) -> str | None:
    """The label of the batch undo would take back, or None."""
    with db.session() as s:
        b = _undo_target(s, _mine(db))
        return f"{b.kind}: {b.label}" if b else None


def can_redo(db: Database) -> str | None:
    with db.session() as s:
        b = _redo_target(s, _mine(db))
        return f"{b.kind}: {b.label}" if b else None


def _step(db: Database, kind: str, who: str) -> BatchInfo | None:
    with db.session() as s:
        catalog.begin_write(s)
        target = _undo_target(s, _mine(db)) if kind == "undo" else _redo_target(s, _mine(db))
        if target is None:
            return None
        changes = s.scalars(select(M.Change).where(M.Change.batch_id == target.id).order_by(M.Change.id)).all()
        batch = M.ChangeBatch(kind=kind, label=f"{target.kind}: {target.label}"[:2000], who=_who(db, who),
                              state="done",
                              target_id=target.id)
        s.add(batch)
        s.flush()
        s.info["batch_id"] = batch.id
        steps = list(reversed(changes)) if kind == "undo" else list(changes)
        _apply(s, steps, backwards=kind == "undo")
        target.state = "undone" if kind == "undo" else "done"
        s.flush()
        catalog.announce(s)
        info = _info(s, batch)
        s.info.pop("batch_id", None)
        return info


def _apply(s: Session, changes: list[M.Change], backwards: bool) -> None:
    """Bring every touched record to the state before (``backwards``) or after the changes.

    Every record is checked first (a conflict writes nothing); then records are written parents first
    (concepts, reviews, findings: a finding moved back to a review being re-created needs it) and deleted
    children first.
    """
    by_record: dict[tuple[str, str], list[M.Change]] = {}
    for c in changes:
        by_record.setdefault((c.entity, c.entity_id), []).append(c)
    targets = {}
    for (entity, eid), recs in by_record.items():
        _check(s, entity, eid, recs, backwards)
        targets[(entity, eid)] = _target(recs, backwards)
    order = {"concept": 0, "study": 0, "review": 1, "finding": 2, "pair": 3}
    keys = sorted(targets, key=lambda k: order[k[0]])
    for entity, eid in keys:
        if targets[(entity, eid)] is not _DELETED:
            _write(s, entity, eid, dict(_current(s, entity, eid) or {}, **targets[(entity, eid)]))
            s.flush()
    for entity, eid in reversed(keys):
        if targets[(entity, eid)] is _DELETED:
            _delete(s, entity, eid)
            s.flush()


def _check(s: Session, entity: str, eid: str, changes: list[M.Change], backwards: bool) -> None:
    """The current value of every field the step restores must be the value the batch left."""
    current = _current(s, entity, eid)
    for name, value in _expected(changes, backwards).items():
        have = current if name == "*" else (None if current is None else current.get(name))
        if name != "*" and current is None:
            raise _conflict(entity, eid, name)
        if not (R.same_fields(have, value) if name == "*" else have == value):
            raise _conflict(entity, eid, name if name != "*" else "")


_DELETED = object()


def _expected(changes: list[M.Change], backwards: bool) -> dict:
    """What each touched field must hold now for the step to be safe (``*``: the record exists or not)."""
    out: dict = {}
    seq = changes if backwards else list(reversed(changes))
    for c in seq:  # the last change (first change when forwards) decides
        if c.field == "*":
            out = {"*": _load(c.new if backwards else c.old)}
        else:
            out.setdefault(c.field, _load(c.new if backwards else c.old))
    return out


def _target(changes: list[M.Change], backwards: bool):
    seq = changes if not backwards else list(reversed(changes))  # replay in the direction of travel
    state: dict | object = {}
    for c in seq:
        value = _load(c.old if backwards else c.new)
        if c.field == "*":
            state = _DELETED if value is None else dict(value)
        elif state is not _DELETED:
            state[c.field] = value  # type: ignore[index]
    return state


def _current(s: Session, entity: str, eid: str) -> dict | None:
    if entity == "review":
        row = s.get(M.Review, eid, options=repo.REVIEW_LOAD)
        return R.review_fields(repo.review_entity(row)) if row else None
    if entity == "finding":
        row = s.get(M.Finding, eid, options=repo.FINDING_LOAD)
        return repo.finding_snapshot(row) if row else None
    if entity == "pair":
        a, b = eid.split("|", 1)
        return {"a": a, "b": b} if s.get(M.DistinctPair, (a, b)) is not None else None
    if entity == "study":
        row = s.get(M.Study, eid)
        return R.study_fields(study_rows.to_entity(row)) if row else None
    row = s.get(M.Concept, eid)
    return R.concept_fields(repo.concept_entity(row)) if row else None


def _write(s: Session, entity: str, eid: str, fields: dict) -> None:
    if entity == "review":
        repo.upsert_review(s, R.review_from_fields(eid, fields))
    elif entity == "finding":
        position = fields.pop("_position", None)
        repo.upsert_finding(s, R.finding_from_fields(eid, fields), position=position)
    elif entity == "pair":
        repo.set_distinct(s, fields["a"], fields["b"], "", True)
    elif entity == "study":
        repo.save_study(s, R.study_from_fields(eid, fields))
    else:
        repo.upsert_concept(s, R.concept_from_fields(eid, fields))


def _delete(s: Session, entity: str, eid: str) -> None:
    if entity == "review":
        repo.delete_review(s, eid)
    elif entity == "finding":
        repo.delete_finding(s, eid)
    elif entity == "pair":
        repo.set_distinct(s, *eid.split("|", 1), "", False)
    elif entity == "study":
        repo.delete_study(s, eid)
    else:
        repo.delete_concept(s, eid)


def _conflict(entity: str, eid: str, name: str = "") -> ConflictError:
    what = f"field {name!r} of {entity} {eid}" if name else f"{entity} {eid}"
    return ConflictError(f"cannot take the change back: {what} was changed again after it (nothing was changed)")


def _load(text: str | None):
    return None if text is None else json.loads(text)


# ---------------------------------------------------------------------------- reading history


def _info(s: Session, b: M.ChangeBatch) -> BatchInfo:
    n = s.scalar(select(func.count()).select_from(M.Change).where(M.Change.batch_id == b.id)) or 0
    return BatchInfo(b.id, b.kind, b.label, b.who, b.created_at.isoformat(timespec="seconds"), b.state, n)


def batches(db: Database, limit: int = 50) -> list[BatchInfo]:
    with db.session() as s:
        rows = s.scalars(select(M.ChangeBatch).order_by(M.ChangeBatch.id.desc()).limit(limit)).all()
        return [_info(s, b) for b in rows]


def history(db: Database, record_id: str) -> list[ChangeInfo]:
    """Every change of the record with this id (a review, finding or concept), oldest first."""
    with db.session() as s:
        rows = s.execute(select(M.Change, M.ChangeBatch).join(M.ChangeBatch, M.Change.batch_id == M.ChangeBatch.id)
                         .where(M.Change.entity_id == record_id).order_by(M.Change.id)).all()
        if not rows:
            exists = any(s.get(model, record_id) is not None
                         for model in (M.Review, M.Finding, M.Concept, M.Study))
            if not exists:
                raise DataError(f"unknown record id {record_id!r}")
        return [_change_info(c, b) for c, b in rows]


# ---------------------------------------------------------------------------- single changes and the trash


def change(db: Database, change_id: int) -> ChangeInfo | None:
    """One field-level change by its id (``vkref revert CHANGE``)."""
    with db.session() as s:
        row = s.execute(select(M.Change, M.ChangeBatch).join(M.ChangeBatch, M.Change.batch_id == M.ChangeBatch.id)
                        .where(M.Change.id == change_id)).first()
        return _change_info(*row) if row else None


def _change_info(c: M.Change, b: M.ChangeBatch) -> ChangeInfo:
    return ChangeInfo(b.id, b.kind, b.created_at.isoformat(timespec="seconds"), b.who, c.entity, c.entity_id,
                      c.field, _load(c.old), _load(c.new), c.version, c.id)


def deleted_records(db: Database, entity: str = "finding", limit: int = 1000) -> list[ChangeInfo]:
    """The newest deletion of each record of ``entity`` that does not exist now (the trash), newest first."""
    model = M.Finding if entity == "finding" else M.Review
    with db.session() as s:
        gone = (select(M.Change.entity_id, func.max(M.Change.id).label("last"))
                .where(M.Change.entity == entity, M.Change.field == "*")
                .group_by(M.Change.entity_id).subquery())
        rows = s.execute(select(M.Change, M.ChangeBatch).join(gone, M.Change.id == gone.c.last)
                         .join(M.ChangeBatch, M.Change.batch_id == M.ChangeBatch.id)
                         .where(M.Change.new.is_(None), M.Change.entity_id.not_in(select(model.id)))
                         .order_by(M.Change.id.desc()).limit(limit)).all()
        return [_change_info(c, b) for c, b in rows]


def ids_ever_used(db: Database, entity: str, ids: list[str]) -> set[str]:
    """Which of ``ids`` a record of ``entity`` has ever had (existing or in the change log): a new record must
    not take the id, and so the history, of a deleted one."""
    model = M.Finding if entity == "finding" else M.Review
    with db.session() as s:
        used = set(s.scalars(select(model.id).where(model.id.in_(ids))))
        used |= set(s.scalars(select(M.Change.entity_id).where(M.Change.entity == entity,
                                                                M.Change.entity_id.in_(ids))))
        return used


def meta_of_batches(db: Database, prefix: str) -> list[tuple[int, str | None, str]]:
    """Library meta rows named ``PREFIX<batch id>``: (batch id, that batch's state, value), oldest first. The
    state is None when the batch held no change and was dropped (nothing to undo: it still happened)."""
    with db.session() as s:
        rows = s.execute(select(M.Meta.key, M.Meta.value).where(M.Meta.key.startswith(prefix))).all()
        out = []
        for key, value in rows:
            suffix = key[len(prefix):]
            if suffix.isdigit():
                batch = s.get(M.ChangeBatch, int(suffix))
                out.append((int(suffix), batch.state if batch else None, value))
        return sorted(out)


def deleted_by(db: Database, entity: str, kind: str) -> list[tuple[int, str]]:
    """(batch id, record id) of every ``entity`` record deleted by a batch of ``kind`` that is done (not undone)."""
    with db.session() as s:
        rows = s.execute(select(M.Change.batch_id, M.Change.entity_id)
                         .join(M.ChangeBatch, M.Change.batch_id == M.ChangeBatch.id)
                         .where(M.ChangeBatch.kind == kind, M.ChangeBatch.state == "done", M.Change.entity == entity,
                                M.Change.field == "*", M.Change.new.is_(None))
                         .order_by(M.Change.id)).all()
        return [(b, e) for b, e in rows]


def created_by(db: Database, entity: str, kind: str, ids: list[str]) -> set[str]:
    """Which of ``ids`` were created by a batch of ``kind`` that is done (an import, say)."""
    out: set[str] = set()
    with db.session() as s:
        for i in range(0, len(ids), 500):
            out.update(s.scalars(select(M.Change.entity_id)
                                 .join(M.ChangeBatch, M.Change.batch_id == M.ChangeBatch.id)
                                 .where(M.ChangeBatch.kind == kind, M.ChangeBatch.state == "done",
                                        M.Change.entity == entity, M.Change.field == "*", M.Change.old.is_(None),
                                        M.Change.entity_id.in_(ids[i:i + 500]))))
    return out
