"""Issue 20 item 4: nothing planted in a library's index folder is ever unpickled; the index is rebuilt instead."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh import index as windex

from vkref.library import Library
from vkref.search import trust
from vkref.search.schema import make_schema

from tests.conftest import REPO  # noqa: E402


class Planted:
    """Unpickling this runs code: it writes the marker file."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('ran')",))


def plant(index: Path, marker: Path) -> None:
    shutil.rmtree(index, ignore_errors=True)
    index.mkdir()
    schema = make_schema()
    schema["key"].planted = Planted(str(marker))  # pickled with the schema in the table of contents
    ix = windex.create_in(str(index), schema)
    w = ix.writer()
    w.add_document(key="x")
    w.commit()
    ix.close()


def copy(built_library, tmp_path) -> Path:
    lib = tmp_path / "lib"
    shutil.copytree(built_library, lib, ignore=shutil.ignore_patterns("running"))
    return lib


def test_the_planted_index_would_run_code_if_whoosh_opened_it(tmp_path):
    marker = tmp_path / "ran"
    plant(tmp_path / "index", marker)
    windex.open_dir(str(tmp_path / "index"))
    assert marker.read_text() == "ran"  # the payload is real: the tests below would see it run


@pytest.mark.parametrize("how", ["replaced", "unsigned", "forged-signature", "one-segment-swapped"])
def test_planted_index_is_rebuilt_never_opened(built_library, tmp_path, how):
    lib = copy(built_library, tmp_path)
    index = lib / "index"
    marker = tmp_path / "ran"
    signature = (index / trust.SIGNATURE_FILE).read_text()
    plant(tmp_path / "evil", marker)
    if how == "one-segment-swapped":  # the real table of contents and signature, one planted file beside them
        toc = next((tmp_path / "evil").glob("_MAIN_*.toc"))
        live_toc = next(index.glob("_MAIN_*.toc"))
        shutil.copy(toc, live_toc)
    else:
        shutil.rmtree(index)
        shutil.copytree(tmp_path / "evil", index)
        if how == "replaced":
            (index / trust.SIGNATURE_FILE).write_text(signature)  # an old signature does not cover new files
        elif how == "forged-signature":  # digests made with some other key
            files = {n: trust.digest(index / n, b"k" * 32) for n in trust.signed_names(index)}
            (index / trust.SIGNATURE_FILE).write_text(json.dumps({"version": 1, "files": files}))
    with Library.open(lib) as library:
        assert library.search("menatetrenone").total > 0
        assert library.info()["index"]["documents"] > 200
    assert not marker.exists()
    assert trust.Trust().problem(index) is None  # rebuilt and signed


def test_index_signed_with_another_key_is_rebuilt_by_a_subprocess(built_library, tmp_path):
    """A library copied from a colleague: their vkref signed its index with their key."""
    lib = copy(built_library, tmp_path)
    before = sorted(p.name for p in (lib / "index").glob("MAIN_*.*"))  # a segment's files
    env = dict(os.environ, VKREF_INDEX_KEY=str(tmp_path / "colleague.key"), PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-m", "vkref", "--library", str(lib), "search", "MK-4", "--json"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["total"] > 0
    assert sorted(p.name for p in (lib / "index").glob("MAIN_*.*")) != before  # rebuilt, under the other key
    assert (tmp_path / "colleague.key").stat().st_mode & 0o777 == 0o600


def test_commits_of_another_process_are_trusted_without_a_rebuild(built_library, tmp_path):
    lib = copy(built_library, tmp_path)
    with Library.open(lib) as library:
        assert library.search("menatetrenone").total > 0
        ident = os.stat(lib / "index").st_ino
        fid = library.findings_of(library.reviews()[0].id)[0].id
        env = dict(os.environ, PYTHONPATH=str(REPO))
        r = subprocess.run([sys.executable, "-m", "vkref", "--library", str(lib), "edit", fid, "--set",
                            "statement=Zanzibarite marker statement for the trust test"],
                           capture_output=True, text=True, env=env, timeout=300)
        assert r.returncode == 0, r.stderr
        assert library.search("zanzibarite").total == 1
        assert os.stat(lib / "index").st_ino == ident  # the same directory: no rebuild
        assert library.index_state == "ready"


def test_key_file_is_created_once_and_private(tmp_path, monkeypatch):
    path = tmp_path / "cfg" / "index.key"
    monkeypatch.setattr(trust, "_key", None)
    monkeypatch.setenv(trust.KEY_ENV, str(path))
    key = trust.user_key()
    assert len(key) == trust.KEY_BYTES and path.read_bytes() == key
    assert path.stat().st_mode & 0o777 == 0o600
    monkeypatch.setattr(trust, "_key", None)
    assert trust.user_key() == key
