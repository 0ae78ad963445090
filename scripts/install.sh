#!/usr/bin/env bash
# Create .venv and install Handbok from the lock file:
#   bash scripts/install.sh core   # what start.sh needs (requirements/core.lock)
#   bash scripts/install.sh test   # plus the test extra (requirements/test.lock)
# VENV=DIR installs into another folder. Without the lock, `pip install -e .` still works
# with the ranges in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
if [ "${1:-core}" = "test" ]; then
  # the CPU build of PyTorch first (this kind of machine keeps it on disk); the lock leaves it out
  "$venv/bin/python" -m pip install -q "torch==2.13.0"
  lock=requirements/test.lock
else
  lock=requirements/core.lock
fi
"$venv/bin/python" -m pip install -q --require-hashes -r "$lock"
"$venv/bin/python" -m pip install -q --no-deps --no-build-isolation -e . 2>/dev/null \
  || "$venv/bin/python" -m pip install -q --no-deps -e .
