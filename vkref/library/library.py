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
from vkref.core import logs, paths
from vkref.core.entities import Finding, Review
from vkref.core.errors import LibraryError, QueryError
from vkref.core.vocabulary import ALL_FACETS, CONCEPT_FACETS, Vocabulary
from vkref.io import bundled
from vkref.io.citation import vancouver
from vkref.library import documents as D, opening
from vkref.library.results import Hit, SearchPage
from vkref.search import SearchService
from vkref.store import Database, repository as repo

Progress = Callable[[int, int], None]


class Library:
    """One open library. Thread-safe for searching; writes are serialised."""

    read_only = False  # opened from a read-only place or a full disk: searchable, writes refused
    read_only_reason = ""
    _run_file = None

    def __init__(self, directory: Path, db: Database):
        self.path = directory
        self.db = db
        self.vocabulary: Vocabulary = repo.load_vocabulary(db)
        self.library_id = repo.library_uuid(db)
        self._reviews: dict[str, Review] = {}
        self._review_labels: dict[str, str] = {}
        self._write_lock = threading.RLock()
        self._rebuild_thread: threading.Thread | None = None
        self.rebuild_progress: tuple[int, int] = (0, 0)
        self._applied = -1  # the outbox position the index is known to hold
        self.search_service = SearchService(directory / paths.INDEX_DIRNAME, self.library_id, self.vocabulary)
        self._refresh_reviews()

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path | None = None, *, create: bool = True, bundled_data: Path | None = None,
             background_rebuild: bool = False) -> "Library":
        """Open (and on first use create) the library at ``path`` (see :mod:`vkref.core.paths` for defaults).

        ``background_rebuild``: if the index must be rebuilt, do it in a background thread and answer searches
        from a slower in-memory scan meanwhile (the GUI uses this); otherwise rebuild before returning.
        """
        directory = paths.library_dir(path)
        source = bundled_data or paths.bundled_data_dir()
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
    def _load_bundled(s, directory: Path) -> None:
        """Fill a new library's database in the session of its creation (one transaction with the schema)."""
        data = bundled.load(directory)  # validates everything before anything is written
        repo.write_vocabulary(s, data.vocabulary)
        for review in data.reviews:
            repo.upsert_review(s, review, who="vkref bundled library")
        for position, finding in enumerate(data.findings):
            repo.upsert_finding(s, finding, position=position, who="vkref bundled library")
        repo.set_meta(s, "bundled_data", vkref.__version__)
        repo.set_meta(s, "uuid", uuid.uuid4().hex)  # here, not later: two first runs must not both insert it

    def close(self) -> None:
        if self._rebuild_thread is not None:
            self._rebuild_thread.join()
        self.search_service.close()
        self.db.dispose()
        if self._run_file is not None:
            self._run_file.stop()  # a clean shutdown: the next open need not check the database

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ index upkeep
    @property
    def index_state(self) -> str:
        return "rebuilding" if self._rebuild_thread is not None and self._rebuild_thread.is_alive() else "ready"

    def ensure_index(self, background: bool = False) -> str | None:
        """Check the index; rebuild it when unusable, else apply pending changes. Returns the problem found."""
        problem = self.search_service.index.problem()
        if problem is None and self.search_service.index.last_change() < repo.outbox_cleaned_through(self.db):
            problem = "stale (older than changes already cleaned from the outbox)"
        if problem is None:
            self.sync_index()
        elif background:
            self._start_background_rebuild()
        else:
            self.reindex()
        return problem

    def _catch_up(self) -> None:
        """Before a search: apply changes written since the index was last brought up to date (one cheap query
        when there are none; other processes writing the same library are seen too)."""
        if repo.outbox_max_id(self.db) > self._applied:
            self.sync_index()

    def sync_index(self) -> int:
        """Apply outbox changes the index has not seen; then forget them. Returns how many were applied."""
        with self._write_lock:
            index = self.search_service.index
            last = index.last_change()
            pending = repo.outbox_pending(self.db, last)
            applied = 0
            reviews_changed = False
            while pending:
                reviews_changed |= any(e == "review" and op != "refresh" for _, e, _, op in pending)
                upserts, deletes = self._changes_to_docs(pending)
                top = pending[-1][0]
                index.apply(top, upserts, deletes)  # the index commit records `top`
                repo.outbox_cleanup(self.db, top)  # a crash before this line is harmless: ids <= top are skipped
                applied += len(pending)
                pending = repo.outbox_pending(self.db, top)
            if repo.outbox_pending(self.db, -1):  # rows left behind by a crash after an index commit
                repo.outbox_cleanup(self.db, index.last_change())
            if reviews_changed:  # labels and citations; a finding's change does not touch them
                self._refresh_reviews()
            self._applied = index.last_change()
            return applied

    def _changes_to_docs(self, pending):
        finding_ids = {eid for _, entity, eid, _ in pending if entity == "finding"}
        # a review changed itself ("upsert"/"delete"): its findings carry its year and label, re-index them too
        review_ids = {eid for _, entity, eid, op in pending if entity == "review" and op != "refresh"}
        findings = {f.id: f for f in repo.get_findings(self.db, finding_ids)}
        # a review whose findings changed: only its own document (facets are the union of its findings')
        refresh = {eid for _, entity, eid, op in pending if entity == "review" and op == "refresh"}
        refresh |= {f.review_id for f in findings.values()}
        refresh -= review_ids
        reviews = {r.id: r for r in repo.get_reviews(self.db, review_ids | refresh)}
        upserts, deletes = [], []
        for fid in finding_ids:
            f = findings.get(fid)
            if f is None:
                deletes.append(f"finding:{fid}")
            else:
                upserts.append(D.finding_doc(f, reviews[f.review_id], self.vocabulary))
        for rid in review_ids:
            r = reviews.get(rid)
            if r is None:
                deletes.append(f"review:{rid}")
            else:
                upserts.append(D.review_doc(r, repo.get_findings(self.db, review_id=rid), self.vocabulary))
                # a review's year or label reaches its findings' facets
                for f in repo.get_findings(self.db, review_id=rid):
                    if f.id not in finding_ids:
                        upserts.append(D.finding_doc(f, r, self.vocabulary))
        for rid in refresh:
            if rid in reviews:
                upserts.append(D.review_doc(reviews[rid], repo.get_findings(self.db, review_id=rid), self.vocabulary))
        return upserts, deletes

    def iter_documents(self, batch: int = 2000):
        reviews = {r.id: r for r in repo.get_reviews(self.db)}
        by_review: dict[str, list[Finding]] = {}
        for chunk in repo.iter_findings(self.db, batch):
            docs = []
            for f in chunk:
                by_review.setdefault(f.review_id, []).append(f)
                docs.append(D.finding_doc(f, reviews[f.review_id], self.vocabulary))
            yield docs
        yield [D.review_doc(r, by_review.get(r.id, []), self.vocabulary) for r in reviews.values()]

    def reindex(self, progress: Progress | None = None, procs: int = 1) -> int:
        """Rebuild the whole index from the database (into a temporary directory, then swapped in)."""
        with self._write_lock:
            last = repo.outbox_max_id(self.db)  # read before the documents: later changes get re-applied
            total = sum(repo.counts(self.db)[k] for k in ("reviews", "findings"))

            def report(done, all_):
                self.rebuild_progress = (done, all_)
                if progress:
                    progress(done, all_)

            n = self.search_service.index.rebuild(self.iter_documents(), last, total, report, procs)
            repo.outbox_cleanup(self.db, last)
            self.sync_index()
            self.search_service.fallback = None
            return n

    def _start_background_rebuild(self) -> None:
        docs = [d for batch in self.iter_documents() for d in batch]
        self.search_service.use_fallback(docs)
        self._rebuild_thread = threading.Thread(target=self.reindex, name="vkref-reindex", daemon=True)
        self._rebuild_thread.start()

    def wait_for_index(self, timeout: float | None = None) -> bool:
        if self._rebuild_thread is not None:
            self._rebuild_thread.join(timeout)
        return self.index_state == "ready"

    # ------------------------------------------------------------------ searching
    def search(self, query: str = "", filters: dict[str, Iterable[str]] | None = None,
               exclude: dict[str, Iterable[str]] | None = None, kind: str | None = None,
               year_from: int | None = None, year_to: int | None = None, limit: int = 20, offset: int = 0,
               sort: str = "relevance", all_keys: bool = False) -> SearchPage:
        """Search findings and reviews. See PRODUCT.md for the semantics; raises QueryError on bad input."""
        start = time.perf_counter()
        if limit < 0 or offset < 0:
            raise QueryError("limit and offset must not be negative")
        if sort not in ("relevance", "year", "year-asc"):
            raise QueryError(f"unknown sort {sort!r}: use relevance, year or year-asc")
        if year_from is not None and year_to is not None and year_from > year_to:
            raise QueryError(f"year range {year_from}-{year_to} is empty: the first year is after the last")
        want = self._resolve(filters or {})
        if kind is not None:
            want.setdefault("kind", set()).update(self._resolve({"kind": [kind]})["kind"])
        avoid = self._resolve(exclude or {})
        if self.index_state == "ready" and self.search_service.fallback is None:
            self._catch_up()
        raw = self.search_service.search(query or "", filters=want, exclude=avoid, year_from=year_from,
                                         year_to=year_to, limit=limit, offset=offset, sort=sort,
                                         all_keys=all_keys)
        hits = [self._hit(h, raw.plan) for h in raw.hits]
        facets = {f: {self.facet_label(f, v): n for v, n in sorted(raw.facets.get(f, {}).items(),
                                                                  key=lambda kv: (-kv[1], kv[0]))}
                  for f in ALL_FACETS}
        facets["year"] = dict(sorted(facets["year"].items(), reverse=True))
        state = "rebuilding" if self.search_service.fallback is not None else "ready"
        searched_as = raw.searched_as + (" [the search index is being rebuilt: results come from a slower scan]"
                                         if state == "rebuilding" else "")
        elapsed = round((time.perf_counter() - start) * 1000, 1)
        return SearchPage(query or "", searched_as, raw.suggestion, raw.total, elapsed, hits, facets, raw.mode,
                          state, raw.keys)

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
            if v.lower() not in ("finding", "review"):
                raise QueryError(f"unknown kind {value!r}: use finding or review")
            return v.lower()
        if facet == "year":
            if not v.isdigit():
                raise QueryError(f"year {value!r} is not a number")
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

    def _hit(self, raw, plan) -> Hit:
        """A page hit from what the index stored (no database look-up per hit)."""
        from vkref.search import highlights

        terms = plan.highlight_terms if plan else set()
        facets_of = CONCEPT_FACETS if raw.kind == "finding" else D.REVIEW_FACETS
        facets = {f: [self.vocabulary[c].label for c in raw.coded.get(f, []) if c in self.vocabulary]
                  for f in facets_of}
        review = self._reviews.get(raw.review_id or raw.id)
        return Hit(raw.kind, raw.id, raw.score, raw.title, raw.text, highlights(raw.text, terms) or
                   highlights(raw.title, terms), (review.source_id or None) if review else None,
                   self.review_ref(review) if review else {}, facets)

    def review_ref(self, review: Review) -> dict:
        return {"id": review.id, "title": review.title, "authors": [a.display for a in review.authors],
                "journal": review.journal, "year": review.year, "doi": review.doi or None,
                "citation": vancouver(review)}

    # ------------------------------------------------------------------ records
    def get_finding(self, finding_id: str) -> Finding | None:
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

    def save_finding(self, finding: Finding, who: str = "user") -> None:
        """Insert or update one finding (and queue it for the index in the same transaction)."""
        for facet, ids in finding.concepts.items():
            for cid in ids:
                if cid not in self.vocabulary or self.vocabulary[cid].facet != facet:
                    raise QueryError(f"finding {finding.id!r}: {cid!r} is not a {facet} concept")
        with self._write_lock, self.db.session() as s:
            repo.upsert_finding(s, finding, who=who)

    def save_review(self, review: Review, who: str = "user") -> None:
        with self._write_lock, self.db.session() as s:
            repo.upsert_review(s, review, who=who)
        self._refresh_reviews()

    def add_records(self, reviews: list[Review], findings: list[Finding], who: str = "import",
                    sync: bool = True) -> None:
        """Write many reviews and findings in one transaction (all or nothing), then update the index."""
        for finding in findings:
            for facet, ids in finding.concepts.items():
                for cid in ids:
                    if cid not in self.vocabulary or self.vocabulary[cid].facet != facet:
                        raise QueryError(f"finding {finding.id!r}: {cid!r} is not a {facet} concept")
        with self._write_lock, self.db.session() as s:
            for review in reviews:
                repo.upsert_review(s, review, who=who)
            known = repo.existing_finding_ids(s, [f.id for f in findings])
            for position, finding in enumerate(findings):
                repo.upsert_finding(s, finding, position=position, who=who, new=finding.id not in known)
        self._refresh_reviews()
        if sync:
            self.sync_index()

    def delete_finding(self, finding_id: str) -> bool:
        with self._write_lock, self.db.session() as s:
            return repo.delete_finding(s, finding_id)

    # ------------------------------------------------------------------ information
    def info(self) -> dict:
        from vkref.search import whoosh_version
        from vkref.store.database import head_revision

        counts = repo.counts(self.db)
        index = self.search_service.index
        problem = None if self.index_state == "rebuilding" else index.problem()
        return {
            "library": str(self.path),
            "read_only": self.read_only,
            "read_only_reason": self.read_only_reason or None,
            "database": str(self.db.describe()),
            "schema_revision": self.db.current_revision(),
            "schema_head": head_revision(),
            "reviews": counts["reviews"],
            "findings": counts["findings"],
            "concepts": counts["concepts"],
            "pending_changes": counts["pending_changes"],
            "index": {
                "path": str(index.directory),
                "state": self.index_state if problem is None else problem,
                "documents": index.doc_count() if problem is None else 0,
                "last_change": index.last_change() if problem is None else None,
            },
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
