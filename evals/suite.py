"""A suite is data: questions with what a right answer must rest on.

The YAML format (see evals/README.md)::

    name: handbok
    thresholds: {hit@1: 0.90, false_refusal_rate_max: 0.03}
    questions:
      - id: larare-orosanmalan
        question: "Måste jag som lärare göra en orosanmälan?"
        role: lärare
        topic: anmälningsplikt
        lang: sv
        sources: [{file: corpus/2016-....txt, page: 3}]
        key_phrases: ["anmälningsskyldighet"]
        facts: ["skyldig att anmäla"]
        must_refuse: false

``load_suite(path)`` checks the shape (types, required fields) and raises
``EvalError`` naming the question and the field; whether the expectations
match the corpus is ``evals.validate``'s job.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import EvalError

ROLES = ("lärare", "rektor", "socialsekreterare", "utbildare", "elevhälsa")
LANGS = ("sv", "en")
_WS = re.compile(r"\s+")
_MARKDOWN = re.compile(r"\*\*|__|#")


def fold(text: str) -> str:
    """The form key phrases and facts are matched in: no accents, lower case, single spaces, no Markdown.

    >>> fold("Sekretess  **mellan** Myndigheter")
    'sekretess mellan myndigheter'
    >>> fold("Förskolan") == fold("forskolan")
    True
    """
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _MARKDOWN.sub("", text)
    return _WS.sub(" ", text.lower()).strip()


@dataclass
class Source:
    """Where the right passage is: a file as indexed (``corpus/...``), optionally a page and section."""

    file: str
    page: int | None = None
    section: str | None = None

    def to_json(self) -> dict:
        return {k: v for k, v in (("file", self.file), ("page", self.page),
                                  ("section", self.section)) if v is not None}


@dataclass
class Case:
    """One question and its expectations."""

    id: str
    question: str
    role: str = ""
    topic: str = ""
    lang: str = "sv"
    sources: list[Source] = field(default_factory=list)
    key_phrases: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    must_refuse: bool = False
    note: str = ""
    split: str = ""  # "" or "held-out": kept aside while tuning, scored at the end


@dataclass
class Suite:
    name: str
    cases: list[Case]
    description: str = ""
    thresholds: dict[str, float] = field(default_factory=dict)
    path: str = ""
    # folders/files (relative to the repository root) that this suite is scored on; empty:
    # whatever HANDBOK_HOME has indexed
    corpus: list[str] = field(default_factory=list)
    floor: dict = field(default_factory=dict)  # the <suite>.floor.json beside it (evals.gate)

    @property
    def floor_path(self) -> Path | None:
        return Path(self.path).with_suffix(".floor.json") if self.path else None


def _str(value, where: str, *, required: bool = False) -> str:
    if value is None:
        if required:
            raise EvalError(f"{where}: missing (a text is required)")
        return ""
    if not isinstance(value, str):
        raise EvalError(f"{where}: expected a text, got {type(value).__name__} {value!r}")
    if required and not value.strip():
        raise EvalError(f"{where}: is empty")
    return value


def _str_list(value, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):  # a lone phrase instead of a list: accept it
        value = [value]
    if not isinstance(value, list):
        raise EvalError(f"{where}: expected a list of texts, got {type(value).__name__}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise EvalError(f"{where}[{i}]: expected a non-empty text, got {item!r}")
        out.append(item)
    return out


def _sources(value, where: str) -> list[Source]:
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise EvalError(f"{where}: expected a list of {{file: ..., page: ...}}, got {type(value).__name__}")
    out = []
    for i, item in enumerate(value):
        w = f"{where}[{i}]"
        if isinstance(item, str):
            item = {"file": item}
        if not isinstance(item, dict):
            raise EvalError(f"{w}: expected {{file: corpus/..., page: N}}, got {item!r}")
        unknown = set(item) - {"file", "page", "section"}
        if unknown:
            raise EvalError(f"{w}: unknown key(s) {', '.join(sorted(unknown))} (allowed: file, page, section)")
        page = item.get("page")
        if page is not None and (isinstance(page, bool) or not isinstance(page, int) or page < 1):
            raise EvalError(f"{w}.page: expected a page number (1, 2, ...), got {page!r}")
        section = item.get("section")
        out.append(Source(_str(item.get("file"), f"{w}.file", required=True).strip(), page,
                          _str(section, f"{w}.section") if section is not None else None))
    return out


REQUIRED = ("id", "question", "role", "topic", "lang", "sources", "key_phrases", "must_refuse", "note")
_CASE_KEYS = {"id", "question", "role", "topic", "lang", "sources", "key_phrases", "facts",
              "must_refuse", "note", "split"}
SPLITS = ("", "held-out")


def parse_case(raw, index: int, path: str = "") -> Case:
    """One ``questions:`` entry as a Case; ``EvalError`` names the question id and the field."""
    prefix = f"{path}: " if path else ""
    if not isinstance(raw, dict):
        raise EvalError(f"{prefix}questions[{index}]: expected a mapping (id:, question:, ...), got {raw!r}")
    qid = raw.get("id")
    if not isinstance(qid, str) or not qid.strip():
        raise EvalError(f"{prefix}questions[{index}].id: missing or not a text (every question needs a unique id)")
    where = f"{prefix}question {qid!r}"
    unknown = set(raw) - _CASE_KEYS
    if unknown:
        raise EvalError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} "
                        f"(allowed: {', '.join(sorted(_CASE_KEYS))})")
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise EvalError(f"{where}: missing field(s) {', '.join(missing)} "
                        "(see evals/README.md; use [] for no sources or key phrases)")
    must_refuse = raw.get("must_refuse", False)
    if not isinstance(must_refuse, bool):
        raise EvalError(f"{where}.must_refuse: expected true or false, got {must_refuse!r}")
    split = _str(raw.get("split"), f"{where}.split").strip()
    if split not in SPLITS:
        raise EvalError(f"{where}.split: expected held-out (or leave it out), got {split!r}")
    return Case(
        split=split,
        id=qid.strip(),
        question=_str(raw.get("question"), f"{where}.question", required=True).strip(),
        role=_str(raw.get("role"), f"{where}.role").strip(),
        topic=_str(raw.get("topic"), f"{where}.topic").strip(),
        lang=_str(raw.get("lang"), f"{where}.lang").strip() or "sv",
        sources=_sources(raw.get("sources"), f"{where}.sources"),
        key_phrases=_str_list(raw.get("key_phrases"), f"{where}.key_phrases"),
        facts=_str_list(raw.get("facts"), f"{where}.facts"),
        must_refuse=must_refuse,
        note=_str(raw.get("note"), f"{where}.note"),
    )


def parse_suite(data, path: str = "") -> Suite:
    """A Suite from already-parsed YAML/JSON data."""
    prefix = f"{path}: " if path else ""
    if not isinstance(data, dict):
        raise EvalError(f"{prefix}expected a mapping with name:, thresholds: and questions:, "
                        f"got {type(data).__name__}")
    questions = data.get("questions", data.get("cases"))
    if not isinstance(questions, list) or not questions:
        raise EvalError(f"{prefix}questions: missing or empty (a list of questions is required)")
    thresholds = data.get("thresholds") or {}
    if not isinstance(thresholds, dict):
        raise EvalError(f"{prefix}thresholds: expected a mapping like {{hit@1: 0.9}}, got {thresholds!r}")
    for key, value in thresholds.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise EvalError(f"{prefix}thresholds.{key}: expected a number, got {value!r}")
    name = data.get("name") or (Path(path).stem if path else "suite")
    corpus = _str_list(data.get("corpus"), f"{prefix}corpus")
    return Suite(
        corpus=corpus,
        name=_str(name, f"{prefix}name"),
        description=_str(data.get("description"), f"{prefix}description"),
        thresholds={str(k): float(v) for k, v in thresholds.items()},
        cases=[parse_case(raw, i, path) for i, raw in enumerate(questions)],
        path=path,
    )


def load_suite(path: str | Path) -> Suite:
    """Read a YAML suite.

    Raises:
        EvalError: the file is missing, is not valid YAML, or a question has a missing or
            wrongly typed field (the message names the question id and the field).
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise EvalError(f"suite {path} not found: give a YAML file such as evals/suites/handbok.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise EvalError(f"{path}: not valid YAML{at}: {problem} (check indentation and quotes)") from exc
    except UnicodeDecodeError as exc:
        raise EvalError(f"{path}: not UTF-8 text; save it as UTF-8") from exc
    suite = parse_suite(data, str(path))
    floor = suite.floor_path
    if floor is not None and floor.is_file():
        try:
            suite.floor = json.loads(floor.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise EvalError(f"{floor}: not valid JSON ({exc}); rewrite it with "
                            f"`handbok eval {path} --set-floor`") from exc
    return suite
