#!/usr/bin/env bash
# One command for the whole test suite (what .ci/run calls):
#   bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh test
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# the CPU build of PyTorch first, so the sentence-transformers extra does not pull a CUDA build
.venv/bin/python -m pip install -q "torch==2.13.0" 2>/dev/null || true
.venv/bin/python -m pip install -q -e ".[test]"
export GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/python -m pytest -q "$@"
