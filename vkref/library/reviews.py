"""The reviews a library keeps at hand for labels, citations and statuses, read no sooner than needed.

Opening a library of 10,000 reviews used to read every review's summary (0.5 s) before the first search, which
needs only the review facet's labels and the reviews of one page of hits. Here:

- :func:`labels` reads what labels need in one query (an id, the first author's family, year and journal per
  review) and numbers repeated labels exactly as :func:`vkref.library.documents.review_label_map` does over
  the full summaries, so every label is the same either way.
- :class:`Reviews` is a read-only mapping, review id -> summary (:func:`vkref.store.repository.get_review_summaries`).
  Looking up ids reads those reviews only (:meth:`Reviews.prefetch` a page of them in one query); iterating,
  ``len`` or ``values()`` reads all of them once. A shared catalog's mapping is read whole at once, so its
  reviews stay at hand while the server is away, as before.
- Both are replaced, never patched, after a write that touches reviews (``Library._refresh_reviews``).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Iterable, Iterator

from vkref.core.entities import Review
from vkref.library import documents as D
from vkref.store import repository as repo


def labels(db) -> dict[str, str]:
    """Review id -> facet label, for every review of ``db``."""
    return D.review_label_map_of_rows(repo.review_label_rows(db))


class Reviews(Mapping):
    """Review id -> summary :class:`Review`, read on demand (module docstring)."""

    def __init__(self, db, summaries: Iterable[Review] | None = None, eager: bool = False):
        self._db = db
        self._all: dict[str, Review] | None = None
        self._some: dict[str, Review | None] = {}  # read one by one; None: no such review
        if summaries is not None:
            self._all = {r.id: r for r in summaries}
        elif eager:
            self._everything()

    def _everything(self) -> dict[str, Review]:
        if self._all is None:
            self._all = {r.id: r for r in repo.get_review_summaries(self._db)}
            self._some = {}
        return self._all

    def prefetch(self, ids: Iterable[str]) -> None:
        """Read the reviews of ``ids`` not yet at hand, in one query."""
        if self._all is not None:
            return
        missing = [i for i in dict.fromkeys(ids) if i and i not in self._some]
        if missing:
            found = {r.id: r for r in repo.get_review_summaries(self._db, missing)}
            for rid in missing:
                self._some[rid] = found.get(rid)

    def __getitem__(self, review_id: str) -> Review:
        if self._all is not None:
            return self._all[review_id]
        if review_id not in self._some:
            self.prefetch([review_id])
        review = self._some.get(review_id)
        if review is None:
            raise KeyError(review_id)
        return review

    def __iter__(self) -> Iterator[str]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())
