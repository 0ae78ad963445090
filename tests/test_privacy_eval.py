"""The privacy test set (evals/privacy.py) meets the issue's targets, dev and held-out alike."""
from __future__ import annotations

from collections import Counter

import pytest

from evals.privacy import (FINAL, LOOKALIKE_KINDS, PLANTED_KINDS, corpus_redactor, generate,
                           independent_items, load_independent, luhn_ok, measure)


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


# -- the independent set (evals/data/privacy_independent.yaml): its integrity only. No recall
# -- targets on it: it measures the rules on text they were not fitted to, and must not steer them.
def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def _luhn(ten: str) -> bool:
    total = sum(int(d) if i % 2 else (2 * int(d) - 9 if int(d) > 4 else 2 * int(d))
                for i, d in enumerate(ten))
    return total % 10 == 0


@pytest.fixture(scope="module")
def independent():
    return load_independent()  # raises on a value that is not in its text


def test_independent_set_values_are_in_their_texts_and_kinds_are_known(independent):
    for s in independent:
        for e in s["planted"]:
            assert e["kind"] in PLANTED_KINDS and e["value"] in s["text"], (e, s["text"])
        for e in s["lookalikes"]:
            assert e["kind"] in LOOKALIKE_KINDS and e["value"] in s["text"], (e, s["text"])
    assert len({s["text"] for s in independent}) == len(independent)


def test_independent_set_meets_the_minimum_counts(independent):
    planted = Counter(e["kind"] for s in independent for e in s["planted"])
    assert set(planted) == PLANTED_KINDS and min(planted.values()) >= 120, planted
    assert sum(bool(s["planted"]) for s in independent) >= 220
    lookalikes = Counter(e["kind"] for s in independent for e in s["lookalikes"])
    assert set(lookalikes) == LOOKALIKE_KINDS and sum(lookalikes.values()) >= 200, lookalikes
    assert sum(bool(s["lookalikes"]) and not s["planted"] for s in independent) >= 100


def _planted_numbers(sentences, *, month: bool = False) -> list[tuple[str, str]]:
    """The planted personnummer and samordningsnummer, each checked for shape (10 or 12 digits, a
    real day or day + 60, and with ``month`` a real month) and for a check digit that
    ``personnummer`` and our Luhn agree on."""
    numbers = [(e["kind"], e["value"]) for s in sentences for e in s["planted"]
               if e["kind"] in ("personnummer", "samordningsnummer")]
    for kind, value in numbers:
        digits = _digits(value)
        assert len(digits) in (10, 12), value
        if month:
            assert 1 <= int(digits[-8:-6]) <= 12, value
        day = int(digits[-6:-4])
        assert (61 <= day <= 91) if kind == "samordningsnummer" else (1 <= day <= 31), value
        assert luhn_ok(value) == _luhn(digits[-10:]), value
    return numbers


def test_independent_set_numbers_have_the_right_shape_and_wrong_check_digits_fail_luhn(independent):
    numbers = _planted_numbers(independent)
    wrong = [v for k, v in numbers if k == "personnummer" and not _luhn(_digits(v)[-10:])]
    assert len(wrong) >= 60
    assert sum(i["kind"] == "personnummer felskrivet" for i in independent_items(independent)) == len(wrong)


def test_independent_set_loader_fails_loudly_on_a_value_not_in_its_text(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('- text: "Kalle bor här"\n  planted: [{kind: namn, value: "Olle"}]\n  lookalikes: []\n',
                   encoding="utf-8")
    with pytest.raises(ValueError, match="Olle"):
        load_independent(bad)


# -- the final held-out set (evals/data/privacy_final.yaml): its integrity only, no recall targets.
# -- It is measured once, at the very end, and must not be used to tune anything.
_AUTHORITY_NUMBERS = {"0555-38 12 40", "0555-38 19 90", "08-508 00 000", "112", "114 14", "1177", "116 111"}
_FICTION_RANGES = [(701740605, 701740699), (846500400, 846500499), (313900600, 313900699),
                   (406280400, 406280499), (980319200, 980319299)]  # PTS: numbers for fiction


@pytest.fixture(scope="module")
def final():
    return load_independent(FINAL)  # raises on an unknown kind or a value that is not in its text


def test_final_set_values_are_the_first_occurrence_in_their_texts(final):
    for s in final:
        spans = []
        for e in s["planted"] + s["lookalikes"]:
            at = s["text"].find(e["value"])
            assert at >= 0 and not s["text"][at - 1:at].isalnum(), (e, s["text"])
            assert not s["text"][at + len(e["value"]):][:1].isalnum(), (e, s["text"])
            spans.append((at, at + len(e["value"])))
        spans.sort()
        assert all(b <= c for (_, b), (c, _) in zip(spans, spans[1:])), s["text"]  # no overlaps
    assert len({s["text"] for s in final}) == len(final)


def test_final_set_meets_the_minimum_counts(final):
    planted = Counter(e["kind"] for s in final for e in s["planted"])
    assert set(planted) == PLANTED_KINDS and min(planted.values()) >= 120, planted
    assert planted["namn"] >= 200, planted
    lookalikes = Counter(e["kind"] for s in final for e in s["lookalikes"])
    assert set(lookalikes) == LOOKALIKE_KINDS and min(lookalikes.values()) >= 25, lookalikes
    assert sum(lookalikes.values()) >= 250, lookalikes


def test_final_set_numbers_have_the_right_shape_and_wrong_check_digits_fail_luhn(final):
    numbers = _planted_numbers(final, month=True)
    assert len({_digits(v)[-10:] for _, v in numbers}) == len(numbers)
    wrong = Counter(k for k, v in numbers if not _luhn(_digits(v)[-10:]))
    assert wrong["personnummer"] >= 60 and wrong["samordningsnummer"] >= 40, wrong
    assert (sum(i["kind"] == "personnummer felskrivet" for i in independent_items(final))
            == wrong["personnummer"])


def test_final_set_contact_details_are_fictional(final):
    for s in final:
        for e in s["planted"]:
            if e["kind"] == "telefonnummer":
                digits = _digits(e["value"].replace("(0)", ""))
                if e["value"].lstrip().startswith("+46"):
                    digits = "0" + digits[2:]
                assert any(a <= int(digits) <= b for a, b in _FICTION_RANGES), e["value"]
            if e["kind"] == "e-postadress":
                domain = e["value"].rsplit("@", 1)[1].lower().split(".")
                assert domain[-2] in ("example", "exempel"), e["value"]
        for e in s["lookalikes"]:
            if e["kind"] == "myndighetens telefon":
                assert e["value"] in _AUTHORITY_NUMBERS, e["value"]
