"""Unit tier: bitsets, path precedence, vocabulary invariants, the canonical record form (no library, no Qt)."""
import random
import sys

import pytest

from vkref.core import paths, records as R
from vkref.core.entities import Author, Finding, Review
from vkref.core.errors import DataError
from vkref.core.vocabulary import Concept, Vocabulary
from vkref.search import bitsets


@pytest.mark.parametrize("seed", range(5))
def test_bitsets_round_trip_and_set_algebra(seed):
    rng = random.Random(seed)
    a = sorted(set(rng.sample(range(5000), 300)))
    b = sorted(set(rng.sample(range(5000), 300)))
    ba, bb = bitsets.from_docnums(a, 5000), bitsets.from_docnums(b)
    assert bitsets.to_docnums(ba) == a
    assert bitsets.to_docnums(ba & bb) == sorted(set(a) & set(b))
    assert (ba | bb).bit_count() == len(set(a) | set(b))
    assert bitsets.to_docnums(0) == [] and bitsets.from_docnums([]) == 0


def test_library_path_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("VKREF_HOME", str(tmp_path / "env"))
    assert paths.library_dir(tmp_path / "explicit") == (tmp_path / "explicit").resolve()  # --library wins
    assert paths.library_dir() == (tmp_path / "env").resolve()  # then VKREF_HOME
    monkeypatch.delenv("VKREF_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.library_dir() == (tmp_path / "xdg" / "vkref")  # then the platform's user data dir


def test_portable_mode_keeps_the_library_beside_the_executable(monkeypatch, tmp_path):
    exe = tmp_path / "app" / "vkref"
    exe.parent.mkdir()
    exe.write_text("")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "app"), raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.delenv("VKREF_HOME", raising=False)
    assert paths.portable_dir() is None
    (exe.parent / paths.PORTABLE_MARKER).write_text("")
    assert paths.library_dir() == exe.parent / "library"
    monkeypatch.setenv("VKREF_HOME", str(tmp_path / "env"))
    assert paths.library_dir() == (tmp_path / "env").resolve()  # the environment still wins


def test_bundled_vocabulary_invariants():
    from vkref.io import bundled

    voc = bundled.load(paths.bundled_data_dir()).vocabulary
    labels = {}
    for c in voc.concepts.values():
        key = (c.facet, c.label.casefold())
        assert key not in labels, f"label {c.label!r} twice in facet {c.facet}"
        labels[key] = c.id
        seen, cur = {c.id}, c.parent
        while cur:  # no cycles, parents in the same facet
            assert cur not in seen and voc[cur].facet == c.facet
            seen.add(cur)
            cur = voc[cur].parent


@pytest.mark.parametrize("concepts, message", [
    ([Concept("a", "agent", "A", (), "b"), Concept("b", "agent", "B", (), "a")], "cycle"),
    ([Concept("a", "agent", "A"), Concept("a", "agent", "A again")], "duplicate"),
    ([Concept("a", "agent", "A", (), "x")], "unknown parent"),
    ([Concept("a", "agent", "A", (), "h"), Concept("h", "species", "Human")], "parent"),
])
def test_vocabulary_refuses_bad_structures(concepts, message):
    with pytest.raises(DataError, match=message):
        Vocabulary.from_concepts(concepts)


def test_record_fields_round_trip_exactly():
    r = Review(id="r1", title="T", authors=[Author("Ødegård", "Åse"), Author("WHO Study Group")], year=2001,
               keywords=["k2", "bone"], tags=["b", "a"], mesh=["Humans"], concepts={"species": ["human"]},
               concepts_suggested=True)
    assert R.review_fields(R.review_from_fields("r1", R.review_fields(r))) == R.review_fields(r)
    f = Finding(id="f1", review_id="r1", statement="S", concepts={"agent": ["mk7", "mk4"]}, tags=["x"])
    fields = R.finding_fields(f)
    assert fields["concepts"] == {"agent": ["mk4", "mk7"]}  # codes are a set: one canonical order
    assert R.finding_fields(R.finding_from_fields("f1", fields)) == fields
    with pytest.raises(DataError, match="f2"):
        R.finding_from_fields("f2", {"statement": "no review"})
