"""The ``Library`` facade: open a library directory, search it, keep its index in step with its database.

A library directory holds ``library.sqlite`` (the truth), ``index/`` (derived, rebuildable) and ``backups/``.
Opening a library migrates its database (after a backup), loads the bundled data into a new one, and checks the
index: a missing, corrupt, stale or wrong-version index is rebuilt from the database; pending changes in the
outbox are applied. While a background rebuild runs, searches still answer from an in-memory scan and say so.
"""
from __future__ import annotations

import threading
import uuid
import time
from pathlib import Path
from typing import Callable, Iterable

import vkref
from vkref.core import logs, paths, validation
from vkref.core.entities import Finding, Review
from vkref.core.errors import CatalogOfflineError, LibraryError, QueryError
from vkref.core.status import status_of
from vkref.core.vocabulary import ALL_FACETS, CONCEPT_FACETS, Vocabulary
from vkref.io import bundled
from vkref.io.citation import vancouver
from vkref.library import (curation, documents as D, duplicates, exporting, findings, fulltext, importing,
                           opening, sharing)
from vkref.library import vocabulary_editing as vocab_edit, vocabulary_rules as vocab_rules
from vkref.library.broader import offers as broader_offers
from vkref.library.studies import result_count as study_count
from vkref.library.study_facade import Studies
from vkref.library.indexing import Indexing
from vkref.library.results import Hit, SearchPage
from vkref.search import SearchService
from vkref.store import Database, changes, passages as store_passages, repository as repo

Progress = Callable[[int, int], None]


SORTS = ("relevance", "evidence", "year", "year-asc")


