"""Reading and writing library records. Every write that search can see adds an outbox row in the same
transaction, so the index can always catch up (or be rebuilt) from the database alone.

All functions take a :class:`~vkref.store.database.Database` and return plain entities from
:mod:`vkref.core.entities`; no Session escapes this module.
"""
from __future__ import annotations

import uuid
from typing import Iterable, Iterator

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from vkref.core import entities as E
from vkref.core.vocabulary import Concept as VConcept, Vocabulary
from vkref.store import models as M
from vkref.store.database import Database

# ---------------------------------------------------------------------------- meta


def get_meta(db: Database, key: str, default: str = "") -> str:
    with db.session() as s:
        row = s.get(M.Meta, key)
        return row.value if row else default


def set_meta(s: Session, key: str, value: str) -> None:
    row = s.get(M.Meta, key)
    if row is None:
        s.add(M.Meta(key=key, value=value))
    else:
        row.value = value


def library_uuid(db: Database) -> str:
    """The library's identity, created once; an index built for another library is never reused."""
    with db.session() as s:
        row = s.get(M.Meta, "uuid")
        if row is None:
            row = M.Meta(key="uuid", value=uuid.uuid4().hex)
            s.add(row)
        return row.value


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            "reviews": s.scalar(select(func.count()).select_from(M.Review)) or 0,
            "findings": s.scalar(select(func.count()).select_from(M.Finding)) or 0,
            "concepts": s.scalar(select(func.count()).select_from(M.Concept)) or 0,
            "pending_changes": s.scalar(select(func.count()).select_from(M.Outbox)) or 0,
        }


def is_empty(db: Database) -> bool:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(M.Review)) == 0 and \
            s.scalar(select(func.count()).select_from(M.Concept)) == 0


# ---------------------------------------------------------------------------- vocabulary


def load_vocabulary(db: Database) -> Vocabulary:
    with db.session() as s:
        rows = s.scalars(select(M.Concept).options(selectinload(M.Concept.synonyms))).all()
        return Vocabulary.from_concepts(
            VConcept(r.id, r.facet, r.label, tuple(x.text for x in r.synonyms), r.parent_id) for r in rows
        )


def write_vocabulary(s: Session, vocabulary: Vocabulary) -> None:
    """Insert or update every concept (parents first so foreign keys hold)."""
    ordered = sorted(vocabulary.concepts.values(), key=lambda c: len(vocabulary.ancestors(c.id)))
    for c in ordered:
        row = s.get(M.Concept, c.id)
        if row is None:
            row = M.Concept(id=c.id, facet=c.facet, label=c.label, parent_id=c.parent)
            s.add(row)
        else:
            row.facet, row.label, row.parent_id = c.facet, c.label, c.parent
        if row.synonyms:  # old rows go first: (concept_id, position) is unique
            row.synonyms.clear()
            s.flush()
        row.synonyms = [M.Synonym(position=i, text=t) for i, t in enumerate(c.synonyms)]
        s.flush()


# ---------------------------------------------------------------------------- writes


def _outbox(s: Session, entity: str, entity_id: str, op: str = "upsert") -> None:
    s.add(M.Outbox(entity=entity, entity_id=entity_id, op=op))


def _tags(s: Session, names: Iterable[str]) -> list[M.Tag]:
    out = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        tag = s.scalar(select(M.Tag).where(M.Tag.name == name))
        if tag is None:
            tag = M.Tag(name=name)
            s.add(tag)
        out.append(tag)
    return out


def _apply_provenance(row, p: E.Provenance, who: str) -> None:
    row.verification = p.verification or "unverified"
    row.verification_note = p.verification_note or ""
    if not row.created_by:
        row.created_by = p.created_by or who
    row.updated_by = p.updated_by or who


def upsert_review(s: Session, r: E.Review, who: str = "vkref") -> None:
    row = s.get(M.Review, r.id) or M.Review(id=r.id)
    if row not in s:
        s.add(row)
    for name in ("source_id", "type", "title", "journal", "journal_abbrev", "year", "volume", "issue", "pages",
                 "doi", "pmid", "summary", "fulltext", "notes", "caution"):
        setattr(row, name, getattr(r, name))
    row.keywords = list(r.keywords)
    row.verified_fields = list(r.verified_fields)
    row.reconstructed_fields = list(r.reconstructed_fields)
    with s.no_autoflush:
        tags = _tags(s, r.tags)
    if row.authors:  # old rows go first: (review_id, position) is unique
        row.authors.clear()
        s.flush()
    row.authors = [M.Author(position=i, family=a.family, given=a.given) for i, a in enumerate(r.authors)]
    row.tags = tags
    _apply_provenance(row, r.provenance, who)
    s.flush()
    _outbox(s, "review", r.id)


