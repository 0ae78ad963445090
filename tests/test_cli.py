"""The command-line contract other tools rely on."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "corpus" / "2023-11-22-interpellationssvar-samverkan-skola-socialtjanst-polis-skarholmen.txt"


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def test_ingest_then_status_json_reports_counts_and_second_ingest_adds_nothing(handbok_home):
    first = run("ingest", str(SMALL))
    assert first.exit_code == 0, first.output
    assert "1 added" in first.output
    status = json.loads(run("status", "--json").output)
    assert {"documents", "chunks", "embedder", "store"} <= set(status)
    assert status["documents"] == 1 and status["chunks"] > 0 and status["embedder"] == "e5-small"
    again = run("ingest", str(SMALL))
    assert again.exit_code == 0 and "0 added, 0 updated, 1 unchanged" in again.output
    assert json.loads(run("status", "--json").output) == status


def test_ingest_exits_1_and_names_the_bad_file_but_indexes_the_rest(tmp_path, handbok_home):
    (tmp_path / "tom.txt").write_bytes(b"")
    (tmp_path / "bra.txt").write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("ingest", str(tmp_path))
    assert result.exit_code == 1
    assert "tom.txt" in result.output and "FAILED" in result.output
    assert json.loads(run("status", "--json").output)["documents"] == 1


def test_chunks_json_lines_carry_the_contract_fields(handbok_home):
    run("ingest", str(SMALL))
    lines = [json.loads(line) for line in run("chunks", "--json").output.splitlines()]
    assert lines
    for rec in lines:
        assert {"chunk_id", "source", "title", "page", "start", "end", "text"} <= set(rec)
    assert run("chunks", "--source", "nothing-like-this", "--json").output == ""


@pytest.mark.slow
def test_ask_json_object_follows_the_contract(indexed_home):
    out = json.loads(run("ask", "Vem på socialtjänsten är vår kontakt?", "--json").output)
    assert {"question", "answer", "refused", "citations", "passages"} <= set(out)
    assert len(out["passages"]) >= 10
    for c in out["citations"]:
        assert {"n", "chunk_id", "source", "title", "page", "quote"} <= set(c)
        passage = next(p for p in out["passages"] if p["chunk_id"] == c["chunk_id"])
        assert c["quote"] in passage["text"]
    for p in out["passages"]:
        assert {"chunk_id", "source", "title", "page", "text", "score"} <= set(p)


@pytest.mark.slow
def test_ask_questions_file_answers_each_line_in_order(indexed_home, tmp_path):
    questions = ["Hur ansöker jag om bygglov för ett garage?",
                 "Får skolan lämna uppgifter om en elev till socialtjänsten utan samtycke?"]
    f = tmp_path / "q.txt"
    f.write_text("\n".join(questions) + "\n", encoding="utf-8")
    out = [json.loads(line) for line in run("ask", "--json", "--questions-file", str(f)).output.splitlines()]
    assert [o["question"] for o in out] == questions
    assert out[0]["refused"] is True and out[1]["refused"] is False


@pytest.mark.slow
def test_ask_text_output_lists_sources_with_date_and_page(indexed_home):
    out = run("ask", "Vad är skolsociala team?").output
    assert "Källor:" in out and "s. 1" in out


def test_ask_without_question_is_a_usage_error(handbok_home):
    result = CliRunner().invoke(cli, ["ask"])
    assert result.exit_code == 2 and "QUESTION" in result.output


def test_unloadable_embedder_setting_is_a_one_line_error_with_the_fix(handbok_home, monkeypatch):
    run("ingest", str(SMALL))
    monkeypatch.setenv("HANDBOK_EMBEDDER", "st:/nonexistent/model")
    result = CliRunner().invoke(cli, ["ask", "polisen"])
    assert result.exit_code == 2
    assert "handbok:" in result.output and len(result.output.strip().splitlines()) == 1
