#!/usr/bin/env bash
# Runs every check and test of dudao, installing what the tests need first:
# PostgreSQL (from Debian's packages, started on loopback for the store tests),
# Chromium with CJK fonts (for the end-to-end browser tests), and poppler-utils
# and headless LibreOffice Calc (for the report tests).
# This is the command the README names and the one CI runs (.ci/run).
#
#   scripts/test.sh            # everything
#   scripts/test.sh -short     # extra flags go to `go test`
set -euo pipefail
cd "$(dirname "$0")/.."

# apt_install installs Debian packages as root, running apt-get update once
# first (a fresh machine's package lists may be missing or stale).
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    apt-get update -qq -o DPkg::Lock::Timeout=600
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "$@" >/dev/null
}

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change these files (run gofmt -w):"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck (pinned in go.mod as a tool)"
go tool staticcheck ./...

echo "== PostgreSQL for the store tests"
if [ -z "${DUDAO_TEST_POSTGRES:-}" ]; then
  eval "$(scripts/pg-test-server.sh start)"
  trap 'scripts/pg-test-server.sh stop >/dev/null 2>&1 || true' EXIT
fi
echo "DUDAO_TEST_POSTGRES=$DUDAO_TEST_POSTGRES"
export DUDAO_TEST_POSTGRES

echo "== Chromium for the browser tests (internal/browsertest)"
# Debian's chromium, and Noto CJK so that Chinese pages render (and their
# screenshots show characters, not boxes). Installed only when missing.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt_install chromium fonts-noto-cjk
  else
    echo "chromium is missing and this is not root: the browser tests will skip (or fail under CI)"
  fi
fi
# Screenshots of the main pages are kept here as test artefacts.
export DUDAO_ARTEFACTS="${DUDAO_ARTEFACTS:-${TMPDIR:-/tmp}/dudao-artefacts}"
mkdir -p "$DUDAO_ARTEFACTS"
echo "screenshots go to $DUDAO_ARTEFACTS"

echo "== PDF and spreadsheet tools for the report tests (internal/report)"
# poppler-utils (pdftotext, pdftoppm, pdfinfo: read and rasterise the PDF
# reports) and LibreOffice Calc and Writer without their GUI (open the XLSX
# and DOCX reports headless). Installed only when missing.
need=()
{ command -v pdftotext && command -v pdftoppm && command -v pdfinfo; } >/dev/null || need+=(poppler-utils)
command -v libreoffice >/dev/null || need+=(libreoffice-calc-nogui)
dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || dpkg -s libreoffice-writer >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt_install --no-install-recommends "${need[@]}"
  else
    echo "missing ${need[*]} and this is not root: the report tests will skip (or fail under CI)"
  fi
fi

echo "== go test"
# -count=1: always run against the real databases, never from the test cache.
# -timeout 30m: the web package walks every route as every role in both
# languages, which takes minutes on a loaded 2-core machine.
go test -count=1 -timeout 30m "$@" ./...
