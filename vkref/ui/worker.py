"""The search worker: one QThread that runs ``Library.search`` off the GUI thread.

Requests carry a generation number. The worker skips a request when a newer one is already queued, and the
GUI ignores any answer whose generation is not the latest: a newer keystroke always supersedes an older result.
Nothing here touches a widget; results travel back through queued signals.
"""
from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QThread, Signal, Slot

from vkref.core.errors import VkrefError
from vkref.ui.render import render_key
from vkref.ui.rows import build_row

PREFETCH_ROWS = 80


@dataclass(frozen=True)
class SearchRequest:
    generation: int
    query: str = ""
    filters: dict = field(default_factory=dict)  # facet -> [labels]
    exclude: dict = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    prefer_key: str | None = None  # the record the detail pane shows if it is still a result
    dark: bool = False


@dataclass
class SearchResult:
    request: SearchRequest
    page: object  # vkref.library.results.SearchPage (limit 0: keys and facets only)
    rows: dict  # key -> Row for the first keys
    detail_key: str | None = None  # the record the GUI will show: prefer_key if still a result, else the first
    detail_html: str = ""


class _Runner(QObject):
    finished = Signal(object)  # SearchResult
    failed = Signal(int, str, bool)  # generation, message, known problem?

    def __init__(self, library, latest):
        super().__init__()
        self.library = library
        self._latest = latest

    @Slot(object)
    def run(self, request: SearchRequest) -> None:
        if request.generation < self._latest():
            return  # superseded while queued
        try:
            page = self.library.search(request.query, filters=request.filters, exclude=request.exclude,
                                       year_from=request.year_from, year_to=request.year_to, limit=0,
                                       sort=request.sort, all_keys=True)
            rows = {}
            for key in page.keys[:PREFETCH_ROWS]:
                if request.generation < self._latest():
                    return
                rows[key] = build_row(self.library, key)
            detail_key = request.prefer_key if request.prefer_key in page.keys else (page.keys or [None])[0]
            detail_html = render_key(self.library, detail_key, request.query, request.dark) if detail_key else ""
        except VkrefError as exc:
            self.failed.emit(request.generation, str(exc), True)
            return
        except Exception as exc:  # a bug: report it, keep the worker alive
            traceback.print_exc()
            self.failed.emit(request.generation, f"{exc.__class__.__name__}: {exc}", False)
            return
        self.finished.emit(SearchResult(request, page, rows, detail_key, detail_html))


class SearchWorker(QObject):
    """Owns the worker thread. ``submit`` from the GUI thread; listen to ``finished`` and ``failed``."""

    finished = Signal(object)
    failed = Signal(int, str, bool)
    _request = Signal(object)

    def __init__(self, library, parent=None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._generation = 0
        self._thread = QThread()
        self._thread.setObjectName("vkref-search")
        self._runner = _Runner(library, self.latest)
        self._runner.moveToThread(self._thread)
        self._request.connect(self._runner.run)
        self._runner.finished.connect(self._deliver)
        self._runner.failed.connect(self._fail)
        self._thread.start()

    def latest(self) -> int:
        with self._lock:
            return self._generation

    def next_generation(self) -> int:
        with self._lock:
            self._generation += 1
            return self._generation

    def submit(self, request: SearchRequest) -> None:
        self._request.emit(request)

    @Slot(object)
    def _deliver(self, result: SearchResult) -> None:
        if result.request.generation == self.latest():
            self.finished.emit(result)

    @Slot(int, str, bool)
    def _fail(self, generation: int, message: str, known: bool) -> None:
        if generation == self.latest():
            self.failed.emit(generation, message, known)

    def stop(self) -> None:
        """Finish the current search and join the thread (call before the library closes)."""
        if self._thread.isRunning():
            self.next_generation()  # anything still queued is now stale
            self._thread.quit()
            self._thread.wait()
