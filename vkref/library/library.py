"""The ``Library`` facade: open a library directory, search it, keep its index in step with its database.

A library directory holds ``library.sqlite`` (the truth), ``index/`` (derived, rebuildable) and ``backups/``.
Opening a library migrates its database (after a backup), loads the bundled data into a new one, and checks the
index: a missing, corrupt, stale or wrong-version index is rebuilt from the database; pending changes in the
outbox are applied. While a background rebuild runs, searches still answer from an in-memory scan and say so.

This module owns opening and closing, the library's state (database, vocabulary, review labels, write lock,
index upkeep) and the composition: the facade's methods per job are the mixins of :mod:`vkref.library.facade`.
"""
from __future__ import annotations

import threading
import uuid
from pathlib import Path

import vkref
from vkref.core import logs, paths
from vkref.core.entities import Review
from vkref.core.vocabulary import Vocabulary
from vkref.library import documents as D, opening
from vkref.library import vocabulary_editing as vocab_edit
from vkref.library.facade import Progress  # noqa: F401  (the type of progress callbacks, named here too)
from vkref.library.facade.catalog import CatalogLinking
from vkref.library.facade.evidence import CorpusViews
from vkref.library.facade.exchange import Exchange
from vkref.library.facade.fulltext import FullTexts
from vkref.library.facade.indexing import IndexUpkeep
from vkref.library.facade.information import Information
from vkref.library.facade.records import Records
from vkref.library.facade.searching import Searching
from vkref.library.facade.studies import Studies
from vkref.library.facade.vocabulary import VocabularyEditing
from vkref.library.facade.writing import Writing
from vkref.library.indexing import Indexing
from vkref.library.reviews import Reviews, labels as review_labels
from vkref.library.searching import SORTS  # noqa: F401  (the search orders, named here too)
from vkref.search import SearchService
from vkref.store import Database, changes, repository as repo


class Library(IndexUpkeep, Searching, Records, Writing, VocabularyEditing, FullTexts, Exchange, CorpusViews,
              CatalogLinking, Information, Studies):
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
                                 lambda: self.refresh_reviews())
        if snapshot:
            self._reviews = Reviews(db, snapshot["reviews"])
            self._review_labels = D.review_label_map(snapshot["reviews"])
        else:
            self.refresh_reviews()

    # ------------------------------------------------------------------ opening and closing
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
        from vkref.io import bundled  # YAML: only when a library is created

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

    # ------------------------------------------------------------------ state
    def refresh_reviews(self) -> None:
        """Reviews as labels and citations need them, read on demand (:mod:`vkref.library.reviews`); a shared
        catalog's at once (they serve while its server is away)."""
        self._reviews = Reviews(self.db, eager=self.db.url.startswith("postgresql"))
        self._review_labels = review_labels(self.db)
        self.refresh_flags()

    def refresh_flags(self) -> None:
        """Read again which findings rest on a retracted study (their hits show it)."""
        self._flagged = repo.flagged_findings(self.db)
