"""The evidence matrix and the answer card, held to the search they summarise (vkref.library.evidence_matrix,
vkref.library.answer_card and the shared vkref.library.evidence), and their HTML/SVG files
(vkref.io.evidence_render)."""
from __future__ import annotations

import os
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from vkref.core.errors import QueryError, UsageError
from vkref.io import evidence_render as R
from vkref.library import answer_card, evidence_matrix, matrix_codes
from vkref.library import evidence as ev


def cell_total(lib, query, rows, row, cols, col, filters=None, exclude=None) -> int:
    """What `vkref search QUERY --kind finding --filter ROWS=row --filter COLS=col` (same other filters) totals."""
    spec = {f: v for f, v in (filters or {}).items() if f not in (rows, cols)}
    spec[rows], spec[cols] = [row], [col]
    return lib.search(query, filters=spec, exclude=exclude, kind="finding", limit=0).total


def assert_every_cell_matches(lib, m, query="", filters=None, exclude=None, pairs=None):
    pairs = pairs or [(r, c) for r in m.rows.values for c in m.cols.values]
    for row, col in pairs:
        cell = m.cell(row, col)
        expected = cell_total(lib, query, m.rows.facet, row, m.cols.facet, col, filters, exclude)
        assert (cell.findings if cell else 0) == expected, (row, col)


# ---------------------------------------------------------------------------------------------- matrix counts
def test_every_cell_of_the_default_matrix_equals_the_search_total(library):
    m = evidence_matrix.matrix(library)
    assert (m.rows.facet, m.cols.facet) == ("agent", "outcome")
    assert m.total == library.search("", kind="finding", limit=0).total
    assert len(m.rows.values) > 10 and len(m.cols.values) > 10
    assert_every_cell_matches(library, m)


def test_cells_with_a_query_filters_and_exclusions_equal_the_search_totals(library):
    review = library.reviews()[0].id
    filters, exclude = {"review": [review]}, {"direction": ["Harmful"]}
    m = evidence_matrix.matrix(library, "vitamin K2", rows="species", cols="evidence", filters=filters, exclude=exclude)
    assert m.cells, "the query selects findings"
    assert_every_cell_matches(library, m, "vitamin K2", filters, exclude)


@pytest.mark.parametrize("rows,cols", [("year", "direction"), ("review", "species"), ("population", "direction")])
def test_review_year_and_population_axes(library, rows, cols):
    m = evidence_matrix.matrix(library, "bone", rows=rows, cols=cols)
    assert_every_cell_matches(library, m, "bone")
    if rows == "year":
        assert m.rows.values == sorted(m.rows.values, key=int, reverse=True)


def test_a_cell_describes_its_findings_as_the_search_facets_do(library):
    m = evidence_matrix.matrix(library)
    for cell in random.Random(3).sample(m.cells, 25):
        page = library.search("", filters={"agent": [cell.row], "outcome": [cell.col]}, kind="finding", limit=0)
        assert cell.direction == {k: v for k, v in page.facets["direction"].items() if v}
        assert cell.species == {k: v for k, v in page.facets["species"].items() if v}
        assert sum(cell.direction.values()) >= cell.findings


def test_a_filter_on_the_row_facet_selects_the_rows_and_what_is_coded_under_them(library):
    vocab = library.vocabulary
    k2 = vocab.resolve("agent", "vitamin K2")
    m = evidence_matrix.matrix(library, filters={"agent": ["vitamin K2"]})
    allowed = {vocab[c].label for c in [k2.id, *vocab.descendants(k2.id)]}
    assert m.rows.values[0] == k2.label and set(m.rows.values) <= allowed
    assert len(m.rows.values) > 1, "MK-4 and MK-7 rows appear under vitamin K2"
    assert_every_cell_matches(library, m, filters={"agent": ["vitamin K2"]})


def test_rows_come_in_tree_order_with_their_parents(library):
    m = evidence_matrix.matrix(library)
    vocab = library.vocabulary
    values = m.rows.values
    for label, parent in m.tree["rows"].items():
        concept = vocab.find(label, "agent")
        if parent is None:
            assert concept.parent is None or vocab[concept.parent].label not in values
        else:
            assert vocab[concept.parent].label == parent
            assert values.index(parent) < values.index(label)
    assert "tree" not in m.to_dict() and set(m.to_dict()) == {"query", "rows", "cols", "cells"}


