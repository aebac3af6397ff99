"""The coding rules of db/README.md, checked over every bundled finding, with the audited findings as
regression cases (a wrong evidence grade, direction, species or agent is a clinical error)."""
import importlib.util
import re

import pytest

from tests.conftest import REPO, SEEDS
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
               "imm-022", "imm-023", "imm-024", "imm-071", "ymj-063", "ymj-037"]
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


def test_one_direction_and_one_evidence_per_finding(data):
    """A descriptive finding carries no sign beside it, and no finding two designs."""
    for f in data.findings:
        assert len(f.concepts["direction"]) == 1 and len(f.concepts["evidence"]) == 1, f.id


def test_a_tagged_challenge_is_never_also_an_agent(data):
    for f in data.findings:
        if any(t.startswith("challenge:") for t in f.tags):
            assert not CHALLENGES & set(f.concepts["agent"]), f"{f.id}: the challenge is a tag, not an agent"


def test_an_inferred_menatetrenone_says_so(data):
    """The Current Drug Safety abstract says only "vitamin K2": its mk4 coding is an inference, tagged."""
    for f in data.findings:
        if f.review_id == "iwamoto-2006-cds" and "mk4" in f.concepts["agent"]:
            assert any(t.startswith("agent inferred:") for t in f.tags), f.id


def test_the_mk7_review_codes_what_it_names(data):
    """yamaguchi-imm is coded as worded: a statement naming MK-7 (and no other form) is coded mk7."""
    for f in data.findings:
        if f.review_id == "yamaguchi-imm" and "MK-7" in f.statement and "MK-4" not in f.statement \
                and "K1" not in f.statement and f.concepts["agent"] != ["no-agent"]:
            assert "mk7" in f.concepts["agent"] or "natto" in f.concepts["agent"], f.id


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
    parents = {"alfacalcidol": ["active-vitamin-d"], "calcitriol": ["active-vitamin-d"],
               "natto": ["fermented-foods", "soy-foods"], "elderly-women": ["elderly-people", "women"],
               "postmenopausal-osteoporosis": ["osteoporosis-patients", "postmenopausal-women"],
               "glucocorticoid-osteoporosis": ["osteoporosis-patients", "glucocorticoid-treated-patients"],
               "liver-disease-osteoporosis": ["osteoporosis-patients", "liver-disease-patients"],
               "elderly-osteoporosis": ["osteoporosis-patients", "elderly-people"],
               "hip-fracture-patients": ["fragility-fracture-patients", "elderly-people"],
               "mk7": ["long-chain-menaquinones"]}
    for cid, wanted in parents.items():
        assert vocab.parents(cid) == wanted, cid
    assert "vitamin-k2" in vocab.ancestors("mk7")
    assert "vitamin-d3" not in vocab.ancestors("alfacalcidol") + vocab.ancestors("calcitriol")
    assert "osteoporosis-patients" in vocab.ancestors("hip-fracture-patients")


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


