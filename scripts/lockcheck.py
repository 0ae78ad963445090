"""Do the lock files still match pyproject.toml?

    python scripts/lockcheck.py digest   # the digest scripts/lock.sh writes into each lock
    python scripts/lockcheck.py check    # exit 1 with a one-line reason when they disagree

A lock agrees with pyproject.toml when its first line carries the digest of the dependency
tables it was compiled from and every direct requirement is pinned in it at a version the
requirement admits. No network: CI runs this on a clean clone.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCKS = {"core": ROOT / "requirements" / "core.lock", "test": ROOT / "requirements" / "test.lock"}
UNLOCKED = {"torch"}  # installed by scripts/test.sh from the machine's CPU wheel
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _project(pyproject: Path) -> dict:
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]


def digest(pyproject: Path = ROOT / "pyproject.toml") -> str:
    p = _project(pyproject)
    tables = {"requires-python": p.get("requires-python"), "dependencies": p.get("dependencies", []),
              "optional-dependencies": p.get("optional-dependencies", {})}
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()[:16]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: Path) -> dict[str, str]:
    out = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = _PIN.match(line.strip())
        if m:
            out[_norm(m.group(1))] = m.group(2)
    return out


def _name(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def problems(pyproject: Path = ROOT / "pyproject.toml", locks: dict[str, Path] = LOCKS) -> list[str]:
    from packaging.requirements import Requirement
    from packaging.version import Version

    want = digest(pyproject)
    p = _project(pyproject)
    direct = {"core": list(p.get("dependencies", [])),
              "test": list(p.get("dependencies", [])) + list(p.get("optional-dependencies", {}).get("test", []))}
    out = []
    for name, lock in locks.items():
        if not lock.is_file():
            out.append(f"{_name(lock)} is missing: run `bash scripts/lock.sh`")
            continue
        first = lock.read_text(encoding="utf-8").splitlines()[:1]
        if not first or f"pyproject digest {want}" not in first[0]:
            out.append(f"{_name(lock)} was not compiled from this pyproject.toml: "
                       "run `bash scripts/lock.sh` and commit the result")
            continue
        pinned = pins(lock)
        for spec in direct[name]:
            req = Requirement(spec)
            key = _norm(req.name)
            if key in UNLOCKED:
                continue
            if key not in pinned:
                out.append(f"{_name(lock)} lacks {req.name}: run `bash scripts/lock.sh`")
            elif not req.specifier.contains(Version(pinned[key]), prereleases=True):
                out.append(f"{_name(lock)} pins {req.name}=={pinned[key]}, outside {spec!r}")
    return out


def main(argv: list[str]) -> int:
    if argv[1:] == ["digest"]:
        print(digest())
        return 0
    if argv[1:] == ["check"]:
        found = problems()
        for p in found:
            print(f"lock: {p}", file=sys.stderr)
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
