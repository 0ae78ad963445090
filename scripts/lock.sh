#!/usr/bin/env bash
# Regenerate the lock files from pyproject.toml (pinned versions + hashes of every direct and
# transitive dependency), with uv's `pip compile`:
#   bash scripts/lock.sh
# requirements/core.lock  what `scripts/start.sh` installs (no PyTorch)
# requirements/test.lock  core + the test extra, what `scripts/test.sh` installs
# PyTorch itself is not in test.lock: scripts/test.sh installs torch==2.13.0 first (the CPU build
# this kind of machine keeps in /opt/wheels; PyPI's is a CUDA build of several GB). Its own
# dependencies are pinned, resolved against that CPU wheel's metadata.
# Each lock starts with the digest of pyproject.toml's dependency tables; tests/test_lock.py
# (and so CI) fails when pyproject.toml changed without `bash scripts/lock.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
[ -x "$py" ] || { python3 -m venv .venv; py=.venv/bin/python; }
"$py" -m uv --version >/dev/null 2>&1 || "$py" -m pip install -q uv
digest=$("$py" scripts/lockcheck.py digest)
overrides=$(mktemp); trap 'rm -f "$overrides"' EXIT
echo "torch==2.13.0+cpu" > "$overrides"
links=(); [ -d /opt/wheels ] && links=(--find-links /opt/wheels)
compile() {  # compile OUT [--extra X ...]
  local out=$1; shift
  "$py" -m uv pip compile pyproject.toml "$@" --generate-hashes --python-version 3.11 \
    --python-platform x86_64-manylinux_2_28 --override "$overrides" "${links[@]}" \
    --no-emit-package torch --no-header --quiet -o "$out.tmp"
  { echo "# handbok lock: pyproject digest $digest (regenerate with: bash scripts/lock.sh)"
    echo "# resolved by uv pip compile for CPython 3.11 on x86_64 Linux; torch installed separately"
    cat "$out.tmp"; } > "$out"
  rm -f "$out.tmp"
}
compile requirements/core.lock
compile requirements/test.lock --extra test
echo "wrote requirements/core.lock and requirements/test.lock (pyproject digest $digest)"
