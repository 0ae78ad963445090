"""Answer writers: extractive (default, no model) and generative (a model server)."""
from __future__ import annotations

from .base import AnswerWriter


def make_writer(generator: str | None) -> AnswerWriter:
    """None -> extractive; ``openai:<model>@<url>`` or ``ollama:<model>@<url>`` -> generative."""
    from .extractive import ExtractiveWriter
    if not generator:
        return ExtractiveWriter()
    from .generative import GenerativeWriter, chat_model
    return GenerativeWriter(chat_model(generator))


__all__ = ["AnswerWriter", "make_writer"]
