"""``vkref check``: is this library sound, and what can be repaired?

Each check gives one line: ``{"check": name, "ok": bool, "detail": text, "repair": what --repair did or
why it cannot}``. What is derived (the search index, facet sidecars, left-over temporary directories, run
files of dead processes, unfinished backups) is repaired by rebuilding or removing it; what is the truth (the
database) is never changed here: a damaged database is reported with the newest sound backup to restore
(``vkref restore NAME``).

Checks, in order:
- ``database``: SQLite's ``PRAGMA integrity_check`` (every page, index and constraint) and
  ``PRAGMA foreign_key_check``;
- ``schema``: the database's revision is the one this vkref expects;
- ``index``: usable (present, trusted, of this library and format), not behind the database, holding exactly
  one document per review and finding, and for a random sample of records the same title and text as the
  database;
- ``sidecars``: facet and term sidecars whose checksum does not match (they would be ignored; removed on
  repair, term sidecars written again at once);
- ``leftovers``: temporary index directories of dead rebuilds, run files of dead processes, partial backups;
- ``backups``: how many, the newest, and whether the newest opens as a sound SQLite file.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

from vkref.core import paths
from vkref.core.errors import VkrefError
from vkref.library import documents as D
from vkref.store import repository as repo
from vkref.store.database import check_file, head_revision

SAMPLE = 200


def _line(name: str, ok: bool, detail: str, repair: str = "") -> dict:
    return {"check": name, "ok": ok, "detail": detail, "repair": repair}


def check(lib, repair: bool = False) -> dict:
    lines = [_database(lib), _schema(lib)]
    index_line = _index(lib, lines[0]["ok"])
    if repair and not index_line["ok"] and not lib.read_only:
        if not lines[0]["ok"]:
            index_line["repair"] = "not repaired: the index is rebuilt from the database, which is damaged"
        else:
            try:
                n = lib.reindex()
            except VkrefError as exc:
                index_line["repair"] = f"rebuild failed: {exc}"
            else:
                again = _index(lib, True)
                index_line["repair"] = (f"index rebuilt from the database ({n} documents)" if again["ok"]
                                        else f"rebuilt, still wrong: {again['detail']}")
                index_line["ok"] = again["ok"]
    lines.append(index_line)
    lines.append(_sidecars(lib, repair))
    lines.append(_leftovers(lib, repair))
    lines.append(_backups(lib))
    if repair and lib.read_only:
        for line in lines:
            if not line["ok"] and not line["repair"]:
                line["repair"] = f"not repaired: the library is {lib.read_only_reason or 'read-only'}"
    return {"library": str(lib.path), "ok": all(line["ok"] for line in lines), "checks": lines}


def _database(lib) -> dict:
    problems = lib.db.integrity_check()
    if not problems:
        return _line("database", True, "integrity_check ok, foreign keys ok")
    advice = lib.db.restore_advice()
    return _line("database", False, "; ".join(problems)[:300],
                 f"cannot be repaired here (the database is the truth): {advice}")


def _schema(lib) -> dict:
    current, head = lib.db.current_revision(), head_revision()
    if current == head:
        return _line("schema", True, f"revision {current}")
    return _line("schema", False, f"revision {current}, this vkref expects {head}",
                 "reopen the library with this vkref to upgrade it (a backup is taken first)")


def _index(lib, database_ok: bool) -> dict:
    index = lib.search_service.index
    problem = index.problem()
    if problem:
        return _line("index", False, f"index {problem}")
    try:
        if not database_ok:
            return _line("index", False, "not compared: the database is damaged")
        behind = repo.outbox_max_id(lib.db) - index.last_change()
        counts = repo.counts(lib.db)
        expected = counts["reviews"] + counts["findings"] + _extra_documents(lib)
        held = index.doc_count()
    except Exception as exc:  # any read failure of the index is damage
        return _line("index", False, f"index unreadable ({exc.__class__.__name__})")
    if behind > 0:
        lib.sync_index()
        behind = repo.outbox_max_id(lib.db) - index.last_change()
        held = index.doc_count()
    if behind > 0:
        return _line("index", False, f"index is {behind} changes behind the database")
    if held != expected:
        return _line("index", False, f"index holds {held} documents, the database {expected} records")
    wrong = _sample_mismatches(lib)
    if wrong:
        return _line("index", False, f"{len(wrong)} sampled records differ from the database, e.g. {wrong[0]}")
    return _line("index", True, f"{held} documents, trusted, in step with the database "
                                f"(sample of {min(SAMPLE, expected)} compared)")


def _extra_documents(lib) -> int:
    """Index documents that are neither reviews nor findings (kinds added later count themselves here)."""
    extra = getattr(lib, "extra_index_documents", None)
    return extra() if callable(extra) else 0


def _sample_mismatches(lib) -> list[str]:
    rnd = random.Random()
    reviews = lib.reviews()
    picked_reviews = rnd.sample(reviews, min(len(reviews), SAMPLE // 4))
    finding_ids = repo.sample_finding_ids(lib.db, SAMPLE - len(picked_reviews))
    findings = repo.get_findings(lib.db, finding_ids)
    by_id = {r.id: r for r in reviews}
    expected = [D.finding_doc(f, by_id[f.review_id], lib.vocabulary) for f in findings if f.review_id in by_id]
    for review in picked_reviews:
        expected.append(D.review_doc(review, lib.findings_of(review.id), lib.vocabulary))
    stored = lib.search_service.index.stored([doc.key for doc in expected])
    wrong = []
    for doc in expected:
        got = stored.get(doc.key)
        if got is None:
            wrong.append(f"{doc.key} is missing")
        elif (got.get("title"), got.get("text")) != (doc.title, doc.text):
            wrong.append(f"{doc.key} has an old title or text")
    return wrong


def _sidecars(lib, repair: bool) -> dict:
    index = lib.search_service.index
    bad = index.damaged_sidecars()
    if not bad:
        return _line("sidecars", True, "facet and term sidecars ok")
    detail = f"{len(bad)} sidecar(s) fail their checksum (ignored, re-read from the index)"
    if repair and not lib.read_only:
        for path in bad:
            path.unlink(missing_ok=True)
        index.write_missing_sidecars()
        return _line("sidecars", True, detail, f"removed {len(bad)}: term sidecars written again, facet sidecars "
                     "at the next search")
    return _line("sidecars", False, detail)


def _leftovers(lib, repair: bool) -> dict:
    index = lib.search_service.index
    found: list[Path] = []
    if not index.rebuild_running():
        found += [p for pattern in (".build-*", ".old-*")
                  for p in index.directory.parent.glob(index.directory.name + pattern) if p.is_dir()]
    backup_dir = Path(lib.path) / paths.BACKUP_DIRNAME
    found += [p for p in backup_dir.glob("*.partial")] if backup_dir.is_dir() else []
    found += [p for p in Path(lib.path).glob(paths.DB_FILENAME + ".restoring")]
    if not found:
        return _line("leftovers", True, "no left-over temporary files")
    names = ", ".join(p.name for p in found[:5]) + (" …" if len(found) > 5 else "")
    detail = f"{len(found)} left-over temporary file(s): {names}"
    if repair and not lib.read_only:
        for p in found:
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
        return _line("leftovers", True, detail, f"removed {len(found)}")
    return _line("leftovers", False, detail)


def _backups(lib) -> dict:
    backups = lib.db.backups()
    if not backups:
        return _line("backups", True, "no backup yet (one is taken before every migration, import and merge)")
    problem = check_file(backups[0])
    if problem:
        sound = next((b for b in backups[1:] if check_file(b) is None), None)
        where = f"; the newest sound one is {sound.name}" if sound else "; no sound backup"
        return _line("backups", False, f"the newest backup {backups[0].name} is damaged ({problem}){where}",
                     "not repaired: backups are never rewritten")
    return _line("backups", True, f"{len(backups)} backup(s), newest {backups[0].name} is sound")
