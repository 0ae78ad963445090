"""OCR repair of diacritic-damaged Swedish (ingest/repair.py), on the bundled documents.

``tests/data/ocr_damaged_words.tsv`` was made by hand: both OCR documents were
corrected word by word, and every token that differs became a row
(damaged, correct, context copied from the document). It is exhaustive, so it
measures both what repair restores and what it must leave alone.
"""
from __future__ import annotations

import csv
import re
import time
from pathlib import Path

import pytest

from ingest import repair
from ingest.repair import Edit, damage_score, looks_damaged, repair_text, unrepair

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
OCR_DOCS = [
    CORPUS / "2016-03-16-interpellationssvar-barn-som-far-illa.txt",
    CORPUS / "2008-hagersten-liljeholmen-barnuppdraget-anmalan-av-rapport.txt",
]
CLEAN_DOCS = [
    CORPUS / "2015-12-15-tjansteutlatande-pilotprojekt-samverkan-skola-socialtjanst.md",
    CORPUS / "2016-11-23-utlatande-samverkan-skola-socialtjanst.txt",
    CORPUS / "2023-11-22-interpellationssvar-samverkan-skola-socialtjanst-polis-skarholmen.txt",
]
WORDS_TSV = Path(__file__).parent / "data" / "ocr_damaged_words.tsv"
# The tokens of the hand list (the repair tokens plus "|", an OCR'd capital I).
TOKEN = re.compile(r"[\w&#|]+")


def _tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


@pytest.fixture(scope="module")
def repaired() -> dict[Path, tuple[str, repair.RepairResult]]:
    return {p: (p.read_text(encoding="utf-8"), repair_text(p.read_text(encoding="utf-8")))
            for p in OCR_DOCS}


