"""Reading and writing library records. Every write that search can see adds an outbox row in the same
transaction, so the index can always catch up (or be rebuilt) from the database alone.

All functions take a :class:`~vkref.store.database.Database` and return plain entities from
:mod:`vkref.core.entities`; no Session escapes this module.
"""
from __future__ import annotations

import json
import uuid
from typing import Iterable, Iterator

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from vkref.core import entities as E, records as R
from vkref.core.errors import ConflictError, DataError
from vkref.core.vocabulary import Concept as VConcept, Vocabulary
from vkref.store import concepts as concept_users, models as M, passages, studies as study_rows
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
            "studies": s.scalar(select(func.count()).select_from(M.Study)) or 0,
            "pending_changes": s.scalar(select(func.count()).select_from(M.Outbox)) or 0,
        }


def is_empty(db: Database) -> bool:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(M.Review)) == 0 and \
            s.scalar(select(func.count()).select_from(M.Concept)) == 0


# ---------------------------------------------------------------------------- vocabulary


def load_vocabulary(db: Database) -> Vocabulary:
    with db.session() as s:
        return vocabulary_in(s)


def vocabulary_in(s: Session) -> Vocabulary:
    """The vocabulary as this session's transaction sees it."""
    rows = s.scalars(select(M.Concept).options(*CONCEPT_LOAD)).all()
    return Vocabulary.from_concepts(concept_entity(r) for r in rows)


def write_vocabulary(s: Session, vocabulary: Vocabulary) -> int:
    """Insert or update every concept (parents first so foreign keys hold). Returns how many changed."""
    ordered = sorted(vocabulary.concepts.values(), key=lambda c: len(vocabulary.ancestors(c.id)))
    return sum(upsert_concept(s, c) for c in ordered)


# ---------------------------------------------------------------------------- writes


def _outbox(s: Session, entity: str, entity_id: str, op: str = "upsert") -> None:
    s.add(M.Outbox(entity=entity, entity_id=entity_id, op=op))


def _record(s: Session, entity: str, entity_id: str, old: dict | None, new: dict | None, version: int) -> None:
    """Field-level change records of one write, in the session's change batch (see :mod:`vkref.store.changes`).
    A created or deleted record is one change of field ``*`` holding the whole record."""
    batch_id = s.info.get("batch_id")
    if batch_id is None:
        raise RuntimeError("a library write outside a change batch (use vkref.store.changes.unit_of_work)")
    if old is None or new is None:
        s.add(M.Change(batch_id=batch_id, entity=entity, entity_id=entity_id, field="*", old=_dump(old),
                       new=_dump(new), version=version))
        return
    for name in new:
        if old.get(name) != new[name]:
            s.add(M.Change(batch_id=batch_id, entity=entity, entity_id=entity_id, field=name,
                           old=_dump(old.get(name)), new=_dump(new[name]), version=version))


