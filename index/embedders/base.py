"""The embedder seam: one abstract method."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Literal, Sequence

import numpy as np

Kind = Literal["query", "passage"]


class Embedder(ABC):
    """Turns texts into L2-normalised vectors. ``name`` is recorded in the collection it builds."""

    name: str = "embedder"
    dim: int = 0

    @abstractmethod
    def embed(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        """Return an array of shape (len(texts), dim), float32, L2-normalised."""

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text], kind="query")[0]
