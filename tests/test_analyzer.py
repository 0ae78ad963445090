"""SwedishAnalyzer: stemming, stop words, compound parts and protected units."""
from __future__ import annotations

import pytest

from index.analyzer import SwedishAnalyzer, STOP_WORDS, lexicon


@pytest.fixture(scope="module")
def analyzer() -> SwedishAnalyzer:
    return SwedishAnalyzer()


def test_hunspell_lexicon_is_available():
    lex = lexicon()
    assert "kontakt" in lex.heads
    assert "person" in lex.tails
    assert "tjänsten" in lex.tails  # inflected forms are expanded from the affix rules
    assert "samverkans" in lex.heads  # linking-s form marked as a compound start


@pytest.mark.parametrize("word, whole, parts", [
    ("sekretessprövning", "sekretessprövning", ["sekretess", "prövning"]),
    ("samverkansöverenskommelse", "samverkansöverenskomm", ["samverk", "överenskomm"]),
    ("orosanmälan", "orosanmälan", ["oro", "anmälan"]),
    ("kontaktperson", "kontaktperson", ["kontak", "person"]),
    ("socialtjänsten", "socialtjänst", ["social", "tjänst"]),
    ("skolsociala", "skolsocial", ["skol", "social"]),
])
def test_compound_emits_its_parts(analyzer, word, whole, parts):
    # the whole-word stem first, then the stems of the parts (linking -s- removed, -a restored)
    assert analyzer.tokens(word) == [whole] + parts


def test_compound_parts_match_the_simple_words(analyzer):
    assert set(analyzer.tokens("person")) <= set(analyzer.tokens("kontaktpersonen"))
    assert set(analyzer.tokens("socialtjänst")) <= set(analyzer.tokens("socialtjänstens"))
    assert set(analyzer.tokens("samverkan")) <= set(analyzer.tokens("samverkansöverenskommelsen"))


@pytest.mark.parametrize("word", [
    "skolorna", "skolan", "förskolan", "verktyg", "landsting", "sekretessen", "granskning",
    "genomföra", "sammanhang", "ungdomar", "beskrivning", "särskilt", "ekonomi",
])
def test_simple_words_and_particle_verbs_are_not_split(analyzer, word):
    assert len(analyzer.tokens(word)) == 1


def test_inflected_forms_share_a_stem(analyzer):
    assert analyzer.tokens("socialtjänsten")[0] == analyzer.tokens("socialtjänst")[0]
    assert analyzer.tokens("skolorna") == analyzer.tokens("skolan") == analyzer.tokens("skola")
    assert analyzer.tokens("samtycket") == analyzer.tokens("samtycke")
    assert analyzer.tokens("uppgifter") == analyzer.tokens("uppgift")


def test_text_is_lowercased_and_e_acute_folded(analyzer):
    assert analyzer.tokens("Idé") == analyzer.tokens("ide")
    assert analyzer.tokens("SKOLAN") == analyzer.tokens("skolan")
    assert analyzer.tokens("Socialtjänsten") == analyzer.tokens("socialtjänsten")


@pytest.mark.parametrize("ref", ["26 kap. 1 § OSL", "26:1 OSL", "26 kap 1§ OSL"])
def test_legal_reference_variants_give_the_same_token(analyzer, ref):
    toks = analyzer.tokens(f"Enligt {ref} gäller sekretess")
    assert "ref:osl:26:1" in toks
    assert "ref:26:1" in toks
    assert "osl" in toks


def test_legal_reference_without_law_matches_the_chapter_and_section(analyzer):
    assert analyzer.tokens("26 kap 1§") == ["ref:26:1"]
    assert "ref:sol:14:1" in analyzer.tokens("14 kap. 1 § SoL")
    assert "ref:sol:14:1" in analyzer.tokens("14 kap. 1 § socialtjänstlagen")
    assert "ref:mbl:19" in analyzer.tokens("enligt 19 § MBL till de fackliga")
    toks = analyzer.tokens("2 kap. 8 och 10 §§ skollagen")
    assert {"ref:skoll:2:8", "ref:skoll:2:10"} <= set(toks)


