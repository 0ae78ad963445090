"""Collections: named parts of the material a question can be limited to ("Lagar", "Vår skolas rutiner").

Trainers define them in ``HANDBOK_HOME/collections.yaml``, by folder and/or document type::

    Lagar:
      types: [lag, förordning]
    Stadens riktlinjer:
      folders: [corpus/riktlinjer]
      types: [riktlinje]
    Vår skolas rutiner:
      folders: [rutiner]

A document belongs to a collection when its path lies in one of the folders (a folder
matches a run of whole path parts, so ``rutiner`` matches ``corpus/rutiner/x.pdf``) or its
type is one of the types. Without the file, each top folder of the indexed documents is
one collection (``corpus/…`` is "corpus", an upload is "uploads").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

from ingest.errors import ConfigError

FILENAME = "collections.yaml"


@dataclass(frozen=True)
class Collection:
    name: str
    folders: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    _parts: tuple[tuple[str, ...], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self):
        parts = tuple(tuple(p for p in PurePosixPath(f.replace("\\", "/")).parts if p not in ("/", "."))
                      for f in self.folders)
        object.__setattr__(self, "_parts", tuple(p for p in parts if p))

    def contains(self, chunk) -> bool:
        """True when ``chunk`` (anything with ``source`` and ``doc_type``) is in the collection."""
        if chunk.doc_type and chunk.doc_type.casefold() in {t.casefold() for t in self.types}:
            return True
        folders = PurePosixPath(chunk.source.replace("\\", "/")).parts[:-1]
        for want in self._parts:
            n = len(want)
            if any(folders[i:i + n] == want for i in range(len(folders) - n + 1)):
                return True
        return False

    __call__ = contains  # so a collection can be passed as the retriever's ``where``


def top_folder(source: str) -> str:
    """The folder a document is filed under by default: the first part of a relative path,
    the parent folder's name of an absolute one."""
    path = PurePosixPath(source.replace("\\", "/"))
    if not path.is_absolute() and len(path.parts) > 1:
        return path.parts[0]
    return path.parent.name or "dokument"


def default_collections(sources: Iterable[str]) -> list[Collection]:
    """One collection per top folder of the indexed documents."""
    names: dict[str, None] = {}
    for source in sorted(sources):
        names.setdefault(top_folder(source))
    out = []
    for name in names:
        # an absolute path's folder is matched by its name anywhere in the path
        out.append(Collection(name, folders=(name,)))
    return out


def read_collections(path: Path) -> list[Collection]:
    """Parse a collections file; ConfigError with the line to fix when it is malformed."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]}); "
                          "see `index/collections.py` for the format") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected collection names with folders: and/or types:, "
                          "e.g. 'Lagar:\\n  types: [lag]'")
    out = []
    for name, spec in data.items():
        spec = spec or {}
        if not isinstance(spec, dict) or set(spec) - {"folders", "types"}:
            raise ConfigError(f"{path}: collection {name!r} takes folders: [...] and/or types: [...], "
                              f"got {spec!r}")
        lists = {}
        for key in ("folders", "types"):
            value = spec.get(key) or []
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{path}: {name}.{key} must be a list of text, got {value!r}")
            lists[key] = tuple(value)
        if not lists["folders"] and not lists["types"]:
            raise ConfigError(f"{path}: collection {name!r} has neither folders: nor types:")
        out.append(Collection(str(name), lists["folders"], lists["types"]))
    return out


def load_collections(home: Path, sources: Iterable[str]) -> list[Collection]:
    """The trainers' collections (``HANDBOK_HOME/collections.yaml``), or one per top folder."""
    path = Path(home) / FILENAME
    if path.is_file():
        return read_collections(path)
    return default_collections(sources)


def find_collection(collections: list[Collection], name: str) -> Collection:
    """The collection called ``name`` (case-insensitive); ConfigError naming the choices."""
    for c in collections:
        if c.name.casefold() == name.strip().casefold():
            return c
    names = ", ".join(repr(c.name) for c in collections) or "none"
    raise ConfigError(f"no collection named {name!r}: choose one of {names} "
                      f"(trainers define them in HANDBOK_HOME/{FILENAME})")


def collections_of(retriever) -> list[Collection]:
    """The collections over what ``retriever`` (a ``HybridRetriever``) has indexed."""
    return load_collections(retriever.home, {c.source for c in retriever.chunks})
