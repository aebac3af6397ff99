"""The vocabulary editor through the Library (no Qt): every edit is one undoable batch, searchable at once,
and a refused edit writes nothing."""
from __future__ import annotations

import pytest

from vkref.core import records as R
from vkref.core.errors import DataError
from vkref.library import Library


def finding_ids(lib, query="", **filters) -> set[str]:
    page = lib.search(query, filters={k: [v] for k, v in filters.items()}, kind="finding", limit=10_000)
    return {h.id for h in page.hits}


def facet_count(lib, facet, label) -> int:
    return lib.search("", kind="finding", limit=0).facets[facet].get(label, 0)


def everything(lib, queries=("menatetrenone", "MK-4", "vitamin K2", "rats", "bisphosphonate")) -> dict:
    """What searches show: hits and facet counts of a few queries (to compare incremental with full; the order
    of hits is left out: term statistics of an index with deleted documents differ from a fresh one's)."""
    out = {}
    for q in queries:
        page = lib.search(q, limit=500)
        out[q] = (sorted((h.kind, h.id, h.title, tuple(sorted((f, tuple(v)) for f, v in h.facets.items())))
                   for h in page.hits), page.facets)
    return out


def test_merge_recodes_every_finding_keeps_old_names_searchable_and_undo_restores(fresh_library):
    lib = fresh_library
    old_hits = finding_ids(lib, "menatetrenone")
    mk4 = finding_ids(lib, agent="mk4")
    before = {fid: lib.get_finding(fid) for fid in mk4}
    preview = lib.merge_preview("vitamin-k2", "MK-4")
    assert preview["findings_recoded"] == len(mk4) > 0
    result = lib.merge_concepts("vitamin-k2", "mk4")
    assert result["batch"] and result["findings_recoded"] == len(mk4)
    assert "mk4" not in lib.vocabulary
    kept = lib.vocabulary["vitamin-k2"]
    assert "MK-4 (menatetrenone)" in kept.synonyms and "menatetrenone" in kept.synonyms
    for fid in mk4:  # every finding recoded, nothing else about it changed
        f = lib.get_finding(fid)
        assert "mk4" not in f.concepts["agent"] and "vitamin-k2" in f.concepts["agent"]
        assert f.statement == before[fid].statement and f.version == before[fid].version + 1
    assert old_hits <= finding_ids(lib, "menatetrenone")  # the old names still find them (now synonyms)
    assert mk4 <= finding_ids(lib, agent="MK-4 (menatetrenone)")  # and filter by them
    assert "MK-4 (menatetrenone)" not in lib.search("", limit=0).facets["agent"]

    undone = lib.undo()
    assert undone and "merge" in undone["undid"]
    assert lib.vocabulary["mk4"].label == "MK-4 (menatetrenone)"
    assert "menatetrenone" not in lib.vocabulary["vitamin-k2"].synonyms
    for fid in mk4:
        assert R.finding_fields(lib.get_finding(fid)) == R.finding_fields(before[fid])
    assert finding_ids(lib, agent="mk4") == mk4 and finding_ids(lib, "menatetrenone") == old_hits
    assert lib.redo() and "mk4" not in lib.vocabulary
    assert all("mk4" not in lib.get_finding(fid).concepts["agent"] for fid in mk4)


def test_a_finding_coded_with_both_concepts_keeps_one_code_after_a_merge(fresh_library):
    lib = fresh_library
    fid = sorted(finding_ids(lib, agent="mk7"))[0]
    lib.edit(fid, {"agent": '["mk7", "natto"]'})
    lib.merge_concepts("natto", "mk7")
    assert lib.get_finding(fid).concepts["agent"] == ["natto"]
    lib.undo()
    assert sorted(lib.get_finding(fid).concepts["agent"]) == ["mk7", "natto"]