def test_case_numbers_and_units_stay_whole(analyzer):
    toks = analyzer.tokens("Utlåtande 2016:203 RVI (Dnr 106-360/2016) om motion (2016:28)")
    assert {"2016:203", "106-360/2016", "2016:28", "rvi"} <= set(toks)
    assert analyzer.tokens("Dnr KS 2023/1099") == ["ks2023/1099", "2023/1099"]
    assert analyzer.tokens("95 mnkr") == ["95mnkr"]
    assert analyzer.tokens("95 miljoner kronor") == ["95mnkr"]
    assert analyzer.tokens("80 %") == analyzer.tokens("80%") == analyzer.tokens("80 procent") == ["80%"]
    assert analyzer.tokens("år 2016") == ["år", "2016"]
    assert analyzer.tokens("1 200 kr") == ["1200kr"]
    assert analyzer.tokens("2016-03-16") == ["2016-03-16"]


@pytest.mark.parametrize("abbr", ["SST", "SSPF", "PPSS", "BUS", "OSL", "SoL", "LVU", "LSS", "BBIC",
                                  "BUP", "SIP", "PPT", "FN", "RVI", "KS"])
def test_abbreviations_are_not_stemmed_or_split(analyzer, abbr):
    assert analyzer.tokens(abbr) == [abbr.lower()]
    assert analyzer.tokens(abbr.lower()) == [abbr.lower()]


def test_abbreviation_with_suffix_keeps_the_abbreviation(analyzer):
    assert analyzer.tokens("SIP:en") == ["sip"]
    assert analyzer.tokens("BBIC-utredning")[0] == "bbic"
    assert "utredning" in analyzer.tokens("BBIC-utredning")


def test_unknown_acronyms_are_kept_unstemmed(analyzer):
    assert analyzer.tokens("SKL och KD") == ["skl", "kd"]


def test_stop_words_are_removed(analyzer):
    assert analyzer.tokens("och att det är som för en av till på med inte") == []
    assert analyzer.tokens("vem är kontaktperson på socialtjänsten")[:1] == analyzer.tokens("kontaktperson")[:1]
    for domain_word in ("samtycke", "sekretess", "skola", "polis", "barn", "elev"):
        assert domain_word not in STOP_WORDS
        assert analyzer.tokens(domain_word)


def test_hyphenated_words_give_parts_and_the_joined_word(analyzer):
    toks = analyzer.tokens("social-tjänsten")
    assert set(analyzer.tokens("socialtjänsten")) <= set(toks)
    assert len(toks) == len(set(toks))


def test_learn_adds_corpus_words_as_compound_parts():
    a = SwedishAnalyzer()
    word = "spindelmodellteam"  # "spindelmodell" is no dictionary word
    assert "spindelmodell" not in a.tokens(word)
    a.learn(["Spindelmodell införs.", "Vi använder spindelmodell.", "Om spindelmodell."])
    assert a.tokens(word)[1:] == [a.tokens("spindelmodell")[0], "team"]
    assert SwedishAnalyzer(["spindelmodell"] * 3).tokens(word) == a.tokens(word)


def test_digits_inside_words_are_kept_as_written(analyzer):
    assert analyzer.tokens("tjänsteutlåtande2016 a1") == ["tjänsteutlåtande2016", "a1"]


def test_empty_and_punctuation_only_text(analyzer):
    assert analyzer.tokens("") == []
    assert analyzer.tokens(" ,.;–§ ") == []


def test_without_hunspell_the_analyzer_still_stems_and_uses_the_corpus(monkeypatch, tmp_path):
    import index.analyzer as mod

    monkeypatch.setattr(mod, "_hunspell_dir", lambda: str(tmp_path))
    mod.lexicon.cache_clear()
    try:
        assert len(mod.lexicon().tails) == 0
        a = mod.SwedishAnalyzer(["kontakt", "person"] * 3)
        assert a.tokens("kontaktpersonerna") == ["kontaktperson", "kontak", "person"]
        assert a.tokens("SST") == ["sst"]
    finally:
        mod.lexicon.cache_clear()  # the next user reloads the real dictionary
