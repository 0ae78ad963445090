"""Retrieval quality: query rewriting, passage-level evidence, fusion and the refusal decision."""
from __future__ import annotations

import numpy as np
import pytest

from index.lexical import LexicalIndex, PassageIndex
from index.query import QueryRewriter, edit_distance, looks_english

TEXTS = [
    "Bromma stadsdelsnämnd\n\nPå mottagningen arbetar tre socialsekreterare som tar emot anmälningar "
    "från skolorna. Socialtjänsten lyckas hålla kontakten.",
    "Farsta stadsdelsnämnd\n\nSamtliga skolor har uppgifter om vem som ska kontaktas på socialtjänsten. "
    "Överenskommelsen revideras årligen.",
    "Socialnämnden\n\nGranskningar av samverkan har genomförts av revisionskontoret vid två tillfällen. "
    "Stödmaterialet reglerar samverkan mellan skola och socialtjänst.",
]


@pytest.fixture(scope="module")
def small():
    lexical = LexicalIndex.build([f"c{i}" for i in range(len(TEXTS))], TEXTS)
    return lexical, QueryRewriter(lexical.analyzer, lexical.idf, TEXTS)


# -- query rewriting (no embedder needed) ---------------------------------------------------

def test_edit_distance_counts_a_swap_as_one():
    assert edit_distance("bromma", "broma") == 1
    assert edit_distance("utredning", "utrening") == 1
    assert edit_distance("socialtjänst", "socailtjänst") == 1
    assert edit_distance("skola", "skola") == 0


def test_misspelt_district_name_is_corrected_to_the_corpus_spelling(small):
    lexical, rewriter = small
    q = rewriter.rewrite("Vart ska skolorna i Broma skicka sina anmälningar?")
    assert q.corrections == {"Broma": "bromma"}
    assert "Bromma" in q.dense_text and "Broma " not in q.dense_text
    assert lexical.analyzer.tokens("Bromma")[0] in q.terms


def test_dictionary_words_and_inflections_of_corpus_words_are_left_alone(small):
    _, rewriter = small
    q = rewriter.rewrite("Har socialtjänsten lyckats sitta ned med skolorna?")
    assert q.corrections == {}
    assert q.dense_text == "Har socialtjänsten lyckats sitta ned med skolorna?"


def test_informal_soc_means_socialtjansten(small):
    lexical, rewriter = small
    q = rewriter.rewrite("Måste jag berätta för soc om en elev?")
    assert "socialtjänsten" in q.dense_text and "soc " not in q.dense_text
    assert q.terms.get("socialtjänst", 0) >= 1.0
    scores = lexical.weighted_scores(q.terms)
    assert scores.max() > 0  # "soc" alone matches nothing in the corpus


def test_everyday_synonyms_reach_the_documents_words_at_reduced_weight(small):
    _, rewriter = small
    q = rewriter.rewrite("Hur ofta gås avtalet igenom?")
    assert 0 < q.terms.get("överenskomm", 0) < 1.0


def test_stem_the_corpus_lacks_is_completed_from_the_corpus(small):
    _, rewriter = small
    q = rewriter.rewrite("Hur många gånger har revisorerna granskat samverkan?")
    assert "granskning" in q.terms  # "granskat" stems to "gransk", the corpus has "granskning"


def test_a_noun_made_from_a_verb_reaches_the_verb_and_its_other_nouns():
    texts = ["Förvaltningen ska återkoppla till skolan.", "Antalet orosanmälningar har ökat."]
    lexical = LexicalIndex.build(["a", "b"], texts)
    q = QueryRewriter(lexical.analyzer, lexical.idf, texts).rewrite("Får vi återkoppling efter orosanmälan?")
    stem = lexical.analyzer.tokens
    assert 0 < q.terms[stem("återkoppla")[0]] < 1.0  # återkoppl-ing -> återkoppl(a)
    assert 0 < q.terms[stem("orosanmälningar")[0]] < 1.0  # orosanmäl-an -> orosanmäl-ning
    assert q.unknown == 0.0


