"""Issue 20 item 13: bad ids, types, sizes and characters get one clear line; nothing is stored."""
from __future__ import annotations

import shutil
import subprocess
import sys
import os
from pathlib import Path

import pytest

from vkref.core.entities import Author, Finding, Review
from vkref.core.errors import DataError, QueryError
from vkref.library import Library

from tests.conftest import REPO  # noqa: E402


@pytest.fixture
def lib(built_library, tmp_path):
    path = tmp_path / "lib"
    shutil.copytree(built_library, path, ignore=shutil.ignore_patterns("running"))
    with Library.open(path) as library:
        yield library


@pytest.mark.parametrize("rid", ["../../<b>id</b>\x00", "a/b", "", " lead", "x" * 101, "_x", "white space"])
def test_invalid_ids_are_refused_and_nothing_is_stored(lib, rid):
    before = lib.info()["reviews"]
    with pytest.raises(DataError, match="is not valid"):
        lib.add_records([Review(id=rid, title="A title")], [])
    assert lib.info()["reviews"] == before


@pytest.mark.parametrize("rid", ["ymj-002", "iwamoto-2006-ymj", "003_d371be8b7e3e425b", "pmid:123", "Ωmega-1"])
def test_valid_ids_are_accepted(lib, rid):
    lib.add_records([Review(id=rid, title="A title")], [])
    assert lib.get_review(rid) is not None


def test_oversized_record_is_refused_whole(lib):
    before = lib.info()
    big = Review(id="big-1", title="Big", summary="word " * 60_000)  # 300,000 characters
    small = Review(id="small-1", title="Small")
    with pytest.raises(DataError, match=r"review 'big-1': field summary is too long \(300,000"):
        lib.add_records([small, big], [])
    assert lib.info()["reviews"] == before["reviews"] and lib.get_review("small-1") is None  # one batch: none


@pytest.mark.parametrize("field,value,message", [
    ("statement", 5, "field statement must be text, not int"),
    ("statement", "  ", "field statement is empty"),
    ("statement", "bad \udc80 text", "cannot be stored \\(U\\+DC80\\)"),
    ("tags", "one", "field tags must be a list"),
    ("tags", ["ok", 3], "must hold text items"),
    ("dose", "\x00", "cannot be stored \\(U\\+0000\\)"),
])
def test_bad_finding_fields_are_one_line_errors(lib, field, value, message):
    review = lib.reviews()[0]
    finding = Finding(id="new-bad-1", review_id=review.id, statement="A statement")
    setattr(finding, field, value)
    with pytest.raises(DataError, match=message):
        lib.save_finding(finding)
    assert lib.get_finding("new-bad-1") is None


def test_wrong_year_type_and_author_type(lib):
    with pytest.raises(DataError, match="field year must be a whole number"):
        lib.save_review(Review(id="y-1", title="T", year="2006"))
    with pytest.raises(DataError, match="field authors must hold text items"):
        lib.save_review(Review(id="y-2", title="T", authors=[{"family": "X"}]))
    lib.save_review(Review(id="y-3", title="T", year=2006, authors=[Author("Iwamoto", "J")]))
    with pytest.raises(DataError, match="expected a Finding, not dict"):
        lib.save_finding({"id": "x"})


@pytest.mark.parametrize("kwargs,message", [
    (dict(query=5), "the query must be text"),
    (dict(query="mk-4", limit="a"), "limit must be a whole number"),
    (dict(query="mk-4", offset=1.5), "offset must be a whole number"),
    (dict(query="mk-4", filters={"species": 3}), "must be a value or a list of values"),
    (dict(query="mk-4", filters="species=Human"), "filters must map facet names"),
    (dict(query="mk-4", filters={"species": [3]}), "values are text"),
    (dict(query="mk-4", year_from="2000"), "year_from must be a whole number"),
    (dict(query="mk-4\x00"), "not text"),
])
def test_search_arguments_of_the_wrong_type_are_query_errors(library, kwargs, message):
    with pytest.raises(QueryError, match=message):
        library.search(**kwargs)


def test_import_skips_a_record_that_is_too_large_and_keeps_the_rest(lib, tmp_path):
    ris = tmp_path / "refs.ris"
    ris.write_text("TY  - JOUR\nTI  - A fine record about menatetrenone\nPY  - 2001\nER  - \n"
                   "TY  - JOUR\nTI  - " + "Huge " * 600 + "\nPY  - 2002\nER  - \n", encoding="utf-8")
    report = lib.import_files([ris])
    f = report.to_dict()["files"][0]
    assert (f["records"], f["imported"], f["skipped"]) == (2, 1, 1)
    assert "field title is too long" in f["errors"][0]["reason"] and f["errors"][0]["record"] == 2


def test_background_thread_crash_is_one_line_and_a_report(tmp_path):
    code = ("import threading; from vkref.core import logs; logs.install_thread_hook();"
            "t = threading.Thread(target=lambda: 1/0, name='worker'); t.start(); t.join()")
    env = dict(os.environ, PYTHONPATH=str(REPO), XDG_STATE_HOME=str(tmp_path), TMPDIR=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("vkref: internal error in a background task: ZeroDivisionError")
    assert "details in" in r.stderr
