"""The library JSON: dump -> load -> dump is identical on the bundled library (with every field set), and
each kind of bad input is refused with one line naming the source, the record and the problem."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest

from vkref.core import paths
from vkref.core.entities import Provenance
from vkref.core.errors import DataError
from vkref.io import bundled, vkjson


@pytest.fixture(scope="module")
def data():
    loaded = bundled.load(paths.bundled_data_dir())
    review, finding = loaded.reviews[0], loaded.findings[0]
    review.mesh, review.concepts, review.concepts_suggested = ["Humans", "Rats"], {"species": ["human"]}, True
    review.version, finding.version, review.tags, review.notes = 7, 3, ["k2"], "note with ünïcode"
    review.provenance = Provenance(datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "ann",
                                   datetime(2025, 2, 3, 4, 5, 6, 789000), "bob", "confirmed", "checked")
    return loaded


@pytest.fixture
def doc(data) -> dict:
    return copy.deepcopy(vkjson.dump(data.reviews, data.findings, data.vocabulary, extra={"selection": "all"},
                                     studies=data.studies))


def test_dump_load_dump_is_identical(data, doc):
    text = json.dumps(doc, ensure_ascii=False)
    back = vkjson.load(text, "lib.json")
    assert vkjson.dump(back.reviews, back.findings, back.vocabulary, back.extra, studies=back.studies) == doc
    assert back.reviews == data.reviews and back.findings == data.findings and back.studies == data.studies
    assert back.vocabulary.concepts == data.vocabulary.concepts
    assert back.reviews[0].provenance.created_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert back.reviews[0].version == 7 and back.extra == {"selection": "all"}


def test_dump_holds_every_field(data, doc):
    assert doc["format"] == "vkref-library" and doc["version"] == 1
    assert len(doc["reviews"]) == len(data.reviews) and len(doc["findings"]) == len(data.findings) > 0
    assert {"mesh", "concepts", "concepts_suggested", "provenance", "version", "fulltext"} <= set(doc["reviews"][0])
    assert doc["reviews"][0]["provenance"]["updated_at"] == "2025-02-03T04:05:06.789000"
    assert doc["findings"][0]["concepts"] == data.findings[0].concepts
    json.dumps(doc)  # JSON-able as it is


def test_load_accepts_bytes_and_a_dict(doc):
    assert len(vkjson.load(json.dumps(doc).encode("utf-8")).findings) == len(doc["findings"])
    assert len(vkjson.load(doc).reviews) == 4


def _error(doc, source="lib.json") -> str:
    with pytest.raises(DataError) as err:
        vkjson.load(doc, source)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{source}: ")
    return message


def test_not_json_or_not_a_library(doc):
    assert "not valid JSON (line 1" in _error("{oops")
    assert "not UTF-8" in _error(b"\xff\xfe{")
    assert "top level" in _error("[1, 2]")
    assert "not a vkref library file" in _error({**doc, "format": "csl-json"})
    assert "newer vkref" in _error({**doc, "version": 2})
    assert '"version" must be' in _error({**doc, "version": "1"})
    assert '"reviews" must be a list' in _error({**doc, "reviews": {}})


def test_record_errors_name_the_record(doc):
    bad = copy.deepcopy(doc)
    del bad["reviews"][1]["title"]
    assert _error(bad) == f"lib.json: record {doc['reviews'][1]['id']}: missing 'title'"
    bad = copy.deepcopy(doc)
    bad["reviews"][0]["year"] = "2003"
    assert _error(bad) == (f"lib.json: record {doc['reviews'][0]['id']}: "
                           'year must be a whole number or null, not "2003"')
    bad = copy.deepcopy(doc)
    bad["reviews"][0]["colour"] = "red"
    assert "unknown field 'colour'" in _error(bad)
    bad = copy.deepcopy(doc)
    bad["reviews"][0]["authors"] = [{"given": "Jun"}]
    assert "author" in _error(bad)
    bad = copy.deepcopy(doc)
    bad["reviews"][0]["provenance"]["created_at"] = "yesterday"
    assert "created_at 'yesterday' is not an ISO 8601" in _error(bad)
    bad = copy.deepcopy(doc)
    bad["findings"][5]["version"] = True
    assert _error(bad).startswith(f"lib.json: record {doc['findings'][5]['id']}: version must be a whole number")
    bad = copy.deepcopy(doc)
    bad["findings"].append(copy.deepcopy(bad["findings"][0]))
    assert "used twice" in _error(bad)
    bad = copy.deepcopy(doc)
    bad["findings"][2] = "not an object"
    assert _error(bad) == "lib.json: record #3: a record must be an object"


def test_links_and_coding_are_checked(doc):
    bad = copy.deepcopy(doc)
    bad["findings"][0]["review_id"] = "nowhere"
    assert _error(bad) == f"lib.json: record {doc['findings'][0]['id']}: its review 'nowhere' is not in the file"
    bad = copy.deepcopy(doc)
    bad["findings"][0]["concepts"]["agent"] = ["no-such-concept"]
    assert "unknown agent concept 'no-such-concept'" in _error(bad)
    bad = copy.deepcopy(doc)
    bad["findings"][0]["concepts"]["agent"] = ["human"]
    assert "'human' is a species concept, not agent" in _error(bad)
    bad = copy.deepcopy(doc)
    bad["reviews"][0]["concepts"] = {"colour": ["human"]}
    assert "unknown facet 'colour'" in _error(bad)


def test_vocabulary_is_validated(doc):
    bad = copy.deepcopy(doc)
    bad["vocabulary"][0]["parent"] = "no-such-parent"
    assert "unknown parent 'no-such-parent'" in _error(bad)
    bad = copy.deepcopy(doc)
    bad["vocabulary"][0] = 5
    assert _error(bad) == "lib.json: concept #1: must be an object with an 'id'"
    bad = copy.deepcopy(doc)
    bad["vocabulary"][1]["label"] = 5
    assert _error(bad).startswith(f"lib.json: concept {doc['vocabulary'][1]['id']}: label must be text")
