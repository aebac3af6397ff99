"""Bringing records in: bibliographic files -> reviews, in one change batch.

The flow of :func:`import_files`:

1. every file is parsed first (:mod:`vkref.io.importers`, format detected from content); a file that cannot be
   read at all stops the whole import before anything is written (:class:`DataError` naming the file);
2. each usable record is matched against the library and the records before it: the same DOI or PMID (also one
   a review keeps as an alias from an earlier merge), or the same normalised title, year (±1) and first author
   with nothing that vetoes it (another DOI/PMID, first page or kind of publication), is a *duplicate* — not
   created twice; what it adds (an abstract, a DOI, MeSH headings, keywords...) is merged into the review already
   there and recorded in history. A record that only *may* be a duplicate (the fuzzy comparison of
   :mod:`vkref.library.duplicates`) is imported and listed in its file's ``candidates`` for a decision;
3. new reviews get a stable id, the import's tag, and suggested codes (:mod:`vkref.library.coding`);
4. everything is written in ONE transaction and one change batch (undo takes the import back whole; a kill
   leaves none of it), then the index catches up: record by record, or for an import large beside the library
   by one full rebuild (:meth:`vkref.library.indexing.Indexing.after_bulk_write`).
   The import's counts per file are kept in the library's meta table under ``import-report:BATCH`` (the
   PRISMA-style summary of :mod:`vkref.library.prisma` reads them; an undone import no longer counts).

``dry_run`` stops after step 3 and returns the same report (the GUI's preview); ``strict`` refuses a file with
any unusable record. ``cancel`` (a callable) is checked between records: a cancelled import writes nothing.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from vkref.core import logs
from vkref.core.entities import Review
from vkref.core import validation
from vkref.core.errors import DataError, VkrefError
from vkref.core.text import fold
from vkref.library import coding
from vkref.store import changes

if TYPE_CHECKING:
    from vkref.library.library import Library

log = logs.get("import")
MERGE_TEXT = ("journal", "journal_abbrev", "volume", "issue", "pages", "doi", "pmid", "summary", "source_id")
MERGE_LISTS = ("keywords", "mesh")
IMPORT_RECORD = "import-report:"  # library meta key + batch id: the counts of one import (the PRISMA summary)
_MARKUP = re.compile(r"<[^>]+>|\\[a-zA-Z]+|[{}]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


class ImportCancelled(VkrefError):
    """The user cancelled an import; nothing was written."""


@dataclass
class FileReport:
    path: str
    format: str
    records: int = 0
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)  # imported records that may be duplicates: to decide
    preview: list[dict] = field(default_factory=list)  # not in the JSON: the first records, for the GUI

    def counts(self) -> dict:
        return {"path": self.path, "format": self.format, "records": self.records, "imported": self.imported,
                "duplicates": self.duplicates, "skipped": self.skipped}

    def to_dict(self) -> dict:
        return {**self.counts(), "errors": self.errors, "candidates": self.candidates}


@dataclass
class ImportReport:
    batch: int | None
    files: list[FileReport]
    dry_run: bool = False
    review_ids: list[str] = field(default_factory=list)  # not in the JSON: the reviews created

    @property
    def imported(self) -> int:
        return sum(f.imported for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)

    @property
    def candidates(self) -> int:
        return sum(len(f.candidates) for f in self.files)

    def to_dict(self) -> dict:
        return {"batch": self.batch, "files": [f.to_dict() for f in self.files], "imported": self.imported,
                "duplicates": self.duplicates, "skipped": self.skipped, "candidates": self.candidates}


# ---------------------------------------------------------------------------- matching


def norm_title(title: str) -> str:
    """Title key for matching: folded case, diacritics, markup and punctuation; dashes and spaces collapsed."""
    text = _MARKUP.sub(" ", title or "")
    if text.isascii():  # the common case, ten times faster: folding plain ASCII is lower-casing
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", fold(text))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text).split())


class Matcher:
    """Known reviews by DOI, PMID and (title, year); records of this import are added as they are accepted."""

    def __init__(self, reviews: Iterable[Review]):
        self.by_doi: dict[str, str] = {}
        self.by_pmid: dict[str, str] = {}
        self.by_title: dict[str, list[tuple[int | None, str]]] = {}
        self.known: dict[str, Review] = {}
        for r in reviews:
            self.add(r)

    def add(self, r: Review) -> None:
        self.known[r.id] = r
        for alias in r.aliases:  # identifiers of reviews merged into this one
            kind, _, value = alias.partition(":")
            if kind == "doi":
                self.by_doi.setdefault(value, r.id)
            elif kind == "pmid":
                self.by_pmid.setdefault(value, r.id)
        if r.doi:
            self.by_doi.setdefault(r.doi.lower(), r.id)
        if r.pmid:
            self.by_pmid.setdefault(r.pmid, r.id)
        key = norm_title(r.title)
        if key:
            self.by_title.setdefault(key, []).append((r.year, r.id))

    def match(self, r: Review) -> str | None:
        if r.doi and r.doi.lower() in self.by_doi:
            return self.by_doi[r.doi.lower()]
        if r.pmid and r.pmid in self.by_pmid:
            return self.by_pmid[r.pmid]
        for year, rid in self.by_title.get(norm_title(r.title), ()):
            if year is None or r.year is None or abs(year - r.year) <= 1:
                if self._same_record(self.known[rid], r):
                    return rid
        return None

    @staticmethod
    def _same_record(old: Review, r: Review) -> bool:
        """A title match merges only without a doubt: no different DOI, PMID, first page or kind of publication
        (an erratum of the same title, a companion paper) and the same first author's family name."""
        from vkref.library.duplicates import vetoed

        if old.authors and r.authors and norm_title(old.authors[0].family) != norm_title(r.authors[0].family):
            return False
        return not vetoed(old, r)


