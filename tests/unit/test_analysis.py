"""The analyzer keeps codes whole, folds Greek letters, accents and the micro sign, and stems English."""
import pytest

from vkref.search.analysis import terms


@pytest.mark.parametrize("text, expected", [
    ("MK-4", ["mk4"]),
    ("MK-7", ["mk7"]),
    ("mk4", ["mk4"]),
    ("vitamin K2", ["vitamin", "k2"]),
    ("25(OH)D", ["25ohd"]),
    ("IGF-1", ["igf1"]),
    ("NF-κB", ["nfkb"]),
    ("NF-kB", ["nfkb"]),
    ("10 μg/day", ["10", "ug", "day"]),
    ("10 µg", ["10", "ug"]),  # micro sign U+00B5
    ("1α-hydroxyvitamin D3", ["1alphahydroxyvitamin", "d3"]),
    ("γ-carboxylation", ["gamma", "carboxyl"]),
    ("ovariectomy-induced", ["ovariectomi", "induc"]),
    ("4.92%", ["4.92"]),
    ("Café", ["cafe"]),
    ("vitamin K", ["vitamin", "k"]),
    ("fractures", ["fractur"]),
])
def test_terms(text, expected):
    assert terms(text) == expected


def test_codes_do_not_meet():
    assert set(terms("MK-4")).isdisjoint(terms("MK-7"))
    assert set(terms("IGF-1")).isdisjoint(terms("IGF-2"))


def test_variants_meet():
    assert terms("NF-κB") == terms("nf-kb") == terms("NFkB".lower())
    assert terms("μg") == terms("ug") == terms("µg")
    assert terms("alpha-tocopherol")[0] == terms("α-tocopherol")[0]


def test_function_words_dropped_but_content_kept():
    got = terms("what role does vitamin K play in blood clotting")
    assert got[:3] == ["role", "vitamin", "k"] and "blood" in got
    assert not {"what", "does", "in"} & set(got)


def test_highlight_offsets_point_at_original_text():
    from vkref.search.analysis import VkrefAnalyzer

    text = "Risk fell with MK-4 and NF-κB"
    toks = [(t.text, text[t.startchar:t.endchar]) for t in VkrefAnalyzer()(text, chars=True)]
    assert ("mk4", "MK-4") in toks and ("nfkb", "NF-κB") in toks