def test_json_shape_is_the_contract(library):
    d = evidence_matrix.matrix(library, "menatetrenone").to_dict()
    assert d["query"] == "menatetrenone"
    assert set(d["rows"]) == {"facet", "values"} and d["rows"]["facet"] == "agent"
    cell = d["cells"][0]
    assert set(cell) == {"row", "col", "findings", "direction", "species"}
    assert cell["row"] in d["rows"]["values"] and cell["col"] in d["cols"]["values"]
    assert all(c["findings"] > 0 for c in d["cells"])


@pytest.mark.parametrize("kwargs,needle", [({"rows": "kind"}, "unknown matrix facet"),
                                           ({"cols": "colour"}, "unknown matrix facet"),
                                           ({"rows": "agent", "cols": "agent"}, "two different facets"),
                                           ({"filters": {"agent": ["unobtainium"]}}, "unobtainium"),
                                           ({"exclude": {"flavour": ["x"]}}, "flavour")])
def test_bad_facets_and_values_are_one_line_query_errors(library, kwargs, needle):
    with pytest.raises(QueryError) as err:
        evidence_matrix.matrix(library, **kwargs)
    assert needle in str(err.value) and "\n" not in str(err.value)


# ---------------------------------------------------------------------------------------------- generated library
@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A synthetic library (benchmarks.generate), or the one VKREF_EVIDENCE_LIBRARY names (e.g. 10k findings)."""
    from vkref.library import Library

    given = os.environ.get("VKREF_EVIDENCE_LIBRARY")
    if given:
        path = Path(given)
    else:
        from benchmarks.generate import generate

        path = tmp_path_factory.mktemp("generated") / "lib"
        generate(path, 150, seed=11, log=lambda *a: None)
    lib = Library.open(path)
    yield lib
    lib.close()


def test_a_sample_of_cells_on_a_generated_library(generated):
    for query, rows, cols in (("", "agent", "outcome"), ("bone density", "species", "evidence")):
        m = evidence_matrix.matrix(generated, query, rows=rows, cols=cols)
        rng = random.Random(5)
        full = [(c.row, c.col) for c in m.cells]
        pairs = rng.sample(full, min(30, len(full)))
        pairs += [(rng.choice(m.rows.values), rng.choice(m.cols.values)) for _ in range(20)]
        assert_every_cell_matches(generated, m, query, pairs=pairs)


# ---------------------------------------------------------------------------------------------- answer card
def _human_ids(lib) -> set[str]:
    human = lib.vocabulary.find("Human", "species")
    return {human.id, *lib.vocabulary.descendants(human.id)}


def test_species_groups_come_from_the_vocabulary(library):
    from vkref.core.entities import Finding

    vocab = library.vocabulary
    ids = {name: vocab.find(name, facet).id for name, facet in (("Human", "species"), ("Rat", "species"),
                                                                ("Mouse", "species"), ("Cell or tissue culture", "species"),
                                                                ("In vitro study", "evidence"), ("RCT", "evidence"),
                                                                ("Meta-analysis", "evidence"))}
    kinds = ev.Kinds(vocab)

    def finding(species, evidence):
        return Finding("x", "r", "s", concepts={"species": [ids[s] for s in species],
                                                "evidence": [ids[e] for e in evidence]})

    assert kinds.groups(finding(["Human"], ["RCT"])) == {"human"}
    assert kinds.groups(finding(["Human", "Rat"], ["RCT"])) == {"human", "animal"}
    assert kinds.groups(finding(["Mouse"], [])) == {"animal"}
    assert kinds.groups(finding(["Human"], ["In vitro study"])) == {"in_vitro"}
    assert kinds.groups(finding(["Cell or tissue culture"], [])) == {"in_vitro"}
    assert kinds.order(finding(["Human"], ["Meta-analysis"])) < kinds.order(finding(["Human"], ["RCT"]))
    assert kinds.order(finding(["Human"], ["RCT"])) < kinds.order(finding(["Rat"], ["Meta-analysis"]))


def test_the_card_counts_what_the_search_finds(library):
    card = answer_card.answer(library, "menatetrenone")
    page = library.search("menatetrenone", kind="finding", limit=0)
    assert card.total == page.total > 0 and card.searched_as == page.searched_as
    for facet in ("species", "evidence", "direction"):
        assert getattr(card, facet) == {k: v for k, v in page.facets[facet].items() if v}
    d = card.to_dict()
    assert set(d) == {"query", "searched_as", "total", "species", "evidence", "direction", "outcomes",
                      "key_findings", "cautions"}
    assert all(set(o) == {"outcome", "human", "animal", "in_vitro"} for o in d["outcomes"])


def test_an_outcome_line_never_mixes_species(library):
    card = answer_card.answer(library, "vitamin K2")
    page = library.search("vitamin K2", kind="finding", limit=0, all_keys=True)
    findings = [library.get_finding(k.split(":", 1)[1]) for k in page.keys]
    human = _human_ids(library)
    kinds = ev.Kinds(library.vocabulary)
    assert any(o.human for o in card.outcomes) and any(o.animal for o in card.outcomes)
    for line in card.outcomes:
        outcome = library.vocabulary.find(line.outcome, "outcome").id
        coded = [f for f in findings if outcome in f.concepts.get("outcome", [])]
        humans = [f for f in coded if set(f.concepts["species"]) & human and kinds.groups(f) != {"in_vitro"}]
        assert sum(line.human.values()) == len(humans), line.outcome
        for f in coded:
            if "human" in kinds.groups(f):
                assert set(f.concepts["species"]) & human


def test_key_findings_come_human_first_then_by_strength_of_evidence(library):
    card = answer_card.answer(library, "vitamin K2")
    kinds = ev.Kinds(library.vocabulary)
    order = [kinds.order(library.get_finding(h.id)) for h in card.key_findings]
    assert order == sorted(order) and len(card.key_findings) == answer_card.KEY_FINDINGS
    assert all(h.facets["species"] == ["Human"] or "Human" in h.facets["species"] for h in card.key_findings[:3])
    page = library.search("vitamin K2", kind="finding", limit=card.total)
    by_id = {h.id: h.to_dict() for h in page.hits}
    assert all(h.to_dict() == by_id[h.id] for h in card.key_findings), "each is the hit vkref search shows"


def test_animal_only_outcomes_and_source_cautions(library):
    card = answer_card.answer(library, "OVX rats")
    assert card.outcomes and all(not o.human for o in card.outcomes)
    line = next(c for c in card.cautions if c.startswith("Animal evidence only, no human finding"))
    assert all(o.outcome in line for o in card.outcomes if o.animal and not o.in_vitro)
    status = {r.id: r.provenance.verification for r in library.reviews()}
    unconfirmed = [library.review_label(r) for r, s in status.items() if s != "confirmed"]
    cited = [c for c in card.cautions if c.startswith("Unverified:")]
    assert bool(cited) == bool(unconfirmed)


def test_retracted_trials_are_flagged(library):
    review = next(r for r in library.reviews() if r.caution and "retracted" in r.caution)
    card = answer_card.answer(library, "", filters={"review": [review.id]})
    assert any(review.caution.strip() in c for c in card.cautions)
    flagged = [f for f in library.findings_of(review.id) if f.caution]
    assert all(any(f.id in c and f.caution.strip() in c for c in card.cautions) for f in flagged[:3])


def test_conflicting_human_directions_are_a_caution(library):
    for query in ("vertebral fracture", "bone mineral density", "vitamin K2"):
        card = answer_card.answer(library, query)
        conflicts = [o for o in card.outcomes if len(o.human) > 1]
        lines = [c for c in card.cautions if "human findings disagree" in c]
        assert len(lines) == len(conflicts)
        assert all(any(c.startswith(o.outcome + ":") for c in lines) for o in conflicts)


def test_bad_filters_in_the_card_are_query_errors(library):
    with pytest.raises(QueryError):
        answer_card.answer(library, "bone", filters={"species": ["unicorn"]})


# ---------------------------------------------------------------------------------------------- files
def test_html_is_self_contained_and_marks_empty_cells(library):
    m = evidence_matrix.matrix(library, "alendronate")
    html = m.render("html")
    assert "http" not in html.lower() and "<script" not in html and "src=" not in html and "href=" not in html
    assert "<svg" in html and "<style>" in html and "alendronate" in html
    empty = len(m.rows.values) * len(m.cols.values) - len(m.cells)
    assert empty > 0 and html.count('class="gap"') == 2 * empty  # once in the picture, once in the table


def test_svg_is_valid_colour_blind_safe_and_greyscale_readable(library):
    m = evidence_matrix.matrix(library, "MK-4")
    svg = m.render("svg")
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    patterns = root.findall(".//s:pattern", ns)
    assert len(patterns) >= 4
    colours = {p.find("s:rect", ns).get("fill") for p in patterns}
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert colours <= okabe_ito
    kinds = {ET.tostring(p).decode().count("<") for p in patterns}
    assert len(kinds) > 1, "directions differ by pattern, not only by colour"
    assert len(root.findall(".//s:g[@class='gap']", ns)) == len(m.rows.values) * len(m.cols.values) - len(m.cells)
    for label in ("Beneficial (B)", "No significant effect (N)", "no finding"):
        assert label in svg
    assert "MK-4" in svg and m.library_date in svg


def test_answer_html_escapes_record_text_and_holds_no_url(library):
    card = answer_card.answer(library, "vitamin K2 fracture")
    html = card.render()
    assert "http" not in html.lower() and "<script" not in html
    assert "Cautions" in html and "Key findings" in html
    data = card.to_dict()
    data["key_findings"][0]["text"] = "<script>alert(1)</script>"
    assert "<script>" not in R.answer_html(data, card.caption())


@pytest.mark.parametrize("name,view,ok", [("m.html", "matrix", "html"), ("M.SVG", "matrix", "svg"),
                                          ("a.html", "answer", "html")])
def test_output_format_from_the_file_name(name, view, ok):
    assert ev.output_format(name, view) == ok


@pytest.mark.parametrize("name,view,needle", [("m.png", "matrix", "desktop application"),
                                              ("a.pdf", "answer", "desktop application"),
                                              ("a.svg", "answer", "must end with"),
                                              ("m.txt", "matrix", "must end with"),
                                              ("matrix", "matrix", "must end with")])
def test_other_output_formats_are_usage_errors(name, view, needle):
    with pytest.raises(UsageError) as err:
        ev.output_format(name, view)
    assert needle in str(err.value) and name in str(err.value)


def test_caption_names_query_filters_and_date(library):
    m = evidence_matrix.matrix(library, "bone", filters={"species": ["rat"]}, exclude={"direction": ["harmful"]})
    text = ev.caption_line(m.caption())
    assert re.search(r"Query: bone .*Filters: species = rat .*Excluded: direction = harmful", text)
    assert m.library_date and m.library_date in text


# ---------------------------------------------------------------------------------------------- the codes cache
def test_the_matrix_follows_a_recoding_an_undo_and_a_new_finding(fresh_library):
    """The columnar codes are cached between matrices and re-read after any change (the change mark moves)."""
    from dataclasses import replace

    lib = fresh_library
    finding = next(f for f in lib.findings_of("iwamoto-2006-ymj") if f.concepts.get("outcome"))
    harmful = lib.vocabulary.resolve("direction", "Harmful").id
    before = evidence_matrix.matrix(lib, rows="direction", cols="review")
    old = before.cell("Harmful", lib.review_label(finding.review_id))
    assert matrix_codes.finding_codes(lib) is matrix_codes.finding_codes(lib), "cached while nothing changes"
    lib.save_finding(replace(finding, concepts={**finding.concepts, "direction": [harmful]}))
    after = evidence_matrix.matrix(lib, rows="direction", cols="review")
    cell = after.cell("Harmful", lib.review_label(finding.review_id))
    assert cell.findings == (old.findings if old else 0) + (harmful not in finding.concepts.get("direction", []))
    assert_every_cell_matches(lib, after)
    lib.undo()
    assert evidence_matrix.matrix(lib, rows="direction", cols="review").to_dict() == before.to_dict()
    from vkref.core.entities import Finding

    lib.save_finding(Finding("new-evidence-1", finding.review_id, "A new finding on fracture risk.",
                             concepts={"outcome": finding.concepts["outcome"], "direction": [harmful]}))
    assert_every_cell_matches(lib, evidence_matrix.matrix(lib, rows="direction", cols="review"))
