"""The shared catalog on the facade: its events, status, change sequence, catching up and pruning.

A local library answers without a catalog (``self.catalog`` is None); the link lives in :mod:`vkref.library.catalog`.
"""
from __future__ import annotations

from typing import Callable

from vkref.store import repository as repo


class CatalogLinking:
    """The link with a shared catalog, when there is one (:mod:`vkref.library.catalog`)."""

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
