#!/usr/bin/env bash
# Installs the Debian packages Folio needs: Chromium (Paged.js rendering, cover, Ace),
# poppler-utils (pdftotext, pdffonts, pdftoppm for checks and proofs), EPUBCheck (with Java),
# the readers the article outputs are checked with: xmllint (libxml2-utils) and pandoc, and
# redis-server, which the catalogue's queue runs on (`folio worker`; its tests start their own),
# and the readers the offprints are checked with: qpdf and Ghostscript.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -n "${CHROME_PATH:-}" ] || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ -f /usr/share/java/epubcheck.jar ] || need+=(epubcheck)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v pandoc >/dev/null 2>&1 || need+=(pandoc)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
command -v gs >/dev/null 2>&1 || need+=(ghostscript)
if [ ${#need[@]} -gt 0 ]; then
  echo "folio setup: installing ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${need[@]}"
fi
