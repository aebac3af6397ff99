"""The PRISMA-style count of the library's records: identified per source file, duplicates removed, remaining.

Derived from what the library keeps, not from a second ledger that could drift:

- every bibliographic import records its per-file counts in the library meta table under
  ``import-report:BATCH`` in the import's own transaction (:mod:`vkref.library.importing`); an import whose batch
  was undone no longer counts, and counts again when it is redone;
- duplicates removed afterwards are the reviews an import created and a merge batch that is done deleted (the
  change log);
- pairs still to decide are the library's current likely duplicates; decided "not a duplicate" pairs are the
  remembered distinct pairs.

``identified`` counts every record read from the files (the same study from two databases counts twice, as in a
PRISMA flow diagram); ``remaining = identified - unusable - duplicates removed``. Reviews that did not come from
an import (the bundled library, bundles) are not in the flow; ``reviews_in_library`` gives the whole count.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from vkref.library import duplicates
from vkref.library.importing import IMPORT_RECORD
from vkref.store import changes, repository as repo

if TYPE_CHECKING:
    from vkref.library.library import Library


def summary(lib: "Library", pairs: list | None = None) -> dict:
    """The counts as one JSON-ready object (``vkref prisma --json``); ``pairs``: the library's likely duplicates
    when the caller has just found them."""
    imports = _imports(lib)
    files = [f for imp in imports for f in imp["files"]]
    merged = _merged_imports(lib)
    pairs = duplicates.library_duplicates(lib) if pairs is None else pairs
    identified = sum(f["records"] for f in files)
    unusable = sum(f["skipped"] for f in files)
    on_import = sum(f["duplicates"] for f in files)
    return {"imports": imports, "sources": _sources(files), "identified": identified, "unusable": unusable,
            "duplicates_on_import": on_import, "duplicates_merged": len(merged),
            "duplicates_removed": on_import + len(merged),
            "remaining": identified - unusable - on_import - len(merged),
            "pairs_to_decide": len(pairs), "exact_pairs_to_merge": sum(p.exact for p in pairs),
            "declared_distinct": len(repo.distinct_pairs(lib.db)), "reviews_in_library": len(lib._reviews)}


def _merged_imports(lib: "Library") -> list[str]:
    """Reviews an import created and a merge (not undone) removed: the flow's duplicates found after import (a
    bundled review merged away was never in the flow)."""
    removed = [rid for _batch, rid in changes.deleted_by(lib.db, "review", "merge")]
    imported = changes.created_by(lib.db, "review", "import", removed)
    return [rid for rid in removed if rid in imported]


def _imports(lib: "Library") -> list[dict]:
    out = []
    for batch, state, value in changes.meta_of_batches(lib.db, IMPORT_RECORD):
        if state == "undone":
            continue
        data = json.loads(value)
        out.append({"batch": batch if state else None, "when": data.get("when"), "files": data.get("files", [])})
    return out


def _sources(files: list[dict]) -> list[dict]:
    """Records per source file name (a file imported twice is one source; its second import finds duplicates)."""
    by_name: dict[str, dict] = {}
    for f in files:
        row = by_name.setdefault(f["path"], {"source": f["path"], "format": f["format"], "records": 0,
                                             "imported": 0, "duplicates": 0, "skipped": 0})
        for key in ("records", "imported", "duplicates", "skipped"):
            row[key] += f[key]
    return list(by_name.values())


def text(data: dict) -> str:
    """The summary as plain text a librarian pastes into a report."""
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    lines = [f"Records identified: {data['identified']:,} ({len(data['imports'])} imports, {today})"]
    lines += [f"  {s['source']} ({s['format']}): {s['records']:,}" for s in data["sources"]]
    lines += [f"Records unusable (not read): {data['unusable']:,}",
              f"Duplicates removed: {data['duplicates_removed']:,}",
              f"  recognised on import (same DOI/PMID, or same title, year and first author): "
              f"{data['duplicates_on_import']:,}",
              f"  merged after review: {data['duplicates_merged']:,}",
              f"Records remaining: {data['remaining']:,}",
              f"Possible duplicates still to decide: {data['pairs_to_decide']:,} "
              f"(declared not duplicates: {data['declared_distinct']:,})"]
    return "\n".join(lines) + "\n"
