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
# script serves dudao.db in that folder, or, while there is none, says how to
# create the first account (dudao serve refuses a missing database). The binaries
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
      'rem Starts dudao in this folder: the database is dudao.db beside this file.' \
      'rem Open http://127.0.0.1:8080/ in the browser; close this window to stop.' \
      'rem For other computers of the office: start.bat --addr 0.0.0.0:8080' \
      'cd /d "%~dp0"' \
      'if exist dudao.db goto serve' \
      'echo No database dudao.db yet. First create the first account (it prints the password),' \
      'echo in a command window in this folder, then double-click start.bat again:' \
      'echo   dudao.exe user add --db sqlite:dudao.db --username admin --role county --region 340207' \
      'echo (--role province, city or county; --region the 6-digit code of your region)' \
      'pause' \
      'exit /b 1' \
      ':serve' \
      'dudao.exe serve --db sqlite:dudao.db %*' \
      'pause' >"$dir/start.bat"
    chmod 0644 "$dir/start.bat"
  else
    cat >"$dir/start.sh" <<'EOF'
#!/bin/sh
# Starts dudao in this folder: the database is dudao.db beside this file.
# Open http://127.0.0.1:8080/ in the browser; Ctrl+C stops it.
# For other computers of the office: ./start.sh --addr 0.0.0.0:8080
cd "$(dirname "$0")" || exit 1
if [ ! -e dudao.db ]; then
  echo "还没有数据库 dudao.db。先在这个文件夹里创建第一个账户（会打印密码），再运行 ./start.sh："
  echo "No database dudao.db yet. First create the first account (it prints the password), then run ./start.sh again:"
  echo "  ./dudao user add --db sqlite:dudao.db --username admin --role county --region 340207"
  echo "(--role province, city or county; --region the 6-digit code of your region)"
  exit 1
fi
exec ./dudao serve --db sqlite:dudao.db "$@"
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
