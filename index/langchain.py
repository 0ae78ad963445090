"""The index as a LangChain ``BaseRetriever``, so it plugs into LangChain apps."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever


class HandbokRetriever(BaseRetriever):
    """Wraps a ``HybridRetriever``; each LangChain Document carries the chunk's metadata and scores.

    ``collection`` (a name from ``HANDBOK_HOME/collections.yaml``, or a top folder) and
    ``since`` (yyyy or yyyy-mm-dd) limit the material, as ``handbok ask --collection``/``--since``.

    Example:
        >>> retriever = HandbokRetriever.from_home("~/.handbok", k=5, collection="Lagar")
        >>> docs = retriever.invoke("Får skolan lämna uppgifter till socialtjänsten?")
    """

    retriever: Any
    k: int = 10
    collection: str | None = None
    since: str | None = None
    source: str | None = None

    @classmethod
    def from_home(cls, home: str | Path, *, embedder: str | None = None, chroma_url: str | None = None,
                  **kwargs) -> "HandbokRetriever":
        """A retriever over the index in ``home`` (a ``HANDBOK_HOME``), with the embedder that built it."""
        from .embedders import make_embedder
        from .retriever import HybridRetriever
        from .store import ChunkStore

        home = Path(home).expanduser()
        store = ChunkStore(home, chroma_url)
        name = embedder or store.embedder_name() or "e5-small"
        return cls(retriever=HybridRetriever(store, make_embedder(name), home), **kwargs)

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        where = None
        if self.collection:
            from .collections import collections_of, find_collection
            where = find_collection(collections_of(self.retriever), self.collection)
        out = []
        for p in self.retriever.search(query, k=self.k, source=self.source, since=self.since, where=where):
            meta = p.chunk.metadata()
            meta.pop("raw_text", None)
            meta.update(chunk_id=p.chunk.chunk_id, score=p.score, dense=p.dense,
                        lexical=p.lexical, rank=p.rank, moved_copy=p.moved_copy)
            out.append(LCDocument(page_content=p.chunk.text, metadata=meta, id=p.chunk.chunk_id))
        return out
