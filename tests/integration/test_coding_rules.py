"""The coding rules of db/README.md, checked over every bundled finding, with the audited findings as
regression cases (a wrong evidence grade, direction, species or agent is a clinical error)."""
import re

import pytest

from tests.conftest import SEEDS
from vkref.core.paths import bundled_data_dir
from vkref.io import bundled

CLINICAL = {"meta-analysis", "clinical-trial", "rct", "cct", "observational", "clinical-design-not-stated"}
ORGANISMS = {"human", "rat", "mouse", "species-not-stated"}
CHALLENGES = {"parathyroid-hormone", "pge2", "pma", "tnf-alpha", "rankl"}
MK4_REVIEWS = {"iwamoto-2006-ymj", "iwamoto-2003-kjm", "iwamoto-2006-cds"}
CLASS_STATEMENTS = {"ymj-001", "kjm-003"}  # vitamin K2 as a class: cofactor of gamma-carboxylase

DESIGN_NOT_STATED = ["ymj-006", "ymj-007", "ymj-008", "ymj-009", "ymj-010", "ymj-011", "ymj-012", "ymj-013",
                     "kjm-001", "kjm-018", "kjm-019", "kjm-020", "kjm-021", "kjm-022", "kjm-023", "cds-006",
                     "cds-010", "imm-010", "imm-011", "imm-017", "imm-028", "imm-040", "imm-041", "imm-070",
                     "imm-072", "imm-075"]
DESCRIPTIVE = ["imm-004", "imm-005", "imm-006", "imm-007", "imm-008", "imm-009", "imm-012", "imm-015", "imm-018",
               "imm-023", "imm-024", "imm-071", "ymj-063", "ymj-037"]
MODEST = ["cds-006", "ymj-015", "ymj-064"]


@pytest.fixture(scope="module")
def data():
    return bundled.load(bundled_data_dir())


@pytest.fixture(scope="module")
def by_id(data):
    return {f.id: f for f in data.findings}


def _one(f, facet):
    return f.concepts[facet][0]


def test_evidence_and_species_agree(data):
    for f in data.findings:
        species, evidence = set(f.concepts["species"]), _one(f, "evidence")
        assert "cell-culture" not in species, f"{f.id}: species must be an organism"
        if evidence in CLINICAL:
            assert species == {"human"}, f"{f.id}: {evidence} coded {species}"
        if evidence == "animal-study":
            assert species and species <= {"rat", "mouse"}, f"{f.id}: animal study coded {species}"
        if evidence in ("in-vitro", "ex-vivo"):
            assert len(species) == 1 and species <= ORGANISMS, f"{f.id}: culture needs one organism, has {species}"


def test_populations_agree_with_species(data):
    vocab = data.vocabulary
    roots = {"rat": "rat-model", "mouse": "mouse-model", "human": "humans-all"}
    for f in data.findings:
        if _one(f, "evidence") not in CLINICAL | {"animal-study"}:
            continue
        species = _one(f, "species")
        for pop in f.concepts["population"]:
            assert roots[species] in [pop] + vocab.ancestors(pop), f"{f.id}: {pop} is not a {species} population"


def test_cultures_say_their_organism(by_id):
    for fid in ("imm-046", "imm-047", "imm-048", "imm-049", "imm-055", "imm-056", "imm-057"):
        assert by_id[fid].concepts["species"] == ["mouse"], fid  # MC3T3-E1 and mouse marrow
    for fid in ("imm-033", "imm-034", "imm-043", "imm-044", "imm-045", "imm-053", "imm-054", "imm-058"):
        assert by_id[fid].concepts["species"] == ["rat"], fid
    for fid in ("imm-029", "kjm-005"):
        assert by_id[fid].concepts["species"] == ["human"], fid
        assert _one(by_id[fid], "evidence") == "in-vitro", fid
    for fid in ("imm-033", "imm-043", "imm-053"):
        assert _one(by_id[fid], "evidence") == "ex-vivo", fid


@pytest.mark.parametrize("fid", DESIGN_NOT_STATED)
def test_clinical_design_not_stated(by_id, fid):
    assert _one(by_id[fid], "evidence") == "clinical-design-not-stated"


