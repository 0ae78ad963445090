"""Answer writers: extractive (default, no model) and generative (a model server)."""
from __future__ import annotations

from .base import AnswerWriter, Draft


def make_writer(generator: str | None, *, first_token_s: float = 30.0, total_s: float = 90.0,
                unsupported: str = "drop") -> AnswerWriter:
    """None -> extractive; ``openai:<model>@<url>`` or ``ollama:<model>@<url>`` -> generative."""
    from .extractive import ExtractiveWriter
    if not generator:
        return ExtractiveWriter()
    from .generative import GenerativeWriter, chat_model
    return GenerativeWriter(chat_model(generator, first_token_s=first_token_s, total_s=total_s),
                            first_token_s=first_token_s, total_s=total_s, unsupported=unsupported)


__all__ = ["AnswerWriter", "Draft", "make_writer"]
