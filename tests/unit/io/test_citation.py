"""Citations in the three shipped styles against strings written from the style guides, and the fast
Vancouver formatter against citeproc-py's Vancouver on every bundled review and the awkward cases."""
from __future__ import annotations

import pytest

from vkref.core import paths
from vkref.core.entities import Author, Review
from vkref.core.errors import UsageError
from vkref.io import bundled
from vkref.io.citation import STYLES, _style, format_citation, format_citations, vancouver

THREE = [Author("Iwamoto", "Jun"), Author("Takeda", "Tsuyoshi"), Author("Sato", "Yoshihiro")]
EIGHT = [Author(f, g) for f, g in [("Shearer", "Martin J"), ("Booth", "Sarah L"), ("Knapen", "Marjo"),
                                  ("Vermeer", "Cees"), ("Schurgers", "Leon"), ("Cockayne", "Sarah"),
                                  ("Adamson", "Joy"), ("Torgerson", "David")]]
YMJ = dict(title="Effects of vitamin K2 on the development of osteopenia in rats as the models of osteoporosis",
           journal="Yonsei Medical Journal", journal_abbrev="Yonsei Med J", year=2006, volume="47", issue="2",
           pages="157-166", doi="10.3349/ymj.2006.47.2.157")
TITLE = "Effects of vitamin K2 on the development of osteopenia in rats as the models of osteoporosis"


def review(authors=THREE, **changes) -> Review:
    return Review(id="r", authors=list(authors), **{**YMJ, **changes})


def test_three_authors():
    r = review()
    assert format_citation(r, "vancouver") == (
        f"Iwamoto J, Takeda T, Sato Y. {TITLE}. Yonsei Med J. 2006;47(2):157-66. doi:10.3349/ymj.2006.47.2.157")
    assert format_citation(r, "ama") == (
        f"Iwamoto J, Takeda T, Sato Y. {TITLE}. Yonsei Med J. 2006;47(2):157-166. doi:10.3349/ymj.2006.47.2.157")
    assert format_citation(r, "apa") == (
        f"Iwamoto, J., Takeda, T., & Sato, Y. (2006). {TITLE}. Yonsei Medical Journal, 47(2), 157\u2013166. "
        "https://doi.org/10.3349/ymj.2006.47.2.157")


def test_seven_or_more_authors_vancouver_lists_six_then_et_al():
    assert format_citation(review(EIGHT[:6]), "vancouver").startswith(
        "Shearer MJ, Booth SL, Knapen M, Vermeer C, Schurgers L, Cockayne S. Effects")
    assert format_citation(review(EIGHT[:7]), "vancouver").startswith(
        "Shearer MJ, Booth SL, Knapen M, Vermeer C, Schurgers L, Cockayne S, et al. Effects")


def test_seven_or_more_authors_ama_lists_three_then_et_al():
    assert format_citation(review(EIGHT[:6]), "ama").startswith(
        "Shearer MJ, Booth SL, Knapen M, Vermeer C, Schurgers L, Cockayne S. Effects")
    assert format_citation(review(EIGHT[:7]), "ama").startswith("Shearer MJ, Booth SL, Knapen M, et al. Effects")


def test_apa_lists_up_to_twenty_authors_then_nineteen_and_the_last():
    assert format_citation(review(EIGHT), "apa").startswith(
        "Shearer, M. J., Booth, S. L., Knapen, M., Vermeer, C., Schurgers, L., Cockayne, S., Adamson, J., & "
        "Torgerson, D. (2006).")
    twenty = [Author(f"Author{i:02d}", "Ann") for i in range(1, 21)]
    assert format_citation(review(twenty), "apa").startswith(
        ", ".join(f"Author{i:02d}, A." for i in range(1, 20)) + ", & Author20, A. (2006).")
    many = format_citation(review(twenty + [Author("Zeta", "Zoe")]), "apa")
    assert many.startswith(", ".join(f"Author{i:02d}, A." for i in range(1, 20)) + ", \u2026 Zeta, Z. (2006).")
    assert "Author20" not in many


def test_missing_year():
    r = review(year=None)
    assert format_citation(r, "vancouver") == (
        f"Iwamoto J, Takeda T, Sato Y. {TITLE}. Yonsei Med J. 47(2):157-66. doi:10.3349/ymj.2006.47.2.157")
    assert "Yonsei Med J. 47(2):157-166." in format_citation(r, "ama")
    assert format_citation(r, "apa").startswith("Iwamoto, J., Takeda, T., & Sato, Y. (n.d.). Effects")