def test_trial_grades_are_stated_in_the_review(by_id):
    assert _one(by_id["cds-005"], "evidence") == "rct"  # "evidence from a randomized controlled trial"
    for fid in ("kjm-029", "kjm-031", "kjm-032", "imm-016", "imm-076", "imm-079", "imm-085"):
        assert _one(by_id[fid], "evidence") == "cct", fid  # controlled or placebo arm named in the review


def test_trials_sit_under_clinical_trial(data):
    vocab = data.vocabulary
    assert vocab["rct"].parent == "clinical-trial" and vocab["cct"].parent == "clinical-trial"
    assert vocab["clinical-design-not-stated"].parent != "clinical-trial"


@pytest.mark.parametrize("fid", DESCRIPTIVE)
def test_descriptive_findings(by_id, fid):
    assert _one(by_id[fid], "direction") == "descriptive"


def test_no_direction_on_findings_without_an_effect(data):
    for f in data.findings:
        no_effect_topic = set(f.concepts["outcome"]) <= {"chemical-properties", "clinical-use"}
        if no_effect_topic or f.concepts["agent"] == ["no-agent"]:
            assert _one(f, "direction") == "descriptive", f.id


@pytest.mark.parametrize("fid", MODEST)
def test_a_modest_effect_is_beneficial(by_id, fid):
    assert _one(by_id[fid], "direction") == "beneficial"
    assert "modest" in by_id[fid].statement or "slightly" in by_id[fid].statement


def test_no_challenge_agent_in_a_beneficial_combination(data):
    for f in data.findings:
        challenges = CHALLENGES & set(f.concepts["agent"])
        if challenges:
            assert len(f.concepts["agent"]) == 1 and _one(f, "direction") != "beneficial", f.id


@pytest.mark.parametrize("fid, tag", [("imm-053", "PTH"), ("imm-054", "PGE2"), ("imm-055", "PTH"),
                                      ("imm-056", "PMA"), ("imm-061", "TNF"), ("imm-062", "RANKL")])
def test_challenges_are_recorded_not_coded(by_id, fid, tag):
    f = by_id[fid]
    assert f.concepts["agent"] == ["mk7"]
    assert any(t.startswith("challenge:") and tag in t for t in f.tags)


def test_substances_not_given_are_not_agents(by_id):
    assert by_id["ymj-037"].concepts["agent"] == ["no-agent"]          # testosterone was removed
    assert "mk4" not in by_id["cds-009"].concepts["agent"]             # advised against as first choice
    assert set(by_id["cds-009"].concepts["agent"]) == {"alendronate", "risedronate"}
    for fid in ("imm-079", "imm-080", "imm-085", "imm-086"):           # calcium + D3 in every arm
        agents = set(by_id[fid].concepts["agent"])
        assert len(agents) == 1 and not agents & {"calcium", "vitamin-d3", "fortified-dairy"}, fid
        assert any(t.startswith("background:") for t in by_id[fid].tags), fid


@pytest.mark.parametrize("single, combined", [("ymj-027", "ymj-065"), ("ymj-032", "ymj-066"),
                                              ("ymj-034", "ymj-067")])
def test_single_and_combination_arms_are_split(by_id, single, combined):
    assert len(by_id[single].concepts["agent"]) == 1
    assert len(by_id[combined].concepts["agent"]) == 2
    assert by_id[single].cited_ref == by_id[combined].cited_ref


def test_single_agent_arms_of_the_raloxifene_study(by_id):
    assert by_id["ymj-035"].concepts["agent"] == ["raloxifene"]
    assert by_id["ymj-068"].concepts["agent"] == ["mk4"]
    assert _one(by_id["ymj-035"], "direction") == _one(by_id["ymj-068"], "direction") == "no-effect"
    assert by_id["ymj-036"].concepts["outcome"] == ["bone-strength"]


def test_vitamin_k2_is_coded_as_the_review_defines_it(data):
    for f in data.findings:
        if f.review_id in MK4_REVIEWS and "vitamin-k2" in f.concepts["agent"]:
            assert f.id in CLASS_STATEMENTS, f"{f.id}: this review's vitamin K2 is menatetrenone (mk4)"


def test_menatetrenone_in_humans_finds_the_clinical_claims(library):
    page = library.search("menatetrenone", filters={"species": ["Human"]}, limit=200)
    found = {h.id for h in page.hits}
    expected = {f"ymj-{n:03d}" for n in range(6, 14)} | {"cds-005", "cds-006", "cds-010"}
    assert expected <= found, sorted(expected - found)


