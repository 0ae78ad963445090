"""Evaluation: suites load and validate, evaluators score, the runner aggregates, reports and the gate work."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from assistant.cli import cli
from assistant.models import Answer, Citation
from evals.gate import check, parse_min
from evals.report import compare, render_html, write_reports
from evals.runner import RunResult, aggregate, breakdown, score
from evals.suite import load_suite, parse_suite
from evals.validate import validate_suite
from index.models import Passage
from ingest.errors import EvalError
from ingest.models import Chunk

ROOT = Path(__file__).resolve().parents[1]
SUITES = sorted((ROOT / "evals" / "suites").glob("*.y*ml"))
# suites over the bundled corpus alone, and those scored on documents of their own
BUNDLED_SUITES = [p for p in SUITES if load_suite(p).corpus in ([], ["corpus"])]
OWN_CORPUS_SUITES = [p for p in SUITES if p not in BUNDLED_SUITES]
UTL = "corpus/2016-11-23-utlatande-samverkan-skola-socialtjanst.txt"
SKH = "corpus/2023-11-22-interpellationssvar-samverkan-skola-socialtjanst-polis-skarholmen.txt"
BUSS = "corpus/2008-hagersten-liljeholmen-barnuppdraget-anmalan-av-rapport.txt"
EXTERNAL_REF = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""",
                          re.I)


def case(**fields) -> dict:
    base = {"id": "q", "question": "Fråga?", "role": "rektor", "topic": "sekretess", "lang": "sv",
            "sources": [], "key_phrases": [], "facts": [], "must_refuse": False, "note": ""}
    base.update(fields)
    return base


def suite_of(*cases, thresholds=None):
    return parse_suite({"name": "test", "thresholds": thresholds or {}, "questions": list(cases)})


CORPUS = {
    UTL: "Samtliga skolor har uppgifter om vem\nsom ska kontaktas inom socialtjänsten.",
    SKH: "Elever i årskurs 4-9 som har hög frånvaro får insatser.",
}

# The small suite run over the real indexed corpus: two answerable questions, one whose
# expected source is wrong (so no passage can be correct), one out-of-scope question.
SMALL = [
    case(id="farsta-kontaktpersoner", question="Hur har Farsta ordnat kontaktpersoner för skolorna?",
         topic="kontaktperson", sources=[{"file": UTL}],
         key_phrases=["Samtliga skolor har uppgifter om vem som ska kontaktas"], facts=["samtliga skolor"]),
    case(id="sst-vilka-elever", question="Vilka elever kan få hjälp av det skolsociala teamet i Skärholmen?",
         role="elevhälsa", topic="skolsocialt-team", sources=[{"file": SKH}],
         key_phrases=["Elever i årskurs 4-9 som har hög frånvaro får insatser"]),
    case(id="fel-kalla", question="Vilka elever får insatser av skolsociala teamet i Skärholmen?",
         role="elevhälsa", topic="skolsocialt-team", sources=[{"file": BUSS}],
         key_phrases=["Elever i årskurs 4-9 som har hög frånvaro får insatser"]),
    case(id="bygglov-garage", question="Hur ansöker jag om bygglov för ett garage?",
         topic="utanför", must_refuse=True),
]


# -- loading and validating -------------------------------------------------------------------
def test_validate_names_a_misspelt_source_and_suggests_the_closest_file():
    misspelt = UTL.replace("samverkan", "samvrekan")
    problems = validate_suite(suite_of(case(id="a", sources=[{"file": misspelt}],
                                            key_phrases=["Samtliga skolor"])), CORPUS)
    assert len(problems) == 1
    assert "'a'" in problems[0] and misspelt in problems[0]
    assert "not indexed" in problems[0] and f"did you mean {UTL!r}" in problems[0]