def test_missing_pages():
    r = review(pages="", doi="")
    assert format_citation(r, "vancouver") == f"Iwamoto J, Takeda T, Sato Y. {TITLE}. Yonsei Med J. 2006;47(2)."
    assert format_citation(r, "ama") == f"Iwamoto J, Takeda T, Sato Y. {TITLE}. Yonsei Med J. 2006;47(2)."
    assert format_citation(r, "apa").endswith(f"{TITLE}. Yonsei Medical Journal, 47(2).")


def test_missing_volume_leaves_no_stray_separator():
    r = review(volume="", issue="", doi="")
    assert format_citation(r, "vancouver").endswith("Yonsei Med J. 2006:157-66.")
    assert format_citation(r, "ama").endswith("Yonsei Med J. 2006:157-166.")


def test_missing_journal():
    r = review(journal="", journal_abbrev="", volume="", issue="", pages="", doi="")
    assert format_citation(r, "vancouver") == f"Iwamoto J, Takeda T, Sato Y. {TITLE}. 2006."
    assert format_citation(r, "apa") == f"Iwamoto, J., Takeda, T., & Sato, Y. (2006). {TITLE}."


def test_non_ascii_names():
    names = [Author("Ørsted", "Søren"), Author("Lefèvre", "Élodie"), Author("Müller", "Jürgen"),
             Author("王", "小明")]
    r = review(names, doi="")
    assert format_citation(r, "vancouver").startswith("Ørsted S, Lefèvre É, Müller J, 王小明. Effects")
    assert format_citation(r, "ama").startswith("Ørsted S, Lefèvre É, Müller J, 王小明. Effects")
    assert format_citation(r, "apa").startswith("Ørsted, S., Lefèvre, É., Müller, J., & 王小明. (2006). Effects")


def test_corporate_author():
    r = review([Author("WHO Scientific Group on the Prevention of Osteoporosis")], doi="")
    assert format_citation(r, "vancouver").startswith("WHO Scientific Group on the Prevention of Osteoporosis. Effects")
    assert format_citation(r, "ama").startswith("WHO Scientific Group on the Prevention of Osteoporosis. Effects")
    assert format_citation(r, "apa").startswith(
        "WHO Scientific Group on the Prevention of Osteoporosis. (2006). Effects")


def test_initials_and_hyphenated_given_names():
    r = review([Author("Smith", "JP"), Author("Dupont", "Jean-Pierre"), Author("Doe", "J. R.")])
    assert format_citation(r, "vancouver").startswith("Smith JP, Dupont JP, Doe JR. Effects")
    assert format_citation(r, "apa").startswith("Smith, J. P., Dupont, J.-P., & Doe, J. R. (2006).")


def test_title_ending_in_punctuation_is_not_doubled():
    for style in STYLES:
        text = format_citation(review(title="Does vitamin K2 prevent fractures?"), style)
        assert "fractures?" in text and "?." not in text
        assert ".." not in format_citation(review(title="A review."), style)


@pytest.mark.parametrize("style", STYLES)
def test_plain_text_one_line_without_markup(style):
    text = format_citation(review(title="Zinc & genistein: a <review>", journal="J Bone & Miner Res"), style)
    assert "\n" not in text and "&amp;" not in text and "<i>" not in text and "<b>" not in text
    assert "Zinc & genistein: a <review>" in text and not text.startswith("1.")


def test_unknown_style_lists_the_valid_ones():
    with pytest.raises(UsageError, match="vancouver, ama, apa"):
        format_citation(review(), "chicago")
    with pytest.raises(UsageError):
        format_citations([review()], "harvard")


def test_styles_are_loaded_once():
    assert _style("apa") is _style("apa")


def awkward_reviews() -> list[Review]:
    return [review(EIGHT), review(year=None, volume=""), review(issue="3", volume="", pages="e1234"),
            review(pages="", doi=""), review([], journal=""), review(title="A question?"),
            review([Author("Ørsted", "Søren"), Author("王", "小明"), Author("Dupont", "Jean-Pierre"),
                    Author("Smith", "JP"), Author("World Health Organization")]),
            review(journal_abbrev="J. Bone Miner. Res.", title="Ends with a period."),
            review(title="Pages: 10\u201319 in a title", pages="1-9"), review(type="book"), review(type="chapter"),
            review(type="no-such-type")]


def test_fast_vancouver_agrees_with_citeproc():
    data = bundled.load(paths.bundled_data_dir())
    cases = data.reviews + awkward_reviews()
    assert [vancouver(r) for r in cases] == format_citations(cases, "vancouver")
