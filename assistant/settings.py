"""Settings: named defaults, read from HANDBOK_* environment variables at the edge (CLI, server)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from ingest.errors import ConfigError


def _env(name: str, default=None):
    value = os.environ.get(name)
    return default if value is None or value == "" else value


@dataclass
class Settings:
    home: Path = Path(".handbok")  # HANDBOK_HOME: index, feedback, reports
    chroma_url: str | None = None  # HANDBOK_CHROMA_URL: use a Chroma server instead
    embedder: str = "e5-small"  # HANDBOK_EMBEDDER: e5-small | st:<model id or path>
    reranker: str | None = None  # HANDBOK_RERANKER: a cross-encoder path (off by default)
    corpus: Path = Path("corpus")  # HANDBOK_CORPUS: what `handbok ingest` indexes by default
    max_file_mb: float = 50.0  # HANDBOK_MAX_FILE_MB
    ocr: bool = True  # HANDBOK_OCR=0 turns Tesseract off
    # HANDBOK_REFUSAL_THRESHOLD: refuse below this confidence (share of the off-topic bank scoring
    # lower, 0..1) instead of the chosen 0.90; answers start at max(0.97, it)
    refusal_threshold: float | None = None
    old_document_years: int = 5  # HANDBOK_OLD_DOCUMENT_YEARS: warn about older sources
    auth_file: Path | None = None  # HANDBOK_USERS: users file for sign-in
    generator: str | None = None  # HANDBOK_GENERATOR: openai:<model>@<url> | ollama:<model>@<url>
    generator_first_token_s: float = 30.0  # HANDBOK_GENERATOR_FIRST_TOKEN_S: else quotes only
    generator_timeout_s: float = 90.0  # HANDBOK_GENERATOR_TIMEOUT_S: the reply is cut here
    unsupported: str = "drop"  # HANDBOK_UNSUPPORTED: drop | mark unsupported generated sentences
    feedback_days: int = 90  # HANDBOK_FEEDBACK_DAYS: feedback older than this is deleted
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Read HANDBOK_* variables; keyword arguments win over the environment."""
        try:
            s = cls(
                home=Path(_env("HANDBOK_HOME", ".handbok")),
                chroma_url=_env("HANDBOK_CHROMA_URL"),
                embedder=_env("HANDBOK_EMBEDDER", "e5-small"),
                reranker=_env("HANDBOK_RERANKER"),
                corpus=Path(_env("HANDBOK_CORPUS", "corpus")),
                max_file_mb=float(_env("HANDBOK_MAX_FILE_MB", 50)),
                ocr=_env("HANDBOK_OCR", "1") not in ("0", "false", "no"),
                refusal_threshold=(float(_env("HANDBOK_REFUSAL_THRESHOLD"))
                                   if _env("HANDBOK_REFUSAL_THRESHOLD") else None),
                old_document_years=int(_env("HANDBOK_OLD_DOCUMENT_YEARS", 5)),
                auth_file=Path(_env("HANDBOK_USERS")) if _env("HANDBOK_USERS") else None,
                generator=_env("HANDBOK_GENERATOR"),
                generator_first_token_s=float(_env("HANDBOK_GENERATOR_FIRST_TOKEN_S", 30.0)),
                generator_timeout_s=float(_env("HANDBOK_GENERATOR_TIMEOUT_S", 90.0)),
                unsupported=_env("HANDBOK_UNSUPPORTED", "drop"),
                feedback_days=int(_env("HANDBOK_FEEDBACK_DAYS", 90)),
            )
        except ValueError as exc:
            raise ConfigError(f"a HANDBOK_* setting has a bad value ({exc}); "
                              "numbers are expected for HANDBOK_MAX_FILE_MB, "
                              "HANDBOK_REFUSAL_THRESHOLD, HANDBOK_OLD_DOCUMENT_YEARS, HANDBOK_FEEDBACK_DAYS and "
                              "HANDBOK_GENERATOR_FIRST_TOKEN_S/_TIMEOUT_S") from exc
        names = {f.name for f in fields(cls)}
        for key, value in overrides.items():
            if key not in names:
                raise ConfigError(f"unknown setting {key!r}")
            if value is not None:
                setattr(s, key, value)
        return s
