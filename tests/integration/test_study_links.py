"""The study links of the bundled library (db/studies.yaml, rules in db/README.md "Studies"), checked against the
seed reviews: every known cross-review pair is one study, each study's author stands in a citing review next to
its reference number (or the study's note says that review names no author), and a finding rests on exactly the
studies of the references it cites."""
from __future__ import annotations

import re

import pytest

from tests.conftest import SEEDS
from vkref.core.paths import bundled_data_dir
from vkref.io import bundled

# (finding of one review, finding of another, the study both rest on): the pairs the coding issue named, and the
# pair found while coding (Iwamoto et al.'s orchidectomy and neurectomy paper, Yonsei ref 45 = Keio ref 20)
KNOWN_PAIRS = [("ymj-025", "kjm-026", "matsunaga-ymj36"), ("ymj-025", "kjm-027", "hara-ymj37"),
               ("ymj-022", "kjm-015", "binkley-ymj34"), ("ymj-038", "kjm-016", "iwamoto-ymj45")]


@pytest.fixture(scope="module")
def data():
    return bundled.load(bundled_data_dir())


@pytest.fixture(scope="module")
def seeds(data):
    texts = {}
    for review in data.reviews:
        path = SEEDS / f"{review.source_id}.txt"
        if not path.exists():
            pytest.skip("the seed reviews are not available")
        text = " ".join(path.read_text(encoding="utf-8").split())
        texts[review.id] = re.sub(r"\s*\(Fig\. \d+\)\.?", "", text)  # "Matsunaga et al. (Fig. 2).36"
    return texts


@pytest.fixture(scope="module")
def cited(data):
    """(review id, reference number) -> study id, as db/studies.yaml gives them."""
    import yaml

    entries = yaml.safe_load((bundled_data_dir() / "studies.yaml").read_text(encoding="utf-8"))["studies"]
    return {(c["review"], str(c["ref"])): e["id"] for e in entries for c in e["cited"]}


@pytest.mark.parametrize("one, other, study", KNOWN_PAIRS)
def test_known_cross_review_pairs_rest_on_one_study(data, one, other, study):
    by_id = {f.id: f for f in data.findings}
    assert by_id[one].review_id != by_id[other].review_id
    assert study in by_id[one].studies and study in by_id[other].studies


def test_each_named_author_is_in_a_citing_review_by_its_reference_number(data, seeds, cited):
    studies = {s.id: s for s in data.studies}
    for (review, ref), sid in cited.items():
        study = studies[sid]
        if not study.first_author:
            assert "does not name" in study.note, sid
            continue
        name = re.escape(study.first_author)
        text = seeds[review]
        near = re.search(rf"{name}(?![A-Za-z-])[^.]{{0,20}}?(et al\.)?[^0-9]{{0,20}}?(?<!\d){ref}\b", text) or \
            re.search(rf"\b{ref}\b.{{0,40}}{name} et al\.", text)  # a number the extraction moved up
        own = "review's own author" in study.note and re.search(rf"(?i:this author)[^[]{{0,120}}\[{ref}\]", text)
        assert near or own or ("names no author" in study.note and review.split("-")[-1] != "ymj"), \
            f"{sid}: {study.first_author} is not cited as reference {ref} in {review}"


def test_every_study_named_twice_across_reviews_says_why(data):
    for study in data.studies:
        reviews = {c for c in study.note.split() if c in ("Yonsei", "Keio")}
        linked = len({f.review_id for f in data.findings if study.id in f.studies}) > 1
        if linked:
            assert reviews == {"Yonsei", "Keio"} and ("one study" in study.note or "both naming" in study.note), \
                study.id


def test_a_finding_rests_on_the_studies_of_the_references_it_cites(data, cited):
    for f in data.findings:
        expected = {cited[f.review_id, n] for n in bundled.cited_numbers(f.cited_ref) if (f.review_id, n) in cited}
        assert set(f.studies) == expected, f.id
        if not f.cited_ref:
            assert f.studies == [], f"{f.id}: cites nothing, so it is the review's own synthesis"
        else:
            assert f.studies, f"{f.id}: cites {f.cited_ref} but rests on no study"


def test_a_named_cited_author_is_the_first_author_of_one_of_its_studies(data):
    studies = {s.id: s for s in data.studies}
    for f in data.findings:
        for author in filter(None, (a.strip() for a in f.cited_author.split(";"))):
            assert author in {studies[s].first_author for s in f.studies}, f"{f.id}: {author}"


def test_every_study_is_used_and_described(data):
    used = {s for f in data.findings for s in f.studies}
    for study in data.studies:
        assert study.id in used, f"{study.id}: no finding rests on it"
        assert study.label and study.design and study.note, study.id


def test_reference_numbers_expand():
    assert bundled.cited_numbers("36,37") == ["36", "37"]
    assert bundled.cited_numbers("10-12") == ["10", "11", "12"]
    assert bundled.cited_numbers("5,24,25") == ["5", "24", "25"]
    assert bundled.cited_numbers("") == []