def _dump(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _tags(s: Session, names: Iterable[str]) -> list[M.Tag]:
    """Tag rows by name, created when new; tags created earlier in this session but not yet flushed are found
    in the session's own cache (writes run without autoflush)."""
    cache: dict[str, M.Tag] = s.info.setdefault("tags", {})
    out = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        tag = cache.get(name) or s.scalar(select(M.Tag).where(M.Tag.name == name))
        if tag is None:
            tag = M.Tag(name=name)
            s.add(tag)
        cache[name] = tag
        out.append(tag)
    return out


def _apply_provenance(row, p: E.Provenance, who: str) -> None:
    row.verification = p.verification or "unverified"
    row.verification_note = p.verification_note or ""
    if not row.created_by:
        row.created_by = p.created_by or who
    row.updated_by = who or p.updated_by


def upsert_review(s: Session, r: E.Review, who: str = "vkref", expect_version: int | None = None) -> bool:
    """Insert or update ``r`` with its change records and an outbox row. Returns False (and writes nothing)
    when the stored review already has exactly these fields. ``expect_version``: see :func:`_expect`."""
    row = s.get(M.Review, r.id, options=REVIEW_LOAD)
    _expect(row, "review", r.id, expect_version)
    old = R.review_fields(review_entity(row)) if row is not None else None
    new = R.review_fields(r)
    if old == new:
        return False
    if row is None:
        row = M.Review(id=r.id, version=_reborn_version(s, "review", r.id))
        s.add(row)
    else:
        row.version = row.version + 1
    for name in R.REVIEW_TEXT:
        setattr(row, name, getattr(r, name))
    row.year = r.year
    for name in R.REVIEW_LISTS:
        if name != "tags":  # a relationship, set below
            setattr(row, name, list(getattr(r, name)))
    row.concepts_suggested = new["concepts_suggested"]
    with s.no_autoflush:
        tags = _tags(s, r.tags)
        concepts = _concept_rows(s, r.concepts)
    if row.authors:  # old rows go first: (review_id, position) is unique
        row.authors.clear()
        s.flush()
    row.authors = [M.Author(position=i, family=a.family, given=a.given) for i, a in enumerate(r.authors)]
    row.tags = tags
    row.concepts = concepts
    _apply_provenance(row, r.provenance, who)
    s.flush()
    if (old or {}).get("fulltext", "") != new["fulltext"]:
        passages.refresh(s, r.id, r.fulltext)  # derived: always in step with the text, undo included
    _record(s, "review", r.id, old, new, row.version)
    _outbox(s, "review", r.id)
    return True


def _expect(row, entity: str, record_id: str, version: int | None) -> None:
    """An edit made on version ``version`` of a record: refused when the record is now at another version.
    The row was read in this transaction, so its UPDATE then carries ``AND version = <that version>``
    (SQLAlchemy's ``version_id_col``): a writer that slips in between makes the UPDATE touch nothing, which
    fails the whole batch too (StaleDataError, reported as a conflict)."""
    if version is None:
        return
    if row is None:
        raise ConflictError(f"{entity} {record_id} was deleted meanwhile (you edited version {version}): "
                            "nothing was saved")
    if row.version != version:
        raise ConflictError(f"{entity} {record_id} is at version {row.version}, not {version}: someone changed "
                            "it meanwhile; nothing was saved")


def _reborn_version(s: Session, entity: str, entity_id: str) -> int:
    """A record created again (undo of its deletion) continues its version count: versions only ever grow."""
    last = s.scalar(select(func.max(M.Change.version)).where(M.Change.entity == entity,
                                                              M.Change.entity_id == entity_id))
    return (last or 0) + 1


def _concept_rows(s: Session, concepts: dict[str, list[str]]) -> list[M.Concept]:
    """Concept rows by id from one read of the whole vocabulary per session (an import of thousands of findings
    would otherwise look each one up again: the identity map holds them only weakly)."""
    ids = dict.fromkeys(cid for ids in concepts.values() for cid in ids)
    if not ids:
        return []
    cache: dict[str, M.Concept] = s.info.get("concepts")
    if cache is None or any(cid not in cache for cid in ids):
        with s.no_autoflush:
            cache = {c.id: c for c in s.scalars(select(M.Concept))}
        s.info["concepts"] = cache
    return [cache[cid] if cid in cache else s.get(M.Concept, cid) for cid in ids]


def upsert_finding(s: Session, f: E.Finding, position: int | None = None, who: str = "vkref",
                   new: bool = False, expect_version: int | None = None) -> bool:
    """Insert or update ``f`` with its change records and an outbox row (``new=True``: the caller knows the id
    is unused, so no look-up). ``position`` None keeps a stored finding's place (a new one goes last).
    Returns False when nothing changed."""
    row = None if new else s.get(M.Finding, f.id, options=FINDING_LOAD)
    _expect(row, "finding", f.id, expect_version)
    old = finding_snapshot(row) if row is not None else None
    fields = R.finding_fields(f)
    if old is not None and {k: v for k, v in old.items() if k != "_position"} == fields and \
            position in (None, row.position):
        return False
    if row is None:
        row = M.Finding(id=f.id, version=1 if new else _reborn_version(s, "finding", f.id), position=position if position is not None else _next_position(s, f))
        s.add(row)
    else:
        row.version = row.version + 1
        if position is not None:
            row.position = position
    nexts = s.info.get("next_position")
    if nexts is not None and f.review_id in nexts and row.position is not None:
        nexts[f.review_id] = max(nexts[f.review_id], row.position + 1)  # an explicit place moves the next one
    row.review_id = f.review_id
    for name in R.FINDING_TEXT[1:]:
        setattr(row, name, getattr(f, name))
    row.source_retracted = bool(f.source_retracted)
    with s.no_autoflush:
        row.concepts = _concept_rows(s, f.concepts)
        row.tags = _tags(s, f.tags) if f.tags else []
        row.studies = _study_rows(s, f)
    _apply_provenance(row, f.provenance, who)
    if f.locator is not None and f.locator.get("marked"):
        row.locator = dict(f.locator)  # a place a curator marked (derived ones are not stored)
    snapshot = dict(fields, _position=row.position)
    _record(s, "finding", f.id, old, snapshot, row.version)
    _outbox(s, "finding", f.id)
    if old is not None and old["review_id"] != f.review_id:
        _outbox(s, "review", old["review_id"], "refresh")  # the old review's facets lose this finding
    return True


def _study_rows(s: Session, f: E.Finding) -> list[M.Study]:
    if not f.studies:
        return []
    found = study_rows.rows(s, f.studies)
    if len(found) != len(set(f.studies)):
        unknown = sorted(set(f.studies) - {r.id for r in found})
        raise DataError(f"finding {f.id!r}: rests on unknown study {unknown[0]!r}")
    return found


def save_study(s: Session, study: E.Study) -> bool:
    return study_rows.upsert(s, study, _record)


def delete_study(s: Session, study_id: str) -> bool:
    return study_rows.delete(s, study_id, _record)


def _next_position(s: Session, f: E.Finding) -> int:
    """The place after a review's last finding; asked of the database once per review and session, then
    counted here (findings added earlier in the session are not flushed yet)."""
    nexts: dict[str, int] = s.info.setdefault("next_position", {})
    if f.review_id not in nexts:
        with s.no_autoflush:
            top = s.scalar(select(func.max(M.Finding.position)).where(M.Finding.review_id == f.review_id))
        pending = [o.position for o in (*s.new, *s.dirty) if isinstance(o, M.Finding)
                   and o.review_id == f.review_id and o.position is not None]
        nexts[f.review_id] = max([-1 if top is None else top] + pending) + 1
    position = nexts[f.review_id]
    nexts[f.review_id] = position + 1
    return position


def finding_snapshot(row: M.Finding) -> dict:
    """A finding row in the change log's field form, with its place among its review's findings."""
    return dict(R.finding_fields(finding_entity(row)), _position=row.position)


def delete_finding(s: Session, finding_id: str) -> bool:
    row = s.get(M.Finding, finding_id, options=FINDING_LOAD)
    if row is None:
        return False
    review_id = row.review_id
    _record(s, "finding", finding_id, finding_snapshot(row), None, row.version + 1)
    s.delete(row)
    _outbox(s, "finding", finding_id, "delete")
    _outbox(s, "review", review_id, "refresh")  # the review's facets are the union of its findings'
    return True


def delete_review(s: Session, review_id: str, expect_version: int | None = None,
                  expect_findings: set[str] | None = None) -> bool:
    """Delete a review and its findings (each recorded, so undo brings all of them back). ``expect_version``:
    see :func:`_expect`; ``expect_findings``: the findings the caller saw under it (a merge that moved them) —
    a finding added meanwhile fails the whole batch instead of being deleted unseen."""
    row = s.get(M.Review, review_id, options=REVIEW_LOAD)
    _expect(row, "review", review_id, expect_version)
    if row is None:
        return False
    added = set()
    if expect_findings is not None:  # asked of the database (autoflushed), not of a relationship loaded earlier
        added = set(s.scalars(select(M.Finding.id).where(M.Finding.review_id == review_id))) - expect_findings
    if added:
        raise ConflictError(f"review {review_id} gained {', '.join(sorted(added))} meanwhile: nothing was saved")
    for f in list(row.findings):
        delete_finding(s, f.id)
    s.flush()
    s.expire(row, ["findings"])
    _record(s, "review", review_id, R.review_fields(review_entity(row)), None, row.version + 1)
    s.delete(row)
    _outbox(s, "review", review_id, "delete")
    return True


def upsert_concept(s: Session, c: VConcept) -> bool:
    """Insert or update one vocabulary concept (its parents must exist). Returns False when nothing changed."""
    row = s.get(M.Concept, c.id, options=CONCEPT_LOAD)
    old = R.concept_fields(concept_entity(row)) if row is not None else None
    new = R.concept_fields(c)
    if old == new:
        return False
    if row is None:
        row = M.Concept(id=c.id, facet=c.facet, label=c.label, parent_id=c.parent)
        s.add(row)
    else:
        row.facet, row.label, row.parent_id = c.facet, c.label, c.parent
    if row.synonyms:  # old rows go first: (concept_id, position) is unique
        row.synonyms.clear()
        s.flush()
    row.synonyms = [M.Synonym(position=i, text=t) for i, t in enumerate(c.synonyms)]
    _set_parents(s, row, c.parents)
    s.flush()
    _record(s, "concept", c.id, old, new, 0)
    if old is not None:  # a new label or parent changes the documents of the records coded with it
        concept_users.queue_users(s, c.id, old, new)
    return True


def set_distinct(s: Session, a: str, b: str, who: str, value: bool = True) -> bool:
    """Remember (or forget) that reviews ``a`` and ``b`` are not duplicates; recorded like any change."""
    a, b = sorted((a, b))
    row = s.get(M.DistinctPair, (a, b))
    if (row is not None) == value:
        return False
    pair = {"a": a, "b": b}
    if value:
        s.add(M.DistinctPair(a_id=a, b_id=b, who=who))
        _record(s, "pair", f"{a}|{b}", None, pair, 0)
    else:
        s.delete(row)
        _record(s, "pair", f"{a}|{b}", pair, None, 0)
    return True


def distinct_pairs(db: Database) -> set[tuple[str, str]]:
    with db.session() as s:
        return {(a, b) for a, b in s.execute(select(M.DistinctPair.a_id, M.DistinctPair.b_id))}


CONCEPT_LOAD = (selectinload(M.Concept.synonyms), selectinload(M.Concept.parent_links))


def _set_parents(s: Session, row: M.Concept, parents: tuple[str, ...]) -> None:
    """The link rows in the order given (the first also in ``parent_id``); unchanged links are left alone."""
    if [p.parent_id for p in row.parent_links] == list(parents):
        return
    if row.parent_links:
        row.parent_links.clear()
        s.flush()
    row.parent_links = [M.ConceptParent(parent_id=p, position=i) for i, p in enumerate(parents)]


def concept_entity(row: M.Concept) -> VConcept:
    """A concept row (synonyms and parent links loaded: ``CONCEPT_LOAD``) as the vocabulary's plain concept."""
    parents = tuple(p.parent_id for p in row.parent_links)
    return VConcept(row.id, row.facet, row.label, tuple(x.text for x in row.synonyms), parents)


def delete_concept(s: Session, concept_id: str) -> bool:
    row = s.get(M.Concept, concept_id, options=CONCEPT_LOAD)
    if row is None:
        return False
    _record(s, "concept", concept_id, R.concept_fields(concept_entity(row)), None, 0)
    s.delete(row)
    return True


# ---------------------------------------------------------------------------- reads


def _prov(row) -> E.Provenance:
    return E.Provenance(row.created_at, row.created_by, row.updated_at, row.updated_by,
                        row.verification, row.verification_note)


def review_entity(row: M.Review) -> E.Review:
    """A review row (authors, tags and concepts loaded: ``REVIEW_LOAD``) as a plain entity."""
    return E.Review(
        id=row.id, title=row.title, authors=[E.Author(a.family, a.given) for a in row.authors],
        journal=row.journal, journal_abbrev=row.journal_abbrev, year=row.year, volume=row.volume,
        issue=row.issue, pages=row.pages, doi=row.doi, pmid=row.pmid, source_id=row.source_id, type=row.type,
        summary=row.summary, keywords=list(row.keywords or []), fulltext=row.fulltext, notes=row.notes,
        fulltext_file=row.fulltext_file or "",
        caution=row.caution, tags=[t.name for t in row.tags], verified_fields=list(row.verified_fields or []),
        reconstructed_fields=list(row.reconstructed_fields or []), provenance=_prov(row),
        mesh=list(row.mesh or []), aliases=list(row.aliases or []), concepts=_coded(row.concepts), concepts_suggested=bool(row.concepts_suggested),
        status=row.status or "", status_date=row.status_date or "", status_note=row.status_note or "",
        status_notice=row.status_notice or "", version=row.version or 0,
    )


def _coded(concepts) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in concepts:
        out.setdefault(c.facet, []).append(c.id)
    return out


def finding_entity(row: M.Finding) -> E.Finding:
    """A finding row (concepts and tags loaded: ``FINDING_LOAD``) as a plain entity."""
    concepts = _coded(row.concepts)
    return E.Finding(
        id=row.id, review_id=row.review_id, statement=row.statement, section=row.section,
        cited_ref=row.cited_ref, cited_author=row.cited_author, concepts=concepts, dose=row.dose,
        duration=row.duration, sample_size=row.sample_size, effect_size=row.effect_size, caution=row.caution,
        tags=[t.name for t in row.tags], source_retracted=bool(row.source_retracted), provenance=_prov(row),
        version=row.version or 0, locator=dict(row.locator) if row.locator else None,
        studies=[x.id for x in row.studies], study_terms=[study_rows.terms(x) for x in row.studies],
    )


# the eager loads review_entity and finding_entity need, for queries here and in changes.py
REVIEW_LOAD = (selectinload(M.Review.authors), selectinload(M.Review.tags), selectinload(M.Review.concepts))
FINDING_LOAD = (selectinload(M.Finding.concepts), selectinload(M.Finding.tags), selectinload(M.Finding.studies))


def get_review_summaries(db: Database, ids: Iterable[str] | None = None) -> list[E.Review]:
    """Every review (or those of ``ids``) with what labels and citations need (no summary, full text or tags),
    read with two plain queries instead of ORM objects: opening a library of 10,000 reviews took seconds the
    other way."""
    if ids is not None:
        ids = list(ids)
        return [r for part in range(0, len(ids), 500) for r in _review_summaries(db, ids[part:part + 500])]
    return _review_summaries(db, None)


def _review_summaries(db: Database, ids: list[str] | None) -> list[E.Review]:
    cols = (M.Review.id, M.Review.title, M.Review.journal, M.Review.journal_abbrev, M.Review.year,
            M.Review.volume, M.Review.issue, M.Review.pages, M.Review.doi, M.Review.pmid, M.Review.source_id,
            M.Review.type, M.Review.caution, M.Review.verification, M.Review.aliases, M.Review.status,
            M.Review.status_date, M.Review.status_note, M.Review.status_notice)
    with db.session() as s:
        authors: dict[str, list[E.Author]] = {}
        names = select(M.Author.review_id, M.Author.family, M.Author.given)
        rows = select(*cols)
        if ids is not None:
            names, rows = names.where(M.Author.review_id.in_(ids)), rows.where(M.Review.id.in_(ids))
        for rid, family, given in s.execute(names.order_by(M.Author.review_id, M.Author.position)):
            authors.setdefault(rid, []).append(E.Author(family, given))
        out = []
        for row in s.execute(rows.order_by(M.Review.id)):
            (rid, title, journal, abbrev, year, volume, issue, pages, doi, pmid, source_id, type_, caution,
             verification, aliases, status, status_date, status_note, status_notice) = row
            out.append(E.Review(id=rid, title=title, authors=authors.get(rid, []), journal=journal,
                                journal_abbrev=abbrev, year=year, volume=volume, issue=issue, pages=pages, doi=doi,
                                pmid=pmid, source_id=source_id, type=type_, caution=caution,
                                aliases=list(aliases or []), status=status or "",
                                status_date=status_date or "", status_note=status_note or "",
                                status_notice=status_notice or "",
                                provenance=E.Provenance(verification=verification)))
        return out


def review_label_rows(db: Database) -> list[tuple]:
    """(id, first author's family or None, year, journal abbreviation, journal) of every review, by id: what a
    review's label needs, in one query (a tenth of the time of :func:`get_review_summaries`)."""
    first = (select(M.Author.family).where(M.Author.review_id == M.Review.id).order_by(M.Author.position)
             .limit(1).scalar_subquery())
    with db.session() as s:
        return [tuple(r) for r in s.execute(select(M.Review.id, first, M.Review.year, M.Review.journal_abbrev,
                                                   M.Review.journal).order_by(M.Review.id))]


def get_review(db: Database, review_id: str) -> E.Review | None:
    with db.session() as s:
        row = s.get(M.Review, review_id, options=REVIEW_LOAD)
        return review_entity(row) if row else None


def get_finding(db: Database, finding_id: str) -> E.Finding | None:
    with db.session() as s:
        row = s.get(M.Finding, finding_id, options=FINDING_LOAD)
        return finding_entity(row) if row else None


def get_reviews(db: Database, ids: Iterable[str] | None = None) -> list[E.Review]:
    with db.session() as s:
        q = select(M.Review).options(*REVIEW_LOAD).order_by(M.Review.id)
        if ids is not None:
            q = q.where(M.Review.id.in_(list(ids)))
        return [review_entity(r) for r in s.scalars(q)]


def existing_ids(s: Session, model, ids: list[str]) -> set[str]:
    out: set[str] = set()
    for i in range(0, len(ids), 500):
        out.update(s.scalars(select(model.id).where(model.id.in_(ids[i:i + 500]))))
    return out


def tag_names(db: Database) -> list[str]:
    """Every tag carried by a review or a finding, sorted."""
    with db.session() as s:
        used = select(M.review_tag.c.tag_id).union(select(M.finding_tag.c.tag_id))
        return sorted(s.scalars(select(M.Tag.name).where(M.Tag.id.in_(used))), key=str.casefold)


def tagged_review_ids(db: Database, tag: str) -> list[str]:
    """The reviews carrying ``tag`` themselves or on one of their findings, by id."""
    with db.session() as s:
        tag_id = select(M.Tag.id).where(M.Tag.name == tag).scalar_subquery()
        own = select(M.review_tag.c.review_id).where(M.review_tag.c.tag_id == tag_id)
        via = select(M.Finding.review_id).join(M.finding_tag, M.finding_tag.c.finding_id == M.Finding.id) \
            .where(M.finding_tag.c.tag_id == tag_id)
        return sorted(set(s.scalars(own)) | set(s.scalars(via)))


def get_findings(db: Database, ids: Iterable[str] | None = None, review_id: str | None = None) -> list[E.Finding]:
    with db.session() as s:
        q = select(M.Finding).options(*FINDING_LOAD).order_by(M.Finding.review_id, M.Finding.position, M.Finding.id)
        if ids is not None:
            q = q.where(M.Finding.id.in_(list(ids)))
        if review_id is not None:
            q = q.where(M.Finding.review_id == review_id)
        return [finding_entity(r) for r in s.scalars(q)]


def finding_codes(db: Database) -> tuple[list[tuple[str, str, int | None]], list[tuple[str, str]]]:
    """Every finding's codes as plain columns, for counting without loading records: ``(finding id, review id,
    review year)`` per finding and ``(finding id, concept id)`` per code (the vocabulary knows each concept's
    facet). Two plain SELECTs through the driver: no ORM objects, no join on the concept table."""
    with db.session() as s:
        conn = s.connection()
        findings = [tuple(r) for r in conn.exec_driver_sql(
            "SELECT finding.id, finding.review_id, review.year FROM finding"
            " JOIN review ON review.id = finding.review_id")]
        codes = [tuple(r) for r in conn.exec_driver_sql("SELECT finding_id, concept_id FROM finding_concept")]
    return findings, codes


def iter_findings(db: Database, batch: int = 2000) -> Iterator[list[E.Finding]]:
    """All findings in batches (for a full rebuild), ordered by id for stable paging."""
    last = ""
    while True:
        with db.session() as s:
            rows = s.scalars(select(M.Finding).options(*FINDING_LOAD).where(M.Finding.id > last)
                             .order_by(M.Finding.id).limit(batch)).all()
            chunk = [finding_entity(r) for r in rows]
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


def sample_finding_ids(db: Database, n: int) -> list[str]:
    """Up to ``n`` finding ids chosen at random (for ``vkref check``'s comparison with the index)."""
    with db.session() as s:
        return list(s.scalars(select(M.Finding.id).order_by(func.random()).limit(n)))


def flagged_findings(db: Database) -> set[str]:
    """Ids of findings flagged as resting on a retracted primary study."""
    with db.session() as s:
        return set(s.scalars(select(M.Finding.id).where(M.Finding.source_retracted.is_(True))))