def test_audited_wording(by_id):
    assert "only when" not in by_id["kjm-036"].statement
    assert "K1" not in by_id["imm-008"].statement  # the seed names no comparator
    assert "osteocalcin-carboxylation" not in by_id["kjm-004"].concepts["outcome"]  # accumulation, not carboxylation
    assert "calcif" in by_id["imm-026"].statement and "does not claim" in by_id["imm-026"].statement


def test_missing_findings_were_added(by_id):
    knockout = by_id["kjm-040"]
    assert knockout.concepts["species"] == ["mouse"] and "hyperostosis" in knockout.statement
    assert _one(knockout, "evidence") == "animal-study"
    assert by_id["kjm-042"].concepts["agent"] == ["anabolic-agent"]
    context = {f.review_id for f in by_id.values() if "clinical-use" in f.concepts["outcome"]}
    assert MK4_REVIEWS <= context


def _normalised(text):
    return " ".join(text.replace("-\n", "-").split())


def _heading_count(text, heading):
    """How often ``heading`` stands as a heading: a whole line, or two lines joined (the seeds break some)."""
    lines = [" ".join(line.split()) for line in text.splitlines()] + [""]
    return sum(1 for i in range(len(lines) - 1)
               if heading in (lines[i], f"{lines[i]} {lines[i + 1]}".strip()) and lines[i])


def test_sections_are_complete_and_repeated_headings_qualified(data):
    reviews = {r.id: r for r in data.reviews}
    for f in data.findings:
        path = SEEDS / f"{reviews[f.review_id].source_id}.txt"
        if not path.exists():
            pytest.skip(f"seed text {path.name} not available")
        raw = path.read_text(encoding="utf-8", errors="replace")
        text = _normalised(raw)
        match = re.fullmatch(r"(.+) \(in (.+)\)", f.section)
        heading, parent = match.groups() if match else (f.section, None)
        assert heading in text, f"{f.id}: {heading!r} not in the seed"
        if parent is not None:
            assert text.find(parent) >= 0 and text.find(heading, text.find(parent)) >= 0, f.id
        else:
            assert _heading_count(raw, heading) == 1, f"{f.id}: {heading!r} must be a heading that occurs once"
        assert not heading.endswith((" and", " for", " in", " vitamin", " with")), f"{f.id}: heading cut short"


def test_vocabulary_placement(data):
    vocab = data.vocabulary
    parents = {"alfacalcidol": "active-vitamin-d", "calcitriol": "active-vitamin-d", "natto": "fermented-foods",
               "elderly-women": "elderly-people", "postmenopausal-osteoporosis": "osteoporosis-patients",
               "glucocorticoid-osteoporosis": "osteoporosis-patients", "mk7": "long-chain-menaquinones",
               "liver-disease-osteoporosis": "osteoporosis-patients", "hip-fracture-patients": "humans-all"}
    for cid, parent in parents.items():
        assert vocab[cid].parent == parent, cid
    assert "vitamin-k2" in vocab.ancestors("mk7")


@pytest.mark.parametrize("typed, concept", [("osteopenia", "osteopenia-patients"), ("DXA", "bmd"), ("DEXA", "bmd"),
                                            ("Gla-OC", "osteocalcin-carboxylation"), ("ucOC", "osteocalcin-carboxylation"),
                                            ("Glu-OC", "osteocalcin-carboxylation"), ("phytomenadione", "vitamin-k1"),
                                            ("Konakion", "vitamin-k1"), ("Rocaltrol", "calcitriol"),
                                            ("One-Alpha", "alfacalcidol"), ("Alfarol", "alfacalcidol"),
                                            ("Didronel", "etidronate"), ("Fosamax", "alendronate"),
                                            ("Fosamac", "alendronate"), ("Bonalon", "alendronate"),
                                            ("Benet", "risedronate"), ("Actonel", "risedronate"),
                                            ("Evista", "raloxifene"), ("MenaQ7", "mk7")])
def test_what_clinicians_type(data, typed, concept):
    assert concept in {c.id for c in data.vocabulary.find_all(typed)}


@pytest.mark.parametrize("word", ["BP", "AD", "PD", "Ca", "GC"])
def test_no_ambiguous_short_synonyms(data, word):
    assert not data.vocabulary.find_all(word), word
