#!/usr/bin/env bash
# Debian packages Handbok uses: Tesseract with its Swedish model (scanned PDFs),
# poppler (PDF tools), a Unicode font (test PDFs), and chromium (browser tests).
# Usage: scripts/system-packages.sh [run|test]
set -euo pipefail
want=(tesseract-ocr tesseract-ocr-swe poppler-utils fonts-dejavu-core)
if [ "${1:-run}" = "test" ]; then want+=(chromium fonts-noto-color-emoji); fi
# Debian's python3 comes without venv/ensurepip until python3-venv is installed
python3 -c "import ensurepip, venv" 2>/dev/null || want+=(python3-venv)

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "handbok: please install these packages with your package manager: ${missing[*]}" >&2
  [ "${1:-run}" = "test" ] && exit 1 || exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "handbok: installing Debian packages: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
