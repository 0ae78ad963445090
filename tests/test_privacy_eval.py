"""The privacy test set (evals/privacy.py) meets the issue's targets, dev and held-out alike."""
from __future__ import annotations

import pytest

from evals.privacy import LOOKALIKE_KINDS, corpus_redactor, generate, measure


@pytest.fixture(scope="module")
def result():
    return measure(generate(), corpus_redactor())


def test_set_has_at_least_200_planted_items_of_each_kind_and_200_look_alikes():
    items = generate()
    kinds = {i["kind"] for i in items if i["expect"] == "redact"}
    assert all(sum(i["kind"] == k for i in items) >= 200 for k in kinds) and len(kinds) == 7
    assert sum(i["expect"] == "keep" for i in items) >= 200
    held = sum(i["split"] == "held-out" for i in items) / len(items)
    assert 0.25 <= held <= 0.45


@pytest.mark.parametrize("split", ["dev", "held-out"])
def test_every_personnummer_form_is_removed_and_names_nearly_all(result, split):
    r = result[split]
    for kind in ("personnummer", "personnummer felskrivet", "samordningsnummer"):
        assert r[kind]["recall"] == 1.0, r[kind]["misses"]
    assert r["namn"]["recall"] >= 0.95, r["namn"]["misses"]


@pytest.mark.parametrize("split", ["dev", "held-out"])
def test_case_numbers_law_references_and_dates_survive(result, split):
    r = result[split]
    for kind in ("diarienummer", "lagrum", "datum"):
        assert r[kind]["wrongly_redacted"] == 0.0, r[kind]["misses"]
    assert r["look-alikes overall"]["wrongly_redacted"] <= 0.02
    assert set(LOOKALIKE_KINDS) <= set(r)
