"""Search behaviour on the bundled library: codes, expansion, phrases, plain questions, spelling, bad input."""
import pytest

from vkref.core.errors import QueryError
from tests.conftest import keys


def _agents(library, hit):
    return set(library.get_finding(hit.id).concepts.get("agent", []))


def test_mk4_never_returns_mk7_only_findings(library):
    page = library.search("MK-4", kind="finding", limit=500)
    assert page.total > 10
    for hit in page.hits:
        f = library.get_finding(hit.id)
        agents = set(f.concepts["agent"])
        text = f.statement.lower()
        mk7_only = "mk7" in agents and "mk4" not in agents and "mk-4" not in text and "menatetrenone" not in text
        assert not mk7_only, hit.id


def test_mk7_query_finds_mk7_findings_only_with_mk7(library):
    page = library.search("MK-7", kind="finding", limit=500)
    assert page.total > 10
    for hit in page.hits:
        f = library.get_finding(hit.id)
        blob = (f.statement + " " + f.section + " " + f.dose + " " + f.effect_size).lower()
        assert "mk7" in f.concepts["agent"] or "mk-7" in blob or "menaquinone-7" in blob, f.id


def test_synonym_expansion_menatetrenone_equals_mk4(library):
    a = library.search("menatetrenone", limit=1000)
    b = library.search("MK-4", limit=1000)
    assert a.total == b.total > 0
    assert "MK-4" in a.searched_as and "menaquinone-4" in a.searched_as


def test_descendant_expansion_bisphosphonate_finds_risedronate_and_incadronate(library):
    page = library.search("bisphosphonate", kind="finding", limit=1000)
    coded = {c for h in page.hits for c in library.get_finding(h.id).concepts["agent"]}
    assert {"risedronate", "incadronate"} <= coded
    assert "risedronate" in page.searched_as.lower()
    # a finding coded risedronate whose statement never says "bisphosphonate" is still found
    only_coded = [h for h in page.hits if "bisphosphonate" not in h.text.lower()]
    assert only_coded


def test_every_word_required_by_default(library):
    page = library.search("raloxifene femoral", limit=100)
    assert page.total >= 1 and page.mode == "all"
    for hit in page.hits:
        blob = (hit.text + " " + hit.title).lower()
        assert "femoral" in blob or hit.kind == "review"


def test_records_holding_every_word_rank_first_when_relaxed(library):
    page = library.search("raloxifene femoral neck", kind="finding", limit=100)
    assert page.mode == "any" and "held every word" in page.searched_as
    n_all = int(page.searched_as.split("only ")[1].split()[0])
    holds = ["femoral neck" in h.text.lower() and "raloxifene" in h.text.lower() for h in page.hits]
    assert sum(holds) >= 1 and all(holds[:sum(holds)]) and sum(holds) <= n_all


def test_phrase_is_stricter_than_words(library):
    words = library.search("bone formation", limit=1000).total
    phrase = library.search('"bone formation"', limit=1000).total
    assert 0 < phrase <= words


def _phrases_around_a_stop_word(library):
    """Three-word runs "word stop word" from the library's own statements, with the finding that holds each."""
    from vkref.search.analysis import STOP_WORDS

    for f in sorted(library.search("", kind="finding", limit=1000).hits, key=lambda h: h.id):
        words = f.text.split()
        for a, b, c in zip(words, words[1:], words[2:]):
            if b in STOP_WORDS and all(w.isalpha() and w.lower() not in STOP_WORDS and len(w) > 3 for w in (a, c)):
                yield f'"{a} {b} {c}"', f.id


def test_a_phrase_holding_a_stop_word_finds_the_text_it_was_copied_from(library):
    """Stop words are not indexed but keep their place: "steady and lowers" must not need "steady lowers"."""
    phrases = list(_phrases_around_a_stop_word(library))[:25]
    assert len(phrases) >= 10
    for phrase, fid in phrases:
        hits = {h.id for h in library.search(phrase, kind="finding", limit=1000).hits}
        assert fid in hits, phrase
    # still a phrase: the two outer words next to each other (no word between) are not the same phrase
    phrase, fid = phrases[0]
    a, _, c = phrase.strip('"').split()
    assert fid not in {h.id for h in library.search(f'"{a} {c}"', kind="finding", limit=1000).hits} or \
        f"{a} {c}" in library.get_finding(fid).statement