def test_question_about_building_permits_is_mostly_unknown_vocabulary(small):
    _, rewriter = small
    outside = rewriter.rewrite("Hur ansöker jag om bygglov för ett garage?")
    inside = rewriter.rewrite("Revideras överenskommelsen i Farsta årligen?")
    assert outside.unknown > 0.5
    assert inside.unknown == 0.0


def test_english_question_is_searched_with_the_documents_swedish_terms(small):
    _, rewriter = small
    assert looks_english("How often do schools and the police meet in SSPF in Skärholmen?")
    assert not looks_english("Hur ofta träffas skola och polis i Skärholmen?")
    q = rewriter.rewrite("Does social services keep in contact with the schools in Bromma?")
    assert q.english and q.unknown == 0.0
    # the name as written, the glossary's Swedish for "social services", "contact", "schools"
    assert {"bromm", "socialtjänst", "kontak", "skol"} <= set(q.terms)
    assert q.terms["bromm"] == 1.0 and q.terms["socialtjänst"] < 1.0
    assert "socialtjänsten" in q.dense_text and q.dense_text.startswith("Does social")


def test_english_question_about_what_the_corpus_never_mentions_is_unknown(small):
    _, rewriter = small
    # "police" and "pupil" translate to polis and elev, which these three texts never use
    assert rewriter.rewrite("Can the police interview a pupil at school?").unknown > 0.5


def test_glossary_reads_phrases_before_words_and_reduces_inflections():
    from index.glossary import translate
    assert translate("Does social services tell the school?") == [
        "socialtjänsten", "informera berätta", "skola skolan"]
    assert translate("reports of concern and investigations") == ["orosanmälan", "utredning"]
    assert translate("the weather today") == []


def test_weighted_scores_equal_bm25s_scores_for_plain_terms(small):
    lexical, _ = small
    tokens = lexical.analyzer.tokens("skolor socialtjänsten samverkan skolor")
    counts = {t: float(tokens.count(t)) for t in set(tokens)}
    assert np.allclose(lexical.weighted_scores(counts), lexical.scores(tokens), atol=1e-5)


def test_persisted_bm25_is_reused_and_rebuilt_when_chunks_or_analyzer_change(tmp_path, monkeypatch):
    from index import lexical as lexical_module

    ids = [f"c{i}" for i in range(len(TEXTS))]
    folder = tmp_path / "lexical"
    built = lexical_module.load_or_build(folder, ids, TEXTS)
    assert (folder / "meta.json").exists()
    tokens = built.analyzer.tokens("socialsekreterare på mottagningen")
    sig = lexical_module.signature(ids)
    again = lexical_module.LexicalIndex.load(folder, sig, TEXTS)
    assert again is not None and np.allclose(again.scores(tokens), built.scores(tokens))
    # a chunk removed: another signature, the saved index is not used
    assert lexical_module.LexicalIndex.load(folder, lexical_module.signature(ids[:2]), TEXTS[:2]) is None
    smaller = lexical_module.load_or_build(folder, ids[:2], TEXTS[:2])
    assert smaller.ids == ids[:2]
    # a new analyzer (other code, same chunks): not the old terms either
    monkeypatch.setattr(lexical_module, "code_version", lambda: "another-analyzer")
    assert lexical_module.signature(ids[:2]) != sig
    assert lexical_module.LexicalIndex.load(folder, lexical_module.signature(ids[:2]), TEXTS[:2]) is None


# -- passage-level evidence -----------------------------------------------------------------

def test_words_close_together_outscore_the_same_words_far_apart():
    filler = " ".join(["Förvaltningen redovisar arbetet."] * 30)
    texts = [f"Styrgruppen träffas varje månad. {filler} Polisen deltar i nätverket.",
             f"{filler} Polisen sitter med i styrgruppen. {filler}"]
    lexical = LexicalIndex.build(["far", "near"], texts)
    rewriter = QueryRewriter(lexical.analyzer, lexical.idf, texts)
    passages = PassageIndex(lexical.analyzer, texts, lexical.idf, span=20)
    q = rewriter.rewrite("Sitter polisen i styrgruppen?")
    prox = passages.proximity(q.groups)
    assert prox[1] > prox[0] > 0
    windows = passages.window_scores(q.terms)
    assert windows[1] > windows[0]


