"""Index upkeep on the facade: the index's state, catching up with the outbox, full and background rebuilds.

Owns nothing but the names: every method delegates to :class:`vkref.library.indexing.Indexing` (``self.indexing``).
"""
from __future__ import annotations

from vkref.library.facade import Progress


class IndexUpkeep:
    """Keeping the index in step with the database (:mod:`vkref.library.indexing`)."""

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

    def wait_for_index(self, timeout: float | None = None) -> bool:
        return self.indexing.wait(timeout)