def new_id(r: Review, taken: set[str]) -> str:
    """A stable, readable id: ``family-year-hash`` (hash of DOI, PMID or title)."""
    family = norm_title(r.authors[0].family).replace(" ", "")[:20] if r.authors else "anon"
    basis = r.doi.lower() or r.pmid or norm_title(r.title) + str(r.year)
    digest = hashlib.sha1(basis.encode("utf-8")).hexdigest()
    rid = f"{family or 'anon'}-{r.year or 'nd'}-{digest[:6]}"
    n = 6
    while rid in taken:
        n += 1
        rid = f"{family or 'anon'}-{r.year or 'nd'}-{digest[:n]}"
    return rid


def merged(old: Review, new: Review) -> Review:
    """``old`` with the fields it lacks taken from ``new`` (nothing it has is overwritten); ``new``'s own record
    id (``source_id``) becomes an alias when ``old`` has another."""
    out = replace(old, aliases=list(old.aliases), authors=list(old.authors), keywords=list(old.keywords),
                  mesh=list(old.mesh), tags=list(old.tags), concepts={k: list(v) for k, v in old.concepts.items()})
    for name in MERGE_TEXT:
        if not getattr(out, name) and getattr(new, name):
            setattr(out, name, getattr(new, name))
    for name in MERGE_LISTS:
        setattr(out, name, list(dict.fromkeys(getattr(old, name) + getattr(new, name))))
    if out.year is None:
        out.year = new.year
    if not out.authors:
        out.authors = list(new.authors)
    out.tags = list(dict.fromkeys(old.tags + new.tags))
    if new.source_id and new.source_id != out.source_id:  # the other database's record id, kept as an alias
        out.aliases = list(dict.fromkeys(old.aliases + [f"source:{new.source_id}"]))
    return out


# ---------------------------------------------------------------------------- the import