def test_validate_names_the_question_and_the_key_phrase_missing_from_its_source():
    problems = validate_suite(suite_of(case(id="b", sources=[{"file": UTL}],
                                            key_phrases=["har hög frånvaro får insatser"])), CORPUS)
    assert len(problems) == 1
    assert "'b'" in problems[0] and "'har hög frånvaro får insatser'" in problems[0]
    assert f"not found in {UTL}" in problems[0] and f"occurs in {SKH}" in problems[0]


def test_validate_matches_key_phrases_folded_across_line_breaks_and_accents():
    ok = case(id="c", sources=[{"file": UTL}], key_phrases=["SAMTLIGA skolor har uppgifter om vem som ska kontaktas"])
    assert validate_suite(suite_of(ok), CORPUS) == []


def test_validate_suggests_the_joined_word_for_a_phrase_copied_across_a_line_break_hyphen():
    corpus = {UTL: "enligt beslut i kommunfullmäktige juni 2010"}
    problems = validate_suite(suite_of(case(id="h", sources=[{"file": UTL}],
                                            key_phrases=["beslut i kommun- fullmäktige juni 2010"])), corpus)
    assert len(problems) == 1 and "write 'beslut i kommunfullmäktige juni 2010'" in problems[0]


def test_validate_reports_a_duplicate_id_with_both_positions():
    good = dict(sources=[{"file": SKH}], key_phrases=["hög frånvaro"])
    problems = validate_suite(suite_of(case(id="dup", question="Ett?", **good),
                                       case(id="dup", question="Två?", **good)), CORPUS)
    assert problems == ["duplicate id 'dup' (questions 1 and 2): every question needs its own id"]


def test_validate_reports_refusal_with_sources_and_in_scope_without_key_phrases():
    problems = validate_suite(suite_of(case(id="r", must_refuse=True, sources=[{"file": UTL}]),
                                       case(id="s", question="Annan?", sources=[{"file": UTL}])), CORPUS)
    assert any("'r'" in p and "must_refuse is true but sources" in p for p in problems)
    assert any("'s'" in p and "without key_phrases" in p for p in problems)


def test_validate_against_chunks_reports_a_phrase_split_by_a_chunk_boundary():
    chunks = [Chunk("1", UTL, "t", "Samtliga skolor har", 0, 19), Chunk("2", UTL, "t", "uppgifter om vem", 20, 36)]
    problems = validate_suite(suite_of(case(id="d", sources=[{"file": UTL}],
                                            key_phrases=["skolor har uppgifter"])), chunks)
    assert len(problems) == 1 and "spans two chunks" in problems[0]


@pytest.mark.parametrize("field, value, expected", [
    ("must_refuse", "nej", "question 'q'.must_refuse: expected true or false"),
    ("key_phrases", {"a": 1}, "question 'q'.key_phrases: expected a list of texts"),
    ("sources", [{"file": UTL, "page": "tre"}], "question 'q'.sources[0].page: expected a page number"),
])
def test_load_suite_names_question_and_field_of_a_wrong_type(tmp_path, field, value, expected):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"name": "s", "questions": [case(**{field: value})]}, allow_unicode=True),
                    encoding="utf-8")
    with pytest.raises(EvalError, match=re.escape(expected)):
        load_suite(path)


