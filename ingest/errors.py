"""Handbok's exceptions, in one place.

The tree::

    HandbokError                 base; str() is a one-line message that says how to fix it
    ├── ConfigError              a setting is wrong (bad HANDBOK_* value, missing file)
    ├── IngestError              one input file cannot be indexed; the rest of the run goes on
    │   ├── UnsupportedFile      extension or content type we do not read
    │   ├── EmptyFile            zero bytes, or no text after extraction
    │   ├── FileTooLarge         over the configured size limit
    │   ├── EncryptedFile        a PDF that needs a password
    │   └── CorruptFile          truncated or damaged; not what its extension says
    ├── IndexError_              the store cannot be used as asked
    │   ├── EmbedderMismatch     the collection was built by another embedder
    │   ├── StoreUnavailable     the Chroma server or directory cannot be reached
    │   └── ModelServerUnavailable  an embedding or rerank server cannot be used
    └── EvalError                an evaluation suite is invalid

Lower layers raise these; only the CLI and the UI turn them into messages and
exit codes. Messages for operators are in English; the UI shows Swedish text.
"""
from __future__ import annotations


class HandbokError(Exception):
    """Base class: the message is one line and says what to do."""


class ConfigError(HandbokError):
    pass


class IngestError(HandbokError):
    """One file could not be indexed. ``reason`` is the one-line explanation."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnsupportedFile(IngestError):
    pass


class EmptyFile(IngestError):
    pass


class FileTooLarge(IngestError):
    pass


class EncryptedFile(IngestError):
    pass


class CorruptFile(IngestError):
    pass


class IndexError_(HandbokError):  # trailing underscore: do not shadow the builtin
    pass


class EmbedderMismatch(IndexError_):
    pass


class StoreUnavailable(IndexError_):
    pass


class ModelServerUnavailable(IndexError_):
    pass


class EvalError(HandbokError):
    pass
