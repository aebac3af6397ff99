"""Information about a library on the facade: ``vkref info``, ``vkref check``, and its database backups.

Checking lives in :mod:`vkref.library.checking`, backups in :mod:`vkref.library.opening` and the store.
"""
from __future__ import annotations

from pathlib import Path

import vkref
from vkref.core import paths
from vkref.core.errors import CatalogOfflineError
from vkref.store import repository as repo


class Information:
    """What a library holds and how sound it is (:mod:`vkref.library.checking`)."""

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
