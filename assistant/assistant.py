"""``Assistant.ask(question) -> Answer``: retrieve, decide, write, cite."""
from __future__ import annotations

import re
import time
from typing import Iterator

from index.embedders import make_embedder
from index.retriever import HybridRetriever, RetrievalSettings
from index.store import ChunkStore

from .calibration import Calibration
from .evidence import gather
from .models import Answer
from .refusal import ANSWER, REFUSED, UNCERTAIN as UNCERTAIN_OUTCOME, RefusalPolicy
from .settings import Settings
from .writers.base import AnswerWriter, Draft, Terms
from .writers.extractive import ExtractiveWriter

REFUSAL = ("Det framgår inte av materialet. Jag hittar inget i de indexerade dokumenten som "
           "besvarar frågan, så jag gissar inte. Fråga gärna på ett annat sätt, eller vänd dig "
           "till din chef eller kommunens jurist.")
UNCERTAIN = ("Materialet verkar inte besvara frågan direkt – här är de avsnitt som ligger närmast. "
             "Läs dem själv och bedöm om de gäller din fråga.")
EMPTY_INDEX = "Inga dokument är indexerade ännu. Kör `handbok ingest` först."
_FOLLOW_UP = re.compile(r"^(och|men|samt|också|även|om|eller|and|but|what about|what if)\b", re.I)


def open_store(settings: Settings) -> ChunkStore:
    return ChunkStore(settings.home, settings.chroma_url)


def open_retriever(settings: Settings, embedder=None) -> HybridRetriever:
    reranker = None
    if settings.reranker:
        from index.rerankers import make_reranker
        reranker = make_reranker(settings.reranker)
    return HybridRetriever(open_store(settings), embedder or make_embedder(settings.embedder),
                           settings.home, RetrievalSettings(), reranker=reranker)


class Assistant:
    """Answers staff questions from the index, with verbatim citations, or refuses."""

    def __init__(self, retriever: HybridRetriever, writer: AnswerWriter | None = None,
                 policy: RefusalPolicy | None = None, calibration: Calibration | None = None):
        self.retriever = retriever
        self.writer = writer or ExtractiveWriter()
        self.policy = policy or RefusalPolicy()
        self.calibration = calibration or Calibration(retriever.home)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Assistant":
        policy = RefusalPolicy()
        if settings.refusal_threshold is not None:
            policy.refuse_below = settings.refusal_threshold
            policy.answer_from = max(policy.answer_from, settings.refusal_threshold)
        writer = None
        if settings.generator:
            from .writers import make_writer
            writer = make_writer(settings.generator, first_token_s=settings.generator_first_token_s,
                                 total_s=settings.generator_timeout_s, unsupported=settings.unsupported)
        return cls(open_retriever(settings), writer, policy)

    @staticmethod
    def search_query(question: str, history: list[str] | None) -> str:
        """A follow-up ("och om vårdnadshavaren säger nej?") is read together with the previous question."""
        if history and (_FOLLOW_UP.match(question.strip()) or len(question.split()) <= 5):
            return f"{history[-1]} {question}"
        return question

    def ask(self, question: str, *, k: int = 10, history: list[str] | None = None,
            source: str | None = None, since: str | None = None,
            collection: str | None = None) -> Answer:
        """Answer one question.

        Args:
            question: as the staff member wrote it.
            k: how many ranked passages to return (the answer quotes from the best few).
            history: earlier questions of the conversation, oldest first.
            source, since: filters on document path/title and date.
            collection: a collection's name (``index.collections``); ConfigError when unknown.
        """
        answer = None
        for answer in self.ask_stream(question, k=k, history=history, source=source, since=since,
                                      collection=collection):
            pass
        return answer

    def ask_stream(self, question: str, *, k: int = 10, history: list[str] | None = None,
                   source: str | None = None, since: str | None = None,
                   collection: str | None = None) -> Iterator[str | Answer]:
        """``ask``, streamed: yields the checked answer text so far (str) while a generative
        writer writes, then the ``Answer``. Retrieval is done before the first item."""
        t0 = time.perf_counter()
        query = self.search_query(question, history)
        where = None
        if collection:
            from index.collections import collections_of, find_collection
            where = find_collection(collections_of(self.retriever), collection)
        passages = self.retriever.search(query, k=max(k, 1), source=source, since=since, where=where)
        t1 = time.perf_counter()
        if not passages:
            yield Answer(question, EMPTY_INDEX if not self.retriever.chunks else REFUSAL, True,
                         timings={"retrieve": (t1 - t0) * 1000})
            return
        evidence = gather(self.retriever, query, passages)
        confidence = self.policy.confidence(evidence, self.calibration.get(self.retriever))
        outcome = self.policy.outcome(confidence)
        draft = Draft("", [])
        if outcome == ANSWER:
            yield ""  # retrieval is done: callers may release the index from here on
            idf = self.retriever.lexical.idf if self.retriever.lexical else {}
            searched = self.retriever.rewrite(query).terms
            terms = Terms(self.retriever.query_tokens, {t: min(w, 1.0) for t, w in searched.items()})
            for item in self.writer.stream(query, passages, terms, idf):
                if isinstance(item, Draft):
                    draft = item
                else:
                    yield item
            if not draft.citations:  # nothing in the best passages addresses the question's words
                outcome = UNCERTAIN_OUTCOME
        t2 = time.perf_counter()
        text = {REFUSED: REFUSAL, UNCERTAIN_OUTCOME: UNCERTAIN}.get(outcome, draft.text)
        yield Answer(question, text, outcome == REFUSED, draft.citations, passages,
                     timings={"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000,
                              "total": (t2 - t0) * 1000},
                     confidence=confidence, outcome=outcome, evidence=evidence.to_json(),
                     generation=draft.info)