def upsert_finding(s: Session, f: E.Finding, position: int = 0, who: str = "vkref", new: bool = False) -> None:
    """Insert or update ``f``. ``new=True`` (the caller knows the id is unused) skips the look-up."""
    row = None if new else s.get(M.Finding, f.id)
    if row is None:
        row = M.Finding(id=f.id)
        s.add(row)
    row.review_id = f.review_id
    row.position = position
    for name in ("statement", "section", "cited_ref", "cited_author", "dose", "duration", "sample_size",
                 "effect_size", "caution"):
        setattr(row, name, getattr(f, name))
    ids = [cid for ids in f.concepts.values() for cid in ids]
    with s.no_autoflush:
        row.concepts = [s.get(M.Concept, cid) for cid in dict.fromkeys(ids)]  # identity map after the first
        row.tags = _tags(s, f.tags) if f.tags else []
    _apply_provenance(row, f.provenance, who)
    _outbox(s, "finding", f.id)


def delete_finding(s: Session, finding_id: str) -> bool:
    row = s.get(M.Finding, finding_id)
    if row is None:
        return False
    review_id = row.review_id
    s.delete(row)
    _outbox(s, "finding", finding_id, "delete")
    _outbox(s, "review", review_id, "refresh")  # the review's facets are the union of its findings'
    return True


def delete_review(s: Session, review_id: str) -> bool:
    row = s.get(M.Review, review_id)
    if row is None:
        return False
    for f in row.findings:
        _outbox(s, "finding", f.id, "delete")
    s.delete(row)
    _outbox(s, "review", review_id, "delete")
    return True


# ---------------------------------------------------------------------------- reads


def _prov(row) -> E.Provenance:
    return E.Provenance(row.created_at, row.created_by, row.updated_at, row.updated_by,
                        row.verification, row.verification_note)


def _review(row: M.Review) -> E.Review:
    return E.Review(
        id=row.id, title=row.title, authors=[E.Author(a.family, a.given) for a in row.authors],
        journal=row.journal, journal_abbrev=row.journal_abbrev, year=row.year, volume=row.volume,
        issue=row.issue, pages=row.pages, doi=row.doi, pmid=row.pmid, source_id=row.source_id, type=row.type,
        summary=row.summary, keywords=list(row.keywords or []), fulltext=row.fulltext, notes=row.notes,
        caution=row.caution, tags=[t.name for t in row.tags], verified_fields=list(row.verified_fields or []),
        reconstructed_fields=list(row.reconstructed_fields or []), provenance=_prov(row),
    )


def _finding(row: M.Finding) -> E.Finding:
    concepts: dict[str, list[str]] = {}
    for c in row.concepts:
        concepts.setdefault(c.facet, []).append(c.id)
    return E.Finding(
        id=row.id, review_id=row.review_id, statement=row.statement, section=row.section,
        cited_ref=row.cited_ref, cited_author=row.cited_author, concepts=concepts, dose=row.dose,
        duration=row.duration, sample_size=row.sample_size, effect_size=row.effect_size, caution=row.caution,
        tags=[t.name for t in row.tags], provenance=_prov(row),
    )


_REVIEW_LOAD = (selectinload(M.Review.authors), selectinload(M.Review.tags))
_FINDING_LOAD = (selectinload(M.Finding.concepts), selectinload(M.Finding.tags))