# ---------------------------------------------------------------------------- the re-audit (docs/audit.md)
# The 30 findings of scripts/audit_sample.py, as coded after the audit: evidence, direction, species, agents.
AUDITED = {
    "cds-005": ("rct", "beneficial", ["human"], ["mk4"]),
    "cds-008": ("mechanistic", "beneficial", ["human"], ["mk4"]),
    "cds-010": ("clinical-design-not-stated", "beneficial", ["human"], ["bisphosphonate", "mk4"]),
    "cds-011": ("animal-study", "beneficial", ["rat"], ["mk4", "raloxifene"]),
    "cds-013": ("mechanistic", "beneficial", ["human"], ["mk4", "bisphosphonate"]),
    "imm-008": ("mechanistic", "descriptive", ["human"], ["mk7"]),
    "imm-011": ("clinical-design-not-stated", "no-effect", ["human"], ["mk4"]),
    "imm-013": ("mechanistic", "beneficial", ["human"], ["vitamin-k"]),
    "imm-016": ("cct", "beneficial", ["human"], ["mk7"]),
    "imm-019": ("observational", "beneficial", ["human"], ["vitamin-k1", "mk7"]),
    "imm-021": ("observational", "beneficial", ["human"], ["vitamin-k1", "mk7"]),
    "imm-022": ("mechanistic", "descriptive", ["human"], ["vitamin-k1"]),
    "imm-030": ("mechanistic", "beneficial", ["species-not-stated"], ["mk4"]),
    "imm-033": ("ex-vivo", "beneficial", ["rat"], ["mk7"]),
    "imm-045": ("ex-vivo", "beneficial", ["rat"], ["mk7"]),
    "imm-048": ("in-vitro", "mixed", ["mouse"], ["mk7"]),
    "imm-059": ("mechanistic", "beneficial", ["species-not-stated"], ["mk7"]),
    "imm-061": ("in-vitro", "beneficial", ["species-not-stated"], ["mk7"]),
    "imm-066": ("animal-study", "beneficial", ["rat"], ["mk7"]),
    "imm-070": ("clinical-design-not-stated", "beneficial", ["human"], ["natto", "mk7"]),
    "imm-082": ("mechanistic", "beneficial", ["human"], ["mk7"]),
    "kjm-017": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "kjm-029": ("cct", "beneficial", ["human"], ["alfacalcidol", "mk4"]),
    "ymj-028": ("animal-study", "beneficial", ["rat"], ["risedronate"]),
    "ymj-034": ("animal-study", "beneficial", ["rat"], ["raloxifene"]),
    "ymj-035": ("animal-study", "no-effect", ["rat"], ["raloxifene"]),
    "ymj-044": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-048": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-050": ("animal-study", "beneficial", ["rat"], ["incadronate"]),
    "ymj-052": ("animal-study", "beneficial", ["rat"], ["mk4"]),
}
# The second sample (scripts/audit_sample.py --skip 30), after its two fixes.
AUDITED_2 = {
    "cds-007": ("mechanistic", "beneficial", ["human"], ["mk4"]),
    "cds-014": ("mechanistic", "descriptive", ["human"],
                ["mk4", "raloxifene", "etidronate", "alendronate", "risedronate"]),
    "imm-001": ("mechanistic", "beneficial", ["human"], ["nutritional-factors"]),
    "imm-003": ("mechanistic", "beneficial", ["human", "rat", "species-not-stated"], ["mk7"]),
    "imm-009": ("mechanistic", "descriptive", ["human"], ["mk7"]),
    "imm-027": ("in-vitro", "beneficial", ["species-not-stated"], ["vitamin-k2"]),
    "imm-034": ("ex-vivo", "beneficial", ["rat"], ["mk7"]),
    "imm-035": ("mechanistic", "beneficial", ["human"], ["vitamin-k"]),
    "imm-041": ("clinical-design-not-stated", "beneficial", ["human"], ["vitamin-k1"]),
    "imm-054": ("ex-vivo", "beneficial", ["rat"], ["mk7"]),
    "imm-056": ("in-vitro", "beneficial", ["mouse"], ["mk7"]),
    "imm-058": ("in-vitro", "beneficial", ["rat"], ["mk7"]),
    "imm-065": ("animal-study", "beneficial", ["rat"], ["mk7", "natto"]),
    "imm-068": ("animal-study", "beneficial", ["rat"], ["mk7", "zinc"]),
    "imm-085": ("cct", "beneficial", ["human"], ["vitamin-k1"]),
    "imm-086": ("cct", "beneficial", ["human"], ["vitamin-k1"]),
    "kjm-001": ("clinical-design-not-stated", "beneficial", ["human"], ["active-vitamin-d"]),
    "kjm-012": ("animal-study", "mixed", ["rat"], ["mk4"]),
    "kjm-015": ("animal-study", "no-effect", ["rat"], ["mk4"]),
    "kjm-022": ("clinical-design-not-stated", "beneficial", ["human"], ["mk4"]),
    "kjm-028": ("mechanistic", "beneficial", ["rat"], ["alfacalcidol", "mk4"]),
    "kjm-037": ("mechanistic", "harmful", ["human"], ["alfacalcidol", "mk4"]),
    "ymj-001": ("mechanistic", "beneficial", ["species-not-stated"], ["vitamin-k2"]),
    "ymj-008": ("clinical-design-not-stated", "beneficial", ["human"], ["mk4"]),
    "ymj-014": ("observational", "beneficial", ["human"], ["vitamin-k"]),
    "ymj-016": ("mechanistic", "mixed", ["human"], ["mk4"]),
    "ymj-022": ("animal-study", "no-effect", ["rat"], ["mk4"]),
    "ymj-032": ("animal-study", "beneficial", ["rat"], ["raloxifene"]),
    "ymj-055": ("animal-study", "no-effect", ["rat"], ["mk4"]),
    "ymj-059": ("animal-study", "beneficial", ["rat"], ["mk4"]),
}
# The third sample (--skip 60), after its seven fixes.
AUDITED_3 = {
    "cds-003": ("meta-analysis", "beneficial", ["human"], ["alendronate"]),
    "imm-024": ("mechanistic", "descriptive", ["human"], ["vitamin-k"]),
    "imm-025": ("mechanistic", "beneficial", ["human"], ["vitamin-k1"]),
    "imm-026": ("mechanistic", "beneficial", ["human"], ["vitamin-k2"]),
    "imm-032": ("observational", "descriptive", ["human"], ["mk7", "natto"]),
    "imm-038": ("observational", "beneficial", ["human"], ["vitamin-k1", "vitamin-k2"]),
    "imm-040": ("clinical-design-not-stated", "beneficial", ["human"], ["vitamin-k1"]),
    "imm-051": ("in-vitro", "descriptive", ["species-not-stated"], ["mk7"]),
    "imm-074": ("observational", "beneficial", ["human"], ["natto", "mk7"]),
    "imm-075": ("clinical-design-not-stated", "beneficial", ["human"], ["vitamin-k1", "mk4"]),
    "imm-079": ("cct", "beneficial", ["human"], ["mk7"]),
    "imm-080": ("cct", "beneficial", ["human"], ["mk7"]),
    "imm-084": ("mechanistic", "beneficial", ["human"], ["mk7"]),
    "imm-087": ("ex-vivo", "beneficial", ["rat"], ["mk4"]),
    "kjm-010": ("animal-study", "beneficial", ["rat"], ["alfacalcidol"]),
    "kjm-013": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "kjm-018": ("clinical-design-not-stated", "beneficial", ["human"], ["alfacalcidol"]),
    "kjm-020": ("clinical-design-not-stated", "beneficial", ["human"], ["active-vitamin-d"]),
    "ymj-010": ("clinical-design-not-stated", "beneficial", ["human"], ["mk4"]),
    "ymj-013": ("clinical-design-not-stated", "beneficial", ["human"], ["mk4"]),
    "ymj-017": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-021": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-024": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-030": ("animal-study", "beneficial", ["rat"], ["mk4", "risedronate"]),
    "ymj-037": ("animal-study", "descriptive", ["rat"], ["no-agent"]),
    "ymj-039": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-040": ("animal-study", "harmful", ["rat"], ["prednisolone"]),
    "ymj-051": ("animal-study", "beneficial", ["rat"], ["mk4", "incadronate"]),
    "ymj-057": ("animal-study", "beneficial", ["rat"], ["vitamin-k"]),
    "ymj-063": ("mechanistic", "descriptive", ["rat"], ["mk4"]),
}
# The fourth sample (--skip 90), after its two fixes.
AUDITED_4 = {
    "cds-002": ("meta-analysis", "beneficial", ["human"], ["etidronate"]),
    "imm-004": ("mechanistic", "descriptive", ["human"], ["vitamin-k", "vitamin-k1", "vitamin-k2", "vitamin-k3"]),
    "imm-014": ("mechanistic", "harmful", ["human"], ["warfarin", "acenocoumarol"]),
    "imm-017": ("clinical-design-not-stated", "beneficial", ["human"], ["mk7"]),
    "imm-018": ("observational", "descriptive", ["human"], ["mk7", "mk4", "vitamin-k1"]),
    "imm-023": ("observational", "descriptive", ["human"], ["vitamin-k"]),
    "imm-044": ("ex-vivo", "beneficial", ["rat"], ["mk7", "genistein"]),
    "imm-052": ("in-vitro", "beneficial", ["species-not-stated"], ["mk7"]),
    "imm-057": ("in-vitro", "no-effect", ["mouse"], ["mk7"]),
    "imm-062": ("in-vitro", "beneficial", ["species-not-stated"], ["mk7"]),
    "imm-063": ("in-vitro", "beneficial", ["species-not-stated"], ["mk7"]),
    "imm-064": ("animal-study", "beneficial", ["rat"], ["mk7"]),
    "imm-073": ("observational", "beneficial", ["human"], ["natto"]),
    "imm-083": ("mechanistic", "beneficial", ["human"], ["mk7"]),
    "kjm-002": ("observational", "beneficial", ["human"], ["vitamin-k"]),
    "kjm-003": ("mechanistic", "beneficial", ["human"], ["vitamin-k2"]),
    "kjm-019": ("clinical-design-not-stated", "beneficial", ["human"], ["calcitriol"]),
    "kjm-021": ("clinical-design-not-stated", "beneficial", ["human"], ["calcitriol", "calcium"]),
    "kjm-025": ("mechanistic", "beneficial", ["human"], ["alfacalcidol", "mk4"]),
    "kjm-027": ("animal-study", "beneficial", ["rat"], ["alfacalcidol", "mk4"]),
    "kjm-031": ("cct", "beneficial", ["human"], ["alfacalcidol", "mk4"]),
    "kjm-038": ("mechanistic", "beneficial", ["human"], ["alfacalcidol", "mk4"]),
    "kjm-039": ("mechanistic", "beneficial", ["human"], ["alfacalcidol", "mk4"]),
    "kjm-041": ("mechanistic", "descriptive", ["human"], ["alfacalcidol", "mk4"]),
    "ymj-007": ("clinical-design-not-stated", "beneficial", ["human"], ["mk4"]),
    "ymj-027": ("animal-study", "beneficial", ["rat"], ["alfacalcidol"]),
    "ymj-045": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-046": ("animal-study", "no-effect", ["rat"], ["mk4"]),
    "ymj-066": ("animal-study", "beneficial", ["rat"], ["raloxifene", "mk4"]),
    "ymj-068": ("animal-study", "no-effect", ["rat"], ["mk4"]),
}
# The fifth sample (--skip 120), after its three fixes.
AUDITED_5 = {
    "cds-001": ("meta-analysis", "beneficial", ["human"], ["raloxifene"]),
    "cds-006": ("clinical-design-not-stated", "beneficial", ["human"], ["mk4"]),
    "cds-009": ("mechanistic", "beneficial", ["human"], ["alendronate", "risedronate"]),
    "imm-010": ("clinical-design-not-stated", "beneficial", ["human"], ["mk7"]),
    "imm-029": ("in-vitro", "beneficial", ["human"], ["mk4"]),
    "imm-039": ("mechanistic", "beneficial", ["human"], ["vitamin-k1"]),
    "imm-046": ("in-vitro", "beneficial", ["mouse"], ["mk7"]),
    "imm-071": ("observational", "descriptive", ["human"], ["natto", "mk7"]),
    "imm-076": ("cct", "beneficial", ["human"], ["mk7"]),
    "imm-077": ("cct", "beneficial", ["human"], ["mk7"]),
    "imm-078": ("cct", "beneficial", ["human"], ["fortified-dairy", "calcium", "vitamin-d3"]),
    "imm-081": ("mechanistic", "beneficial", ["species-not-stated"], ["mk7"]),
    "kjm-005": ("in-vitro", "beneficial", ["human"], ["mk4", "calcitriol"]),
    "kjm-008": ("clinical-design-not-stated", "beneficial", ["human"], ["mk4"]),
    "kjm-014": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "kjm-023": ("clinical-design-not-stated", "beneficial", ["human"], ["mk4"]),
    "kjm-026": ("animal-study", "beneficial", ["rat"], ["alfacalcidol", "mk4"]),
    "kjm-030": ("cct", "mixed", ["human"], ["alfacalcidol", "mk4"]),
    "kjm-034": ("cct", "harmful", ["human"], ["mk4"]),
    "kjm-042": ("mechanistic", "mixed", ["human"], ["anabolic-agent"]),
    "ymj-005": ("mechanistic", "beneficial", ["species-not-stated"], ["mk4"]),
    "ymj-011": ("clinical-design-not-stated", "beneficial", ["human"], ["mk4"]),
    "ymj-029": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-036": ("animal-study", "beneficial", ["rat"], ["mk4", "raloxifene"]),
    "ymj-047": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-049": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-054": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-056": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-060": ("animal-study", "no-effect", ["rat"], ["mk4"]),
    "ymj-062": ("animal-study", "beneficial", ["rat"], ["mk4"]),
}
# The rest of the library (--skip 150 --n 63), after its five fixes.
AUDITED_REST = {
    "cds-004": ("meta-analysis", "beneficial", ["human"], ["risedronate"]),
    "cds-012": ("observational", "beneficial", ["human"], ["vitamin-k"]),
    "cds-015": ("mechanistic", "beneficial", ["human"], ["mk4", "raloxifene"]),
    "imm-002": ("observational", "beneficial", ["human"], ["nutritional-factors"]),
    "imm-005": ("mechanistic", "descriptive", ["human"],
                ["vitamin-k1", "mk7", "long-chain-menaquinones", "natto", "fermented-foods"]),
    "imm-006": ("mechanistic", "descriptive", ["human"], ["vitamin-k1", "mk4", "mk7"]),
    "imm-007": ("mechanistic", "descriptive", ["human"], ["vitamin-k1", "mk4"]),
    "imm-012": ("mechanistic", "descriptive", ["human"], ["vitamin-k"]),
    "imm-015": ("mechanistic", "descriptive", ["human"], ["vitamin-k"]),
    "imm-020": ("observational", "no-effect", ["human"], ["mk4"]),
    "imm-028": ("clinical-design-not-stated", "beneficial", ["human"], ["vitamin-k2"]),
    "imm-031": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "imm-036": ("observational", "beneficial", ["human"], ["vitamin-k"]),
    "imm-037": ("observational", "beneficial", ["human"], ["vitamin-k"]),
    "imm-042": ("mechanistic", "beneficial", ["human"], ["vitamin-k"]),
    "imm-043": ("ex-vivo", "beneficial", ["rat"], ["mk7"]),
    "imm-047": ("in-vitro", "beneficial", ["mouse"], ["mk7"]),
    "imm-049": ("in-vitro", "mixed", ["mouse"], ["mk7"]),
    "imm-050": ("in-vitro", "beneficial", ["species-not-stated"], ["mk7", "vitamin-d3"]),
    "imm-053": ("ex-vivo", "beneficial", ["rat"], ["mk7"]),
    "imm-055": ("in-vitro", "beneficial", ["mouse"], ["mk7"]),
    "imm-060": ("mechanistic", "harmful", ["species-not-stated"], ["tnf-alpha"]),
    "imm-067": ("animal-study", "beneficial", ["rat"], ["mk7"]),
    "imm-069": ("observational", "beneficial", ["human"], ["natto", "mk7"]),
    "imm-072": ("clinical-design-not-stated", "beneficial", ["human"], ["natto", "mk7"]),
    "kjm-004": ("in-vitro", "beneficial", ["species-not-stated"], ["mk4"]),
    "kjm-006": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "kjm-007": ("animal-study", "no-effect", ["rat"], ["mk4"]),
    "kjm-009": ("mechanistic", "beneficial", ["human"], ["alfacalcidol", "mk4"]),
    "kjm-011": ("animal-study", "beneficial", ["rat"], ["alfacalcidol"]),
    "kjm-016": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "kjm-024": ("observational", "beneficial", ["human"], ["vitamin-k"]),
    "kjm-032": ("cct", "harmful", ["human"], ["alfacalcidol", "mk4"]),
    "kjm-033": ("cct", "beneficial", ["human"], ["alfacalcidol"]),
    "kjm-035": ("cct", "mixed", ["human"], ["alfacalcidol", "mk4"]),
    "kjm-036": ("mechanistic", "beneficial", ["human"], ["alfacalcidol", "mk4"]),
    "kjm-040": ("animal-study", "descriptive", ["mouse"], ["no-agent"]),
    "ymj-002": ("mechanistic", "beneficial", ["species-not-stated"], ["mk4"]),
    "ymj-003": ("in-vitro", "beneficial", ["species-not-stated"], ["mk4"]),
    "ymj-004": ("in-vitro", "beneficial", ["species-not-stated"], ["mk4"]),
    "ymj-006": ("clinical-design-not-stated", "beneficial", ["human"], ["mk4"]),
    "ymj-009": ("clinical-design-not-stated", "beneficial", ["human"], ["mk4"]),
    "ymj-012": ("clinical-design-not-stated", "beneficial", ["human"], ["mk4", "vitamin-d2", "calcium"]),
    "ymj-015": ("mechanistic", "beneficial", ["human"], ["mk4"]),
    "ymj-018": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-019": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-020": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-023": ("animal-study", "mixed", ["rat"], ["mk4"]),
    "ymj-025": ("animal-study", "beneficial", ["rat"], ["mk4", "alfacalcidol"]),
    "ymj-026": ("animal-study", "no-effect", ["rat"], ["mk4"]),
    "ymj-031": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-033": ("animal-study", "no-effect", ["rat"], ["mk4"]),
    "ymj-038": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-041": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-042": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-043": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-053": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-058": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-061": ("animal-study", "beneficial", ["rat"], ["mk4"]),
    "ymj-064": ("mechanistic", "beneficial", ["rat"], ["mk4"]),
    "ymj-065": ("animal-study", "beneficial", ["rat"], ["mk4", "alfacalcidol"]),
    "ymj-067": ("animal-study", "beneficial", ["rat"], ["raloxifene", "mk4"]),
    "ymj-069": ("mechanistic", "descriptive", ["human"], ["mk4"]),
}