# -- on the bundled corpus ------------------------------------------------------------------

@pytest.fixture
def assistant(indexed_home):
    from assistant.assistant import Assistant
    from assistant.settings import Settings
    return Assistant.from_settings(Settings.from_env())


@pytest.mark.slow
def test_typo_in_a_district_name_still_finds_its_section(assistant, indexed_home):
    from index.retriever import HybridRetriever, RetrievalSettings

    question = "Vart ska skolorna i Broma skicka sina anmälningar om barn som far illa?"
    top = assistant.retriever.search(question, k=1)[0]
    assert top.chunk.section.startswith("Bromma") and "tre socialsekreterare" in top.chunk.text
    # BM25 alone finds it too, which it cannot with "broma" as typed
    r = assistant.retriever
    lexical_only = HybridRetriever(r.store, r.embedder, indexed_home, RetrievalSettings(dense_weight=0.0))
    assert lexical_only.search(question, k=1)[0].chunk.section.startswith("Bromma")


@pytest.mark.slow
def test_question_about_building_permits_is_refused_by_unknown_vocabulary(assistant):
    question = "Hur ansöker jag om bygglov för ett garage?"
    assert assistant.retriever.rewrite(question).unknown > 0.5
    answer = assistant.ask(question)
    assert answer.refused and answer.outcome == "refused"
    assert answer.confidence < assistant.policy.refuse_below


@pytest.mark.slow
def test_informal_soc_means_socialtjansten_in_search(assistant):
    answer = assistant.ask("Får skolan något kvitto på att soc faktiskt har fått in vår orosanmälan?")
    assert not answer.refused
    assert "bekräftelse" in answer.passages[0].chunk.text


@pytest.mark.slow
def test_sentence_level_match_picks_the_right_chunk_of_a_long_section(assistant):
    # Östermalm's section spans three chunks; the first names Östermalm most often, the
    # second says who sits in the steering group and how often it meets, in one paragraph
    question = "Vilka sitter i styrgruppen för samarbetet på Östermalm och hur ofta ses de?"
    top = assistant.retriever.search(question, k=1)[0]
    assert top.chunk.section.startswith("Östermalm") and "Styrgrupp för samverkan utgörs" in top.chunk.text


@pytest.mark.slow
@pytest.mark.parametrize("question", ["Får vi återkoppling efter vår orosanmälan?",
                                      "Will we hear back after our report to social services?"])
def test_will_we_hear_back_is_answered_with_the_districts_routine(assistant, question):
    # the corpus says "återkoppla" and "orosanmälningar", never "återkoppling" or "orosanmälan";
    # the English question's Swedish terms pick the quote, not its English words
    answer = assistant.ask(question)
    assert answer.outcome == "answer"
    assert any("återkoppla till skolorna" in c.quote for c in answer.citations)


@pytest.mark.slow
def test_english_question_is_answered_from_swedish_passages(assistant):
    answer = assistant.ask("How many new SkolFam teams are going to be started?")
    assert not answer.refused
    assert any("SkolFam" in p.chunk.text for p in answer.passages[:3])


@pytest.mark.slow
def test_dense_only_and_lexical_only_settings_still_rank(indexed_home):
    from index.embedders import make_embedder
    from index.retriever import HybridRetriever, RetrievalSettings
    from index.store import ChunkStore

    store, e5 = ChunkStore(indexed_home), make_embedder("e5-small")
    question = "Hur många elever går i de fristående skolorna i Bromma?"
    def search(settings):
        return HybridRetriever(store, e5, indexed_home, settings).search(question, k=5)

    dense = search(RetrievalSettings(lexical_weight=0.0))
    lexical = search(RetrievalSettings(dense_weight=0.0))
    assert dense and dense[0].dense > 0.8
    assert lexical and all(p.dense == 0.0 for p in lexical) and lexical[0].lexical > 0
