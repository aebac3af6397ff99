"""The search worker: one QThread that runs ``Library.search`` off the GUI thread.

Requests carry a generation number. The worker skips a request when a newer one is already queued, and the
GUI ignores any answer whose generation is not the latest: a newer keystroke always supersedes an older result.
A request for a further page of the same search (``offset`` > 0) keeps its search's generation.
Nothing here touches a widget; results travel back through queued signals. A bug in a search (any exception
that is not a :class:`~vkref.core.errors.VkrefError`) is handed, on the GUI thread, to ``sys.excepthook``: the
application's one crash handler (``vkref.ui.app.install_crash_handler``), which writes the report.
"""
from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QThread, Signal, Slot

from vkref.core.errors import VkrefError
from vkref.ui.render import render_key
from vkref.ui.rows import row_from_hit

PAGE_ROWS = 200


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
    offset: int = 0  # > 0: a further page of rows of the same search (no keys, no detail)
    spell: bool = True  # False: no retry with a corrected spelling ("search instead for ...")


@dataclass
class SearchResult:
    request: SearchRequest
    page: object  # vkref.library.results.SearchPage (first page: every key, the first PAGE_ROWS hits)
    rows: list  # Row per hit of the page, in order
    detail_key: str | None = None  # the record the GUI will show: prefer_key if still a result, else the first
    detail_html: str = ""


class _Runner(QObject):
    finished = Signal(object)  # SearchResult
    failed = Signal(int, str, bool)  # generation, message, known problem?
    crashed = Signal(object)  # (type, value, traceback) of a bug

    def __init__(self, library, latest):
        super().__init__()
        self.library = library
        self._latest = latest

    @Slot(object)
    def run(self, request: SearchRequest) -> None:
        if request.generation < self._latest():
            return  # superseded while queued
        try:
            result = self._search(request)
        except VkrefError as exc:
            self.failed.emit(request.generation, str(exc), True)
            return
        except Exception as exc:  # a bug: hand it to the crash handler, keep the worker alive
            self.crashed.emit(sys.exc_info())
            self.failed.emit(request.generation, f"{exc.__class__.__name__}: {exc}", False)
            return
        self.finished.emit(result)

    def _search(self, request: SearchRequest) -> SearchResult:
        lib = self.library
        page = lib.search(request.query, filters=request.filters, exclude=request.exclude,
                          year_from=request.year_from, year_to=request.year_to, limit=PAGE_ROWS,
                          offset=request.offset, sort=request.sort, all_keys=request.offset == 0,
                          spell=request.spell, broader=request.offset == 0)
        rows = [row_from_hit(hit, lib.review_label) for hit in page.hits]
        if request.offset:
            return SearchResult(request, page, rows)
        detail_key = request.prefer_key if request.prefer_key in page.keys else (page.keys or [None])[0]
        detail_html = render_key(lib, detail_key, request.query, request.dark) if detail_key else ""
        return SearchResult(request, page, rows, detail_key, detail_html)


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
        self._runner.crashed.connect(self._crash)
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

    @Slot(object)
    def _crash(self, exc_info) -> None:
        sys.excepthook(*exc_info)  # on the GUI thread: the application's crash handler

    def stop(self) -> None:
        """Finish the current search and join the thread (call before the library closes)."""
        if self._thread.isRunning():
            self.next_generation()  # anything still queued is now stale
            self._thread.quit()
            self._thread.wait()