def _audit_script():
    spec = importlib.util.spec_from_file_location("audit_sample", REPO / "scripts" / "audit_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_audit_sample_is_reproducible_and_documented():
    script = _audit_script()
    every = script.findings()
    assert script.sample(every) == script.sample(script.findings())  # the same seed, the same sample
    audit = (REPO / "docs" / "audit.md").read_text(encoding="utf-8")
    for k, audited in enumerate(SAMPLES):
        drawn = script.sample(every, skip=30 * k)
        assert drawn == sorted(audited), f"sample {k + 1}"
        assert all(f"`{fid}`" in audit for fid in drawn), f"sample {k + 1}"
    rest = script.sample(every, n=len(every), skip=30 * len(SAMPLES))
    assert rest == sorted(AUDITED_REST) and all(f"`{fid}`" in audit for fid in rest)
    # a finding added later: read it against its seed, then add it here and to docs/audit.md
    assert set(ALL_AUDITED) == set(every), sorted(set(every) - set(ALL_AUDITED))


SAMPLES = [AUDITED, AUDITED_2, AUDITED_3, AUDITED_4, AUDITED_5]
ALL_AUDITED = {fid: coded for sample in SAMPLES + [AUDITED_REST] for fid, coded in sample.items()}


@pytest.mark.parametrize("fid", sorted(ALL_AUDITED))
def test_audited_coding(by_id, fid):
    evidence, direction, species, agents = ALL_AUDITED[fid]
    f = by_id[fid]
    assert (_one(f, "evidence"), _one(f, "direction")) == (evidence, direction)
    assert f.concepts["species"] == species and f.concepts["agent"] == agents


def test_audit_fixes(by_id):
    assert "suggest" in by_id["cds-005"].statement          # the WHO-cited trial "suggests", not "showed"
    assert "some evidence" in by_id["kjm-017"].statement     # the review's hedge kept
    assert "animal" not in by_id["cds-011"].statement        # the abstract says "preclinical"
    assert any(t.startswith("population inferred:") for t in by_id["cds-011"].tags)
    assert "raloxifene" not in by_id["cds-013"].statement    # two pairings, two findings
    assert set(by_id["cds-015"].concepts["agent"]) == {"mk4", "raloxifene"}
    assert "preclinical" in by_id["cds-015"].statement
    assert "osteoblast-differentiation" not in by_id["imm-061"].concepts["outcome"]  # not measured
    assert "no study is cited" in by_id["imm-059"].statement
    assert by_id["imm-087"].concepts["agent"] == ["mk4"]              # the MK-4 comparison arm, split off
    assert any(t.startswith("comparator: MK-4") for t in by_id["imm-034"].tags)
    assert "implying" not in by_id["ymj-014"].statement      # no inference the review does not make
    assert "may come from" in by_id["imm-032"].statement and "may have the potential" in by_id["ymj-024"].statement
    assert "suggested" in by_id["imm-074"].statement
    assert "does not say whether" in by_id["imm-051"].statement  # an effect without its sign: descriptive
    assert any(t.startswith("arms not stated") for t in by_id["imm-075"].tags)
    assert by_id["imm-084"].concepts["population"] == ["osteoporosis-patients"]
    assert any("not a combination" in t for t in by_id["imm-014"].tags)  # warfarin, acenocoumarol: one class
    assert by_id["imm-062"].concepts["outcome"] == ["nf-kb-signalling"]  # osteoclast formation not measured
    assert any("on its own" in t for t in by_id["kjm-025"].tags)       # each drug alone, not the pair
    assert any(t.startswith("alternatives:") for t in by_id["cds-009"].tags)
    assert "seemed" in by_id["ymj-049"].statement
    for fid, hedge in [("imm-036", "may lead to"), ("kjm-004", "suggesting"), ("kjm-009", "may work better"),
                       ("kjm-016", "some evidence"), ("kjm-035", "appear to have come")]:
        assert hedge in by_id[fid].statement, fid  # the review's own hedge