def get_review_summaries(db: Database) -> list[E.Review]:
    """Every review with what labels and citations need (no summary, full text or tags), read with two plain
    queries instead of ORM objects: opening a library of 10,000 reviews took seconds the other way."""
    cols = (M.Review.id, M.Review.title, M.Review.journal, M.Review.journal_abbrev, M.Review.year,
            M.Review.volume, M.Review.issue, M.Review.pages, M.Review.doi, M.Review.pmid, M.Review.source_id,
            M.Review.type, M.Review.caution, M.Review.verification)
    with db.session() as s:
        authors: dict[str, list[E.Author]] = {}
        for rid, family, given in s.execute(select(M.Author.review_id, M.Author.family, M.Author.given)
                                            .order_by(M.Author.review_id, M.Author.position)):
            authors.setdefault(rid, []).append(E.Author(family, given))
        out = []
        for row in s.execute(select(*cols).order_by(M.Review.id)):
            (rid, title, journal, abbrev, year, volume, issue, pages, doi, pmid, source_id, type_, caution,
             verification) = row
            out.append(E.Review(id=rid, title=title, authors=authors.get(rid, []), journal=journal,
                                journal_abbrev=abbrev, year=year, volume=volume, issue=issue, pages=pages, doi=doi,
                                pmid=pmid, source_id=source_id, type=type_, caution=caution,
                                provenance=E.Provenance(verification=verification)))
        return out


def get_review(db: Database, review_id: str) -> E.Review | None:
    with db.session() as s:
        row = s.get(M.Review, review_id, options=_REVIEW_LOAD)
        return _review(row) if row else None


def get_finding(db: Database, finding_id: str) -> E.Finding | None:
    with db.session() as s:
        row = s.get(M.Finding, finding_id, options=_FINDING_LOAD)
        return _finding(row) if row else None


def get_reviews(db: Database, ids: Iterable[str] | None = None) -> list[E.Review]:
    with db.session() as s:
        q = select(M.Review).options(*_REVIEW_LOAD).order_by(M.Review.id)
        if ids is not None:
            q = q.where(M.Review.id.in_(list(ids)))
        return [_review(r) for r in s.scalars(q)]


def existing_finding_ids(s: Session, ids: list[str]) -> set[str]:
    out: set[str] = set()
    for i in range(0, len(ids), 500):
        out.update(s.scalars(select(M.Finding.id).where(M.Finding.id.in_(ids[i:i + 500]))))
    return out


def get_findings(db: Database, ids: Iterable[str] | None = None, review_id: str | None = None) -> list[E.Finding]:
    with db.session() as s:
        q = select(M.Finding).options(*_FINDING_LOAD).order_by(M.Finding.review_id, M.Finding.position, M.Finding.id)
        if ids is not None:
            q = q.where(M.Finding.id.in_(list(ids)))
        if review_id is not None:
            q = q.where(M.Finding.review_id == review_id)
        return [_finding(r) for r in s.scalars(q)]


def iter_findings(db: Database, batch: int = 2000) -> Iterator[list[E.Finding]]:
    """All findings in batches (for a full rebuild), ordered by id for stable paging."""
    last = ""
    while True:
        with db.session() as s:
            rows = s.scalars(select(M.Finding).options(*_FINDING_LOAD).where(M.Finding.id > last)
                             .order_by(M.Finding.id).limit(batch)).all()
            chunk = [_finding(r) for r in rows]
        if not chunk:
            return
        yield chunk
        last = chunk[-1].id


# ---------------------------------------------------------------------------- outbox


def outbox_max_id(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.max(M.Outbox.id))) or int(_meta_in(s, "outbox_cleaned_through", "0"))


def _meta_in(s: Session, key: str, default: str) -> str:
    row = s.get(M.Meta, key)
    return row.value if row else default


def outbox_pending(db: Database, after_id: int, limit: int = 5000) -> list[tuple[int, str, str, str]]:
    """Changes with an id above ``after_id``: (id, entity, entity_id, op), oldest first."""
    with db.session() as s:
        rows = s.execute(select(M.Outbox.id, M.Outbox.entity, M.Outbox.entity_id, M.Outbox.op)
                         .where(M.Outbox.id > after_id).order_by(M.Outbox.id).limit(limit)).all()
        return [tuple(r) for r in rows]


def outbox_cleaned_through(db: Database) -> int:
    return int(get_meta(db, "outbox_cleaned_through", "0"))


def outbox_cleanup(db: Database, through_id: int) -> None:
    """Forget changes the index has applied (called only after the index commit is durable)."""
    with db.session() as s:
        s.execute(delete(M.Outbox).where(M.Outbox.id <= through_id))
        if through_id > int(_meta_in(s, "outbox_cleaned_through", "0")):
            set_meta(s, "outbox_cleaned_through", str(through_id))
