"""Handing a library to a colleague: one ``.vkref`` file out, merged in with its conflicts reported.

A bundle is a zip archive with two members, plus one per attached full-text file:

- ``manifest.json``: ``format`` ("vkref-bundle"), ``bundle_version``, the vkref version, when and by whom it was
  made, counts, and the size and SHA-256 of every other member;
- ``library.json``: the lossless library JSON (:mod:`vkref.io.vkjson`) of the selected reviews with all their
  findings, the whole vocabulary and provenance. Cleaned full texts travel inside it. A search index never
  does: it is derived data and the receiving library builds its own.
- ``files/<sha256>.<txt|pdf>``: the attached full-text files of the selected reviews, each checksummed in the
  manifest and named by its own SHA-256; an import copies them into the library's ``files/`` folder.

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
import re
import stat
import tempfile
import zipfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from vkref.core import records as R
from vkref.core.errors import DataError, UsageError, VkrefError
from vkref.store import changes, repository as repo

if TYPE_CHECKING:
    from vkref.library.library import Library

FORMAT = "vkref-bundle"
BUNDLE_VERSION = 1
MEMBERS = ("manifest.json", "library.json")
FILE_MEMBER = re.compile(r"files/[0-9a-f]{64}\.(txt|pdf)")  # an attached full text, named by its SHA-256
MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 2_000_000_000
MAX_MANIFEST_BYTES = 1_000_000
MAX_RATIO = 200  # inflation ratio beyond which a member of any size over 1 MB is treated as a zip bomb
STEP = 500  # records between two progress reports and cancel checks


class BundleCancelled(VkrefError):
    """The user cancelled sharing or opening a bundle; nothing was written."""


def _never() -> bool:
    return False


def _quiet(_done: int, _total: int) -> None:
    pass


# ---------------------------------------------------------------------------- export


def export_bundle(lib: "Library", target: str | Path, query: str = "", filters=None, exclude=None,
                  tag: str | None = None, progress=None, cancel=None) -> dict:
    """Write the whole library, what the search selects, or the reviews carrying ``tag`` (on the review or on
    one of its findings) as one ``.vkref`` file. Returns the manifest. ``progress(done, total)`` counts reviews;
    ``cancel()`` returning True stops it (raising :class:`BundleCancelled`) with no file written."""
    import vkref
    from vkref.io import vkjson
    from vkref.library import exporting

    progress, cancel = progress or _quiet, cancel or _never
    if tag:
        wanted = set(repo.tagged_review_ids(lib.db, tag))
        reviews = [r for r in lib.reviews() if r.id in wanted]
    else:
        reviews, _ = exporting.select(lib, query, filters, exclude)
    findings = []
    for n, r in enumerate(reviews):
        if n % 50 == 0:
            progress(n, len(reviews) + 1)
            if cancel():
                raise BundleCancelled("sharing cancelled: no file was written")
        findings += lib.findings_of(r.id)
    body = json.dumps(vkjson.dump(reviews, findings, lib.vocabulary, studies=exporting.studies_of(lib, findings)),
                      ensure_ascii=False).encode("utf-8")
    if cancel():
        raise BundleCancelled("sharing cancelled: no file was written")
    selection = {"query": query, "filters": filters or {}}
    if exclude:
        selection["exclude"] = exclude
    if tag:
        selection = {"tag": tag}
    manifest = {"format": FORMAT, "bundle_version": BUNDLE_VERSION, "vkref_version": vkref.__version__,
                "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "created_by": _user(),
                "library_id": lib.library_id, "selection": selection,
                "counts": {"reviews": len(reviews), "findings": len(findings),
                           "studies": len({sid for f in findings for sid in f.studies}),
                           "concepts": len(lib.vocabulary.concepts)},
                "members": {"library.json": {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}}}
    files = _attached_files(lib, reviews)
    for member, path in files.items():
        data = path.read_bytes()
        manifest["members"][member] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    target = Path(target)
    _write_atomically(target, manifest, body, files)
    progress(len(reviews) + 1, len(reviews) + 1)
    return manifest


def tags(lib: "Library") -> list[str]:
    """The tags in use on reviews or findings, sorted (the choices of a bundle "by tag")."""
    return repo.tag_names(lib.db)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _attached_files(lib: "Library", reviews) -> dict[str, Path]:
    from vkref.library.fulltext import file_path

    found = {r.fulltext_file: file_path(lib.path, r.fulltext_file) for r in reviews if r.fulltext_file}
    return {f"files/{name}": path for name, path in sorted(found.items()) if path is not None}


def _write_atomically(target: Path, manifest: dict, body: bytes, files: dict | None = None) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=".vkref-bundle-", dir=target.parent if target.parent.exists() else None)
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            z.writestr("library.json", body)
            for member, path in (files or {}).items():
                z.write(path, member)
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
    if len(infos) > MAX_MEMBERS:
        raise DataError(f"{name}: not a vkref bundle ({len(infos)} members)")
    out = {}
    for info in infos:
        member = info.filename
        if member.startswith(("/", "\\")) or "\\" in member or ".." in member.split("/") or \
                (len(member) > 1 and member[1] == ":"):
            raise DataError(f"{name}: refused: member {member!r} would be written outside the library")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise DataError(f"{name}: refused: member {member!r} is a symbolic link")
        if member not in MEMBERS and not FILE_MEMBER.fullmatch(member):
            raise DataError(f"{name}: refused: unexpected member {member!r} (a bundle holds only "
                            f"{' and '.join(MEMBERS)} and files/<sha256>.<txt|pdf>)")
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
                  who: str = "bundle", dry_run: bool = False, progress=None, cancel=None,
                  details: bool = False) -> dict:
    """Check the bundle, then merge it (see :func:`merge_data`). ``progress(done, total)``: the check counts
    as one step, then every record compared and every record written; ``cancel()`` stops it with nothing
    written (raising :class:`BundleCancelled`). ``details`` adds, for a review screen, both sides' fields to
    every conflict (``records``) and the new concepts (``new_concepts``)."""
    (progress or _quiet)(0, 1)
    manifest, data = read_bundle(path)
    files = _bundle_files(path, manifest)  # checked before anything is written
    report = merge_data(lib, data, prefer, resolutions, who, Path(path).name, dry_run, progress,
                        cancel, details)
    if not dry_run:
        _copy_files(lib, path, files)
    report["bundle"] = {k: manifest.get(k) for k in ("vkref_version", "created_at", "created_by", "counts")}
    return report


def _bundle_files(path, manifest: dict) -> list[zipfile.ZipInfo]:
    """The attached-file members, each checked against the manifest and its own name (SHA-256)."""
    name = Path(path).name
    with zipfile.ZipFile(path) as z:
        infos = [i for i in z.infolist() if FILE_MEMBER.fullmatch(i.filename)]
        for info in infos:
            data = _read_member(z, info, name, MAX_MEMBER_BYTES)
            digest = hashlib.sha256(data).hexdigest()
            expected = manifest["members"].get(info.filename) or {}
            if expected.get("sha256") != digest or info.filename[6:70] != digest:
                raise DataError(f"{name}: {info.filename} does not match its checksum (damaged or altered)")
    return infos


def _copy_files(lib: "Library", path, infos: list[zipfile.ZipInfo]) -> None:
    folder = Path(lib.path) / "files"
    with zipfile.ZipFile(path) as z:
        for info in infos:
            target = folder / info.filename[6:]
            if target.exists():
                continue
            folder.mkdir(exist_ok=True)
            data = _read_member(z, info, Path(path).name, MAX_MEMBER_BYTES)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".bundle-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)


def merge_data(lib: "Library", data, prefer: str = "local", resolutions: dict | None = None, who: str = "bundle",
               label: str = "", dry_run: bool = False, progress=None, cancel=None, details: bool = False) -> dict:
    """Merge LibraryData into the library as one change batch; returns the report (conflicts listed)."""
    if prefer not in ("local", "bundle"):
        raise UsageError(f"unknown preference {prefer!r}: use local or bundle")
    resolutions = resolutions or {}
    tick = _Ticker(progress or _quiet, cancel or _never,
                   (1 if dry_run else 2) * (len(data.reviews) + len(data.findings)) + 1)
    report = {"batch": None, "reviews": _counts(), "findings": _counts(), "concepts": _counts(), "conflicts": [],
              "studies": _counts()}
    concepts = _plan_concepts(lib, data.vocabulary, prefer, resolutions, report, details)
    studies = plan_studies(lib, getattr(data, "studies", []), prefer, resolutions, report)
    reviews, renamed = _plan_records(lib, "review", data.reviews, prefer, resolutions, report, tick, details)
    findings, _ = _plan_records(lib, "finding", [_relinked(f, renamed) for f in data.findings], prefer,
                                resolutions, report, tick, details)
    if not dry_run:  # what is left: the records to write
        tick.total = tick.done + len(reviews) + len(findings) + 1
    if dry_run:
        tick.finish()
        return report
    with lib._write_lock, changes.unit_of_work(lib.db, "bundle", label, who) as w:
        for c in concepts:
            w.save_concept(c)
        for s in studies:
            w.save_study(s)
        for r in reviews:
            w.save_review(r)
            tick()
        for f in findings:
            w.save_finding(f)
            tick()
        tick.check()  # the last moment a cancel still leaves the library as it was
        batch = w.batch_id
    if concepts:
        lib.reload_vocabulary()
    from vkref.library import curation

    curation.after_write(lib)
    report["batch"] = batch if changes.batch_exists(lib.db, batch) else None
    tick.finish()
    return report


class _Ticker:
    """Progress of a merge: one step per record compared or written; every :data:`STEP` steps a report and a
    cancel check (a cancel inside the write transaction rolls it back)."""

    def __init__(self, progress, cancel, total: int):
        self.progress, self.cancel, self.total, self.done = progress, cancel, total, 0

    def __call__(self) -> None:
        self.done += 1
        if self.done % STEP == 0:
            self.progress(min(self.done, self.total - 1), self.total)
            self.check()

    def check(self) -> None:
        if self.cancel():
            raise BundleCancelled("opening the bundle cancelled: nothing was changed")

    def finish(self) -> None:
        self.progress(self.total, self.total)


def _counts() -> dict:
    return {"added": 0, "unchanged": 0, "conflicts": 0, "taken": 0, "kept_both": 0}


def plan_studies(lib, studies, prefer, resolutions, report) -> list:
    """Studies to write: new ones always, differing ones when the bundle's are taken (like concepts)."""
    from vkref.store import studies as store

    out = []
    for s in studies:
        local = store.get(lib.db, s.id)
        if local is None:
            out.append(s)
            report["studies"]["added"] += 1
        elif R.study_fields(local) == R.study_fields(s):
            report["studies"]["unchanged"] += 1
        else:
            choice = resolutions.get(s.id) or ("theirs" if prefer == "bundle" else "mine")
            report["studies"]["conflicts"] += 1
            report["conflicts"].append({"kind": "study", "id": s.id, "fields": _diff(R.study_fields(local),
                                        R.study_fields(s)), "resolution": choice, "proposed": "mine"})
            if choice == "theirs":
                out.append(s)
                report["studies"]["taken"] += 1
    return out


