"""What ``vkref info`` reports about an open library: where it is, its schema, record counts, the index, the
shared catalog and the versions of vkref and its main libraries.

A shared catalog whose server is away is answered from what this computer holds (findings and pending changes
unknown).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import vkref
from vkref.core.errors import CatalogOfflineError
from vkref.store import repository as repo

if TYPE_CHECKING:
    from vkref.library.library import Library


def counts(lib: "Library") -> tuple[dict, str | None]:
    """Record counts and schema revision; a shared catalog whose server is away answers from what this
    computer holds (reviews, concepts; findings and pending changes unknown)."""
    try:
        return repo.counts(lib.db), lib.db.current_revision()
    except CatalogOfflineError:
        if lib.catalog is None:
            raise
        return {"reviews": len(lib._reviews), "findings": None, "concepts": len(lib.vocabulary.concepts),
                "studies": None, "pending_changes": None}, None


def info(lib: "Library") -> dict:
    """What ``vkref info`` shows (the JSON of ``vkref info --json``)."""
    from vkref.search import whoosh_version
    from vkref.store.database import head_revision

    numbers, revision = counts(lib)
    return {
        "library": str(lib.path),
        "read_only": lib.read_only,
        "read_only_reason": lib.read_only_reason or None,
        "database": str(lib.db.describe()),
        "schema_revision": revision,
        "schema_head": head_revision(),
        "reviews": numbers["reviews"],
        "findings": numbers["findings"],
        "concepts": numbers["concepts"],
        "studies": numbers["studies"],
        "pending_changes": numbers["pending_changes"],
        "index": lib.indexing.describe(),
        "catalog": lib.catalog_status(),
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
