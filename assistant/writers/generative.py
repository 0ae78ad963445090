"""Optional generative answers through a model server (OpenAI-compatible or Ollama).

The model writes plain Swedish with [n] markers; the citations are still
verbatim sentences chosen extractively from the passages the model cited, so
no quote can be invented. A reply that cites nothing valid falls back to the
extractive answer.
"""
from __future__ import annotations

import re

from ingest.errors import ConfigError

from .base import AnswerWriter
from .extractive import ExtractiveWriter

SYSTEM = (
    "Du svarar personal i skola och socialtjänst på frågor om sekretess och samverkan. "
    "Svara kort på svenska och ENDAST utifrån de numrerade utdragen. Ange källan med [n] efter "
    "varje påstående. Om utdragen inte besvarar frågan, skriv exakt: Det framgår inte av materialet.")
_MARK = re.compile(r"\[(\d+)\]")


def chat_model(spec: str):
    """``openai:<model>@<base url>`` or ``ollama:<model>@<base url>`` as a LangChain chat model."""
    kind, _, rest = spec.partition(":")
    model, _, url = rest.partition("@")
    if kind not in ("openai", "ollama") or not model:
        raise ConfigError(f"HANDBOK_GENERATOR={spec!r}: use openai:<model>@<url> or ollama:<model>@<url>")
    try:
        if kind == "openai":
            from langchain_openai import ChatOpenAI
            return ChatOpenAI(model=model, base_url=url or None, api_key="not-needed",
                              temperature=0, timeout=60, max_retries=0)
        from langchain_ollama import ChatOllama
        return ChatOllama(model=model, base_url=url or "http://127.0.0.1:11434", temperature=0)
    except ImportError as exc:
        raise ConfigError("generative answers need the optional extra: pip install 'handbok[gen]'") from exc


class GenerativeWriter(AnswerWriter):
    name = "generative"

    def __init__(self, llm, passages_in_prompt: int = 4):
        self.llm = llm
        self.n = passages_in_prompt
        self.fallback = ExtractiveWriter()

    def write(self, question, passages, terms, idf):
        shown = passages[:self.n]
        context = "\n\n".join(f"[{i}] ({p.chunk.title}, s. {p.chunk.page})\n{p.chunk.text}"
                              for i, p in enumerate(shown, 1))
        reply = self.llm.invoke([("system", SYSTEM), ("user", f"Utdrag:\n{context}\n\nFråga: {question}")])
        text = str(getattr(reply, "content", reply)).strip()
        if "framgår inte av materialet" in text.lower():
            return "", []  # the model found no support: a refusal, not a fallback
        cited = sorted({int(m) for m in _MARK.findall(text) if 1 <= int(m) <= len(shown)})
        if not cited:
            return self.fallback.write(question, passages, terms, idf)
        citations = []
        for n in cited:
            _, quotes = self.fallback.write(question, [shown[n - 1]], terms, idf)
            for c in quotes[:1]:
                c.n = n
                citations.append(c)
        return text, citations
