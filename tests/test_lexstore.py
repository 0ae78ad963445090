"""The persisted lexical index scores exactly as the in-memory one rebuilt from all texts."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.lexical import LexicalIndex, PassageIndex
from index.lexstore import LexicalStore
from index.query import QueryRewriter
from ingest.loader import load_document

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
QUESTIONS = ["Hur ska skolan göra en orosanmälan till socialtjänsten?",
             "Vilka regler gäller för sekretess mellan skola och polis?",
             "Hur följs överenskommelsen om samverkan upp?"]


class ListStore:
    """Only what the lexical index reads from a chunk store (the real one is Chroma)."""

    def __init__(self):
        self.chunks, self.generation = {}, 0

    def identity(self):
        return ["test", self.generation]

    def ids(self):
        return list(self.chunks)

    def records(self, ids):
        for i in ids:
            c = self.chunks[i]
            yield c.chunk_id, c.text, c.metadata()

    def put(self, chunks):
        self.chunks.update((c.chunk_id, c) for c in chunks)
        self.generation += 1

    def drop(self, source):
        self.chunks = {i: c for i, c in self.chunks.items() if c.source != source}
        self.generation += 1


@pytest.fixture(scope="module")
def documents():
    paths = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md"))[:3]
    return [load_document(p).chunks for p in paths]


def assert_same_as_rebuilt(view, store):
    chunks = sorted(store.chunks.values(), key=lambda c: (c.source, c.start))
    assert [view.chunks[i].chunk_id for i in view.order] == [c.chunk_id for c in chunks]
    texts = [c.search_text() for c in chunks]
    fresh = LexicalIndex.build([c.chunk_id for c in chunks], texts)
    passages = PassageIndex(fresh.analyzer, texts, fresh.idf, span=view.span)
    assert view.idf == pytest.approx(fresh.idf) and set(view.idf) == set(fresh.idf)
    assert [{view.terms[t] for t in view.term_set(int(row))} for row in view.order] == fresh.token_sets
    rewriter = QueryRewriter(fresh.analyzer, fresh.idf, texts)
    assert QueryRewriter(view.analyzer, view.idf, words=view.words).words == rewriter.words
    for question in QUESTIONS:
        q = rewriter.rewrite(question)
        np.testing.assert_array_equal(view.chunk_scores(q.terms)[view.order], fresh.weighted_scores(q.terms))
        np.testing.assert_array_equal(view.window_scores(q.terms)[view.order], passages.window_scores(q.terms))
        np.testing.assert_array_equal(view.proximity(q.groups)[view.order], passages.proximity(q.groups))


def test_incremental_updates_score_like_a_rebuild(tmp_path, documents):
    store, lex = ListStore(), LexicalStore(tmp_path / "lexical")
    store.put(documents[0] + documents[1])
    lex.sync(store)
    assert_same_as_rebuilt(lex.open(store, span=60), store)

    # the new document's words change how some old words split: their segments are redone
    store.put(documents[2])
    lex.sync(store)
    assert_same_as_rebuilt(lex.open(store, span=60), store)

    store.drop(documents[0][0].source)
    lex.sync(store)
    assert_same_as_rebuilt(lex.open(store, span=60), store)


def test_a_new_process_reads_the_saved_index_without_rebuilding(tmp_path, documents, monkeypatch):
    store = ListStore()
    store.put(documents[0])
    LexicalStore(tmp_path / "lexical").sync(store)
    import index.lexstore as lexstore

    monkeypatch.setattr(lexstore, "build_segment", lambda *a, **k: pytest.fail("rebuilt"))
    view = LexicalStore(tmp_path / "lexical").open(store, span=60)
    assert view.n == len(documents[0])


def test_a_document_added_to_a_large_corpus_leaves_the_other_segments_alone(tmp_path, documents):
    import index.lexstore as lexstore

    store, lex = ListStore(), LexicalStore(tmp_path / "lexical")
    store.put(documents[0] + documents[1])
    # two copies of the first document: its words' counts are far from the analyzer's thresholds
    store.put([type(c)(**{**c.__dict__, "chunk_id": c.chunk_id + "b", "source": c.source + "b"})
               for c in documents[0]])
    before = set(lex.sync(store)["segments"])
    store.put([type(c)(**{**c.__dict__, "chunk_id": c.chunk_id + "c", "source": c.source + "c"})
               for c in documents[0]])
    after = lex.sync(store)["segments"]
    assert before <= set(after) and len(after) == len(before) + 1
    assert_same_as_rebuilt(lex.open(store, span=60), store)
    assert lexstore.SEGMENT_CHUNKS >= 1


class WordEmbedder:
    """Three-dimensional vectors from three words: enough for the dense side of a unit test."""

    name, dim = "words-3d", 3

    def embed(self, texts, kind="passage"):
        vecs = np.array([[1.0 + ("skola" in t), 1.0 + ("polis" in t), 1.0 + ("ekonomi" in t)]
                         for t in texts], dtype=np.float32)
        return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)

    def embed_query(self, text):
        return self.embed([text])[0]


def test_a_server_answers_from_the_old_index_while_the_new_one_loads(tmp_path, documents, monkeypatch):
    import threading

    import index.lexstore as lexstore
    from index.retriever import HybridRetriever
    from index.store import ChunkStore

    store, embedder = ChunkStore(tmp_path / "home"), WordEmbedder()
    store.add(documents[0], embedder.embed([c.search_text() for c in documents[0]]), embedder)
    retriever = HybridRetriever(store, embedder, tmp_path / "home", background=True)
    assert retriever.search("orosanmälan", k=3)
    new_source = documents[1][0].source
    store.add(documents[1], embedder.embed([c.search_text() for c in documents[1]]), embedder)

    release, real_open = threading.Event(), lexstore.LexicalStore.open
    monkeypatch.setattr(lexstore.LexicalStore, "open",
                        lambda self, *a, **k: (release.wait(30), real_open(self, *a, **k))[1])
    retriever._checked_at = 0.0  # look at the store now, not a second from now
    during = retriever.search("skola socialtjänst", k=50)  # the slow load runs meanwhile
    assert during and all(p.chunk.source != new_source for p in during)
    release.set()
    retriever._refresher.join()
    after = retriever.search("skola socialtjänst", k=50)
    assert any(p.chunk.source == new_source for p in after)


WORDS = ("skola polis sekretess socialtjänsten orosanmälan barnet vårdnadshavare samverkan elev "
         "kurator rektor lagen uppgifter skolkurator polisanmälan samtycke").split()


def generated_chunks(n: int, seed: int):
    """Chunks of random sentences over a small vocabulary: most chunks hold several question
    words, at every distance from one another."""
    from ingest.models import Chunk

    rng = np.random.default_rng(seed)
    chunks = []
    for i in range(n):
        sentences = [" ".join(rng.choice(WORDS, size=int(rng.integers(3, 30)))).capitalize() + "."
                     for _ in range(int(rng.integers(1, 6)))]
        text = " ".join(sentences)
        source = f"genererad/{i // 7:03d}.txt"
        chunks.append(Chunk(chunk_id=f"g{seed}-{i}", source=source, title=source, text=text,
                            start=(i % 7) * 1000, end=(i % 7) * 1000 + len(text)))
    return chunks


@pytest.mark.parametrize("span", [5, 60])
def test_proximity_over_segments_equals_the_full_window_scan_on_a_generated_corpus(
        tmp_path, monkeypatch, span):
    import index.lexstore as lexstore

    monkeypatch.setattr(lexstore, "SEGMENT_CHUNKS", 40)  # several segments
    store, lex = ListStore(), LexicalStore(tmp_path / "lexical")
    store.put(generated_chunks(300, seed=1))
    lex.sync(store)
    view = lex.open(store, span=span)
    assert len(view.segments) > 3
    chunks = sorted(store.chunks.values(), key=lambda c: (c.source, c.start))
    texts = [c.search_text() for c in chunks]
    fresh = LexicalIndex.build([c.chunk_id for c in chunks], texts)
    full = PassageIndex(fresh.analyzer, texts, fresh.idf, span=span)
    terms = sorted(view.idf)
    rng = np.random.default_rng(span)
    for _ in range(40):  # one to twelve question words of one to three terms, some repeated
        groups = [{str(t): float(rng.choice([1.0, 0.5, 0.8]))
                   for t in rng.choice(terms, size=int(rng.integers(1, 4)))}
                  for _ in range(int(rng.integers(1, 13)))]
        got = view.proximity(groups)[view.order]
        np.testing.assert_array_equal(got, full.proximity(groups))
        assert (got > 0).any()


@pytest.mark.parametrize("columns", [1, 2, 7, 8, 9, 16, 17, 40, 130])
def test_row_sums_add_as_numpy_sums_a_stacked_row(columns):
    from index.lexstore import row_sums

    rng = np.random.default_rng(columns)
    cols = [(rng.random(2000) * (rng.random(2000) < 0.6)).astype(np.float32) * 7 for _ in range(columns)]
    assert row_sums(cols).tobytes() == np.stack(cols, axis=1).sum(axis=1).tobytes()


def test_a_term_column_is_merged_over_the_segments_once_per_view(tmp_path, monkeypatch):
    import index.lexstore as lexstore

    monkeypatch.setattr(lexstore, "SEGMENT_CHUNKS", 40)
    store, lex = ListStore(), LexicalStore(tmp_path / "lexical")
    store.put(generated_chunks(200, seed=2))
    lex.sync(store)
    view = lex.open(store, span=60)
    reads = []
    real = lexstore.Segment.column
    monkeypatch.setattr(lexstore.Segment, "column", lambda seg, *a: (reads.append(a), real(seg, *a))[1])
    q = {"skol": 1.0, "polis": 0.5}
    first = (view.chunk_scores(q), view.window_scores(q), view.proximity([{"skol": 1.0}, {"polis": 1.0}]))
    assert len(reads) == 3 * 2 * len(view.segments)  # three kinds of column, two terms
    reads.clear()
    again = (view.chunk_scores(q), view.window_scores(q), view.proximity([{"skol": 1.0}, {"polis": 1.0}]))
    assert reads == []
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_a_new_split_reindexes_only_the_chunks_that_hold_the_word(tmp_path, documents, monkeypatch):
    import index.lexstore as lexstore

    store, lex = ListStore(), LexicalStore(tmp_path / "lexical")
    store.put(documents[0] + documents[1])
    before = set(lex.sync(store)["segments"])
    built, patched = [], []
    real_build, real_patch = lexstore.build_segment, lexstore.patch_segment
    monkeypatch.setattr(lexstore, "build_segment", lambda f, recs, *a: (built.append(len(recs)),
                                                                          real_build(f, recs, *a))[1])
    monkeypatch.setattr(lexstore, "patch_segment", lambda f, old, *a: (patched.append(old.n),
                                                                         real_patch(f, old, *a))[1])
    store.put(documents[2])  # its words change how some old words split
    after = lex.sync(store)["segments"]
    assert built == [len(documents[2])]  # only the new document is indexed whole
    assert patched and len(before - set(after)) == len(patched)
    assert 0 < lex.redone < sum(patched)  # of the patched segments, only some chunks are redone
    assert_same_as_rebuilt(lex.open(store, span=60), store)