def _relinked(f, renamed: dict[str, str]):
    return replace(f, review_id=renamed.get(f.review_id, f.review_id)) if f.review_id in renamed else f


def _plan_concepts(lib, vocabulary, prefer, resolutions, report, details=False) -> list:
    """Concepts to write, parents first: new ones always, conflicting ones when the bundle's are taken."""
    out = []
    ordered = sorted(vocabulary.concepts.values(), key=lambda c: len(vocabulary.ancestors(c.id)))
    for c in ordered:
        local = lib.vocabulary.concepts.get(c.id)
        if local is None:
            out.append(c)
            report["concepts"]["added"] += 1
            if details:
                report.setdefault("new_concepts", []).append({"id": c.id, **R.concept_fields(c)})
        elif R.concept_fields(local) == R.concept_fields(c):
            report["concepts"]["unchanged"] += 1
        else:
            choice = resolutions.get(c.id) or ("theirs" if prefer == "bundle" else "mine")
            report["concepts"]["conflicts"] += 1
            report["conflicts"].append({"kind": "concept", "id": c.id, "fields": _diff(R.concept_fields(local),
                                        R.concept_fields(c)), "resolution": choice, "proposed": "mine"})
            if details:
                report["conflicts"][-1]["records"] = {"mine": R.concept_fields(local), "theirs": R.concept_fields(c)}
            if choice == "theirs":
                out.append(c)
                report["concepts"]["taken"] += 1
    return out


def _plan_records(lib, kind, records, prefer, resolutions, report, tick=None, details=False):
    out, renamed = [], {}
    counts = report[f"{kind}s"]
    fields_of = R.review_fields if kind == "review" else R.finding_fields
    stored = _stored(lib, kind, [rec.id for rec in records])
    for rec in records:
        if tick is not None:
            tick()
        local = stored.get(rec.id)
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
        if details:
            report["conflicts"][-1]["records"] = {"mine": mine, "theirs": theirs}
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


def _stored(lib, kind: str, ids: list[str], chunk: int = 500) -> dict:
    """The library's own copies of the records with these ids, read a chunk at a time (one query per 500 ids
    instead of one per record: planning a 100,000-record bundle spent most of its time in single look-ups)."""
    read = repo.get_reviews if kind == "review" else repo.get_findings
    out = {}
    for i in range(0, len(ids), chunk):
        out.update((r.id, r) for r in read(lib.db, ids=ids[i:i + chunk]))
    return out


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