def test_merge_moves_narrower_concepts_and_refuses_the_wrong_direction(fresh_library):
    lib = fresh_library
    children = set(lib.vocabulary.children("bisphosphonate"))
    assert children
    with pytest.raises(DataError, match="narrower concept into the broader"):
        lib.merge_concepts("alendronate", "bisphosphonate")
    with pytest.raises(DataError, match="different facets"):
        lib.merge_concepts("human", "bisphosphonate")
    with pytest.raises(DataError, match="into itself"):
        lib.merge_concepts("Bisphosphonate", "bisphosphonates")  # a label and a synonym of the same concept
    before = finding_ids(lib, agent="Bisphosphonate")
    lib.add_concept("agent", "Antiresorptive drugs", concept_id="antiresorptive")
    result = lib.merge_concepts("antiresorptive", "bisphosphonate")
    assert set(result["children_moved"]) == children
    assert all(lib.vocabulary[c].parent == "antiresorptive" for c in children)
    assert finding_ids(lib, agent="Antiresorptive drugs") == before  # narrower codes roll up to the new parent
    assert finding_ids(lib, agent="bisphosphonates") == before  # the old synonym reaches the kept concept


def test_rename_reaches_titles_facets_and_the_index_equals_a_full_rebuild(fresh_library):
    lib = fresh_library
    n = facet_count(lib, "agent", "Risedronate")
    assert n > 0
    lib.rename_concept("risedronate", "Risedronate sodium")
    assert facet_count(lib, "agent", "Risedronate sodium") == n and facet_count(lib, "agent", "Risedronate") == 0
    hits = lib.search("", filters={"agent": ["risedronate"]}, kind="finding", limit=50).hits
    titles = [h.title for h in hits]  # the index's titles follow (a title names up to three agents)
    assert any("Risedronate sodium" in t for t in titles)
    assert all("Risedronate sodium" in t for t in titles if "Risedronate" in t)
    lib.add_synonym("risedronate", "Atelvia")
    assert lib.can_undo() == "vocabulary: add synonym 'Atelvia' to 'Risedronate sodium'"
    assert finding_ids(lib, "Atelvia") == {h.id for h in hits}
    lib.set_parent("risedronate", None)
    lib.set_parent("mk7", "mk4")
    incremental = everything(lib)
    lib.reindex()
    assert everything(lib) == incremental


def test_set_parent_changes_what_a_broader_filter_finds_and_refuses_cycles(fresh_library):
    lib = fresh_library
    risedronate = finding_ids(lib, agent="risedronate")
    broader = finding_ids(lib, agent="bisphosphonate")
    assert risedronate and risedronate <= broader
    lib.set_parent("risedronate", None)
    under = {"bisphosphonate", *lib.vocabulary.descendants("bisphosphonate")}
    expected = {fid for fid in broader if under & set(lib.get_finding(fid).concepts.get("agent", []))}
    assert finding_ids(lib, agent="bisphosphonate") == expected < broader
    lib.undo()
    assert lib.vocabulary["risedronate"].parent == "bisphosphonate"
    assert risedronate <= finding_ids(lib, agent="bisphosphonate")
    batches = len(lib.batches(500))
    with pytest.raises(DataError, match="cycle"):
        lib.set_parent("vitamin-k", "mk4")
    with pytest.raises(DataError, match="own parent"):
        lib.set_parent("vitamin-k", "vitamin-k")
    with pytest.raises(DataError, match="must be one too"):
        lib.set_parent("vitamin-k", "human")
    assert len(lib.batches(500)) == batches and lib.vocabulary["vitamin-k"].parent is None


@pytest.mark.parametrize("edit, message", [
    (lambda lib: lib.rename_concept("mouse", "  "), "cannot be empty"),
    (lambda lib: lib.rename_concept("mouse", "RAT"), "already the label of species concept 'Rat'"),
    (lambda lib: lib.rename_concept("mouse", "rats"), "already a synonym of species concept 'Rat'"),
    (lambda lib: lib.add_concept("species", "human"), "labels are unique within a facet"),
    (lambda lib: lib.add_concept("tissue", "Bone"), "unknown facet"),
    (lambda lib: lib.add_synonym("mouse", "Rat"), "already the label of species concept"),
    (lambda lib: lib.add_synonym("mouse", "mice"), "already has the synonym"),
    (lambda lib: lib.add_synonym("mouse", "Mouse"), "is the label of 'Mouse' itself"),
    (lambda lib: lib.remove_synonym("mouse", "hamster"), "has no synonym"),
    (lambda lib: lib.rename_concept("no-such-concept", "X"), "unknown concept"),
    (lambda lib: lib.delete_concept("mouse"), "merge it into another concept instead"),
    (lambda lib: lib.delete_concept("vitamin-k"), "used by|narrower concepts"),
])
def test_a_refused_edit_says_why_in_one_line_and_writes_nothing(fresh_library, edit, message):
    lib = fresh_library
    before = (len(lib.batches(500)), lib.vocabulary.concepts.copy())
    with pytest.raises(DataError, match=message) as info:
        edit(lib)
    assert "\n" not in str(info.value)
    assert (len(lib.batches(500)), lib.vocabulary.concepts) == before


