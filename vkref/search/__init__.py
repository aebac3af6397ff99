"""Search: vkref's interface to Whoosh. The only package that imports Whoosh.

:class:`SearchService` is what the library facade uses: an on-disk :class:`~vkref.search.index.SearchIndex`,
a query builder bound to the vocabulary, and (while a rebuild runs) an in-memory fallback scan.
"""
from __future__ import annotations

from pathlib import Path

from vkref.core.vocabulary import Vocabulary
from vkref.search.engine import SearchEngine, highlights
from vkref.search.hits import RawResult
from vkref.search.index import SearchIndex
from vkref.search.query import QueryBuilder
from vkref.search.schema import IndexDoc

__all__ = ["SearchService", "IndexDoc", "RawResult", "highlights", "whoosh_version"]


def whoosh_version() -> str:
    import whoosh

    return ".".join(str(p) for p in whoosh.__version__)


class SearchService:
    def __init__(self, directory: Path, library_id: str, vocabulary: Vocabulary):
        self.index = SearchIndex(directory, library_id)
        self.builder = QueryBuilder(vocabulary)
        self.engine = SearchEngine(self.index, self.builder)
        self.fallback = None

    def use_fallback(self, docs: list[IndexDoc]) -> None:
        from vkref.search.fallback import FallbackEngine

        self.fallback = FallbackEngine(docs)

    def query(self, text: str, **kwargs) -> RawResult:
        """Plan and run ``text``: on the index (:meth:`SearchEngine.run`), or by the fallback scan while the index
        is being rebuilt (:meth:`FallbackEngine.scan`)."""
        fallback = self.fallback
        if fallback is not None:
            plan = self.builder.plan(text)
            kwargs.pop("spell", None)
            return fallback.scan(plan, kwargs["filters"], kwargs["exclude"], kwargs.get("year_from"),
                                 kwargs.get("year_to"), kwargs.get("limit", 20), kwargs.get("offset", 0),
                                 kwargs.get("sort", "relevance"), kwargs.get("all_keys", False))
        return self.engine.run(text, **kwargs)

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        """Expand queries with a changed vocabulary (new concepts from a bundle or an edit)."""
        self.builder = QueryBuilder(vocabulary)
        self.engine.builder = self.builder

    def close(self) -> None:
        self.index.close()
