"""The bundled library: complete, coded, traceable to its seed texts, and answering clinicians."""
import re

import pytest

from tests.conftest import SEEDS
from vkref.core.paths import bundled_data_dir
from vkref.io import bundled


@pytest.fixture(scope="module")
def data():
    return bundled.load(bundled_data_dir())


def test_four_reviews_and_enough_findings(data):
    assert len(data.reviews) == 4
    assert len(data.findings) >= 100
    per_review = {}
    for f in data.findings:
        per_review[f.review_id] = per_review.get(f.review_id, 0) + 1
    assert set(per_review) == {r.id for r in data.reviews}


def test_every_finding_is_fully_coded(data):
    for f in data.findings:
        assert f.statement and f.section and f.review_id, f.id
        for facet in ("agent", "population", "species", "outcome", "direction", "evidence"):
            assert f.concepts.get(facet), f"{f.id} has no {facet}"
        assert len(f.concepts["direction"]) == 1 and len(f.concepts["evidence"]) == 1, f.id


def test_species_and_evidence_agree(data):
    """A clinician filtering to human trials must never see a rat or cell study (the full rules are in
    test_coding_rules.py)."""
    clinical = {"rct", "cct", "clinical-trial", "clinical-design-not-stated", "meta-analysis", "observational"}
    for f in data.findings:
        species = set(f.concepts["species"])
        evidence = f.concepts["evidence"][0]
        if evidence in clinical:
            assert species == {"human"}, f"{f.id}: {evidence} with {species}"
        if evidence == "animal-study":
            assert species <= {"rat", "mouse"}, f"{f.id}: animal study with {species}"
        if evidence in ("in-vitro", "ex-vivo"):
            assert len(species) == 1 and species <= {"human", "rat", "mouse", "species-not-stated"}, \
                f"{f.id}: in vitro with {species}"


def test_reviews_carry_summary_and_verification(data):
    for r in data.reviews:
        words = len(r.summary.split())
        assert 150 <= words <= 250, f"{r.id}: summary has {words} words"
        assert r.provenance.verification in ("confirmed", "partial", "reconstructed")
        assert r.provenance.verification_note and r.keywords and r.source_id


def _seed_text(source_id):
    path = SEEDS / f"{source_id}.txt"
    if not path.exists():
        pytest.skip(f"seed text {path.name} not available")
    return path.read_text(encoding="utf-8", errors="replace")


def test_every_section_heading_is_in_its_seed_text(data):
    """Each heading (and the parent heading named for a repeated one) occurs in the seed, line breaks aside."""
    reviews = {r.id: r for r in data.reviews}
    for f in data.findings:
        text = " ".join(_seed_text(reviews[f.review_id].source_id).split())
        for heading in re.fullmatch(r"(.+?)(?: \(in (.+)\))?", f.section).groups():
            assert heading is None or heading in text, \
                f"{f.id}: section {heading!r} not found in {reviews[f.review_id].source_id}"


def test_every_seed_section_is_represented(data):
    """Each heading of the full-text seeds that the findings use covers the major parts of the text."""
    reviews = {r.id: r for r in data.reviews}
    used = {}
    for f in data.findings:
        used.setdefault(reviews[f.review_id].source_id, set()).add(f.section)
    expected = {
        "001_f0f164273897ed1b": ["INTRODUCTION", "CONCLUSION"],
        "002_05dcb31f52bdf9ee": ["Conclusion"],
        "003_d371be8b7e3e425b": ["Introduction", "Vitamin K as nutritional factor", "Functional role of vitamin K",
                                 "Prospect"],
    }
    for source, headings in expected.items():
        for h in headings:
            assert any(h in s for s in used[source]), f"{source}: no finding under {h!r}"


def test_figures_from_the_reviews_are_carried(data):
    blob = " ".join(" ".join((f.statement, f.dose, f.duration, f.sample_size, f.effect_size)) for f in data.findings)
    for figure in ("4.92", "1.35", "244", "180"):
        assert figure in blob, figure


# Clinician questions and the findings each must return in the top five (checked against the seed texts).
QUESTIONS = [
    ("calcitriol hip fracture elderly women", {"kjm-001"}),
    ("osteoprotegerin lumbar BMD", {"ymj-008"}),
    ("liver dysfunction", {"ymj-013"}),
    ("MK-7 PTH bone resorption in vitro", {"imm-053", "imm-055"}),
    ("MK-7 PGE2", {"imm-053", "imm-055"}),
    ("raloxifene vitamin K2 femoral neck strength rats", {"ymj-036"}),
    ("natto intake BMD postmenopausal women", {"imm-074"}),
    ("MK-7 half-life", {"imm-008"}),
    ("orchidectomized rats", {"ymj-039"}),
    ("incadronate tail suspension", {"ymj-051"}),
    ("NF-kB osteoclast", {"imm-062"}),
    ("alendronate risedronate first choice", {"cds-009"}),
    ("glucocorticoid-induced osteoporosis vertebral fractures", {"ymj-009"}),
    ("osteocalcin knockout mice hyperostosis", {"kjm-040"}),
    ("MK-7 fortified dairy lumbar BMD", {"imm-080"}),
]


@pytest.mark.parametrize("query, expected", QUESTIONS)
def test_clinician_questions(library, query, expected):
    page = library.search(query, limit=5)
    top = {h.id for h in page.hits}
    assert expected <= top, f"{query!r}: top five were {sorted(top)}"


def test_statements_are_our_own_words():
    """No run of 12 words from a seed (the same rule as ../shared/tools/copycheck.py)."""
    word = re.compile(r"[a-z0-9]+")
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        pytest.skip("seed texts not available")
    shingles = set()
    for s in seeds:
        toks = word.findall(s.read_text(errors="replace").lower().replace("-\n", ""))
        shingles |= {" ".join(toks[i:i + 12]) for i in range(len(toks) - 11)}
    titles = [" ".join(word.findall(l[6:].lower())) for l in (SEEDS / "seed-refs.ris").read_text().splitlines()
              if l.startswith("TI  - ")]
    for path in sorted(bundled_data_dir().rglob("*.yaml")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            toks = word.findall(line.lower())
            for i in range(len(toks) - 11):
                sh = " ".join(toks[i:i + 12])
                assert sh not in shingles or any(sh in t for t in titles), f"{path.name}:{n} repeats {sh!r}"


@pytest.mark.parametrize("line, message", [('    tags: "challenge: PTH"', "tags must be a list"),
                                           ("    cited: \"ref 37\"", "cited must be a mapping")])
def test_malformed_free_fields_are_named(tmp_path, line, message):
    import shutil

    shutil.copytree(bundled_data_dir(), tmp_path / "db")
    path = tmp_path / "db" / "reviews" / "yamaguchi-imm.yaml"
    head, tail = path.read_text(encoding="utf-8").split("  - id: imm-053\n", 1)
    key = line.split(":")[0]
    tail = re.sub(rf"^{key}:.*$", line, tail, count=1, flags=re.M)  # replace the finding's own field
    path.write_text(head + "  - id: imm-053\n" + tail, encoding="utf-8")
    with pytest.raises(bundled.DataError, match=f"yamaguchi-imm.yaml: finding 'imm-053': {message}"):
        bundled.load(tmp_path / "db")


def test_tags_fit_the_database_column():
    """Tags are short labels (the column holds 200 characters, which PostgreSQL enforces)."""
    from vkref.core import paths
    from vkref.io import bundled

    data = bundled.load(paths.bundled_data_dir())
    assert all(len(t) <= 200 for f in data.findings for t in f.tags)
