"""Handing a library to a colleague: one ``.vkref`` file out, merged in with its conflicts reported.

A bundle is a zip archive with exactly two members:

- ``manifest.json``: ``format`` ("vkref-bundle"), ``bundle_version``, the vkref version, when and by whom it was
  made, counts, and the size and SHA-256 of every other member;
- ``library.json``: the lossless library JSON (:mod:`vkref.io.vkjson`) of the selected reviews with all their
  findings, the whole vocabulary and provenance. Full texts travel inside it. A search index never does: it is
  derived data and the receiving library builds its own.

Opening a bundle checks everything before anything is written (:func:`read_bundle`): it must be a zip whose
members are exactly the expected names (no paths, no ``..``, no absolute names or drive letters, no symlinks),
none inflating beyond :data:`MAX_MEMBER_BYTES` or with a zip-bomb ratio, every checksum matching the manifest,
a bundle format this version knows. Then :func:`merge_data` merges it as one change batch: same id and same
content is nothing; same id and different content is a *conflict* — kept local by default, the bundle's taken
with ``prefer="bundle"`` or per record through ``resolutions`` ("mine", "theirs", "both"); new vocabulary
concepts are added and conflicting labels reported.
"""
from __future__ import annotations

import getpass
import hashlib
import io
import json
import os
import stat
import tempfile
import zipfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from vkref.core import records as R
from vkref.core.errors import DataError, UsageError
from vkref.store import changes

if TYPE_CHECKING:
    from vkref.library.library import Library

FORMAT = "vkref-bundle"
BUNDLE_VERSION = 1
MEMBERS = ("manifest.json", "library.json")
MAX_MEMBER_BYTES = 2_000_000_000
MAX_MANIFEST_BYTES = 1_000_000
MAX_RATIO = 200  # inflation ratio beyond which a member of any size over 1 MB is treated as a zip bomb


# ---------------------------------------------------------------------------- export


def export_bundle(lib: "Library", target: str | Path, query: str = "", filters=None, exclude=None) -> dict:
    """Write the whole library, or what the search selects, as one ``.vkref`` file. Returns the manifest."""
    import vkref
    from vkref.io import vkjson
    from vkref.library import exporting

    reviews, _ = exporting.select(lib, query, filters, exclude)
    findings = [f for r in reviews for f in lib.findings_of(r.id)]
    body = json.dumps(vkjson.dump(reviews, findings, lib.vocabulary), ensure_ascii=False).encode("utf-8")
    manifest = {"format": FORMAT, "bundle_version": BUNDLE_VERSION, "vkref_version": vkref.__version__,
                "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "created_by": _user(),
                "library_id": lib.library_id, "selection": {"query": query, "filters": filters or {}},
                "counts": {"reviews": len(reviews), "findings": len(findings),
                           "concepts": len(lib.vocabulary.concepts)},
                "members": {"library.json": {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}}}
    target = Path(target)
    _write_atomically(target, manifest, body)
    return manifest


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _write_atomically(target: Path, manifest: dict, body: bytes) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=".vkref-bundle-", dir=target.parent if target.parent.exists() else None)
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            z.writestr("library.json", body)
        os.replace(tmp, target)
    except OSError as exc:
        raise UsageError(f"{target}: cannot write the bundle ({exc.strerror or exc})") from None


# ---------------------------------------------------------------------------- reading safely


def read_bundle(path: str | Path):
    """Check a bundle completely and return (manifest, LibraryData). Raises DataError naming the file."""
    from vkref.io import vkjson

    path = Path(path)
    name = path.name
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataError(f"{name}: not a vkref bundle ({_why(exc)})") from None
    with z:
        infos = _check_members(z, name)
        manifest = _manifest(_read_member(z, infos["manifest.json"], name, MAX_MANIFEST_BYTES), name)
        body = _read_member(z, infos["library.json"], name, MAX_MEMBER_BYTES)
    expected = manifest["members"].get("library.json") or {}
    if expected.get("sha256") != hashlib.sha256(body).hexdigest() or expected.get("size") != len(body):
        raise DataError(f"{name}: library.json does not match the manifest's checksum (damaged or altered)")
    return manifest, vkjson.load(body, source=name)


