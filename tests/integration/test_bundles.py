"""Bundles: export -> import gives the same library; conflicts both ways; every hostile archive refused with
one line and nothing written."""
import hashlib
import json
import shutil
import zipfile
from dataclasses import replace

import pytest

from vkref.core.errors import DataError
from vkref.library import Library


def lossless(lib):
    """The library's JSON export without provenance timestamps (they differ between machines by design)."""
    data = json.loads(lib.export("json"))
    for kind in ("reviews", "findings"):
        for rec in data[kind]:
            rec.pop("provenance", None)
            rec.pop("version", None)
        data[kind].sort(key=lambda r: r["id"])
    return data


@pytest.fixture
def other_library(built_library, tmp_path):
    path = tmp_path / "colleague"
    shutil.copytree(built_library, path)
    lib = Library.open(path)
    yield lib
    lib.close()


def test_export_then_import_into_a_fresh_library_gives_the_same_library(fresh_library, other_library, tmp_path):
    fresh_library.edit("kjm-010", {"dose": "45 mg/day", "tags": '["checked"]'})
    fresh_library.edit("iwamoto-2006-ymj", {"notes": "Read by the library team."})
    bundle = tmp_path / "team.vkref"
    manifest = fresh_library.export_bundle(bundle)
    n = fresh_library.info()["findings"]
    assert manifest["counts"] == {"reviews": 4, "findings": n, "concepts": len(fresh_library.vocabulary.concepts),
                                  "studies": len(fresh_library.studies())}
    report = other_library.import_bundle(bundle, prefer="bundle")
    assert report["findings"]["conflicts"] == 1 and report["reviews"]["conflicts"] == 1
    assert lossless(other_library) == lossless(fresh_library)
    assert other_library.search("", filters={"review": ["iwamoto-2006-ymj"]}).total > 0
    other_library.undo()  # one batch
    assert other_library.get_finding("kjm-010").dose != "45 mg/day"


def test_conflicts_keep_local_by_default_and_are_reported(fresh_library, other_library, tmp_path):
    fresh_library.edit("kjm-010", {"dose": "theirs"})
    other_library.edit("kjm-010", {"dose": "mine"})
    bundle = tmp_path / "b.vkref"
    fresh_library.export_bundle(bundle)
    report = other_library.import_bundle(bundle)
    conflict = [c for c in report["conflicts"] if c["id"] == "kjm-010"][0]
    assert conflict["fields"] == {"dose": {"mine": "mine", "theirs": "theirs"}}
    assert conflict["resolution"] == "mine" and other_library.get_finding("kjm-010").dose == "mine"
    report = other_library.import_bundle(bundle, resolutions={"kjm-010": "both"})
    copies = [f for f in other_library.findings_of(other_library.get_finding("kjm-010").review_id)
              if f.id.startswith("kjm-010-b")]
    assert len(copies) == 1 and copies[0].dose == "theirs"


def test_a_selection_bundle_brings_new_records_and_concepts(fresh_library, other_library, tmp_path):
    from vkref.core.entities import Finding, Review
    from vkref.core.vocabulary import Concept

    with fresh_library._write_lock:
        from vkref.store import changes

        with changes.unit_of_work(fresh_library.db, "edit", "new concept") as w:
            w.save_concept(Concept("menaq7-brand", "agent", "MenaQ7 brand", ("menaq7",), "mk7"))
    fresh_library.reload_vocabulary()
    fresh_library.add_records([Review(id="new-1", title="A new MK-7 trial", year=2021)],
                              [Finding(id="new-1-f1", review_id="new-1", statement="MenaQ7 kept BMD.",
                                       concepts={"agent": ["menaq7-brand"], "species": ["human"]})])
    bundle = tmp_path / "sel.vkref"
    fresh_library.export_bundle(bundle, "MenaQ7")
    report = other_library.import_bundle(bundle)
    assert report["reviews"]["added"] == 1 and report["concepts"]["added"] == 1
    assert other_library.search("", filters={"agent": ["MenaQ7 brand"]}, kind="finding").total == 1


def _zip(path, members, manifest=None, symlink=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        if manifest is not None:
            z.writestr("manifest.json", json.dumps(manifest))
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777 << 16)
            z.writestr(info, "/etc/passwd")
    return path


def _valid_parts(lib):
    body = lib.export("json").encode()
    manifest = {"format": "vkref-bundle", "bundle_version": 1,
                "members": {"library.json": {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}}}
    return body, manifest


