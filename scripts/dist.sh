#!/usr/bin/env bash
# Builds the release archives of dudao (this is `make dist`):
#
#   dudao-VERSION-windows-amd64.zip      dudao.exe, start.bat, README.md, LICENSE
#   dudao-VERSION-linux-amd64.tar.gz     dudao, start.sh, README.md, LICENSE
#   dudao-VERSION-linux-arm64.tar.gz
#   dudao-VERSION-darwin-arm64.tar.gz
#   SHA256SUMS                           sha256sum format: sha256sum -c SHA256SUMS
#
# Each archive unpacks into one folder, dudao-VERSION-OS-ARCH/. The start
# script runs `dudao start` (what a double-click on dudao.exe does): the
# database in the user's data folder, made on the first start, whose
# browser page is the first-run set-up. The binaries
# are cross-compiled by plain `go build` (CGO_ENABLED=0: SQLite is pure Go)
# with -trimpath and -ldflags stamping the version, commit and date that
# `dudao version` prints.
#
# Reproducible: the date is the commit's time (not the clock), archive members
# carry that time, owner 0 and fixed modes in a fixed order, and gzip leaves
# out its own time stamp, so that building the same commit twice with the
# same Go toolchain gives the same SHA256SUMS.
#
#   scripts/dist.sh [OUTPUT_DIR]        # default: dist/ (or $DIST_DIR)
#
# Environment:
#   DIST_DIR      output folder when no argument is given (default dist)
#   DIST_TARGETS  space-separated GOOS/GOARCH pairs to build (default: the four above)
#   VERSION       the version to stamp (default: git describe --tags --always --dirty)
#   SOURCE_DATE_EPOCH  the build time in Unix seconds (default: the commit's time)
#
# Needs git, Go, GNU tar, gzip, zip and sha256sum (as on Debian and Ubuntu).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${DIST_DIR:-$root/dist}}
targets=${DIST_TARGETS:-windows/amd64 linux/amd64 linux/arm64 darwin/arm64}

for tool in git go tar gzip zip sha256sum; do
  command -v "$tool" >/dev/null || { echo "dist.sh: $tool is needed and missing" >&2; exit 1; }
done
tar --version 2>/dev/null | grep -q 'GNU tar' || { echo "dist.sh: GNU tar is needed (for --sort and --mtime)" >&2; exit 1; }

cd "$root"
version=${VERSION:-$(git describe --tags --always --dirty)}
commit=$(git rev-parse HEAD)
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
date=$(TZ=UTC0 date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
case $version in
  ''|*[!A-Za-z0-9._+-]*) echo "dist.sh: version $version may hold only letters, digits and . _ + -" >&2; exit 1 ;;
esac

pkg=github.com/dudao-edu/dudao/internal/cli
ldflags="-s -w -X $pkg.Version=$version -X $pkg.Commit=$commit -X $pkg.Date=$date"

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Only the archives of this run are listed in SHA256SUMS; old ones are removed.
rm -f "$out"/dudao-*.zip "$out"/dudao-*.tar.gz "$out/SHA256SUMS"

echo "dist.sh: dudao $version ($commit, $date) into $out"
archives=()
for target in $targets; do
  goos=${target%/*}
  goarch=${target#*/}
  name=dudao-$version-$goos-$goarch
  dir=$work/$name
  mkdir -p "$dir"
  exe=dudao
  [ "$goos" = windows ] && exe=dudao.exe
  echo "  $goos/$goarch"
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch GOFLAGS=-mod=readonly \
    go build -trimpath -ldflags "$ldflags" -o "$dir/$exe" ./cmd/dudao
  cp README.md LICENSE "$dir/"
  if [ "$goos" = windows ]; then
    # Double-click start.bat: the database (dudao.db) is kept beside it.
    # CRLF line ends and plain ASCII, as cmd.exe reads them in any code page.
    printf '%s\r\n' \
      '@echo off' \
      'rem Starts dudao, as double-clicking dudao.exe does: the database, the log' \
      'rem and the daily backups are kept in %LOCALAPPDATA%\dudao (or --dir FOLDER).' \
      'rem The first start opens the set-up page in the browser; close this window to stop.' \
      'rem For other computers of the office: start.bat --addr 0.0.0.0:8080' \
      'cd /d "%~dp0"' \
      'dudao.exe start %*' \
      'if errorlevel 1 pause' >"$dir/start.bat"
    chmod 0644 "$dir/start.bat"
  else
    cat >"$dir/start.sh" <<'EOF'
#!/bin/sh
# Starts dudao: the database, the log and the daily backups are kept in the
# user's data folder (~/.local/share/dudao, or ~/Library/Application Support/dudao
# on macOS; --dir FOLDER or DUDAO_HOME to choose another). The first start
# opens the set-up page in the browser; Ctrl+C stops it.
# For other computers of the office: ./start.sh --addr 0.0.0.0:8080
cd "$(dirname "$0")" || exit 1
exec ./dudao start "$@"
EOF
    chmod 0755 "$dir/start.sh"
  fi
  chmod 0755 "$dir/$exe"
  chmod 0644 "$dir/README.md" "$dir/LICENSE"
  chmod 0755 "$dir"
  touch -h -d "@$epoch" "$dir" "$dir"/*

  if [ "$goos" = windows ]; then
    archive=$name.zip
    # -X: no extra attributes (uid, access times); TZ=UTC0: the DOS times
    # zip stores are read in UTC; members sorted by name.
    (cd "$work" && find "$name" -type f | LC_ALL=C sort | TZ=UTC0 zip -q -X -D -@ "$out/$archive.tmp")
  else
    archive=$name.tar.gz
    tar -C "$work" --sort=name --format=gnu --owner=0 --group=0 --numeric-owner \
      --mtime="@$epoch" -cf - "$name" | gzip -n -9 >"$out/$archive.tmp"
  fi
  mv "$out/$archive.tmp" "$out/$archive"
  archives+=("$archive")
done

(cd "$out" && sha256sum "${archives[@]}" >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
echo "dist.sh: done"
(cd "$out" && ls -l "${archives[@]}" SHA256SUMS)
