"""Three outcomes (answer / uncertain / refused), the self-calibrating refusal, and answers that
address the question (the extractive writer never quotes headers, dates or unrelated sentences)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from assistant.calibration import BANK, NullDistribution, load_bank
from assistant.evidence import Evidence
from assistant.models import Answer, Citation
from assistant.refusal import RefusalPolicy
from assistant.writers.extractive import INTRO, INTRO_SEVERAL, ExtractiveWriter, not_an_answer
from index.models import Passage
from ingest.models import Chunk

ROOT = Path(__file__).resolve().parents[1]


def _null(shift: float = 0.0, n: int = 200) -> NullDistribution:
    rng = np.random.default_rng(1)
    dense = list(0.82 + shift + 0.02 * rng.standard_normal(n))
    return NullDistribution("k", dense, list(rng.uniform(0.0, 0.5, n)), list(rng.uniform(0.3, 1.0, n)),
                            [i % 7 == 0 for i in range(n)])


# -- the decision, on a hand-made null distribution ------------------------------------------

def test_evidence_far_above_the_off_topic_bank_is_answered_and_far_below_is_refused():
    policy, null = RefusalPolicy(), _null()
    strong = Evidence(dense_top=0.92, coverage=0.9, unknown=0.0, english=False)
    weak = Evidence(dense_top=0.80, coverage=0.1, unknown=0.8, english=False)
    assert policy.outcome(policy.confidence(strong, null)) == "answer"
    assert policy.outcome(policy.confidence(weak, null)) == "refused"


def test_evidence_between_the_cut_points_is_uncertain():
    policy, null = RefusalPolicy(), _null()
    s = policy.null_scores(null)
    target = float(np.quantile(s, (policy.refuse_below + policy.answer_from) / 2))
    # solve the score for dense_top with the other evidence fixed
    p = policy._params(null)
    dense = p["centre"] + p["spread"] * (target - policy.coverage_weight * 0.3 + policy.unknown_weight * 0.2)
    ev = Evidence(dense_top=dense, coverage=0.3, unknown=0.2, english=False)
    assert policy.refuse_below <= policy.confidence(ev, null) < policy.answer_from
    assert policy.outcome(policy.confidence(ev, null)) == "uncertain"


def test_the_decision_follows_the_index_cosine_scale_not_a_fixed_cut_off():
    # a corpus whose cosines all run 0.05 higher: the same relative evidence, the same outcome
    policy = RefusalPolicy()
    ev = Evidence(dense_top=0.86, coverage=0.5, unknown=0.1, english=False)
    higher = Evidence(dense_top=0.91, coverage=0.5, unknown=0.1, english=False)
    assert policy.confidence(ev, _null()) == pytest.approx(policy.confidence(higher, _null(0.05)))
    # while the same absolute cosine means less on the higher-scaled index
    assert policy.confidence(ev, _null(0.05)) < policy.confidence(ev, _null())


def test_a_question_whose_topic_words_the_passages_lack_scores_lower():
    policy, null = RefusalPolicy(), _null()
    covered = Evidence(dense_top=0.85, coverage=0.8, unknown=0.0, english=False)
    uncovered = Evidence(dense_top=0.85, coverage=0.1, unknown=0.6, english=False)
    assert policy.confidence(uncovered, null) < policy.confidence(covered, null)


def test_cut_points_are_ordered_and_name_the_null_scale():
    cut = RefusalPolicy().cut_points(_null())
    assert cut["n"] == 200 and cut["refuse_below_score"] <= cut["answer_from_score"]
    assert 0.79 < cut["centre"] < 0.85 and cut["spread"] > 0
    assert list(cut["dense_percentiles"]) == [5, 25, 50, 75, 95]


def test_null_distribution_survives_a_json_round_trip():
    null = _null()
    again = NullDistribution.from_json(json.loads(json.dumps(null.to_json())))
    assert again.key == null.key and again.n == null.n
    assert again.dense_centre() == pytest.approx(null.dense_centre(), abs=1e-4)


# -- the bank ----------------------------------------------------------------------------------

def test_the_off_topic_bank_is_big_mixed_and_shares_no_question_with_any_suite():
    bank = load_bank()
    assert len(bank) >= 300 and len(set(bank)) == len(bank)
    english = [q for q in bank if q.split()[0] in {"How", "What", "When", "Who", "Can", "Where"}]
    assert 0.10 <= len(english) / len(bank) <= 0.25
    assert BANK.read_text(encoding="utf-8").startswith("#")  # says where it came from
    suite_questions = set()
    for path in (ROOT / "evals" / "suites").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        suite_questions |= {q["question"].strip().lower() for q in data.get("questions", [])}
    assert not suite_questions & {q.lower() for q in bank}


# -- the answer object ---------------------------------------------------------------------------

def test_only_a_refused_answer_is_flagged_refused_in_json():
    uncertain = Answer("q", "text", False, outcome="uncertain")
    refused = Answer("q", "text", True)
    assert uncertain.to_json()["outcome"] == "uncertain" and uncertain.to_json()["refused"] is False
    assert refused.to_json()["outcome"] == "refused" and refused.to_json()["refused"] is True
    assert Answer("q", "text", False).to_json()["outcome"] == "answer"


# -- the writer --------------------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "Sida 3 av 15", "Kungsviks kommun · Sekretesshandbok · sida 4 av 12",
    "3.2 Samtycke från vårdnadshavare ........ 12", "Reviderad 2024-03-01, dnr 2024/117",
    "Fastställd av socialnämnden den 12 mars 2023", "Med vänliga hälsningar", "Anna Berg, rektor",
    "Sekretess mellan skola och socialtjänst",
])
def test_headers_footers_dates_and_signatures_are_never_an_answer(line):
    assert not_an_answer(line)


@pytest.mark.parametrize("line", [
    "Skolan ska göra en orosanmälan till socialtjänsten när det finns oro för ett barn.",
    "Sekretessen gäller inte när uppgiften lämnas med samtycke från vårdnadshavaren.",
    "Ändringen trädde i kraft den 1 januari 2013 och gäller anmälningar från skolan till socialtjänsten.",
])
def test_ordinary_sentences_can_be_an_answer(line):
    assert not not_an_answer(line)


def _terms(text: str) -> list[str]:
    return [w.strip(".,?!").lower()[:6] for w in text.split() if len(w.strip(".,?!")) > 3]


def _passage(text: str, score: float, n: int = 0) -> Passage:
    return Passage(Chunk(f"c{n}", f"doc{n}.txt", f"Dokument {n}", text, 0, len(text), page=1), score, rank=n + 1)


def test_writer_never_quotes_the_date_line_or_a_sentence_without_the_question_words():
    text = ("Rutin för orosanmälan\n\nFastställd 2024-01-15 av förskolechef, gäller förskolan\n\n"
            "Personalen i förskolan arbetar med barnens lärande varje dag.")
    writer = ExtractiveWriter()
    answer, cites = writer.write("Vad är maxtaxan för en heltidsplats på förskolan?", [_passage(text, 1.0)],
                                 _terms, {})
    assert all("2024-01-15" not in c.quote for c in cites)
    assert all(set(_terms(c.quote)) & set(_terms("maxtaxan heltidsplats förskolan")) for c in cites)
    nothing, none = writer.write("Hur söker jag bygglov för en altan?", [_passage(text, 1.0)], _terms, {})
    assert (nothing, none) == ("", [])


def test_close_passages_are_both_quoted_and_the_answer_says_it_draws_on_several():
    a = _passage("Skolan ska anmäla oro för ett barn till socialtjänsten utan dröjsmål.", 2.00, 0)
    b = _passage("Anmälan om oro för ett barn görs skriftligt till socialtjänstens mottagning.", 1.95, 1)
    answer, cites = ExtractiveWriter().write("Hur anmäler skolan oro för ett barn till socialtjänsten?",
                                             [a, b], _terms, {})
    assert {c.passage.chunk.chunk_id for c in cites} == {"c0", "c1"}
    assert answer.startswith(INTRO_SEVERAL.format(n=2).split(" {n}")[0][:30])
    far = _passage(b.chunk.text, 0.5, 1)
    single, cites = ExtractiveWriter(relative_floor=1.1).write(
        "Hur anmäler skolan oro för ett barn till socialtjänsten?", [a, far], _terms, {})
    assert single.startswith(INTRO) and {c.passage.chunk.chunk_id for c in cites} == {"c0"}


# -- counting outcomes in evals ----------------------------------------------------------------

def test_runner_counts_uncertain_and_refused_separately():
    from evals.runner import aggregate, score
    from evals.suite import parse_suite

    suite = parse_suite({"name": "t", "questions": [
        {"id": f"q{i}", "question": "Fråga?", "role": "lärare", "topic": "t", "lang": "sv",
         "sources": [] if oos else [{"file": "doc0.txt"}], "key_phrases": [] if oos else ["anmäla"],
         "must_refuse": oos, "note": ""} for i, oos in enumerate([False, False, False, False, True, True])]})
    p = _passage("Skolan ska anmäla oro.", 1.0)
    answers = [Answer("q", "a", False, [Citation(1, p, "Skolan ska anmäla oro.")], [p]),
               Answer("q", "u", False, [], [p], outcome="uncertain"),
               Answer("q", "r", True, [], [p]),
               Answer("q", "a", False, [Citation(1, p, "Skolan ska anmäla oro.")], [p]),
               Answer("q", "u", False, [], [p], outcome="uncertain"),
               Answer("q", "r", True, [], [p])]
    agg = aggregate([score(c, a) for c, a in zip(suite.cases, answers)])
    assert agg["false_refusal_rate"] == 0.25 and agg["uncertain_rate"] == 0.25
    assert agg["refusal_accuracy"] == 0.5 and agg["refused_or_uncertain"] == 1.0


# -- on the real indexed corpus ------------------------------------------------------------------

@pytest.fixture
def assistant(indexed_home):
    from assistant.assistant import Assistant
    from assistant.settings import Settings
    return Assistant.from_settings(Settings.from_env())


@pytest.mark.slow
def test_clearly_off_topic_question_is_refused_and_an_on_topic_one_answered(assistant):
    off = assistant.ask("Vilka öppettider har återvinningscentralen på lördagar?")
    assert off.outcome == "refused" and off.refused and not off.citations
    on = assistant.ask("Måste jag som lärare göra en orosanmälan om jag misstänker att en elev far illa?")
    assert on.outcome == "answer" and not on.refused and on.citations
    assert on.confidence >= assistant.policy.answer_from > off.confidence


@pytest.mark.slow
def test_near_domain_question_is_not_answered_and_its_outcome_is_consistent(assistant):
    answer = assistant.ask("Vad är maxtaxan för en heltidsplats på förskolan?")
    assert answer.outcome in ("uncertain", "refused")
    assert answer.refused == (answer.outcome == "refused") and not answer.citations
    if answer.outcome == "uncertain":
        assert answer.answer.startswith("Materialet verkar inte besvara frågan direkt") and answer.passages


@pytest.mark.slow
def test_calibration_refits_after_an_ingest_changes_the_index(assistant, indexed_home, tmp_path):
    from assistant.calibration import index_key
    from index.sync import ingest_paths

    before = json.loads((indexed_home / "calibration.json").read_text(encoding="utf-8"))
    assert before["key"] == index_key(assistant.retriever)  # the fixture's fit is current
    extra = tmp_path / "docs" / "rutin.txt"
    extra.parent.mkdir()
    extra.write_text("Rutin för parkering\n\nPersonalen parkerar på den norra parkeringen vid skolan. "
                     "Parkeringstillstånd söks hos fastighetsavdelningen.\n", encoding="utf-8")
    ingest_paths([extra], assistant.retriever.store, assistant.retriever.embedder)
    assistant.ask("Var parkerar personalen?")
    after = json.loads((indexed_home / "calibration.json").read_text(encoding="utf-8"))
    assert after["key"] != before["key"] and after["key"] == index_key(assistant.retriever)
    assert after["n"] == len(load_bank())


@pytest.mark.slow
def test_a_refit_embeds_only_the_bank_questions_it_has_not_embedded_before(indexed_home, tmp_path):
    import numpy as np

    from assistant import calibration
    from index.embedders import make_embedder
    from index.retriever import HybridRetriever
    from index.store import ChunkStore

    class Counting:
        def __init__(self, inner):
            self.inner, self.name, self.dim, self.texts = inner, inner.name, inner.dim, 0

        def embed(self, texts, kind="passage"):
            self.texts += len(texts)
            return self.inner.embed(texts, kind)

        def embed_query(self, text):
            return self.embed([text], "query")[0]

    calibration._VECTORS.clear()  # a new process
    e5 = Counting(make_embedder("e5-small"))
    retriever = HybridRetriever(ChunkStore(indexed_home), e5, indexed_home)
    first = calibration.fit(retriever)  # the fixture's fit left its vectors in HANDBOK_HOME
    assert e5.texts == 0 and (indexed_home / calibration.VECTORS_FILE).is_file()
    calibration._VECTORS.clear()
    (indexed_home / calibration.VECTORS_FILE).unlink()
    again = calibration.fit(retriever)
    assert e5.texts == len(load_bank()) and again.dense == first.dense  # same figures either way
    one_by_one = [retriever.search(q, k=10)[0].dense for q in load_bank()[:20]]
    assert np.allclose(one_by_one, [max(p.dense for p in retriever.search(q, k=10, vector=v)[:1])
                                    for q, v in zip(load_bank()[:20], calibration._bank_vectors(
                                        retriever, [retriever.rewrite(q).dense_text for q in load_bank()[:20]]))])


@pytest.mark.slow
def test_a_server_answers_with_the_previous_calibration_while_it_refits_after_an_ingest(
        assistant, indexed_home, tmp_path):
    from assistant.calibration import index_key
    from index.sync import ingest_paths

    before = assistant.calibration.get(assistant.retriever)
    assistant.retriever.background = True
    extra = tmp_path / "docs" / "rutin.txt"
    extra.parent.mkdir()
    extra.write_text("Rutin för parkering\n\nPersonalen parkerar på den norra parkeringen vid skolan. "
                     "Parkeringstillstånd söks hos fastighetsavdelningen.\n", encoding="utf-8")
    ingest_paths([extra], assistant.retriever.store, assistant.retriever.embedder)
    assistant.retriever.refresh(force=True)  # the new index is served
    assert assistant.calibration.get(assistant.retriever) is before  # no question waits for the fit
    assistant.calibration.wait(300)
    after = json.loads((indexed_home / "calibration.json").read_text(encoding="utf-8"))
    assert after["key"] == index_key(assistant.retriever) != before.key
    assert assistant.calibration.get(assistant.retriever).key == after["key"]


@pytest.mark.slow
def test_status_shows_the_refusal_calibration(indexed_home):
    from click.testing import CliRunner

    from assistant.cli import cli

    out = CliRunner().invoke(cli, ["status"])
    assert out.exit_code == 0, out.output
    assert "refusal calibration:" in out.output and "refused below score" in out.output
    data = json.loads(CliRunner().invoke(cli, ["status", "--json"]).output)
    assert data["refusal_calibration"]["n"] == len(load_bank())


@pytest.mark.slow
def test_ask_json_and_text_show_the_outcome(indexed_home):
    from click.testing import CliRunner

    from assistant.cli import cli

    out = json.loads(CliRunner().invoke(cli, ["ask", "--json", "Hur byter jag däck på en personbil?"]).output)
    assert out["outcome"] == "refused" and out["refused"] is True
    text = CliRunner().invoke(cli, ["ask", "Vem på socialtjänsten är skolans kontaktperson?"]).output
    assert "Källor:" in text