def import_files(lib: "Library", files: Iterable[str | Path], fmt: str | None = None,
                 mapping: dict[str, str] | None = None, tag: str | None = None, strict: bool = False,
                 dry_run: bool = False, who: str = "import", progress: Callable[[int, int], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> ImportReport:
    files = [Path(p) for p in files]
    native = [p for p in files if fmt in (None, "json") and _is_library_json(p)]
    if native:
        return _import_library_json(lib, files, native, dry_run, who)
    from vkref.io import importers

    parsed = [importers.read_file(p, fmt, mapping) for p in files]  # any unreadable file: nothing written
    if strict:
        for pf in parsed:
            if pf.errors:
                e = pf.errors[0]
                raise DataError(f"{Path(pf.path).name}: record {e.record}"
                                f"{f' (line {e.line})' if e.line else ''}: {e.reason}; --strict: nothing imported")
    plan = _plan(lib, parsed, tag, progress, cancel)
    if dry_run:
        return ImportReport(None, plan.reports, dry_run=True, review_ids=[r.id for r in plan.new])
    batch = _write(lib, plan, who, cancel)
    return ImportReport(batch or None, plan.reports, review_ids=[r.id for r in plan.new])


def _is_library_json(path: Path) -> bool:
    """A vkref library JSON export (``vkref export --format json``): it round-trips findings and coding."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and b'"vkref-library"' in head


def _import_library_json(lib: "Library", files: list[Path], native: list[Path], dry_run: bool, who: str):
    from vkref.io import vkjson
    from vkref.library import sharing

    if len(files) != 1:
        raise DataError(f"{native[0].name}: a vkref library JSON file is imported on its own (one batch)")
    path = files[0]
    try:
        data = vkjson.load(path.read_bytes(), source=path.name)
    except OSError as exc:
        raise DataError(f"{path.name}: cannot read ({exc.strerror})") from None
    merged = sharing.merge_data(lib, data, who=who, label=f"{path.name} (vkref library JSON)", dry_run=dry_run)
    r = merged["reviews"]
    rep = FileReport(path.name, "json", records=len(data.reviews), imported=r["added"],
                     duplicates=r["unchanged"] + r["conflicts"])
    return ImportReport(merged["batch"], [rep], dry_run=dry_run)


@dataclass
class _Plan:
    reports: list[FileReport]
    new: list[Review]
    updates: dict[str, Review]


def _plan(lib: "Library", parsed, tag, progress, cancel) -> _Plan:
    existing = {r.id: r for r in lib._reviews.values()}
    matcher = Matcher(existing.values())
    taken = set(existing)
    new: dict[str, Review] = {}
    updates: dict[str, Review] = {}
    total = sum(len(pf.records) for pf in parsed)
    done = 0
    mapping = coding.mesh_map()
    reports = []
    origin: dict[str, tuple[int, int]] = {}  # new review id -> (file number, record number)
    for pf in parsed:
        rep = FileReport(Path(pf.path).name, pf.format, records=len(pf.records) + len(pf.errors),
                         skipped=len(pf.errors), errors=[_error(e) for e in pf.errors])
        for rec in pf.records:
            if cancel and cancel():
                raise ImportCancelled("import cancelled: nothing was imported")
            r = rec.review
            if tag:
                r.tags = list(dict.fromkeys(r.tags + [tag]))
            if _unusable(rep, rec, r):
                done += 1
                continue
            hit = _place(lib, r, matcher, taken, new, updates, mapping)
            if hit is None:
                origin[r.id] = (len(reports), rec.number)
                rep.imported += 1
            else:
                rep.duplicates += 1
            if len(rep.preview) < 20:
                rep.preview.append(_preview(rec, r, hit))
            done += 1
            if progress and done % 200 == 0:
                progress(done, total)
        reports.append(rep)
    if progress:
        progress(total, total)
    plan = _Plan(reports, list(new.values()), updates)
    _list_candidates(lib, plan, origin)
    return plan


def _unusable(rep: FileReport, rec, r: Review) -> bool:
    """A record that cannot be stored is skipped with its reason, like one the parser could not use."""
    why = validation.record_problem(replace(r, id="x"))  # its id is given later
    if why:
        rep.skipped += 1
        rep.errors.append({"record": rec.number, "line": rec.line, "reason": why})
    return bool(why)


def _place(lib: "Library", r: Review, matcher: Matcher, taken: set[str], new: dict[str, Review],
           updates: dict[str, Review], mapping) -> str | None:
    """A new review (None: ``r`` gets its id and suggested codes), or the id of the review it duplicates (what
    it adds is merged into that review, in ``new`` or ``updates``)."""
    hit = matcher.match(r)
    if hit is None:
        r.id = new_id(r, taken)
        taken.add(r.id)
        r.concepts = coding.suggest(r, lib.vocabulary, mapping)
        r.concepts_suggested = bool(r.concepts)
        new[r.id] = r
        matcher.add(r)
        return None
    base = new.get(hit) or updates.get(hit) or lib.get_review(hit)
    (new if hit in new else updates)[hit] = merged(base, r)
    return hit


def _list_candidates(lib: "Library", plan: _Plan, origin: dict[str, tuple[int, int]]) -> None:
    """Each new record that may duplicate another review (fuzzy, never merged silently) goes in its file's
    ``candidates``: the later record of a pair is the one listed."""
    from vkref.library import duplicates

    for p in duplicates.import_candidates(lib, plan.new, plan.updates):
        later, earlier = sorted((p.a, p.b), key=lambda rid: origin.get(rid, (-1, -1)), reverse=True)
        file_no, record = origin[later]
        plan.reports[file_no].candidates.append({"record": record, "id": later, "duplicate_of": earlier,
                                                 "score": round(p.score, 1), "reason": ", ".join(p.reasons)})
    for rep in plan.reports:
        rep.candidates.sort(key=lambda c: (c["record"], -c["score"]))
        maybe = {c["record"]: c["duplicate_of"] for c in rep.candidates}
        for row in rep.preview:
            row["candidate_of"] = maybe.get(row["record"]) if not row["duplicate_of"] else None


def _error(e) -> dict:
    return {"record": e.record, "line": e.line, "reason": e.reason}


def _preview(rec, r: Review, duplicate_of: str | None) -> dict:
    return {"record": rec.number, "title": r.title, "authors": [a.display for a in r.authors[:3]],
            "year": r.year, "journal": r.journal_abbrev or r.journal, "doi": r.doi, "pmid": r.pmid,
            "duplicate_of": duplicate_of}


def _write(lib: "Library", plan: _Plan, who: str, cancel) -> int:
    label = ", ".join(f"{f.path} ({f.imported} new, {f.duplicates} duplicates)" for f in plan.reports)
    if plan.new or plan.updates:
        lib.db.backup("import")  # a rotating copy before every import batch (undo is the first way back)
    with lib._write_lock, changes.unit_of_work(lib.db, "import", label, who) as w:
        for i in range(0, len(plan.new), 500):
            if cancel and cancel():
                raise ImportCancelled("import cancelled: nothing was imported")
            w.insert_new_reviews(plan.new[i:i + 500])
        for r in plan.updates.values():
            w.save_review(r)
        batch = w.batch_id
        w.set_meta(f"{IMPORT_RECORD}{batch}", json.dumps(
            {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "who": who,
             "files": [{**f.counts(), "candidates": len(f.candidates)} for f in plan.reports]}))
    log.info("import batch %s: %s", batch, label)
    from vkref.library import curation

    # a large import is indexed by one full rebuild rather than record by record (Indexing.after_bulk_write)
    rebuilt = lib.indexing.after_bulk_write(len(plan.new))
    curation.after_write(lib, sync=not rebuilt)
    return batch if changes.batch_exists(lib.db, batch) else 0