def _why(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__


def _check_members(z: zipfile.ZipFile, name: str) -> dict[str, zipfile.ZipInfo]:
    infos = z.infolist()
    if len(infos) > 16:
        raise DataError(f"{name}: not a vkref bundle ({len(infos)} members)")
    out = {}
    for info in infos:
        member = info.filename
        if member.startswith(("/", "\\")) or "\\" in member or ".." in member.split("/") or \
                (len(member) > 1 and member[1] == ":"):
            raise DataError(f"{name}: refused: member {member!r} would be written outside the library")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise DataError(f"{name}: refused: member {member!r} is a symbolic link")
        if member not in MEMBERS:
            raise DataError(f"{name}: refused: unexpected member {member!r} (a bundle holds only "
                            f"{' and '.join(MEMBERS)})")
        if info.file_size > MAX_MEMBER_BYTES or (info.file_size > 1_000_000 and
                                                 info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise DataError(f"{name}: refused: member {member!r} inflates to {info.file_size:,} bytes "
                            "(a zip bomb?)")
        out[member] = info
    missing = [m for m in MEMBERS if m not in out]
    if missing:
        raise DataError(f"{name}: not a vkref bundle (no {', '.join(missing)})")
    return out


def _read_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limit: int) -> bytes:
    """Read at most ``limit`` bytes whatever the header claims (a lying header cannot inflate further)."""
    buf = io.BytesIO()
    try:
        with z.open(info) as fh:
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                buf.write(chunk)
                if buf.tell() > min(limit, info.file_size):
                    raise DataError(f"{name}: refused: member {info.filename!r} inflates beyond its stated size")
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise DataError(f"{name}: damaged bundle: {info.filename}: {_why(exc)}") from None
    return buf.getvalue()


def _manifest(data: bytes, name: str) -> dict:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{name}: manifest.json is not valid JSON ({_why(exc)})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DataError(f"{name}: not a vkref bundle (manifest format is not {FORMAT!r})")
    version = manifest.get("bundle_version")
    if not isinstance(version, int) or version < 1:
        raise DataError(f"{name}: manifest has no valid bundle_version")
    if version > BUNDLE_VERSION:
        raise DataError(f"{name}: bundle format {version} is newer than this vkref reads ({BUNDLE_VERSION}): "
                        "please update vkref")
    if not isinstance(manifest.get("members"), dict):
        raise DataError(f"{name}: manifest lists no members")
    return manifest


# ---------------------------------------------------------------------------- merging


def import_bundle(lib: "Library", path: str | Path, prefer: str = "local", resolutions: dict | None = None,
                  who: str = "bundle", dry_run: bool = False) -> dict:
    manifest, data = read_bundle(path)
    report = merge_data(lib, data, prefer, resolutions, who, f"bundle {Path(path).name}", dry_run)
    report["bundle"] = {k: manifest.get(k) for k in ("vkref_version", "created_at", "created_by", "counts")}
    return report


def merge_data(lib: "Library", data, prefer: str = "local", resolutions: dict | None = None, who: str = "bundle",
               label: str = "", dry_run: bool = False) -> dict:
    """Merge LibraryData into the library as one change batch; returns the report (conflicts listed)."""
    if prefer not in ("local", "bundle"):
        raise UsageError(f"unknown preference {prefer!r}: use local or bundle")
    resolutions = resolutions or {}
    report = {"batch": None, "reviews": _counts(), "findings": _counts(), "concepts": _counts(), "conflicts": []}
    concepts = _plan_concepts(lib, data.vocabulary, prefer, resolutions, report)
    reviews, renamed = _plan_records(lib, "review", data.reviews, prefer, resolutions, report)
    findings, _ = _plan_records(lib, "finding", [_relinked(f, renamed) for f in data.findings], prefer,
                                resolutions, report)
    if dry_run:
        return report
    with lib._write_lock, changes.unit_of_work(lib.db, "bundle", label, who) as w:
        for c in concepts:
            w.save_concept(c)
        for r in reviews:
            w.save_review(r)
        for f in findings:
            w.save_finding(f)
        batch = w.batch_id
    if concepts:
        lib.reload_vocabulary()
    from vkref.library import curation

    curation.after_write(lib)
    report["batch"] = batch if changes.batch_exists(lib.db, batch) else None
    return report


def _counts() -> dict:
    return {"added": 0, "unchanged": 0, "conflicts": 0, "taken": 0, "kept_both": 0}


def _relinked(f, renamed: dict[str, str]):
    return replace(f, review_id=renamed.get(f.review_id, f.review_id)) if f.review_id in renamed else f


def _plan_concepts(lib, vocabulary, prefer, resolutions, report) -> list:
    """Concepts to write, parents first: new ones always, conflicting ones when the bundle's are taken."""
    out = []
    ordered = sorted(vocabulary.concepts.values(), key=lambda c: len(vocabulary.ancestors(c.id)))
    for c in ordered:
        local = lib.vocabulary.concepts.get(c.id)
        if local is None:
            out.append(c)
            report["concepts"]["added"] += 1
        elif R.concept_fields(local) == R.concept_fields(c):
            report["concepts"]["unchanged"] += 1
        else:
            choice = resolutions.get(c.id) or ("theirs" if prefer == "bundle" else "mine")
            report["concepts"]["conflicts"] += 1
            report["conflicts"].append({"kind": "concept", "id": c.id, "fields": _diff(R.concept_fields(local),
                                        R.concept_fields(c)), "resolution": choice, "proposed": "mine"})
            if choice == "theirs":
                out.append(c)
                report["concepts"]["taken"] += 1
    return out


def _plan_records(lib, kind, records, prefer, resolutions, report):
    out, renamed = [], {}
    counts = report[f"{kind}s"]
    fields_of = R.review_fields if kind == "review" else R.finding_fields
    for rec in records:
        local = lib.get_review(rec.id) if kind == "review" else lib.get_finding(rec.id)
        if local is None:
            out.append(rec)
            counts["added"] += 1
            continue
        mine, theirs = fields_of(local), fields_of(rec)
        if mine == theirs:
            counts["unchanged"] += 1
            continue
        proposed = _newer(local, rec)
        choice = resolutions.get(rec.id) or ("theirs" if prefer == "bundle" else "mine")
        counts["conflicts"] += 1
        report["conflicts"].append({"kind": kind, "id": rec.id, "fields": _diff(mine, theirs),
                                    "local_updated_at": _when(local), "bundle_updated_at": _when(rec),
                                    "proposed": proposed, "resolution": choice})
        if choice == "theirs":
            out.append(replace(rec, version=local.version))
            counts["taken"] += 1
        elif choice == "both":
            copy_id = _free_id(lib, rec.id)
            renamed[rec.id] = copy_id
            out.append(replace(rec, id=copy_id, version=0))
            counts["kept_both"] += 1
        elif choice != "mine":
            raise UsageError(f"resolution {choice!r} for {rec.id}: use mine, theirs or both")
    return out, renamed


def _diff(mine: dict, theirs: dict) -> dict:
    return {k: {"mine": mine.get(k), "theirs": theirs.get(k)} for k in sorted(set(mine) | set(theirs))
            if mine.get(k) != theirs.get(k)}


def _when(rec) -> str | None:
    t = rec.provenance.updated_at
    return t.isoformat(timespec="seconds") if t else None


def _newer(local, rec) -> str:
    a, b = local.provenance.updated_at, rec.provenance.updated_at
    if a and b:
        a, b = (t if t.tzinfo else t.replace(tzinfo=timezone.utc) for t in (a, b))
        return "theirs" if b > a else "mine"
    return "mine"


def _free_id(lib, rid: str) -> str:
    n = 1
    while lib.get_review(f"{rid}-b{n}") is not None or lib.get_finding(f"{rid}-b{n}") is not None:
        n += 1
    return f"{rid}-b{n}"
