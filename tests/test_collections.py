"""Choosing the material: collections by folder or type, the year filter, and the same choice
in `ask --json`, the LangChain retriever and the web interface; and what "why" records."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from ingest.errors import ConfigError
from index.collections import (Collection, default_collections, find_collection, load_collections,
                               read_collections, top_folder)

COLLECTIONS = """
Interpellationer:
  types: [interpellationssvar]
Utlåtanden:
  types: [utlåtande, tjänsteutlåtande]
Bromma:
  folders: [bromma]
"""
QUESTION = "Hur ska samverkan mellan skola och socialtjänst organiseras?"


def doc(source, doc_type=""):
    return SimpleNamespace(source=source, doc_type=doc_type)


def test_a_collection_holds_documents_of_its_folders_and_types():
    c = Collection("Rutiner", folders=("skolor/rutiner",), types=("riktlinje",))
    assert c.contains(doc("corpus/skolor/rutiner/vid-oro.md"))
    assert c.contains(doc("/srv/handbok/skolor/rutiner/a.pdf"))
    assert c.contains(doc("corpus/lagar/osl.pdf", "Riktlinje"))
    assert not c.contains(doc("corpus/skolor/rutiner-gamla/a.pdf"))  # whole folder names only
    assert not c.contains(doc("corpus/lagar/osl.pdf", "lag"))


def test_without_a_file_each_top_folder_is_a_collection(tmp_path):
    sources = ["corpus/a.txt", "lagar/osl.pdf", "lagar/sol.pdf", "/home/x/.handbok/uploads/u.pdf"]
    assert [c.name for c in load_collections(tmp_path, sources)] == ["uploads", "corpus", "lagar"]
    assert top_folder("corpus/sub/a.txt") == "corpus"
    assert default_collections(sources)[2].contains(doc("lagar/sol.pdf"))


def test_a_malformed_collections_file_says_what_to_fix(tmp_path):
    path = tmp_path / "collections.yaml"
    path.write_text("Lagar:\n  mappar: [lagar]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="folders:.*types:"):
        read_collections(path)
    path.write_text("Lagar: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="neither folders"):
        read_collections(path)
    with pytest.raises(ConfigError, match="choose one of 'corpus'"):
        find_collection(default_collections(["corpus/a.txt"]), "Lagar")


def run(*args):
    from assistant.cli import cli
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_ask_json_takes_a_collection_and_only_cites_from_it(indexed_home):
    (indexed_home / "collections.yaml").write_text(COLLECTIONS, encoding="utf-8")
    out = json.loads(run("ask", QUESTION, "--json", "--collection", "interpellationer").output)
    assert out["passages"] and all("interpellationssvar" in p["source"] for p in out["passages"])
    everything = json.loads(run("ask", QUESTION, "--json").output)
    assert any("interpellationssvar" not in p["source"] for p in everything["passages"])
    assert all({"rank", "moved_copy"} <= set(p) for p in out["passages"])
    unknown = run("ask", QUESTION, "--collection", "Lagar")
    assert unknown.exit_code == 2 and "choose one of 'Interpellationer'" in unknown.output


def test_langchain_retriever_from_home_takes_the_same_filter(indexed_home):
    from index.langchain import HandbokRetriever

    (indexed_home / "collections.yaml").write_text(COLLECTIONS, encoding="utf-8")
    retriever = HandbokRetriever.from_home(indexed_home, k=4, collection="Utlåtanden", since="2016")
    docs = retriever.invoke(QUESTION)
    assert len(docs) == 4
    assert all(d.metadata["doc_type"] in ("utlåtande", "tjänsteutlåtande") for d in docs)
    assert all(d.metadata["date"] >= "2016" for d in docs)


def test_staff_choose_collection_and_year_before_asking_in_the_ui(indexed_home):
    from assistant.assistant import Assistant
    from assistant.handlers import Handlers
    from assistant.settings import Settings

    (indexed_home / "collections.yaml").write_text(COLLECTIONS, encoding="utf-8")
    settings = Settings(home=indexed_home)
    h = Handlers(Assistant.from_settings(settings), settings, stream_delay=0)
    names, years = h.material_choices()
    assert names == ["Interpellationer", "Utlåtanden", "Bromma"] and years[0] == "2023" and "2008" in years
    last = list(h.respond(QUESTION, [], [], collection="Interpellationer", since="2023"))[-1][4]
    assert last["citations"] and {c["date"][:4] for c in last["citations"]} == {"2023"}
    assert all("interpellationssvar" in c["source"] for c in last["citations"])


def test_a_near_copy_moved_down_is_recorded_on_its_passage(tmp_path, handbok_home):
    from index.embedders import make_embedder
    from index.retriever import HybridRetriever
    from index.store import ChunkStore
    from index.sync import ingest_paths

    shared = ("Majoriteten har tagit fram en handlingsplan för hur socialsekreterarnas arbetssituation "
              "ska förbättras, med introduktion för nyanställda och mentorer för nya handläggare. ") * 4
    (tmp_path / "interpellation.txt").write_text(shared, encoding="utf-8")
    (tmp_path / "utlatande.txt").write_text(shared, encoding="utf-8")
    (tmp_path / "bromma.txt").write_text(
        ("Bromma har svårt att behålla erfarna socialsekreterare, och handläggarna byts ofta ut, "
         "vilket gör samarbetet med skolorna svårare. ") * 4, encoding="utf-8")
    e5 = make_embedder("e5-small")
    store = ChunkStore(handbok_home)
    ingest_paths([tmp_path], store, e5)
    passages = HybridRetriever(store, e5, handbok_home).search(
        "Vad gör staden för att socialsekreterarnas arbetssituation ska bli bättre?", k=3)
    assert [p.moved_copy for p in passages] == [False, False, True]
    from assistant.render import why_line
    assert "Flyttat nedåt" in why_line(passages[2]) and "Flyttat" not in why_line(passages[0])


def test_why_line_names_the_legal_reference_a_passage_was_found_by(indexed_home):
    from assistant.assistant import Assistant
    from assistant.render import _legal, why_line
    from assistant.settings import Settings

    assert _legal("ref:osl:26:1") == "26 kap. 1 § OSL" and _legal("ref:19") == "19 §"
    passages = Assistant.from_settings(Settings(home=indexed_home)).retriever.search(
        "Vad säger 19 § MBL om de fackliga organisationerna?", k=5)
    found = [p for p in passages if "19 § MBL" in p.chunk.text]
    assert found and "ref:mbl:19" in found[0].legal
    assert "lagrum 19 § MBL" in why_line(found[0])
    assert all(not p.legal for p in passages if "19 §" not in p.chunk.text)