@pytest.fixture(scope="module")
def listed(repaired) -> list[dict]:
    """Each hand-listed row, located: document, token index, and what repair made of it."""
    with open(WORDS_TSV, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    located = []
    for row in rows:
        context = _tokens(row["context"])
        assert context.count(row["damaged"]) == 1, row
        k = context.index(row["damaged"])
        hits = []
        for path, (raw, result) in repaired.items():
            raw_tokens = _tokens(raw)
            for j in range(len(raw_tokens) - len(context) + 1):
                if raw_tokens[j:j + len(context)] == context:
                    hits.append((path, j + k))
        assert len(hits) == 1, f"context must occur exactly once in the OCR documents: {row}"
        path, index = hits[0]
        got = _tokens(repaired[path][1].text)[index]
        located.append({**row, "path": path, "index": index, "got": got})
    return located


def test_hand_list_is_large_and_well_formed(listed):
    assert len(listed) >= 250
    for row in listed:
        assert row["damaged"] != row["correct"], row
        assert row["damaged"] in row["context"], row
    assert {row["path"] for row in listed} == set(OCR_DOCS)


def test_repair_keeps_token_boundaries(repaired):
    """Only word tokens change: the same number of tokens, separators byte-identical."""
    for raw, result in repaired.values():
        assert len(_tokens(raw)) == len(_tokens(result.text))
        assert TOKEN.sub("", raw) == TOKEN.sub("", result.text)


def test_repair_restores_at_least_95_percent_of_hand_listed_damaged_words(listed):
    right = [row for row in listed if row["got"] == row["correct"]]
    share = len(right) / len(listed)
    misses = [(r["damaged"], r["got"], r["correct"]) for r in listed if r["got"] != r["correct"]]
    print(f"\nrestored {len(right)}/{len(listed)} hand-listed damaged words = {share:.1%}")
    print("misses (damaged, got, correct):", misses)
    assert share >= 0.95, misses


def test_repair_changes_nothing_but_the_listed_damage_in_ocr_documents(repaired, listed):
    """The list is exhaustive: any other changed token is a correct word made wrong."""
    listed_at = {(row["path"], row["index"]) for row in listed}
    wrong = []
    for path, (raw, result) in repaired.items():
        for i, (a, b) in enumerate(zip(_tokens(raw), _tokens(result.text))):
            if a != b and (path, i) not in listed_at:
                wrong.append((path.name, a, b))
    print(f"\ncorrect words changed in the OCR documents: {len(wrong)} {wrong}")
    assert len(wrong) <= 2, wrong


def test_looks_damaged_flags_the_two_ocr_documents():
    for path in OCR_DOCS:
        text = path.read_text(encoding="utf-8")
        assert looks_damaged(text), (path.name, damage_score(text))
        assert damage_score(text) > 0.15


def test_repair_never_changes_clean_documents():
    for path in CLEAN_DOCS:
        text = path.read_text(encoding="utf-8")
        score = damage_score(text)
        assert not looks_damaged(text), (path.name, score)
        assert score < 0.03, (path.name, score)
        # What the pipeline does: repair only when damaged, so nothing changes.
        pipeline = repair_text(text).text if looks_damaged(text) else text
        assert pipeline.encode() == text.encode()
        # And repair_text itself is conservative on clean text.
        result = repair_text(text)
        words = len(_tokens(text))
        print(f"\n{path.name}: score {score:.3f}, repair_text changed {result.repaired} of {words} tokens")
        assert result.repaired <= max(1, words // 1000), result.edits[:10]


def test_repair_keeps_numbers_names_and_case_numbers():
    text = ("Svar pa interpellation (2016:21) av Jan J6énsson (L). Dnr KS 2023/1099. "
            "Anslaget for barn- och ungdomsvarden okade med 95 mnkr ar 2016. Barn 0-18 ar "
            "och elever i arskurs 4-9 ska fa stod enligt 19 § MBL, LVU och SoL. "
            "SkolFam och BUSS drivs av Maria Mannerholm och Stockholms stad, "
            "se www.insyn.stockholm.se eller rapport 2.3.1.")
    result = repair_text(text)
    out = result.text
    for kept in ("(2016:21)", "KS 2023/1099", "95 mnkr", "2016.", "0-18", "4-9", "19 § MBL",
                 "LVU", "SoL", "SkolFam", "BUSS", "Maria Mannerholm", "Stockholms stad",
                 "www.insyn.stockholm.se", "2.3.1", "(L)"):
        assert kept in out, (kept, out)
    for fixed in ("Svar på interpellation", "Jan Jönsson", "för barn- och ungdomsvården",
                  "ökade", "år 2016", "årskurs", "få stöd"):
        assert fixed in out, (fixed, out)
    # Digits that are numbers are never letters, in the OCR documents either.
    for path in OCR_DOCS:
        raw = path.read_text(encoding="utf-8")
        numbers = re.findall(r"(?<![\w&#])\d[\d:./-]*(?![\w&#])", raw)
        fixed_text = repair_text(raw).text
        assert re.findall(r"(?<![\w&#])\d[\d:./-]*(?![\w&#])", fixed_text) == numbers


def test_repair_keeps_the_case_pattern():
    result = repair_text("HAGERSTEN-LILJEHOLMENS STADSDELSFORVALTNING\n\n"
                         "Oversynen skulle besta av tva delar. Darfor ar jag glad\n"
                         " Over att vi 6kat anslaget och att uppdraget Okad tid ar klart.")
    assert result.text.startswith("HÄGERSTEN-LILJEHOLMENS STADSDELSFÖRVALTNING")
    assert "Översynen skulle bestå av två delar. Därför är jag glad\n över att vi ökat" in result.text
    assert "uppdraget ökad tid är klart" in result.text


def test_ar_becomes_ar_or_year_by_context():
    cases = {
        "det ar viktigt": "det är viktigt",
        "vid granskningen ar 2011": "vid granskningen år 2011",
        "under de tva ar vi har styrt": "under de två år vi har styrt",
        "som for fem 4r sedan": "som för fem år sedan",
        "ska startas i ar och": "ska startas i år och",
        "samtliga de &r som utredningen": "samtliga de år som utredningen",
        "Det &r satsningar som": "Det är satsningar som",
        "socialsekreterarna &r hog": "socialsekreterarna är hög",
        "Vi ar alla medvetna": "Vi är alla medvetna",
    }
    for damaged, expected in cases.items():
        assert repair_text(damaged).text == expected, damaged


def test_fixed_phrase_far_illa_is_kept_but_far_becomes_far_elsewhere():
    text = ("Barn som far illa eller riskerar att fara illa. Sjalvklart far det ocksa "
            "en aterverkan i hur val samverkan fungerar, och de bor ligga pa den niva dar de bor.")
    out = repair_text(text).text
    assert "Barn som far illa eller riskerar att fara illa." in out
    assert "Självklart får det också en återverkan i hur väl samverkan" in out
    assert "de bör ligga på den nivå där de bor." in out


def test_edits_point_into_the_repaired_text(repaired):
    for raw, result in repaired.values():
        assert result.repaired == len(result.edits) > 100
        last = 0
        for e in result.edits:
            assert isinstance(e, Edit)
            assert last <= e.start < e.end
            assert result.text[e.start:e.end] == e.replacement
            assert e.original != e.replacement
            last = e.end


def _raw_offset(edits: list[Edit], offset: int) -> int:
    """Raw-text offset of a repaired-text offset that is not inside an edit."""
    shift = sum(len(e.replacement) - len(e.original) for e in edits if e.end <= offset)
    return offset - shift


def test_unrepair_returns_original_span(repaired):
    for raw, result in repaired.values():
        text, edits = result.text, result.edits
        assert unrepair(text, edits, 0, len(text)) == raw
        for e in edits:
            assert unrepair(text, edits, e.start, e.end) == e.original
        # Spans between token boundaries (here: every line) map back exactly.
        pos = 0
        for line in text.split("\n"):
            start, end = pos, pos + len(line)
            assert unrepair(text, edits, start, end) == raw[_raw_offset(edits, start):_raw_offset(edits, end)]
            pos = end + 1
    # An edit cut by the span gives back its whole original token.
    result = repair_text("Det ar viktigt")
    assert unrepair(result.text, result.edits, 0, 5) == "Det ar"


def test_repairing_both_ocr_documents_is_fast():
    start = time.perf_counter()
    lexicon = repair._Lexicon(repair._hunspell_dir())
    load = time.perf_counter() - start
    assert lexicon.is_word("socialtjänsten")
    repair._lexicon()  # the cached one, loaded once per process
    texts = [p.read_text(encoding="utf-8") for p in OCR_DOCS]
    repair._candidates.cache_clear()
    start = time.perf_counter()
    for text in texts:
        repair_text(text)
    elapsed = time.perf_counter() - start
    print(f"\nlexicon load {load:.2f}s, repair of both OCR documents {elapsed:.2f}s")
    assert load < 3.0
    assert elapsed < 3.0


def test_lexicon_reads_hunspell_affixes_compounds_and_case():
    lex = repair._lexicon()
    for word in ("är", "för", "samhällets", "socialtjänsten", "stadsdelsnämnderna",
                 "kartläggningen", "uppföljningsmodell"):
        assert repair._is_word(word), word
    for damaged in ("socialtjansten", "samhéllets", "kartldggningen", "forvaltningen"):
        assert not repair._is_word(damaged), damaged
    # An acronym or a name in the dictionary does not make a lowercase word valid
    # ("IR" against the damaged "ir" = är; "Stockholm" against "stockholm").
    assert lex.is_entry("ir", repair._ACRONYM) and not lex.is_entry("ir")
    assert lex.is_entry("stockholm", repair._NAME) and not lex.is_entry("stockholm")
    assert repair_text("utredande socialsekreterarna ir sjilvklart").text.endswith("är självklart")


def test_command_line_prints_the_number_of_repairs(capsys):
    assert repair.main([str(OCR_DOCS[0]), "-n", "5"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\b\d{3} tokens repaired", out), out
    assert "->" in out
