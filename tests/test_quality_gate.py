"""The quality gate: the bundled suite must meet its own thresholds, or the build fails."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.settings import Settings
from evals.gate import check, suite_thresholds
from evals.runner import run_suite
from evals.suite import load_suite

SUITE = Path(__file__).resolve().parents[1] / "evals" / "suites" / "handbok.yaml"

pytestmark = pytest.mark.slow


def test_bundled_suite_meets_its_gated_thresholds(indexed_home):
    suite = load_suite(SUITE)
    thresholds = suite_thresholds(suite)  # the measured floor less its tolerance
    assert {"hit@1", "hit@5", "mrr@10", "refusal_accuracy", "false_refusal_rate_max"} <= set(thresholds)
    assert suite.floor["environment"]["packages"], "the floor records where it was measured"
    result = run_suite(Assistant.from_settings(Settings.from_env()), suite)
    failed = [c.describe() for c in check(result.aggregates, thresholds) if not c.ok]
    assert not failed, "quality dropped below the gate:\n" + "\n".join(failed)
    assert result.aggregates["citation_validity"] == 1.0  # every quote verbatim, always
