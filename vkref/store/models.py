"""Typed SQLAlchemy models. Nothing here is SQLite-only, so the same models run on PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class ProvenanceMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    verification: Mapped[str] = mapped_column(String(20), default="unverified")
    verification_note: Mapped[str] = mapped_column(Text, default="")


review_tag = Table(
    "review_tag",
    Base.metadata,
    Column("review_id", ForeignKey("review.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)

finding_tag = Table(
    "finding_tag",
    Base.metadata,
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)

finding_concept = Table(
    "finding_concept",
    Base.metadata,
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    Column("concept_id", ForeignKey("concept.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_finding_concept_concept", "concept_id"),
)


review_concept = Table(
    "review_concept",
    Base.metadata,
    Column("review_id", ForeignKey("review.id", ondelete="CASCADE"), primary_key=True),
    Column("concept_id", ForeignKey("concept.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_review_concept_concept", "concept_id"),
)

# the primary studies a finding rests on (a finding may rest on several, or on none)
finding_study = Table(
    "finding_study",
    Base.metadata,
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    Column("study_id", ForeignKey("study.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_finding_study_study", "study_id"),
)


class Tag(Base):
    __tablename__ = "tag"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Review(ProvenanceMixin, Base):
    __tablename__ = "review"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200), default="")
    type: Mapped[str] = mapped_column(String(40), default="journal-article")
    title: Mapped[str] = mapped_column(Text)
    journal: Mapped[str] = mapped_column(String(300), default="")
    journal_abbrev: Mapped[str] = mapped_column(String(120), default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    volume: Mapped[str] = mapped_column(String(40), default="")
    issue: Mapped[str] = mapped_column(String(40), default="")
    pages: Mapped[str] = mapped_column(String(40), default="")
    doi: Mapped[str] = mapped_column(String(200), default="", index=True)
    pmid: Mapped[str] = mapped_column(String(20), default="", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    fulltext: Mapped[str] = mapped_column(Text, default="")
    fulltext_file: Mapped[str] = mapped_column(String(120), default="")  # "<sha256>.<txt|pdf>" under files/
    notes: Mapped[str] = mapped_column(Text, default="")
    caution: Mapped[str] = mapped_column(Text, default="")
    verified_fields: Mapped[list] = mapped_column(JSON, default=list)
    reconstructed_fields: Mapped[list] = mapped_column(JSON, default=list)
    mesh: Mapped[list] = mapped_column(JSON, default=list)
    aliases: Mapped[list] = mapped_column(JSON, default=list)  # "doi:...", "pmid:...", "id:...", "source:..."
    concepts_suggested: Mapped[bool] = mapped_column(Boolean, default=False)
    # publication status (see vkref.core.status): "" | retracted | expression-of-concern | corrected
    status: Mapped[str] = mapped_column(String(40), default="", server_default="")
    status_date: Mapped[str] = mapped_column(String(20), default="", server_default="")
    status_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    status_notice: Mapped[str] = mapped_column(Text, default="", server_default="")
    # every change increases it; an UPDATE carries "AND version = <old>" (a lost race raises StaleDataError)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    authors: Mapped[list["Author"]] = relationship(
        back_populates="review", order_by="Author.position", cascade="all, delete-orphan"
    )
    findings: Mapped[list["Finding"]] = relationship(
        back_populates="review", order_by="Finding.position", cascade="all, delete-orphan"
    )
    tags: Mapped[list[Tag]] = relationship(secondary=review_tag, order_by="Tag.id")
    # ordered explicitly: PostgreSQL returns a many-to-many table's rows in no fixed order (SQLite's index
    # order was already this one), and a finding's title and every client's index must not depend on it
    concepts: Mapped[list["Concept"]] = relationship(secondary=review_concept, order_by="Concept.id")


class Author(Base):
    __tablename__ = "author"
    __table_args__ = (UniqueConstraint("review_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[str] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    family: Mapped[str] = mapped_column(String(200))
    given: Mapped[str] = mapped_column(String(200), default="")
    review: Mapped[Review] = relationship(back_populates="authors")


class Concept(Base):
    __tablename__ = "concept"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    facet: Mapped[str] = mapped_column(String(20), index=True)
    label: Mapped[str] = mapped_column(String(300))
    # the primary (first) parent, kept equal to the first row of ``parent_links`` (older readers read it)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("concept.id", ondelete="RESTRICT"), nullable=True)
    synonyms: Mapped[list["Synonym"]] = relationship(
        back_populates="concept", order_by="Synonym.position", cascade="all, delete-orphan"
    )
    parent_links: Mapped[list["ConceptParent"]] = relationship(
        foreign_keys="ConceptParent.concept_id", order_by="ConceptParent.position", cascade="all, delete-orphan"
    )


class ConceptParent(Base):
    """One broader concept of a concept (the vocabulary is a poly-hierarchy); ``position`` 0 is the primary."""

    __tablename__ = "concept_parent"
    concept_id: Mapped[str] = mapped_column(ForeignKey("concept.id", ondelete="CASCADE"), primary_key=True)
    parent_id: Mapped[str] = mapped_column(ForeignKey("concept.id", ondelete="RESTRICT"), primary_key=True,
                                           index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Synonym(Base):
    __tablename__ = "concept_synonym"
    __table_args__ = (UniqueConstraint("concept_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    concept_id: Mapped[str] = mapped_column(ForeignKey("concept.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(300))
    concept: Mapped[Concept] = relationship(back_populates="synonyms")


class Finding(ProvenanceMixin, Base):
    __tablename__ = "finding"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    review_id: Mapped[str] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    statement: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(String(300), default="")
    cited_ref: Mapped[str] = mapped_column(String(100), default="")
    cited_author: Mapped[str] = mapped_column(String(200), default="")
    dose: Mapped[str] = mapped_column(String(300), default="")
    duration: Mapped[str] = mapped_column(String(200), default="")
    sample_size: Mapped[str] = mapped_column(String(200), default="")
    effect_size: Mapped[str] = mapped_column(Text, default="")
    caution: Mapped[str] = mapped_column(Text, default="")
    # the finding rests on a primary study that was retracted (a flag set by a curator)
    source_retracted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # where in the review's full text the finding comes from, when a curator marked it (derived from the
    # full text otherwise; not a field of the record: no history, not exported)
    locator: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    review: Mapped[Review] = relationship(back_populates="findings")
    concepts: Mapped[list[Concept]] = relationship(secondary=finding_concept, order_by="Concept.id")
    tags: Mapped[list[Tag]] = relationship(secondary=finding_tag, order_by="Tag.id")
    studies: Mapped[list["Study"]] = relationship(secondary=finding_study, order_by="Study.id")


class Study(Base):
    """A primary study cited by one or more reviews (``vkref.core.entities.Study``)."""

    __tablename__ = "study"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    label: Mapped[str] = mapped_column(String(300))
    first_author: Mapped[str] = mapped_column(String(200), default="", index=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    design: Mapped[str] = mapped_column(Text, default="")
    population: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class Passage(Base):
    """A heading, paragraph or caption of a review's cleaned full text (``vkref.core.passages``): derived from
    ``review.fulltext`` and rewritten whenever it changes, in the same transaction."""

    __tablename__ = "passage"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)  # "<review id>/<position>"
    review_id: Mapped[str] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))  # heading | paragraph | caption
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class Outbox(Base):
    """Changes waiting to reach the search index, written in the same transaction as the data.

    ``id`` only ever grows (AUTOINCREMENT on SQLite, an identity on PostgreSQL), so "the last applied change"
    recorded in the index commit is a total order over changes.
    """

    __tablename__ = "outbox"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(20))  # "review" | "finding"
    entity_id: Mapped[str] = mapped_column(String(100))
    op: Mapped[str] = mapped_column(String(10))  # "upsert" | "delete"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ChangeBatch(Base):
    """One user-visible change: an import, an edit, a merge, an undo or redo of one. Undo takes a batch back whole.

    ``state`` is "done" or "undone"; ``target_id`` names the batch an undo or redo batch acted on.
    """

    __tablename__ = "change_batch"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # import | edit | merge | bundle | bundled | undo | redo | ...
    label: Mapped[str] = mapped_column(Text, default="")
    who: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    state: Mapped[str] = mapped_column(String(10), default="done")
    target_id: Mapped[int | None] = mapped_column(ForeignKey("change_batch.id"), nullable=True)


class Change(Base):
    """A field-level change of one record, written in the same transaction as the change itself.

    ``field`` is a field name of the JSON export, or ``*`` for a whole record created (old is null) or deleted
    (new is null); ``old`` and ``new`` are JSON texts.
    """

    __tablename__ = "change"
    __table_args__ = (Index("ix_change_entity", "entity", "entity_id"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("change_batch.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(20))  # review | finding | concept
    entity_id: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(60))
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)  # the record's version after this change


class DistinctPair(Base):
    """Two reviews a curator declared not to be duplicates (ids ordered: ``a_id < b_id``)."""

    __tablename__ = "distinct_pair"
    a_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    b_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    who: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Meta(Base):
    """Library-wide settings: its identity (uuid), the outbox position cleaned through, data version."""

    __tablename__ = "library_meta"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class CatalogClient(Base):
    """A computer whose search index follows a shared catalog: how far its index has read the change log
    (``position``, an outbox id) and when it was last seen. Pruning the log spares what live clients need."""

    __tablename__ = "catalog_client"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # host:library directory
    position: Mapped[int] = mapped_column(Integer, default=0)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
