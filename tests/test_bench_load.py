"""`handbok bench --load`: colleagues asking at once over HTTP, as the page's JavaScript does."""
from __future__ import annotations

import pytest

from tests.conftest import CORPUS


@pytest.mark.slow
def test_load_benchmark_asks_a_real_server_as_the_page_does_and_counts_no_errors(indexed_home):
    from evals.bench_load import run

    record = run(2, CORPUS, per_user=2, home=indexed_home)
    assert record["errors"] == 0, record["first_error"]
    assert record["questions"] == 4 and 0 < record["p50_s"] <= record["p95_s"]
    assert record["server_rss_mb"] > 50


def test_a_question_is_sent_with_every_input_of_the_submit_event_at_its_initial_value():
    from evals.bench_load import SubmitEvent

    config = {"components": [{"id": 1, "props": {"elem_id": "hb-question"}},
                             {"id": 2, "props": {}}, {"id": 3, "props": {"value": "Allt material"}}],
              "dependencies": [{"id": 7, "targets": [[1, "submit"]], "inputs": [1, 2, 3]}]}
    event = SubmitEvent(config)
    assert event.fn_index == 7
    assert event.data("Får jag berätta?") == ["Får jag berätta?", None, "Allt material"]
