#!/usr/bin/env bash
# One command for the whole test suite (what .ci/run calls):
#   bash scripts/test.sh [pytest args]
# Installs from the lock file (requirements/test.lock), so the same commit gives the same
# figures on any machine of this kind; `bash scripts/lock.sh` regenerates it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh test
bash scripts/install.sh test
export GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/python scripts/lockcheck.py check
.venv/bin/python -m pytest -q "$@"