def test_load_suite_names_missing_fields_and_yaml_errors(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("questions:\n  - id: x\n    question: Hej?\n", encoding="utf-8")
    with pytest.raises(EvalError, match=r"question 'x': missing field\(s\) role, topic, lang"):
        load_suite(path)
    path.write_text("questions:\n  - id: x\n   question: [oj\n", encoding="utf-8")
    with pytest.raises(EvalError, match=r"not valid YAML at line \d+"):
        load_suite(path)


@pytest.mark.slow
@pytest.mark.parametrize("path", BUNDLED_SUITES, ids=[p.name for p in BUNDLED_SUITES])
def test_bundled_suite_validates_against_the_indexed_corpus(indexed_home, path):
    from assistant.settings import Settings
    from evals.validate import validate_indexed

    problems, note = validate_indexed(load_suite(path), Settings.from_env())
    assert note is None  # validated against the index, not the disk fallback
    assert problems == []


@pytest.mark.parametrize("path", OWN_CORPUS_SUITES, ids=[p.name for p in OWN_CORPUS_SUITES])
def test_suite_with_its_own_corpus_validates_against_those_documents(monkeypatch, path):
    from ingest.loader import discover, load_document

    monkeypatch.chdir(ROOT)  # sources are named relative to the working directory, as ingest names them
    files, missing = discover([Path(p) for p in load_suite(path).corpus])
    assert missing == []
    chunks = [c for f in files for c in load_document(f, ocr=False).chunks]
    assert validate_suite(load_suite(path), chunks) == []


def test_validate_falls_back_to_the_files_on_disk_when_nothing_is_indexed(handbok_home):
    from assistant.settings import Settings
    from evals.validate import validate_indexed

    suite = suite_of(case(id="e", sources=[{"file": SKH}], key_phrases=["hög frånvaro får insatser"]),
                     case(id="f", question="Annan?", sources=[{"file": SKH}], key_phrases=["finns inte här"]))
    problems, note = validate_indexed(suite, Settings.from_env())
    assert "index" in note and "empty" in note and "files on disk" in note
    assert len(problems) == 1 and "'f'" in problems[0]


# -- evaluators and aggregates on hand-made answers ----------------------------------------------
def _answer(passages: list[Chunk], cited: list[tuple[int, str]] = (), refused=False, text="", ms=20.0):
    ps = [Passage(c, 1.0 / i, rank=i) for i, c in enumerate(passages, 1)]
    return Answer("q", text, refused, [Citation(n, ps[n - 1], quote) for n, quote in cited], ps,
                  {"total": ms}, 0.5)


def _result(cases, answers) -> RunResult:
    suite = suite_of(*cases, thresholds={"hit@1": 0.9})
    results = [score(c, a) for c, a in zip(suite.cases, answers)]
    return RunResult("test", "", "2024-01-01T00:00:00", 1.0, 10, results, aggregate(results),
                     breakdown(results), suite.thresholds)


RIGHT = Chunk("r1", UTL, "Utlåtande", "Samtliga skolor har uppgifter om vem som ska kontaktas.", 0, 50, page=2)
WRONG = Chunk("w1", SKH, "Interpellation", "Något helt annat om fältassistenter.", 0, 30)
IN_SCOPE = case(id="farsta", sources=[{"file": UTL}], key_phrases=["uppgifter om vem som ska kontaktas"],
                facts=["samtliga skolor", "varje vecka"])
OUT = case(id="garage", question="Bygglov?", topic="utanför", must_refuse=True)


def test_scores_rank_citations_facts_and_refusal_of_one_answer():
    s = suite_of(IN_SCOPE, OUT)
    answer = _answer([WRONG, RIGHT], cited=[(2, "Samtliga skolor har uppgifter"), (1, "inte i texten")],
                     text="Samtliga skolor har uppgifter [2].")
    r = score(s.cases[0], answer)
    assert r.first_correct_rank == 2
    assert r.citation_validity == 0.5  # the second quote is not in its passage
    assert r.citation_precision == 0.5
    assert r.fact_recall == 0.5 and r.missing_facts == ["varje vecka"]
    assert r.reasons == ["first correct passage at rank 2", "50% of citations verbatim in their passage"]
    assert score(s.cases[1], _answer([WRONG], refused=True)).reasons == []
    assert score(s.cases[1], _answer([WRONG], cited=[(1, "Något")])).reasons == [
        "answered an out-of-scope question (should refuse)"]


def test_correctness_honours_an_expected_page():
    on_page_3 = case(id="p", sources=[{"file": UTL, "page": 3}], key_phrases=["ska kontaktas"])
    assert score(suite_of(on_page_3).cases[0], _answer([RIGHT])).first_correct_rank is None


def test_aggregates_count_refused_in_scope_questions_by_their_ranking():
    res = _result([IN_SCOPE, dict(IN_SCOPE, id="b"), OUT],
                  [_answer([RIGHT], refused=True), _answer([WRONG, WRONG, RIGHT]), _answer([WRONG])])
    a = res.aggregates
    assert (a["n"], a["n_in_scope"], a["n_must_refuse"]) == (3, 2, 1)
    assert a["hit@1"] == 0.5 and a["hit@5"] == 1.0 and a["mrr@10"] == pytest.approx((1 + 1 / 3) / 2)
    assert a["false_refusal_rate"] == 0.5 and a["refusal_accuracy"] == 0.0
    assert res.breakdown["topic"]["utanför"]["refusal_accuracy"] == 0.0
    assert res.breakdown["topic"]["sekretess"]["hit@1"] == 0.5


# -- gate -------------------------------------------------------------------------------------------
def test_gate_treats_max_suffix_as_upper_bound_and_rejects_unknown_metrics():
    checks = check({"hit@5": 0.99, "false_refusal_rate": 0.05},
                   {"hit@5": 0.98, "false_refusal_rate_max": 0.03, **parse_min(["hit@5=1.01"])})
    assert [(c.metric, c.ok) for c in checks] == [("hit@5", False), ("false_refusal_rate", False)]
    with pytest.raises(EvalError, match="unknown metric 'hit@50'"):
        parse_min(["hit@50=0.9"])


# -- reports ----------------------------------------------------------------------------------------
def test_report_html_is_self_contained_and_shows_the_failing_question(tmp_path):
    res = _result([IN_SCOPE, dict(IN_SCOPE, id="missad-fraga", question="Vem kontaktar vi?"), OUT],
                  [_answer([RIGHT], cited=[(1, "Samtliga skolor")]), _answer([WRONG]), _answer([WRONG], refused=True)])
    paths = write_reports(res, tmp_path / "out", checks=check(res.aggregates, res.thresholds))
    page = paths["html"].read_text(encoding="utf-8")
    assert not EXTERNAL_REF.search(page)
    assert "<script" not in page and "<svg" in page and "<style>" in page
    assert "missad-fraga" in page and "Vem kontaktar vi?" in page and "no correct passage in the top 10" in page
    assert "uppgifter om vem som ska kontaktas" in page  # the expected key phrase next to what was found
    assert "farsta" not in page.split("Failing questions", 1)[1]  # passing questions are not listed
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["gate"][0]["ok"] is False
    assert "missad-fraga" in paths["md"].read_text(encoding="utf-8")


def test_compare_lists_a_rank_regression_a_refusal_improvement_and_metric_deltas():
    def report(rank, refused, hit1):
        return {"suite": "s", "started": "t", "aggregates": {"hit@1": hit1, "false_refusal_rate": 0.0},
                "results": [{"id": "a", "must_refuse": False, "first_correct_rank": rank, "refused": False},
                            {"id": "z", "must_refuse": True, "first_correct_rank": None, "refused": refused}]}

    cmp = compare(report(1, False, 1.0), report(None, True, 0.5))
    assert [(c.id, c.kind, c.verdict) for c in cmp.regressions] == [("a", "rank", "worse")]
    assert [(c.id, c.kind) for c in cmp.improvements] == [("z", "refusal")]
    assert cmp.deltas["hit@1"]["delta"] == -0.5 and cmp.deltas["hit@1"]["verdict"] == "worse"
    assert cmp.deltas["false_refusal_rate"]["verdict"] == "same"
    assert "#1 → none" in cmp.regressions[0].describe()
    html = render_html({"suite": "s", "started": "t", "seconds": 1, "k": 10, "results": [],
                        "aggregates": {"n": 0, "n_in_scope": 0, "n_must_refuse": 0}}, cmp)
    assert "Regressions (1)" in html


# -- the real thing: runner, CLI and UI over the indexed corpus ---------------------------------------
@pytest.mark.slow
def test_runner_on_a_small_suite_over_the_indexed_corpus_gives_sane_metrics(indexed_home):
    from assistant.assistant import Assistant
    from assistant.settings import Settings
    from evals.runner import run_suite

    ticks = []
    res = run_suite(Assistant.from_settings(Settings.from_env()), suite_of(*SMALL),
                    progress=lambda done, total: ticks.append((done, total)))
    by_id = {r.id: r for r in res.results}
    a = res.aggregates
    assert ticks[-1] == (4, 4)
    assert (a["n"], a["n_in_scope"], a["n_must_refuse"]) == (4, 3, 1)
    assert by_id["farsta-kontaktpersoner"].first_correct_rank is not None
    assert by_id["sst-vilka-elever"].first_correct_rank is not None
    assert by_id["fel-kalla"].first_correct_rank is None  # the expected source cannot be met
    assert "no correct passage in the top 10" in by_id["fel-kalla"].reasons
    assert a["hit@5"] == pytest.approx(2 / 3) and a["hit@1"] <= a["hit@5"]
    assert 0 < a["mrr@10"] <= 2 / 3
    assert a["refusal_accuracy"] == 1.0 and by_id["bygglov-garage"].refused
    assert 0 <= a["false_refusal_rate"] <= 1
    assert a["citation_validity"] in (None, 1.0)  # extractive quotes are verbatim
    assert 0 < a["latency_p50_ms"] <= a["latency_p95_ms"]
    assert res.breakdown["role"]["elevhälsa"]["n"] == 2
    for r in res.results:
        assert all(len(p["text"]) <= 200 for p in r.top_passages)


@pytest.mark.slow
def test_eval_command_exits_nonzero_when_a_min_threshold_is_not_met(indexed_home, tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump({"name": "small", "questions": SMALL}, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["eval", str(path), "--min", "hit@5=1.01", "--out", str(out), "--quiet"])
    assert result.exit_code == 1, result.output
    assert "FAIL hit@5" in result.output and "fel-kalla" in result.output
    assert "fel-kalla" in (out / "report.html").read_text(encoding="utf-8")

    passing = CliRunner().invoke(cli, ["eval", str(path), "--min", "hit@5=0.5", "--quiet",
                                       "--out", str(tmp_path / "again"), "--compare", str(out / "report.json")])
    assert passing.exit_code == 0, passing.output
    assert "compared with small" in passing.output
    assert "comparison" in json.loads((tmp_path / "again" / "report.json").read_text(encoding="utf-8"))


def test_eval_command_rejects_an_unknown_metric_with_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["eval", "--min", "precision=0.5", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "unknown metric 'precision'" in result.output


def test_eval_validate_subcommand_exits_1_and_prints_the_problem(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"name": "bad", "questions": [
        case(id="x", sources=[{"file": SKH}], key_phrases=["inte i dokumentet alls"])]}, allow_unicode=True),
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "'inte i dokumentet alls' not found" in result.output


@pytest.mark.slow
def test_ui_evaluation_writes_reports_and_compares_with_the_previous_run(indexed_home, tmp_path):
    import gradio as gr

    from assistant.assistant import Assistant
    from assistant.settings import Settings
    from evals.ui import eval_tab, run_evaluation

    settings = Settings.from_env()
    assistant = Assistant.from_settings(settings)
    with gr.Blocks():
        tab = eval_tab(assistant, settings)
    assert isinstance(tab, gr.Tab) and tab.label == "Utvärdering"

    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump({"name": "small", "questions": SMALL}, allow_unicode=True), encoding="utf-8")
    first = run_evaluation(assistant, settings, str(path))
    assert first.comparison.startswith("Ingen tidigare körning")
    assert "fel-kalla" in first.failures and "<svg" in first.chart and "hit@5" in first.summary
    assert sorted(Path(f).name for f in first.files) == ["report.html", "report.json", "report.md"]
    second = run_evaluation(assistant, settings, str(path), user="anna")
    assert "Jämfört med förra körningen" in second.comparison
    assert Path(second.files[0]).parent != Path(first.files[0]).parent
    from assistant.audit import AuditLog

    runs = [e for e in AuditLog(settings.home).entries() if e["event"] == "suite_run"]
    assert [(e["user"], e["suite"]) for e in runs][-2:] == [("", "small.yaml"), ("anna", "small.yaml")]


def test_refusal_calibration_puts_the_decision_between_answerable_and_unanswerable():
    import numpy as np

    from assistant.calibration import NullDistribution
    from evals.calibrate import Collected, choose, cross_validate, rates

    # the off-topic bank: cosines around 0.83, few of its words in the corpus
    rng = np.random.default_rng(0)
    n = 200
    null = NullDistribution("k", list(0.83 + 0.015 * rng.standard_normal(n)), list(rng.uniform(0, 0.4, n)),
                            list(rng.uniform(0.4, 1.0, n)), [False] * n)
    # in scope: close passages that share the question's words; out of scope: a similar
    # cosine at best, but words the corpus lacks and passages that do not contain them
    dense = np.r_[0.86 + np.arange(20) / 1000, 0.86 + np.arange(10) / 1000]
    c = Collected("t", dense, np.r_[np.full(20, 0.8), np.full(10, 0.1)], np.r_[np.zeros(20), np.full(10, 0.9)],
                  np.zeros(30, dtype=bool), np.r_[np.ones(20, dtype=bool), np.zeros(10, dtype=bool)], null)
    params = choose([c])
    assert params[0] > 0 or params[1] > 0  # dense alone cannot separate them, coverage/unknown must
    fitted = rates(params, c)
    assert fitted["false_refusal_rate"] == 0.0 and fitted["refused_or_uncertain"] == 1.0
    cv = cross_validate(c, halvings=2)
    assert cv["false_refusal_rate"] <= 0.1 and cv["refused_or_uncertain"] >= 0.9


def test_key_phrase_shown_counts_the_first_three_sources_and_the_quotes_only():
    [case_] = suite_of(IN_SCOPE).cases
    top3 = score(case_, _answer([WRONG, WRONG, RIGHT]))
    fourth = score(case_, _answer([WRONG, WRONG, WRONG, RIGHT]))
    quoted = score(case_, _answer([WRONG, WRONG, WRONG, RIGHT],
                                  cited=[(4, "Samtliga skolor har uppgifter om vem som ska kontaktas.")]))
    assert (top3.key_phrase_shown, fourth.key_phrase_shown, quoted.key_phrase_shown) == (True, False, True)
    assert aggregate([top3, fourth])["key_phrase_shown"] == 0.5


def test_separability_reports_auc_and_the_most_a_cut_could_refuse_at_three_percent():
    from evals.runner import separability

    answerable = [0.5] + [0.9 + i / 1000 for i in range(39)]  # one low outlier among 40
    sep = separability(answerable, [0.1, 0.6, 0.95])
    # answerable above each unanswerable: all 40 above 0.1, 39 above 0.6, none above 0.95
    assert sep["refusal_auc"] == pytest.approx((40 + 39 + 0) / 120)
    # 3 % of 40 allows one answerable refused: the cut sits at 0.9, refusing 0.1 and 0.6
    assert sep["refusable_at_3pct"] == pytest.approx(2 / 3)
    assert separability([0.9] * 20, [0.2] * 5) == {"refusal_auc": 1.0, "refusable_at_3pct": 1.0}
    assert separability([0.5], []) == {"refusal_auc": None, "refusable_at_3pct": None}
