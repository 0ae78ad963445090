"""The index as a LangChain ``BaseRetriever``, so it plugs into LangChain apps."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever


class HandbokRetriever(BaseRetriever):
    """Wraps a ``HybridRetriever``; each LangChain Document carries the chunk's metadata and scores.

    Example:
        >>> retriever = HandbokRetriever(retriever=hybrid, k=5)
        >>> docs = retriever.invoke("Får skolan lämna uppgifter till socialtjänsten?")
    """

    retriever: Any
    k: int = 10

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        out = []
        for p in self.retriever.search(query, k=self.k):
            meta = p.chunk.metadata()
            meta.pop("raw_text", None)
            meta.update(chunk_id=p.chunk.chunk_id, score=p.score, dense=p.dense,
                        lexical=p.lexical, rank=p.rank)
            out.append(LCDocument(page_content=p.chunk.text, metadata=meta, id=p.chunk.chunk_id))
        return out