HOSTILE = {
    "escaping path": lambda body, m: ({"library.json": body, "../evil.txt": b"x"}, m, None),
    "absolute path": lambda body, m: ({"library.json": body, "/tmp/evil.txt": b"x"}, m, None),
    "drive letter": lambda body, m: ({"library.json": body, "C:evil.txt": b"x"}, m, None),
    "symlink": lambda body, m: ({"library.json": body}, m, "link"),
    "zip bomb": lambda body, m: ({"library.json": body, "fill.json": b"0" * 50_000_000}, m, None),
    "checksum": lambda body, m: ({"library.json": body.replace(b"Iwamoto", b"Iwamotx")}, m, None),
    "newer format": lambda body, m: ({"library.json": body}, dict(m, bundle_version=99), None),
    "plain zip": lambda body, m: ({"notes.txt": b"hello"}, None, None),
    "an index inside": lambda body, m: ({"library.json": body, "index/_MAIN_1.toc": b"pickle"}, m, None),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archives_are_refused_before_any_write(other_library, tmp_path, case):
    body, manifest = _valid_parts(other_library)
    members, manifest, link = HOSTILE[case](body, manifest)
    path = _zip(tmp_path / "hostile.vkref", members, manifest, link)
    before = lossless(other_library)
    batches = other_library.batches()
    with pytest.raises(DataError) as err:
        other_library.import_bundle(path)
    assert "hostile.vkref" in str(err.value) and "\n" not in str(err.value)
    assert lossless(other_library) == before and other_library.batches() == batches
    assert not (tmp_path / "evil.txt").exists()


def test_truncated_and_random_files_are_refused(other_library, tmp_path):
    good = tmp_path / "good.vkref"
    other_library.export_bundle(good)
    data = good.read_bytes()
    for name, content in (("cut.vkref", data[: len(data) // 2]), ("noise.vkref", bytes(range(256)) * 10),
                          ("empty.vkref", b"")):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(DataError, match=name):
            other_library.import_bundle(tmp_path / name)


def test_same_content_imports_as_nothing(fresh_library, tmp_path):
    bundle = tmp_path / "same.vkref"
    fresh_library.export_bundle(bundle)
    report = fresh_library.import_bundle(bundle)
    assert report["batch"] is None and report["conflicts"] == []
    assert report["findings"]["unchanged"] == fresh_library.info()["findings"]


def test_a_tag_bundle_with_progress_and_a_cancel_that_writes_nothing(fresh_library, other_library, tmp_path):
    from vkref.library.sharing import BundleCancelled

    fresh_library.edit("kjm-010", {"tags": '["for-the-ward"]'})  # a finding's tag selects its review
    assert "for-the-ward" in fresh_library.tags()
    seen = []
    bundle = tmp_path / "ward.vkref"
    manifest = fresh_library.export_bundle(bundle, tag="for-the-ward", progress=lambda d, t: seen.append((d, t)))
    review = fresh_library.get_finding("kjm-010").review_id
    assert manifest["counts"]["reviews"] == 1 and manifest["selection"] == {"tag": "for-the-ward"}
    assert seen[-1][0] == seen[-1][1] and all(d <= t for d, t in seen)
    with pytest.raises(BundleCancelled):
        fresh_library.export_bundle(tmp_path / "never.vkref", cancel=lambda: True)
    assert not (tmp_path / "never.vkref").exists()
    other_library.edit(review, {"notes": "local note"})
    before, undo = lossless(other_library), other_library.can_undo()
    with pytest.raises(BundleCancelled):
        other_library.import_bundle(bundle, prefer="bundle", cancel=lambda: True)
    assert lossless(other_library) == before and other_library.can_undo() == undo
    steps = []
    report = other_library.import_bundle(bundle, dry_run=True, details=True, progress=lambda d, t: steps.append(d))
    conflict = [c for c in report["conflicts"] if c["id"] == review][0]
    assert conflict["records"]["mine"]["notes"] == "local note" and conflict["proposed"] == "mine"
    assert steps[-1] > 0 and lossless(other_library) == before


@pytest.mark.parametrize("argv, expected", [
    (["team.vkref"], ["gui", "team.vkref"]),
    (["--library", "lib", "/x/Team.VKREF"], ["--library", "lib", "gui", "/x/Team.VKREF"]),
    (["--library", "a.vkref", "info"], ["--library", "a.vkref", "info"]),  # the value of --library
    (["gui", "team.vkref"], ["gui", "team.vkref"]),
    (["bundle", "import", "team.vkref"], ["bundle", "import", "team.vkref"]),
    (["search", "x"], ["search", "x"]),
])
def test_a_bundle_given_as_the_first_argument_means_gui(argv, expected):
    from vkref.cli.main import build_parser, bundle_argument

    assert bundle_argument(argv) == expected
    if expected[-2:] == ["gui", "team.vkref"] or expected[-1].lower().endswith(".vkref") and "gui" in expected:
        assert build_parser().parse_args(expected).bundle == expected[-1]
