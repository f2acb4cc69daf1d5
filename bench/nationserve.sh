#!/usr/bin/env bash
# dudao serve on a nation-sized database, as a user meets it:
#   - how long `dudao serve` takes to start answering (the sign-in page);
#   - the nation's read-only account's overview of every county: the first
#     request of the new server (it evaluates the nation) and warm (median
#     of 5, the server's time as curl sees it on loopback);
#   - 200 users browsing county pages of the nation for 30 s (bench/load),
#     with latency percentiles.
#
#   bench/nationserve.sh [NATION.csv | --db DSN]
#
# With a CSV (default: a generated 2 900-county nation) it imports it into a
# fresh SQLite database first. With --db it uses that database as it is
# (e.g. a PostgreSQL one: postgres://…), adding the account if missing.
# Loopback only; it stops the server it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
peers=${PEERS:-../shared/bench}
work=$(mktemp -d)
port=${PORT:-18599}
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
# Built as scripts/dist.sh builds the released binaries: without cgo,
# statically linked (no dynamic loader at start).
CGO_ENABLED=0 go build -o "$work/dudao" ./cmd/dudao
go build -o "$work/load" ./bench/load
if [ "${1:-}" = "--db" ]; then
  db=$2
else
  src=${1:-$work/generated.csv}
  if [ ! -f "$src" ]; then
    python3 "$peers/gen_nation.py" "$src" >/dev/null
  fi
  # As bench/sidebyside.sh: a generated county coded like a province is renumbered.
  awk -F, -v OFS=, 'NR > 1 && $2 ~ /0000$/ { $2 = substr($2, 1, 4) "99" } { print }' "$src" >"$work/nation.csv"
  db=sqlite:$work/nation.db
  /usr/bin/time -f 'import: %e s, %M KB' "$work/dudao" import --db "$db" "$work/nation.csv" >/dev/null
fi
pw=nation-bench-1
"$work/dudao" user add --db "$db" --username nation-bench --role readonly --region 000000 --password "$pw" >/dev/null 2>&1 || true
"$work/dudao" user passwd --db "$db" --username nation-bench --password "$pw" >/dev/null

url=http://127.0.0.1:$port
t0=$(date +%s.%N)
"$work/dudao" serve --db "$db" --addr "127.0.0.1:$port" --backup-keep 0 >"$work/serve.log" 2>&1 &
pid=$!
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/login" || true)" = 200 ]; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.01
done
t1=$(date +%s.%N)
printf 'serve answering after:           %.2f s\n' "$(echo "$t1 - $t0" | bc)"

jar=$work/jar
curl -s -c "$jar" -b "$jar" -o /dev/null -H "Origin: $url" --data-urlencode username=nation-bench \
  --data-urlencode "password=$pw" "$url/login"
get() { curl -s -b "$jar" -o "$work/page" -w '%{http_code} %{time_total}' "$url$1"; }
read -r code t <<<"$(get /overview)"
[ "$code" = 200 ] || { echo "overview: $code" >&2; exit 1; }
printf 'nation overview, first request:  %.3f s (%s counties)\n' "$t" "$(grep -o '县区排名 <small class="muted">[0-9]*' "$work/page" | grep -o '[0-9]*$' || echo ?)"
ts=()
for _ in 1 2 3 4 5; do read -r code t <<<"$(get /overview)"; ts+=("$t"); done
printf 'nation overview, warm (median):  %.3f s\n' "$(printf '%s\n' "${ts[@]}" | sort -n | sed -n 3p)"
"$work/load" -url "$url" -login "nation-bench:$pw" -users 200 -duration 30s -requests 1000000
