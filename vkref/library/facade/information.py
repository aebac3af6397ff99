"""Information about a library on the facade: ``vkref info``, ``vkref check``, and its database backups.

Checking lives in :mod:`vkref.library.checking`, the information in :mod:`vkref.library.information`, backups
in :mod:`vkref.library.opening` and the store.
"""
from __future__ import annotations

from pathlib import Path

from vkref.core import paths
from vkref.library import information


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
        """Record counts and schema revision (see :func:`vkref.library.information.counts`)."""
        return information.counts(self)

    def info(self) -> dict:
        """What ``vkref info`` shows: the library, its schema, counts, index, catalog and versions."""
        return information.info(self)
