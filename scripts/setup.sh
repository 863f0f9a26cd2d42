#!/usr/bin/env bash
# One command on a fresh machine: system packages, npm packages, then the bundled issue built
# (PDF, EPUB, fidelity report). `--no-build` stops after installing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
# Folio drives Debian's Chromium; no npm package may download a browser of its own.
export PUPPETEER_SKIP_DOWNLOAD=1
npm ci --no-audit --no-fund
if [ "${1:-}" != "--no-build" ]; then
  npm run build
fi
