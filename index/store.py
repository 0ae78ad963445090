"""Chroma as the chunk store: embedded (a directory under HANDBOK_HOME) or a Chroma server.

Embeddings are always passed explicitly: Chroma's default embedding function
would download a model. Telemetry is off.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from ingest.errors import ConfigError, EmbedderMismatch, StoreUnavailable
from ingest.models import Chunk

COLLECTION = "handbok"
_PAGE = 1000  # Chroma get() page size
_ID_PAGE = 50_000  # the same for ids alone (no metadata: no SQL variables per row)


def _client(home: Path, chroma_url: str | None):
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=True)
    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        if not url.hostname:
            raise ConfigError(f"HANDBOK_CHROMA_URL={chroma_url!r} is not a URL: use e.g. http://127.0.0.1:8000")
        try:
            return chromadb.HttpClient(host=url.hostname, port=url.port or 8000,
                                       ssl=url.scheme == "https", settings=settings)
        except Exception as exc:
            raise StoreUnavailable(
                f"cannot reach the Chroma server at {chroma_url} ({exc.__class__.__name__}): "
                "start it with `chroma run --path DIR --host 127.0.0.1 --port 8000` "
                "or unset HANDBOK_CHROMA_URL to use the embedded store") from exc
    path = home / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class ChunkStore:
    """The chunks, their vectors and metadata, in one Chroma collection."""

    def __init__(self, home: Path, chroma_url: str | None = None, collection: str = COLLECTION):
        self.home = Path(home)
        self.chroma_url = chroma_url
        self.name = collection
        self._client = _client(self.home, chroma_url)
        self._collection = None
        self.writes = 0  # writes through this object: a reader in this process looks at once

    def describe(self) -> str:
        if self.chroma_url:
            return f"chroma-server {self.chroma_url} (collection {self.name})"
        return f"chroma {self.home / 'chroma'} (collection {self.name})"

    # -- the collection and the embedder that built it -------------------------------
    def _get(self, create_for=None):
        if self._collection is None:
            try:
                self._collection = self._client.get_collection(self.name, embedding_function=None)
            except Exception:
                if create_for is None:
                    return None
                self._collection = self._client.create_collection(
                    self.name, embedding_function=None,
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata={"embedder": create_for.name, "dim": int(create_for.dim), "generation": 0})
        return self._collection

    def embedder_name(self) -> str | None:
        col = self._get()
        return (col.metadata or {}).get("embedder") if col is not None else None

    def check_embedder(self, embedder) -> None:
        """Stop when the collection was built by another embedder, or with vectors of another size."""
        built_by = self.embedder_name()
        if built_by and built_by != embedder.name:
            raise EmbedderMismatch(
                f"the index was built with embedder {built_by!r} but {embedder.name!r} is configured: "
                f"set HANDBOK_EMBEDDER={built_by} or rebuild with `handbok ingest --rebuild`")
        built_dim = int((self._get().metadata or {}).get("dim", 0) or 0) if built_by else 0
        if built_dim and embedder.dim and built_dim != int(embedder.dim):
            raise EmbedderMismatch(
                f"the index holds {built_dim}-dimensional vectors but {embedder.name!r} gives "
                f"{int(embedder.dim)}: point HANDBOK_EMBEDDER at the model that built the index "
                "or rebuild with `handbok ingest --rebuild`")

    def generation(self) -> int:
        """A counter bumped by every write, read fresh so other processes' writes are seen."""
        try:
            col = self._client.get_collection(self.name, embedding_function=None)
        except Exception:
            return -1
        return int((col.metadata or {}).get("generation", 0))

    def identity(self) -> list:
        """The collection and its generation: what a derived index (``index.lexstore``) reflects."""
        try:
            col = self._client.get_collection(self.name, embedding_function=None)
        except Exception:
            return [None, -1]
        return [str(col.id), int((col.metadata or {}).get("generation", 0))]

    def _bump(self) -> None:
        col = self._get()
        meta = {k: v for k, v in (col.metadata or {}).items() if not k.startswith("hnsw:")}
        meta["generation"] = int(meta.get("generation", 0)) + 1
        col.modify(metadata=meta)
        self.writes += 1

    # -- writes ------------------------------------------------------------------------
    def add(self, chunks: list[Chunk], vectors: np.ndarray, embedder) -> None:
        if not chunks:
            return
        col = self._get(create_for=embedder)
        self.check_embedder(embedder)
        col.upsert(ids=[c.chunk_id for c in chunks], documents=[c.text for c in chunks],
                   metadatas=[c.metadata() for c in chunks], embeddings=np.asarray(vectors).tolist())
        self._bump()

    def delete(self, ids: list[str]) -> None:
        col = self._get()
        if col is None or not ids:
            return
        for i in range(0, len(ids), _PAGE):
            col.delete(ids=ids[i:i + _PAGE])
        self._bump()

    def reset(self) -> None:
        """Drop the collection (``handbok ingest --rebuild``)."""
        try:
            self._client.delete_collection(self.name)
        except Exception:
            pass
        self._collection = None
        self.writes += 1

    # -- reads -------------------------------------------------------------------------
    def count(self) -> int:
        col = self._get()
        return col.count() if col is not None else 0

    def ids_by_source(self, sources: list[str] | None = None) -> dict[str, dict]:
        """source -> {"ids": set, "content_hash": str, "title": str, ...}; of these sources only
        when given (looked up by Chroma's metadata index instead of reading every chunk's
        metadata: about 0.1 ms a chunk, 12 s at 100,000 chunks)."""
        out: dict[str, dict] = {}
        if sources is None:
            found = self._iter(include=["metadatas"])
        else:
            found = self._where_source(sorted(set(sources)))
        for chunk_id, meta in found:
            entry = out.setdefault(meta.get("source", ""), {"ids": set(), "content_hash": "",
                                                            "title": "", "date": "", "doc_type": "",
                                                            "diarienummer": ""})
            entry["ids"].add(chunk_id)
            for key in ("content_hash", "title", "date", "doc_type", "diarienummer"):
                entry[key] = meta.get(key, "")
        return out

    def _where_source(self, sources: list[str]):
        col = self._get()
        if col is None:
            return
        for i in range(0, len(sources), 100):
            part = sources[i:i + 100]
            where = {"source": part[0]} if len(part) == 1 else {"source": {"$in": part}}
            batch = col.get(where=where, include=["metadatas"])
            for cid, meta in zip(batch["ids"], batch["metadatas"]):
                yield cid, meta or {}

    def ids(self) -> list[str]:
        """Every chunk id (in large pages: Chroma skips an offset by scanning up to it)."""
        return [cid for cid, _ in self._iter(include=[], page=_ID_PAGE)]

    def records(self, ids: list[str]):
        """(chunk_id, text, metadata) of these chunks, in pages."""
        col = self._get()
        if col is None:
            return
        for i in range(0, len(ids), _PAGE):
            batch = col.get(ids=ids[i:i + _PAGE], include=["metadatas", "documents"])
            for cid, meta, doc in zip(batch["ids"], batch["metadatas"], batch["documents"]):
                yield cid, doc, meta or {}

    def all_chunks(self) -> list[Chunk]:
        return [Chunk.from_record(cid, doc, meta)
                for cid, meta, doc in self._iter(include=["metadatas", "documents"])]

    def _iter(self, include, page: int = _PAGE):
        col = self._get()
        if col is None:
            return
        offset = 0
        while True:
            batch = col.get(include=include, limit=page, offset=offset)
            ids = batch["ids"]
            if not ids:
                return
            for i, cid in enumerate(ids):
                meta = (batch["metadatas"][i] or {}) if "metadatas" in include else {}
                if "documents" in include:
                    yield cid, meta, batch["documents"][i]
                else:
                    yield cid, meta
            offset += len(ids)

    def query(self, vector: np.ndarray, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk_id, cosine similarity), best first."""
        col = self._get()
        if col is None:
            return []
        # Chroma 1.x returns what there is when asked for more: no count first (a round trip)
        res = col.query(query_embeddings=[np.asarray(vector).tolist()], n_results=n,
                        where=where, include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0])]
