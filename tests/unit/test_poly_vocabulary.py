"""The vocabulary's poly-hierarchy in plain data: parents, ancestors and descendants along every path, cycles
refused over all paths, the single-parent forms still read, the bundled file format with ``parents``."""
from __future__ import annotations

import pytest

from vkref.core import records as R
from vkref.core.errors import DataError
from vkref.core.vocabulary import Concept, Vocabulary, find_cycle
from vkref.io.bundled import load_vocabulary


def diamond() -> Vocabulary:
    """people <- women <- pmw <- pmo, people <- osteo <- pmo (two paths from pmo to people)."""
    return Vocabulary.from_concepts([
        Concept("people", "population", "People"),
        Concept("women", "population", "Women", (), "people"),
        Concept("osteo", "population", "Osteoporosis", (), "people"),
        Concept("pmw", "population", "Postmenopausal women", (), "women"),
        Concept("pmo", "population", "PMO", (), ("osteo", "pmw")),
        Concept("early-pmo", "population", "Early PMO", (), "pmo")])


def test_a_concept_keeps_its_parents_in_order_and_the_first_is_primary():
    c = Concept("pmo", "population", "PMO", (), ["osteo", "pmw", "osteo"])
    assert c.parents == ("osteo", "pmw") and c.parent == "osteo"
    assert Concept("a", "agent", "A", (), "b").parents == ("b",)
    assert Concept("a", "agent", "A").parent is None and Concept("a", "agent", "A", (), None).parents == ()


def test_ancestors_and_descendants_follow_every_path_once():
    v = diamond()
    assert v.ancestors("early-pmo") == ["pmo", "osteo", "pmw", "people", "women"]  # nearest first
    assert v.ancestors("pmo").count("people") == 1
    assert v.descendants("people").count("pmo") == 1 and set(v.descendants("people")) == \
        {"women", "osteo", "pmw", "pmo", "early-pmo"}
    assert set(v.descendants("women")) == {"pmw", "pmo", "early-pmo"}
    assert v.children("osteo") == ["pmo"] and v.children("pmw") == ["pmo"]
    assert v.with_ancestors(["pmo", "pmw"]).count("people") == 1
    assert v.paths("early-pmo") == [["people", "osteo", "pmo", "early-pmo"],
                                    ["people", "women", "pmw", "pmo", "early-pmo"]]


@pytest.mark.parametrize("parents, message", [
    ({"a": ["b"], "b": ["a"]}, "cycle"),
    ({"a": ["x", "b"], "b": ["c"], "c": ["a"], "x": []}, "cycle"),  # only through a's second parent
    ({"a": ["a"]}, "cycle"),
])
def test_a_cycle_along_any_path_is_refused(parents, message):
    concepts = [Concept(cid, "agent", cid.upper(), (), tuple(ps)) for cid, ps in parents.items()]
    with pytest.raises(DataError, match=message):
        Vocabulary.from_concepts(concepts)


def test_find_cycle_names_the_cycle_and_passes_a_diamond():
    cycle = find_cycle({"a": ["x", "b"], "b": ["c"], "c": ["a"], "x": []})
    assert cycle[0] == cycle[-1] and sorted(cycle[:-1]) == ["a", "b", "c"]
    assert find_cycle({cid: c.parents for cid, c in diamond().concepts.items()}) is None


def test_every_parent_is_checked():
    with pytest.raises(DataError, match="unknown parent 'nowhere'"):
        Vocabulary.from_concepts([Concept("a", "agent", "A"), Concept("b", "agent", "B", (), ("a", "nowhere"))])
    with pytest.raises(DataError, match="in facet species"):
        Vocabulary.from_concepts([Concept("a", "agent", "A"), Concept("h", "species", "Human"),
                                  Concept("b", "agent", "B", (), ("a", "h"))])


def test_change_log_fields_carry_every_parent_and_old_rows_still_read():
    c = Concept("pmo", "population", "PMO", ("pmo",), ("osteo", "pmw"))
    fields = R.concept_fields(c)
    assert fields["parents"] == ["osteo", "pmw"] and "parent" not in fields
    assert R.concept_from_fields("pmo", fields) == c
    old = {"facet": "population", "label": "PMO", "synonyms": [], "parent": "osteo"}  # written before 0007
    assert R.concept_from_fields("pmo", old).parents == ("osteo",)


def write(tmp_path, body: str):
    (tmp_path / "v.yaml").write_text("concepts:\n" + body, encoding="utf-8")
    return tmp_path


def test_the_bundled_format_takes_parents_as_a_list(tmp_path):
    v = load_vocabulary(write(tmp_path, "  - {id: a, facet: agent, label: A}\n"
                                        "  - {id: b, facet: agent, label: B, parent: a}\n"
                                        "  - {id: c, facet: agent, label: C, parents: [b, a]}\n"))
    assert v["c"].parents == ("b", "a") and v["b"].parents == ("a",)


@pytest.mark.parametrize("entry, message", [
    ("{id: c, facet: agent, label: C, parent: a, parents: [a]}", "both 'parent' and 'parents'"),
    ("{id: c, facet: agent, label: C, parents: [a, a]}", "lists a parent twice"),
    ("{id: c, facet: agent, label: C, parents: [a, 3]}", "parents must be concept ids"),
    ("{id: c, facet: agent, label: C, parents: [a, z]}", "unknown parent 'z'"),
])
def test_bad_parents_in_the_bundled_format_name_file_and_concept(tmp_path, entry, message):
    with pytest.raises(DataError, match=message) as err:
        load_vocabulary(write(tmp_path, "  - {id: a, facet: agent, label: A}\n  - " + entry + "\n"))
    assert "'c'" in str(err.value)


def test_the_json_format_writes_parent_and_parents_and_reads_both():
    from vkref.io import vkjson

    data = vkjson.dump([], [], diamond())
    entries = {e["id"]: e for e in data["vocabulary"]}
    assert entries["pmo"]["parent"] == "osteo" and entries["pmo"]["parents"] == ["osteo", "pmw"]
    assert "parents" not in entries["women"]  # one parent: the single-parent shape, readable by older versions
    assert vkjson.load(data).vocabulary["pmo"].parents == ("osteo", "pmw")
    entries["pmo"]["parent"] = "pmw"
    with pytest.raises(DataError, match="not the first of 'parents'"):
        vkjson.load(data)
