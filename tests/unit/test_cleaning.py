"""Cleaning of extracted text and its passages, on small texts shaped like what PDF extraction gives."""
from __future__ import annotations

from vkref.core import passages as P
from vkref.io.cleaning import clean


def heads(text: str) -> list[str]:
    return [p.text for p in P.split("r", text) if p.kind == "heading"]


def test_hyphenated_words_are_joined_but_codes_and_compounds_keep_their_hyphen():
    text = clean(["Introduction\nMenatetrenone raised osteo-\ncalcin in ovari-\nectomized rats given MK-\n4 and 25-\n"
                  "hydroxyvitamin D, as in calcium-deficient rats fed a calcium-\ndeficient diet."])
    assert "osteocalcin" in text and "ovariectomized" in text
    assert "MK-4" in text and "25-hydroxyvitamin" in text and "calcium-deficient diet" in text
    assert "osteo-" not in text and "ovari-" not in text


def test_running_headers_and_page_numbers_go_also_when_glued_into_a_word():
    pages = [f"Test J Vol. 1, No. 2, 2006\nIntroduction\nBone loss in rats was slowed by the vitamin in the study.\n"
             f"The second line of the page goes on here.\n{n}" for n in (1, 2, 3)]
    pages[1] = pages[1].replace("goes on here.", "goes on in neurecYonsei Med J Vol. 47, No. 2, 2006\ntomized rats.")
    pages[2] = pages[2].replace("goes on here.", "ends at a footer Yonsei Med J Vol. 47, No. 2, 2006")
    text = clean(pages)
    assert "Test J Vol" not in text and "Yonsei" not in text
    assert "neurectomized rats" in text
    assert not any(line.strip().isdigit() for line in text.splitlines())


def test_reference_numbers_are_detached_and_kept_as_markers():
    text = clean(["Introduction\nVitamin K2 prevented bone loss in rats.23 It acted in vivo1 and in\n"
                  "patients with osteoporosis,10-12 as Ito38 and Otomo et al.,35 showed (Fig. 1),31 as the\n"
                  "osteocalcin\n2-5\nstudies found. Runx2 and Runx2 were unchanged at MK-7 doses."])
    for marker in ("rats. [23]", "vivo [1]", "osteoporosis, [10-12]", "Ito [38]", "al., [35]", "(Fig. 1), [31]",
                   "osteocalcin [2-5]"):
        assert marker in text, marker
    assert "Runx2 and Runx2" in text and "MK-7" in text


def test_bracketed_citations_are_left_alone():
    body = " ".join(f"Sentence {n} cites a study [{n}]." for n in range(1, 7))
    text = clean([f"Introduction\n{body}\nRunx2 acts."])
    assert "Runx2 acts." in text and "[3]" in text


def test_headings_one_line_two_lines_and_all_capitals():
    text = clean(["the end of an abstract.\n\nINTRODUCTION\nVitamin K2 is used in Japan.\n"
                  "Combined Treatment with Alfacalcidol and\nMenatetrenone for Postmenopausal Osteoporosis\n"
                  "Preclinical studies\nNo evidence has been reported on this, so far as we know.\n"
                  "Effects of vitamin K2 in glucocorticoid-treated\nrats\nGlucocorticoid treatment reduced bone mass."])
    assert heads(text) == ["INTRODUCTION",
                           "Combined Treatment with Alfacalcidol and Menatetrenone for Postmenopausal Osteoporosis",
                           "Preclinical studies", "Effects of vitamin K2 in glucocorticoid-treated rats"]


def test_a_sentence_line_is_not_a_heading():
    text = clean(["Introduction\nThe effect was small.\nVitamin K1 is a sole compound, but vitamin\nK2 has many forms.\n"
                  "Bioavailability was compared in healthy women.\nMK-7 stayed in serum for days."])
    assert heads(text) == ["Introduction"]


def test_hints_make_a_known_heading_out_of_a_plain_line():
    raw = "ISSN (Online): 2212-3911\nRole of Vitamin K2 in Osteoporosis\nAuthor(s): J Iwamoto\n\nThe abstract."
    assert "Role of Vitamin K2 in Osteoporosis" not in heads(clean([raw]))
    assert heads(clean([raw], ("Role of Vitamin K2 in Osteoporosis",))) == ["Role of Vitamin K2 in Osteoporosis"]


def test_a_caption_is_its_own_passage_and_the_interrupted_paragraph_continues():
    text = clean(["Introduction\nVitamin K2 protected the trabecular bone of\n\nFig. 1. Images of the tibia.\n"
                  "OVX, ovariectomy.\nthe tibia in rats.\nA second paragraph starts here."])
    passages = P.split("r", text)
    assert [p.kind for p in passages] == ["heading", "caption", "paragraph", "paragraph"]
    assert passages[1].text == "Fig. 1. Images of the tibia. OVX, ovariectomy."
    assert passages[2].text == "Vitamin K2 protected the trabecular bone of the tibia in rats."
    assert passages[3].text == "A second paragraph starts here."


def test_passages_have_offsets_into_the_text_and_sections():
    text = clean(["Introduction\nFirst paragraph.\n\nSecond one here.\nMethods\nThird."])
    passages = P.split("r", text)
    assert all(text[p.start:p.end] == p.text for p in passages)
    assert [(p.kind, p.section) for p in passages] == [
        ("heading", "Introduction"), ("paragraph", "Introduction"), ("paragraph", "Introduction"),
        ("heading", "Methods"), ("paragraph", "Methods")]


def test_a_section_with_its_parent_resolves_to_the_right_occurrence():
    text = "# A\n\npa\n\n# Sub\n\nfirst\n\n# B\n\npb\n\n# Sub\n\nsecond\n"
    passages = P.split("r", text)
    assert [p.text for p in P.section_passages(passages, "Sub (in B)")] == ["second"]
    assert [p.text for p in P.section_passages(passages, "sub (in a)")] == ["first"]
    assert P.section_passages(passages, "Nothing") == []


def test_sentences_keep_abbreviations_and_markers():
    text = "Otomo et al. [35] found it. [36] Fig. 2 shows this. Vol. 3 is cited. Last one"
    assert [text[a:b] for a, b in P.sentences(text)] == [
        "Otomo et al. [35] found it. [36]", "Fig. 2 shows this.", "Vol. 3 is cited.", "Last one"]