def test_a_label_may_change_case_and_a_new_concept_can_be_used_at_once(fresh_library):
    lib = fresh_library
    assert lib.rename_concept("mouse", "MOUSE")["concept"]["label"] == "MOUSE"
    made = lib.add_concept("agent", "Vitamin K2 analogue", synonyms=["K2 analog"], parent="Vitamin K2")
    cid = made["concept"]["id"]
    assert cid == "vitamin-k2-analogue" and lib.vocabulary[cid].parent == "vitamin-k2"
    target = sorted(finding_ids(lib, agent="natto"))[0]
    lib.edit(target, {"agent": '["K2 analog"]'})
    assert finding_ids(lib, "K2 analog") == {target} == finding_ids(lib, agent="Vitamin K2 analogue")
    assert lib.concept_usage(cid).findings == 1
    with pytest.raises(DataError, match="used by 1 findings"):
        lib.delete_concept(cid)


def test_edits_undo_after_a_restart_and_history_lists_them(built_library, tmp_path):
    import shutil

    path = tmp_path / "lib"
    shutil.copytree(built_library, path)
    with Library.open(path) as lib:
        lib.add_synonym("rat", "Rattus norvegicus")
        mice = finding_ids(lib, species="mouse")
        lib.merge_concepts("rat", "mouse")
        assert mice <= finding_ids(lib, "mice")
    with Library.open(path) as again:
        assert again.can_undo().startswith("vocabulary: merge 'Mouse' into 'Rat'")
        again.undo()
        assert "mouse" in again.vocabulary and finding_ids(again, species="mouse") == mice
        fields = [c["field"] for c in again.history("rat")]
        assert fields.count("synonyms") == 3  # added, merged in, taken back
        again.undo()
        assert "Rattus norvegicus" not in again.vocabulary["rat"].synonyms
        assert again.redo() and "Rattus norvegicus" in again.vocabulary["rat"].synonyms


def test_listing_is_a_tree_with_usage_counts(library):
    listed = library.concepts("agent")
    by_id = {c.id: c for c in listed}
    assert set(by_id) == {c.id for c in library.vocabulary.in_facet("agent")}
    seen = set()
    for c in listed:  # parents first, children one level deeper
        if c.parent:
            assert c.parent in seen and c.depth == by_id[c.parent].depth + 1
        seen.add(c.id)
    mk4 = by_id["mk4"]
    assert mk4.findings == len(finding_ids(library, agent="mk4"))
    assert by_id["vitamin-k2"].findings_with_narrower == len(finding_ids(library, agent="vitamin-k2"))
    assert by_id["vitamin-k2"].findings_with_narrower >= mk4.findings


def test_a_library_open_elsewhere_sees_vocabulary_edits_at_its_next_search(built_library, tmp_path):
    import shutil

    path = tmp_path / "lib"
    shutil.copytree(built_library, path)
    with Library.open(path) as editor, Library.open(path) as reader:
        natto = finding_ids(reader, agent="natto")
        editor.rename_concept("natto", "Natto")
        editor.add_synonym("natto", "fermented soy food")
        assert finding_ids(reader, agent="fermented soy food") == natto  # a name the reader never loaded
        assert reader.vocabulary["natto"].label == "Natto"
        assert "Natto" in reader.search("", kind="finding", limit=0).facets["agent"]
        seen = reader.vocabulary
        reader.search("natto", limit=1)
        assert reader.vocabulary is seen  # read again only after a change


def test_renaming_a_concept_to_one_of_its_synonyms_drops_that_synonym(fresh_library):
    lib = fresh_library
    lib.rename_concept("mk4", "menatetrenone")
    assert lib.vocabulary["mk4"].label == "menatetrenone" and "menatetrenone" not in lib.vocabulary["mk4"].synonyms
    assert lib.add_synonym("mk4", "MK-4 (menatetrenone)")["batch"]