def test_plain_question_still_answers(library):
    page = library.search("what role does vitamin K play in blood clotting", limit=5)
    assert page.total > 0
    assert page.total > 0 and "scored higher with: role, play" in page.searched_as
    top = page.hits[0]
    assert "clott" in top.text.lower() or "coagul" in top.text.lower()


def test_spelling_suggestion_applied(library):
    page = library.search("menatetreone", limit=5)
    assert page.suggestion == "menatetrenone"
    assert page.total == library.search("menatetrenone", limit=0).total > 0


def test_spelling_correction_can_be_turned_off(library):
    page = library.search("menatetreone", limit=1, spell=False)
    assert page.total == 0 and page.suggestion is None


def test_evidence_sort_puts_human_then_strongest_design_first(library):
    from vkref.library.documents import evidence_strength

    page = library.search("fracture", sort="evidence", kind="finding", limit=500)
    ranks = [evidence_strength(library.get_finding(h.id), library.vocabulary) for h in page.hits]
    assert ranks == sorted(ranks) and len(set(ranks)) >= 3
    first, last = page.hits[0], page.hits[-1]
    assert "Human" in first.facets["species"] and first.facets["evidence"][0] in (
        "Meta-analysis", "Randomized controlled trial")
    assert "Human" not in last.facets["species"] or "In vitro study" in last.facets["evidence"]


def test_relevance_ties_are_broken_by_strength_of_evidence(library):
    from vkref.library.documents import evidence_strength

    page = library.search("vitamin K2", limit=10000)
    seen = {}
    for h in page.hits:
        if h.kind == "finding":
            seen.setdefault(h.score, []).append(evidence_strength(library.get_finding(h.id), library.vocabulary))
    ties = [ranks for ranks in seen.values() if len(set(ranks)) > 1]
    assert ties, "no tie with different evidence to check"
    assert all(ranks == sorted(ranks) for ranks in ties)


def test_no_suggestion_when_results(library):
    assert library.search("osteocalcin", limit=1).suggestion is None


def test_highlights_mark_terms_and_escape(library):
    page = library.search("osteocalcin", limit=3)
    assert any("<mark>" in h for hit in page.hits for h in hit.highlights)


def test_exclusion_operator(library):
    with_rat = library.search("vitamin K2 bone", limit=1000).total
    without = library.search("vitamin K2 bone -rats", limit=1000)
    assert 0 < without.total < with_rat
    assert "NOT" in without.searched_as


def test_or_operator_widens(library):
    a = library.search("zinc", limit=1000).total
    b = library.search("genistein", limit=1000).total
    both = library.search("zinc OR genistein", limit=1000).total
    assert max(a, b) <= both <= a + b


def test_prefix(library):
    prefix = library.search("carboxyl*", limit=1).total
    assert prefix >= library.search("carboxylated", limit=1).total > 0
    assert prefix > library.search("carboxylated", limit=1).total  # also carboxylation, carboxylase ...


@pytest.mark.parametrize("query", ['"raloxifene femoral', "AND", "OR OR", "NOT", "-", "((", "mk-4 )", '"', "K2 AND",
                                   "🙂", "\x00", "a" * 900, "OR vitamin"])
def test_any_input_is_a_query_or_a_clear_error(library, query):
    try:
        page = library.search(query)
    except QueryError as exc:
        assert "\n" not in str(exc) and str(exc)
    else:
        assert page.total >= 0


@pytest.mark.parametrize("query", ["*", "**", "a" * 10000, "x*"])
def test_bad_queries_raise_one_line_errors(library, query):
    with pytest.raises(QueryError) as err:
        library.search(query)
    assert "\n" not in str(err.value)


def test_unbalanced_quote_is_closed_and_said(library):
    page = library.search('"raloxifene femoral')
    assert "unmatched quote" in page.searched_as


def test_statement_match_ranks_above_fulltext_only(library):
    page = library.search("natto", limit=5)
    assert page.hits and "natto" in (page.hits[0].text + page.hits[0].title).lower()


def test_pagination_is_consistent(library):
    full = keys(library.search("vitamin K2", limit=30))
    paged = keys(library.search("vitamin K2", limit=10)) + keys(library.search("vitamin K2", limit=10, offset=10)) \
        + keys(library.search("vitamin K2", limit=10, offset=20))
    assert full == paged