class Library(Studies):
    """One open library. Thread-safe for searching; writes are serialised."""

    read_only = False  # opened from a read-only place or a full disk: searchable, writes refused
    read_only_reason = ""
    _run_file = None
    catalog = None  # the live link with a shared catalog (vkref.library.catalog.CatalogLink), when on one

    def __init__(self, directory: Path, db: Database, snapshot: dict | None = None):
        """``snapshot`` (a shared catalog opened while its server is away, see :mod:`vkref.library.catalog`):
        identity, vocabulary and reviews as this computer last read them, instead of reading the database."""
        self.path = directory
        self.db = db
        self.vocabulary: Vocabulary = snapshot["vocabulary"] if snapshot else repo.load_vocabulary(db)
        self.library_id = snapshot["library_id"] if snapshot else repo.library_uuid(db)
        self._reviews: dict[str, Review] = {}
        self._review_labels: dict[str, str] = {}
        self._flagged: set[str] = set()  # findings flagged as resting on a retracted study
        self._write_lock = threading.RLock()
        self.search_service = SearchService(directory / paths.INDEX_DIRNAME, self.library_id, self.vocabulary)
        self._vocabulary_watch = vocab_edit.VocabularyWatch()  # another process's vocabulary edits
        self.indexing = Indexing(directory, db, self.search_service, self.vocabulary, self._write_lock,
                                 lambda: self._refresh_reviews())
        if snapshot:
            self._reviews = {r.id: r for r in snapshot["reviews"]}
            self._review_labels = D.review_label_map(snapshot["reviews"])
        else:
            self._refresh_reviews()

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path | None = None, *, create: bool = True, bundled_data: Path | None = None,
             background_rebuild: bool = False, catalog: str | None = None) -> "Library":
        """Open (and on first use create) the library at ``path`` (see :mod:`vkref.core.paths` for defaults).

        ``background_rebuild``: if the index must be rebuilt, do it in a background thread and answer searches
        from a slower in-memory scan meanwhile (the GUI uses this); otherwise rebuild before returning.
        ``catalog``: a ``postgresql://`` URL; the shared catalog is then the database and ``path`` keeps this
        computer's index (see :mod:`vkref.library.catalog`).
        """
        directory = paths.library_dir(path)
        source = bundled_data or paths.bundled_data_dir()
        if catalog:
            from vkref.library import catalog as shared

            return shared.open_library(cls, directory, catalog, lambda s: cls._load_bundled(s, source),
                                       background_rebuild)
        with opening.open_lock(directory):  # a second process opening at once waits, then finds it all done
            opened = opening.open_database(directory, create, lambda s: cls._load_bundled(s, source))
            logs.setup(directory)
            try:
                lib = cls(directory, opened.db)
                lib.read_only, lib.read_only_reason = opened.read_only, opened.reason
                lib._run_file = opened.run_file
                if lib.read_only:
                    opening.read_only_index(lib)
                else:  # a new library's first index is built at once; a damaged one of a used one in background
                    lib.ensure_index(background=background_rebuild and not opened.created)
            except BaseException:
                opened.db.dispose()
                if opened.run_file:
                    opened.run_file.stop()
                raise
        return lib

    @staticmethod
    def must_build(path: str | Path | None = None) -> bool:
        """Whether opening ``path`` (as :meth:`open` resolves it) will first build a new library: no database is
        there yet (a GUI then shows that it is preparing the library)."""
        return not (paths.library_dir(path) / paths.DB_FILENAME).exists()

    @staticmethod
    def _load_bundled(s, directory: Path) -> None:
        """Fill a new library's database in the session of its creation (one transaction with the schema)."""
        data = bundled.load(directory)  # validates everything before anything is written
        with changes.batch_in(s, "bundled", f"bundled library {vkref.__version__}", "vkref bundled library") as w:
            w.write_vocabulary(data.vocabulary)
            for study in data.studies:
                w.save_study(study)
            for review in data.reviews:
                w.save_review(review)
            for position, finding in enumerate(data.findings):
                w.save_finding(finding, position=position, new=True)
            w.set_meta("bundled_data", vkref.__version__)
            w.set_meta("uuid", uuid.uuid4().hex)  # here, not later: two first runs must not both insert it

    @staticmethod
    def init_catalog(url: str, reader: str | None = None, curator: str | None = None,
                     bundled_data: Path | None = None) -> dict:
        """Create or upgrade a shared catalog (``vkref catalog init``), with reader/curator roles when named."""
        from vkref.library import catalog as shared

        source = bundled_data or paths.bundled_data_dir()
        return shared.init_catalog(url, reader, curator, lambda s: Library._load_bundled(s, source))

    @staticmethod
    def catalog_url_problem(url: str) -> str | None:
        """Why ``url`` cannot be kept as the catalog of a desktop (not postgresql://, or it holds a password);
        None when it can (an empty URL means this computer's own library)."""
        from vkref.library import catalog as shared

        return shared.url_problem(url)

    def on_catalog_event(self, callback: Callable[[str, object], None]) -> None:
        """``callback(event, detail)`` — "changed" (n applied), "offline" (reason), "online" — called from the
        catalog listener's thread. Nothing happens for a local library."""
        if self.catalog is not None:
            self.catalog.subscribe(callback)

    def catalog_status(self) -> dict | None:
        """None for a local library; else url, online, server_version, role, can_write, sequence, position, lag."""
        return self.catalog.describe() if self.catalog is not None else None

    def change_sequence(self) -> int:
        """The newest change of the database (the catalog's sequence number; a local library's outbox id)."""
        return repo.outbox_max_id(self.db)

    def catch_up_catalog(self) -> int:
        """Apply the catalog's changes not yet in this computer's index now (the listener does it by itself)."""
        return self.catalog.catch_up() if self.catalog is not None else self.sync_index()

    def prune_catalog(self, days: float | None = None) -> int:
        """Forget catalog changes older than ``days`` (default: the retention window) that live clients have."""
        if self.catalog is None:
            return 0
        return self.catalog.prune() if days is None else self.catalog.prune(days)

    def close(self) -> None:
        if self.catalog is not None:
            self.catalog.stop()
        self.indexing.close()
        self.db.dispose()
        if self._run_file is not None:
            self._run_file.stop()  # a clean shutdown: the next open need not check the database

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ index upkeep (vkref.library.indexing)
    @property
    def index_state(self) -> str:
        """"ready", "rebuilding", "failed: REASON" or "behind: REASON" (see :mod:`vkref.library.indexing`)."""
        return self.indexing.state

    @property
    def rebuild_progress(self) -> tuple[int, int]:
        return self.indexing.rebuild_progress

    def ensure_index(self, background: bool = False) -> str | None:
        """Check the index; rebuild it when unusable, else apply pending changes. Returns the problem found."""
        return self.indexing.ensure(background)

    def _catch_up(self) -> None:
        self.indexing.catch_up()

    def sync_index(self) -> int:
        """Apply outbox changes the index has not seen (index trouble is kept in ``index_state``, not raised)."""
        return self.indexing.sync()

    def _changes_to_docs(self, pending):
        return self.indexing.changes_to_docs(pending)

    def iter_documents(self, batch: int = 2000):
        return self.indexing.iter_documents(batch)

    def reindex(self, progress: Progress | None = None, procs: int = 1) -> int:
        """Rebuild the whole index from the database (into a temporary directory, then swapped in)."""
        return self.indexing.reindex(progress, procs)

    def _start_background_rebuild(self) -> None:
        self.indexing._start_background_rebuild()

    def wait_for_index(self, timeout: float | None = None) -> bool:
        return self.indexing.wait(timeout)

    # ------------------------------------------------------------------ searching
    def search(self, query: str = "", filters: dict[str, Iterable[str]] | None = None,
               exclude: dict[str, Iterable[str]] | None = None, kind: str | None = None,
               year_from: int | None = None, year_to: int | None = None, limit: int = 20, offset: int = 0,
               sort: str = "relevance", all_keys: bool = False, spell: bool = True, broader: bool = True
               ) -> SearchPage:
        """Search findings and reviews. See docs/CONTRACT.md for the semantics; raises QueryError on bad input.

        ``sort``: ``relevance`` (ties: strongest evidence first), ``evidence`` (strongest evidence first: human,
        animal, in vitro, then meta-analysis > RCT > controlled trial > observational > expert; ties by score),
        ``year`` or ``year-asc``. ``spell=False``: a query that finds nothing is not retried with a corrected
        spelling. Undated records are never inside a year range; ``undated_outside`` counts those left out.
        ``also_broader`` lists findings coded only with a broader concept than one the query names
        (:mod:`vkref.library.broader`; not when only partial matches were found); ``broader=False`` skips it."""
        start = time.perf_counter()
        validation.check_search_args(query, filters, exclude, kind, year_from, year_to, limit, offset, sort)
        if limit < 0 or offset < 0:
            raise QueryError("limit and offset must not be negative")
        if sort not in SORTS:
            raise QueryError(f"unknown sort {sort!r}: use {', '.join(SORTS)}")
        if year_from is not None and year_to is not None and year_from > year_to:
            raise QueryError(f"year range {year_from}-{year_to} is empty: the first year is after the last")
        self._vocabulary_watch.check(self)
        want = self._resolve(filters or {})
        if kind is not None:
            want.setdefault("kind", set()).update(self._resolve({"kind": [kind]})["kind"])
        avoid = self._resolve(exclude or {})
        raw, state, note = self.indexing.query(query or "", filters=want, exclude=avoid, year_from=year_from,
                                                year_to=year_to, limit=limit, offset=offset, sort=sort,
                                                all_keys=all_keys, spell=spell)
        hits = [self._hit(h, raw.plan) for h in raw.hits]
        facets = {f: {self.facet_label(f, v): n for v, n in sorted(raw.facets.get(f, {}).items(),
                                                                  key=lambda kv: (-kv[1], kv[0]))}
                  for f in ALL_FACETS}
        # newest year first, "No year" last
        facets["year"] = dict(sorted(facets["year"].items(), key=lambda kv: (kv[0] != D.NO_YEAR_LABEL, kv[0]),
                                     reverse=True))
        searched_as = raw.searched_as + note
        if raw.undated_outside:
            n = raw.undated_outside
            searched_as += f" ({n} undated record{'s are' if n != 1 else ' is'} outside the year range)"
        elapsed = round((time.perf_counter() - start) * 1000, 1)
        page = SearchPage(query or "", searched_as, raw.suggestion, raw.total, elapsed, hits, facets, raw.mode,
                          state, raw.keys, raw.undated_outside)
        if broader and query and kind != "review" and not raw.suggestion and raw.mode == "all":
            page.also_broader = broader_offers(self, query, raw.plan, filters, exclude, year_from, year_to)
        page.studies = study_count(self, raw, want.get("kind"))
        return page

    def _resolve(self, spec: dict[str, Iterable[str]]) -> dict[str, set[str]]:
        """Facet labels or synonyms (case-insensitive) -> index values; unknown ones are a QueryError."""
        out: dict[str, set[str]] = {}
        for facet, values in spec.items():
            if isinstance(values, str):
                values = [values]
            if facet not in ALL_FACETS:
                raise QueryError(f"unknown facet {facet!r}: use one of {', '.join(ALL_FACETS)}")
            for value in values:
                out.setdefault(facet, set()).add(self.resolve_value(facet, str(value)))
        return out

    def resolve_value(self, facet: str, value: str) -> str:
        """A facet value as typed (a label or synonym, any case; a review's id, label, title or DOI) -> the
        value the index holds. Unknown facets and values raise a one-line :class:`QueryError`."""
        v = value.strip()
        if facet not in ALL_FACETS:
            raise QueryError(f"unknown facet {facet!r}: use one of {', '.join(ALL_FACETS)}")
        if facet in CONCEPT_FACETS:
            return self.vocabulary.resolve(facet, v).id
        if facet == "kind":
            if v.lower() not in ("finding", "review", "passage"):
                raise QueryError(f"unknown kind {value!r}: use finding, review or passage")
            return v.lower()
        if facet == "year":
            if v.lower() in (D.NO_YEAR, D.NO_YEAR_LABEL.lower(), "n.d.", "undated"):
                return D.NO_YEAR
            if not v.isdigit():
                raise QueryError(f"year {value!r} is not a number (or \"No year\")")
            return str(int(v))
        for rid, label in self._review_labels.items():
            r = self._reviews[rid]
            if v.lower() in (rid.lower(), label.lower(), r.title.lower(), r.doi.lower(), r.source_id.lower()):
                return rid
        raise QueryError(f"unknown review {value!r}: give its id, label, title or DOI")

    def facet_label(self, facet: str, value: str) -> str:
        return D.facet_label(facet, value, self.vocabulary, self._review_labels)

    def _refresh_reviews(self) -> None:
        """Reviews as labels and citations need them (the full records are read on demand)."""
        reviews = repo.get_review_summaries(self.db)
        self._reviews = {r.id: r for r in reviews}
        self._review_labels = D.review_label_map(reviews)
        self._refresh_flags()

    def _refresh_flags(self) -> None:
        self._flagged = repo.flagged_findings(self.db)

    def _hit(self, raw, plan) -> Hit:
        """A page hit from what the index stored (no database look-up per hit)."""
        from vkref.search import highlights

        terms = plan.highlight_terms if plan else set()
        facets_of = CONCEPT_FACETS if raw.kind == "finding" else D.REVIEW_FACETS
        facets = {f: [self.vocabulary[c].label for c in raw.coded.get(f, []) if c in self.vocabulary]
                  for f in facets_of}
        review = self._reviews.get(raw.review_id or raw.id)
        status = status_of(review, raw.kind == "finding" and raw.id in self._flagged) if review else None
        return Hit(raw.kind, raw.id, raw.score, raw.title, raw.text, highlights(raw.text, terms) or
                   highlights(raw.title, terms), (review.source_id or None) if review else None,
                   self.review_ref(review) if review else {}, facets, status, self._direction_counts(raw.counts))

    def _direction_counts(self, counts: dict[str, int]) -> dict[str, int]:
        """Direction concept id -> n as labels, in the vocabulary's order of the direction facet."""
        order = {c.id: n for n, c in enumerate(self.vocabulary.in_facet("direction"))} if counts else {}
        return {self.vocabulary[c].label: n for c, n in sorted(counts.items(), key=lambda kv: order.get(kv[0], 99))
                if c in self.vocabulary}

    def review_ref(self, review: Review) -> dict:
        return {"id": review.id, "title": review.title, "authors": [a.display for a in review.authors],
                "journal": review.journal, "year": review.year, "doi": review.doi or None,
                "citation": vancouver(review)}

    # ------------------------------------------------------------------ records
    def get_finding(self, finding_id: str) -> Finding | None:
        """The finding (its ``locator`` is the place a curator marked, if any; :meth:`locate` resolves it)."""
        return repo.get_finding(self.db, finding_id)

    def get_review(self, review_id: str) -> Review | None:
        return repo.get_review(self.db, review_id)

    def findings_of(self, review_id: str) -> list[Finding]:
        return repo.get_findings(self.db, review_id=review_id)

    def reviews(self) -> list[Review]:
        """Every review, complete (summary, keywords, tags, full text included)."""
        return repo.get_reviews(self.db)

    def review_label(self, review_id: str) -> str:
        return self._review_labels.get(review_id, review_id)

    def citation(self, review_id: str) -> str:
        review = self._reviews.get(review_id) or self.get_review(review_id)
        return vancouver(review) if review else ""

    def highlight(self, text: str, query: str, whole: bool = True) -> str:
        """``text`` HTML-escaped with the query's terms in ``<mark>`` (for detail views)."""
        from html import escape

        from vkref.search import highlights

        try:
            terms = self.search_service.builder.plan(query).highlight_terms if query.strip() else set()
        except QueryError:
            terms = set()
        marked = highlights(text, terms, top=1, whole=whole) if terms else []
        return marked[0] if marked else escape(text, quote=False)

    # ------------------------------------------------------------------ writing (vkref.library.curation)
    def save_finding(self, finding: Finding, who: str = "user") -> int:
        """Insert or update one finding as one change batch. Returns the batch id (0: nothing changed)."""
        return curation.write(self, "edit", f"save finding {getattr(finding, 'id', '?')}", who, findings=[finding])

    def save_review(self, review: Review, who: str = "user") -> int:
        return curation.write(self, "edit", f"save review {getattr(review, 'id', '?')}", who, reviews=[review])

    def add_records(self, reviews: list[Review], findings: list[Finding], who: str = "import",
                    sync: bool = True, kind: str = "import", label: str = "") -> int:
        """Write many reviews and findings in one transaction and one change batch (all or nothing), then
        update the index. Returns the batch id."""
        label = label or f"{len(reviews)} reviews, {len(findings)} findings"
        return curation.write(self, kind, label, who, reviews=reviews, findings=findings, sync=sync)

    def delete_finding(self, finding_id: str, who: str = "user") -> bool:
        return bool(curation.write(self, "edit", f"delete finding {finding_id}", who, delete_findings=[finding_id]))

    def edit(self, record_id: str, assignments: dict[str, str], if_version: int | None = None,
             who: str = "user") -> dict:
        """Change fields of a review or finding (``vkref edit``); see :func:`vkref.library.curation.edit`."""
        return curation.edit(self, record_id, assignments, if_version, who)

    def undo(self, who: str = "user") -> dict | None:
        """Take back the newest change batch (an import, edit, merge...). None when there is nothing to undo."""
        return curation.undo(self, who)

    def redo(self, who: str = "user") -> dict | None:
        return curation.redo(self, who)

    def can_undo(self) -> str | None:
        return changes.can_undo(self.db)

    def can_redo(self) -> str | None:
        return changes.can_redo(self.db)

    def history(self, record_id: str) -> list[dict]:
        return curation.history(self, record_id)

    def batches(self, limit: int = 50) -> list[dict]:
        return [dict(b.__dict__) for b in changes.batches(self.db, limit)]

    # ------------------------------------------------------------------ record forms (vkref.library.findings)
    def status(self, record_id: str) -> dict | None:
        """The publication status a review or finding shows (:mod:`vkref.core.status`), or None."""
        return findings.status(self, record_id)

    def finding_problems(self, fields: dict) -> dict[str, str]:
        """What is wrong with a finding's form, field -> message (empty: it can be saved); nothing written."""
        return findings.problems(self, fields)

    def new_finding(self, review_id: str, fields: dict, who: str = "user") -> dict:
        """Create a finding of a review from form fields (concepts as names); returns id, batch, version."""
        return findings.new_finding(self, review_id, fields, who)

    def update_finding(self, finding_id: str, fields: dict, if_version: int | None = None, who="user") -> dict:
        return findings.update(self, finding_id, fields, if_version, who)

    def update_review(self, review_id: str, fields: dict, if_version: int | None = None, who="user") -> dict:
        return findings.update_review(self, review_id, fields, if_version, who)

    def new_review(self, fields: dict, who: str = "user") -> dict:
        return findings.new_review(self, fields, who)

    def duplicate_finding(self, finding_id: str, who: str = "user") -> dict:
        return findings.duplicate(self, finding_id, who)

    def trash_finding(self, finding_id: str, who: str = "user") -> dict:
        return findings.trash(self, finding_id, who)  # restore_finding brings it back, any time later

    def trash(self) -> list[dict]:
        return findings.trashed(self)

    def restore_finding(self, finding_id: str, who: str = "user") -> dict:
        return findings.restore(self, finding_id, who)

    def revert(self, change_id: int, who: str = "user") -> dict:
        """Take back one change listed by :meth:`history` (its ``change`` number) as a new batch."""
        return findings.revert(self, change_id, who)

    def reload_vocabulary(self) -> None:
        """Read the vocabulary again after a write changed it (facets, expansion, forms)."""
        self._vocabulary_watch.seen(self)
        self.vocabulary = repo.load_vocabulary(self.db)
        self.search_service.set_vocabulary(self.vocabulary)
        self.indexing.vocabulary = self.vocabulary

    # ------------------------------------------------------------------ vocabulary (library/vocabulary_editing.py)
    def concepts(self, facet: str | None = None) -> list:
        """Concepts of a facet (or all) in tree order, with usage counts (:class:`ConceptInfo`, ``to_dict()``)."""
        return vocab_edit.listing(self, facet)

    def find_concept(self, concept: str, facet: str | None = None):
        """The concept named by an id, label or synonym (``facet`` settles a shared name); DataError if none."""
        return vocab_rules.find(self.vocabulary, concept, facet)

    def concept_usage(self, concept: str, facet: str | None = None):
        """One concept (id, label or synonym) with how many findings and reviews are coded with it."""
        return vocab_edit.usage(self, concept, facet)

    def add_concept(self, facet: str, label: str, synonyms=(), parent: str | None = None,
                    concept_id: str | None = None, who: str = "user") -> dict:
        """Add a concept as one undoable batch; returns ``{"batch", "concept"}``."""
        return vocab_edit.add(self, facet, label, synonyms, parent, concept_id, who)

    def update_concept(self, concept: str, label: str | None = None, synonyms=None, parent=vocab_edit.UNSET,
                       who: str = "user") -> dict:
        """Change label, synonyms and/or parent (None: top level) of a concept in one batch."""
        return vocab_edit.update(self, concept, label, synonyms, parent, who=who)

    def rename_concept(self, concept: str, label: str, who: str = "user") -> dict:
        return vocab_edit.update(self, concept, label=label, who=who)

    def add_synonym(self, concept: str, synonym: str, who: str = "user") -> dict:
        return vocab_edit.add_synonym(self, concept, synonym, who=who)

    def remove_synonym(self, concept: str, synonym: str, who: str = "user") -> dict:
        return vocab_edit.remove_synonym(self, concept, synonym, who=who)

    def set_parent(self, concept: str, parent: str | None, who: str = "user") -> dict:
        """Move a concept under ``parent`` (None: top level); a cycle or another facet is refused."""
        return vocab_edit.update(self, concept, parent=parent, who=who)

    def merge_preview(self, keep: str, other: str) -> dict:
        """What :meth:`merge_concepts` would recode, without writing."""
        return vocab_edit.merge_preview(self, keep, other)

    def merge_concepts(self, keep: str, other: str, who: str = "user") -> dict:
        """Merge concept OTHER into KEEP: every record recoded, OTHER's names become KEEP's synonyms (one batch)."""
        return vocab_edit.merge(self, keep, other, who=who)

    def delete_concept(self, concept: str, who: str = "user") -> dict:
        """Remove a concept no record is coded with and no concept sits under."""
        return vocab_edit.delete(self, concept, who=who)

    # ------------------------------------------------------------------ full texts (vkref.library.fulltext)
    def attach_fulltext(self, review_id: str, path, who: str = "user") -> dict:
        """Attach a local full text (.txt or .pdf) to a review as one undoable batch (``vkref attach``);
        returns the report of ``vkref attach --json``. A file that is not usable raises DataError."""
        return fulltext.attach(self, review_id, path, who)

    def passages(self, review_id: str) -> list:
        """The review's full text as :class:`vkref.core.passages.Passage` objects, in reading order."""
        return store_passages.of_review(self.db, review_id)

    def locate(self, finding_id: str) -> dict | None:
        """Where in its review's full text a finding comes from (None without a full text)."""
        finding = self.get_finding(finding_id)
        return fulltext.locate(finding, self.passages(finding.review_id)) if finding else None

    def finding_source(self, finding_id: str) -> dict | None:
        """The finding's locator with its passage and the paragraphs around it (for detail views)."""
        return fulltext.source(self, finding_id)

    def extra_index_documents(self) -> int:
        """Index documents besides reviews and findings: the full-text passages (``vkref check`` counts them)."""
        return store_passages.count_documents(self.db)

    def attached_file(self, review_id: str):
        """The path of the review's attached file inside the library, if any."""
        review = self.get_review(review_id)
        return fulltext.file_path(self.path, review.fulltext_file) if review else None

    # ------------------------------------------------------------------ sharing (vkref.library.sharing)
    def export_bundle(self, target, query: str = "", filters=None, exclude=None, tag: str | None = None,
                      progress: Progress | None = None, cancel: Callable[[], bool] | None = None) -> dict:
        """The whole library, what the search selects, or one tag's reviews as one ``.vkref`` file; returns
        its manifest."""
        return sharing.export_bundle(self, target, query, filters, exclude, tag, progress, cancel)

    def import_bundle(self, path, prefer: str = "local", resolutions: dict | None = None, who: str = "bundle",
                      dry_run: bool = False, progress: Progress | None = None,
                      cancel: Callable[[], bool] | None = None, details: bool = False) -> dict:
        """Merge a ``.vkref`` bundle as one undoable batch; conflicts are listed in the report."""
        return sharing.import_bundle(self, path, prefer, resolutions, who, dry_run, progress, cancel, details)

    def tags(self) -> list[str]:
        """The tags in use on reviews and findings, sorted."""
        return sharing.tags(self)

    # ------------------------------------------------------------------ evidence views (vkref.library.evidence)
    def matrix(self, query: str = "", rows: str = "agent", cols: str = "outcome", filters=None, exclude=None,
               year_from: int | None = None, year_to: int | None = None):
        """The evidence matrix (rows × columns of facet values) over a search; ``to_dict()`` is its JSON."""
        from vkref.library import evidence

        return evidence.matrix(self, query, rows, cols, filters, exclude, year_from, year_to)

    def answer(self, query: str, filters=None, exclude=None, year_from: int | None = None,
               year_to: int | None = None):
        """The clinician's answer card for a question; ``to_dict()`` is the JSON of ``vkref answer``."""
        from vkref.library import evidence

        return evidence.answer(self, query, filters, exclude, year_from=year_from, year_to=year_to)

    # ------------------------------------------------------------------ duplicates (vkref.library.duplicates)
    def find_duplicates(self) -> list:
        """Likely duplicate reviews as :class:`Pair` objects (``to_dict()``: a, b, score, reason, exact)."""
        return duplicates.library_duplicates(self)

    def merge(self, keep_id: str, other_id: str, choose=(), who: str = "user") -> dict:
        """Merge OTHER into KEEP (fields, findings, aliases) as one undoable batch."""
        return duplicates.merge(self, keep_id, other_id, choose, who)

    def merge_exact_duplicates(self, who: str = "user") -> dict:
        return duplicates.merge_exact(self, who)

    def mark_distinct(self, a: str, b: str, who: str = "user") -> dict:
        """Remember that reviews ``a`` and ``b`` are not duplicates (never proposed again)."""
        return duplicates.distinct(self, a, b, who)

    def prisma_summary(self, pairs: list | None = None) -> dict:
        """Records identified per source file, duplicates removed, remaining (``vkref prisma --json``); give
        ``pairs`` when :meth:`find_duplicates` was just called (they are not looked for again)."""
        from vkref.library import prisma

        return prisma.summary(self, pairs)

    def prisma_text(self, summary: dict | None = None) -> str:
        """The summary as plain text to paste into a report."""
        from vkref.library import prisma

        return prisma.text(summary or prisma.summary(self))

    # ------------------------------------------------------------------ records in and out
    def import_files(self, files, fmt: str | None = None, mapping: dict[str, str] | None = None,
                     tag: str | None = None, strict: bool = False, dry_run: bool = False, who: str = "import",
                     progress=None, cancel=None):
        """Import bibliographic files as one change batch; returns an :class:`ImportReport` whose
        ``to_dict()`` is the JSON of ``vkref import --json``. See :mod:`vkref.library.importing`."""
        return importing.import_files(self, files, fmt, mapping, tag, strict, dry_run, who, progress, cancel)

    def export(self, fmt: str, query: str = "", filters=None, exclude=None, kind: str | None = None,
               ids=None, style: str = "vancouver") -> str:
        """Export everything, a search or given ids (see :mod:`vkref.library.exporting`)."""
        return exporting.export(self, fmt, query, filters, exclude, kind, ids, style)

    def cite(self, ids, style: str = "vancouver") -> list[str]:
        return exporting.cite(self, ids, style)

    # ------------------------------------------------------------------ information
    @staticmethod
    def backups_of(directory: str | Path | None = None) -> list[dict]:
        """The database backups of a library directory (which need not open), newest first."""
        from vkref.store.database import check_file, list_backups

        folder = paths.library_dir(directory) / paths.BACKUP_DIRNAME
        return [{"name": b.name, "bytes": b.stat().st_size, "sound": check_file(b) is None}
                for b in list_backups(folder)]

    @staticmethod
    def restore_backup(directory: str | Path | None, name: str) -> Path:
        """Put backup ``name`` in place of the library's database (see ``opening.restore_backup``)."""
        from vkref.library.opening import restore_backup

        return restore_backup(paths.library_dir(directory), name)

    def check(self, repair: bool = False) -> dict:
        """Integrity of the database, the index and the files (``vkref check``; see ``library/checking.py``)."""
        from vkref.library import checking

        return checking.check(self, repair=repair)

    def _counts(self) -> tuple[dict, str | None]:
        """Record counts and schema revision; a shared catalog whose server is away answers from what this
        computer holds (reviews, concepts; findings and pending changes unknown)."""
        try:
            return repo.counts(self.db), self.db.current_revision()
        except CatalogOfflineError:
            if self.catalog is None:
                raise
            return {"reviews": len(self._reviews), "findings": None, "concepts": len(self.vocabulary.concepts),
                    "pending_changes": None}, None

    def info(self) -> dict:
        from vkref.search import whoosh_version
        from vkref.store.database import head_revision

        counts, revision = self._counts()
        return {
            "library": str(self.path),
            "read_only": self.read_only,
            "read_only_reason": self.read_only_reason or None,
            "database": str(self.db.describe()),
            "schema_revision": revision,
            "schema_head": head_revision(),
            "reviews": counts["reviews"],
            "findings": counts["findings"],
            "concepts": counts["concepts"],
            "pending_changes": counts["pending_changes"],
            "index": self.indexing.describe(),
            "catalog": self.catalog_status(),
            "versions": {"vkref": vkref.__version__, "whoosh": whoosh_version(), **_versions()},
        }


def _versions() -> dict:
    import platform
    from importlib import metadata

    out = {"python": platform.python_version()}
    for dist in ("SQLAlchemy", "alembic", "PySide6-Essentials", "platformdirs", "PyYAML", "rapidfuzz"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out
