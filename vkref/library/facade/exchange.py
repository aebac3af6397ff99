"""Records in and out on the facade: bundles (``.vkref`` files), tags, bibliographic import, export and citations.

Bundles live in :mod:`vkref.library.sharing`, import in :mod:`vkref.library.importing`, export in
:mod:`vkref.library.exporting`.
"""
from __future__ import annotations

from typing import Callable

from vkref.library import exporting, importing, sharing
from vkref.library.facade import Progress


class Exchange:
    """Bundles, import and export (:mod:`vkref.library.sharing`, ``importing``, ``exporting``)."""

    def export_bundle(self, target, query: str = "", filters=None, exclude=None, tag: str | None = None,
                      progress: Progress | None = None, cancel: Callable[[], bool] | None = None) -> dict:
        """The whole library, what the search selects, or one tag's reviews as one ``.vkref`` file; returns
        its manifest."""
        return sharing.export_bundle(self, target, query, filters, exclude, tag, progress, cancel)

    def import_bundle(self, path, prefer: str = "local", resolutions: dict | None = None, who: str = "bundle",
                      dry_run: bool = False, progress: Progress | None = None,
                      cancel: Callable[[], bool] | None = None, details: bool = False) -> dict:
        """Merge a ``.vkref`` bundle as one undoable batch; conflicts are listed in the report."""
        return sharing.import_bundle(self, path, prefer, resolutions, who, dry_run, progress, cancel, details)

    def tags(self) -> list[str]:
        """The tags in use on reviews and findings, sorted."""
        return sharing.tags(self)

    def import_files(self, files, fmt: str | None = None, mapping: dict[str, str] | None = None,
                     tag: str | None = None, strict: bool = False, dry_run: bool = False, who: str = "import",
                     progress=None, cancel=None):
        """Import bibliographic files as one change batch; returns an :class:`ImportReport` whose
        ``to_dict()`` is the JSON of ``vkref import --json``. See :mod:`vkref.library.importing`."""
        return importing.import_files(self, files, fmt, mapping, tag, strict, dry_run, who, progress, cancel)

    def export(self, fmt: str, query: str = "", filters=None, exclude=None, kind: str | None = None,
               ids=None, style: str = "vancouver") -> str:
        """Export everything, a search or given ids (see :mod:`vkref.library.exporting`)."""
        return exporting.export(self, fmt, query, filters, exclude, kind, ids, style)

    def cite(self, ids, style: str = "vancouver") -> list[str]:
        return exporting.cite(self, ids, style)
