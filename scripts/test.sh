#!/usr/bin/env bash
# `npm test`: type check, lint, then every test with a fontconfig that sees the bundled fonts
# only (test/fonts.conf), so that a test leaning on a font of this machine fails here too, as it
# would on a fresh one. Extra arguments name test files (default: all of test/).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run typecheck
npm run lint
export FONTCONFIG_FILE="$PWD/test/fonts.conf"
if [ $# -eq 0 ]; then set -- test/*.test.ts; fi
exec node --import tsx --test --test-concurrency=1 "$@"
