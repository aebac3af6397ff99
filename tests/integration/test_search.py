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


# ---------------------------------------------------------------------------- short abbreviations and spelling
AMBIGUOUS = [("BP", "bisphosphonate", "bp"), ("AD", "alzheimers-disease", "ad"), ("PD", "parkinsons-disease", "pd"),
             ("Ca", "calcium", "ca"), ("GC", "glucocorticoid", "gc")]


def _with_synonyms(vocabulary, extra: dict[str, str]):
    """The library's vocabulary with ``extra`` synonyms (name -> concept id) added."""
    from dataclasses import replace

    from vkref.core.vocabulary import Vocabulary

    concepts = [replace(c, synonyms=c.synonyms + tuple(n for n, cid in extra.items() if cid == c.id))
                for c in vocabulary.concepts.values()]
    return Vocabulary.from_concepts(concepts)


@pytest.mark.parametrize("typed, concept, lower", AMBIGUOUS)
def test_ambiguous_abbreviations_expand_only_in_capitals(library, typed, concept, lower):
    from vkref.search.query import QueryBuilder

    vocab = _with_synonyms(library.vocabulary, {typed: concept})
    label = vocab[concept].label
    builder = QueryBuilder(vocab)
    assert label in builder.plan(typed).readable()                    # typed as written: the concept
    assert label not in builder.plan(f"{lower} fracture").readable()  # typed as a word: just the word
    assert vocab.find(lower, vocab[concept].facet).id == concept       # filters still fold case


def test_rank_is_a_word_and_RANK_the_receptor(library):
    assert "RANKL" not in library.search("rank", limit=0).searched_as
    assert "RANKL" in library.search("RANK", limit=0).searched_as


@pytest.mark.parametrize("lower, upper", [("ovx", "OVX"), ("dexa", "DEXA"), ("orx", "ORX")])
def test_abbreviations_the_vocabulary_lists_in_lowercase_expand_in_any_case(library, lower, upper):
    a, b = library.search(lower, limit=0), library.search(upper, limit=0)
    assert a.total == b.total > 0


def test_concept_ids_expand_as_exact_codes(library):
    assert library.search("bmd", limit=0).total == library.search("BMD", limit=0).total > 0


def test_spelling_never_changes_a_vocabulary_term(library):
    engine = library.indexing.service.engine
    names = {n for n in library.vocabulary.names() if len(n) >= 4 and " " not in n}
    changed = {n: engine.suggest(n, engine.builder.plan(n)) for n in names}
    assert not {n: s for n, s in changed.items() if s}


def test_no_zero_hit_search_turns_Benet_into_benefit(library):
    page = library.search("Benet", year_from=1900, year_to=1901)  # nothing in range: the speller is tried
    assert page.total == 0 and page.suggestion is None


def test_a_correction_replaces_the_misspelt_word_not_part_of_a_known_one(library):
    engine = library.indexing.service.engine
    fixed = engine.suggest("menatetrenone menatetrenon", engine.builder.plan("menatetrenone menatetrenon"))
    assert fixed is not None and fixed.startswith("menatetrenone ") and fixed.split() == ["menatetrenone", "menatetrenone"]



# ---------------------------------------------------------------------------- which vitamin K2 (also_broader)
def _coded_only(library, fid, concept):
    """Whether finding ``fid`` is coded ``concept`` itself and nothing under it."""
    vocab = library.vocabulary
    codes = set(library.get_finding(fid).concepts[vocab[concept].facet])
    return concept in codes and not codes & set(vocab.descendants(concept))


@pytest.mark.parametrize("query, narrower", [("MK-4", "mk4"), ("MK-7", "mk7"), ("menatetrenone", "mk4")])
def test_a_narrower_concept_offers_the_findings_coded_only_broader(library, query, narrower):
    page = library.search(query, limit=0, all_keys=True)
    offer = next(o for o in page.also_broader if o.concept == "vitamin-k2")
    assert offer.narrower == library.vocabulary[narrower].label and offer.count > 0
    assert offer.filters == {"kind": ["finding"], "agent": ["Vitamin K2"]}
    listed = library.search(offer.query, filters=offer.filters, exclude=offer.exclude, limit=1000, broader=False)
    assert listed.total == offer.count
    ids = {h.id for h in listed.hits}
    assert all(_coded_only(library, fid, "vitamin-k2") for fid in ids)
    assert not ids & {k.partition(":")[2] for k in page.keys}  # none of them was already a result
    everything = {f.id for f in library.search("", filters={"agent": ["Vitamin K2"]}, kind="finding",
                                               limit=1000).hits if _coded_only(library, f.id, "vitamin-k2")}
    assert ids <= everything


def test_the_offer_keeps_the_rest_of_the_query_and_the_filters(library):
    page = library.search("MK-4 vertebral fracture", filters={"species": ["Human"]}, limit=0)
    for offer in page.also_broader:
        listed = library.search(offer.query, filters={"species": ["Human"], **offer.filters},
                                exclude=offer.exclude, limit=100, broader=False)
        assert listed.total == offer.count
        assert all(h.facets["species"] == ["Human"] for h in listed.hits)


def test_no_offer_without_a_broader_concept_or_for_reviews(library):
    assert not library.search("vitamin K", limit=0).also_broader  # a root concept: nothing broader
    assert not library.search("MK-4", kind="review", limit=0).also_broader
    assert not library.search("", filters={"agent": ["MK-4"]}, limit=0).also_broader
    assert "also_broader" in library.search("MK-4", limit=0).to_dict()
    partial = library.search("MK-4 ovariectomized rats lumbar BMD", limit=0)  # no record holds every word
    assert partial.mode == "any" and not partial.also_broader
