#!/usr/bin/env bash
# One command for a newcomer: set up everything, index the bundled corpus, start the UI.
#   bash scripts/start.sh            # then open http://127.0.0.1:7860
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh run || echo "handbok: continuing without Tesseract (scanned PDFs will be reported as 'needs OCR')" >&2
bash scripts/install.sh core  # from requirements/core.lock
export GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
# idempotent: the first run indexes corpus/, later runs add nothing
.venv/bin/handbok ingest || echo "handbok: some files could not be indexed (see above); starting anyway" >&2
exec .venv/bin/handbok serve "$@"
