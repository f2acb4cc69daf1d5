#!/usr/bin/env bash
# Side by side, in one run, on the same generated nation: dudao against the
# tools a user would pick instead (the peers in ../shared/bench/, or a
# directory given as PEERS). Each step is run once uncounted, then RUNS
# times (default 5), alternating dudao and its peer, and the medians and
# their ratio are printed. Loopback only; it
# stops every server it starts.
#
#   bench/sidebyside.sh [NATION.csv]      # generates one (2 900 counties) when absent
#
# Needs python3-pandas, sqlite3 and postgresql (Debian); installs them when
# missing and root.
set -euo pipefail
cd "$(dirname "$0")/.."
peers=${PEERS:-../shared/bench}
work=$(mktemp -d)
chmod 755 "$work" # the PostgreSQL server below runs as another user
trap 'rm -rf "$work"' EXIT
src=${1:-$work/generated.csv}
if [ ! -f "$src" ]; then
  python3 "$peers/gen_nation.py" "$src" >/dev/null
fi
# The generator numbers counties 110000, 110007, …: the first of them has a
# province's code, which dudao refuses as a county (a real file with it is
# wrong). Every tool gets the same copy with such codes ending in 99 instead.
nation=$work/nation.csv
awk -F, -v OFS=, 'NR > 1 && $2 ~ /0000$/ { $2 = substr($2, 1, 4) "99" } { print }' "$src" >"$nation"
need=()
/usr/bin/python3 -c 'import pandas' 2>/dev/null || need+=(python3-pandas)
command -v sqlite3 >/dev/null || need+=(sqlite3)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq -o DPkg::Lock::Timeout=600
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${need[@]}" >/dev/null
fi
# Built as scripts/dist.sh builds the released binaries: without cgo,
# statically linked (no dynamic loader at start).
CGO_ENABLED=0 go build -o "$work/dudao" ./cmd/dudao
# The build and the copy leave the disk cache to write back: written out
# first, the kernel's writing does not take a core from the first runs.
sync
rows=$(($(wc -l <"$nation") - 1))
echo "nation: $nation, $rows records, $(du -h "$nation" | cut -f1)"

# secs CMD… runs CMD and prints its wall time in seconds (to the
# microsecond, from the shell's clock: time(1) counts hundredths, a tenth
# of dudao's evaluation), its max RSS in MB and its CPU time (user +
# system) in seconds, which drifts less than the wall time when the
# machine is shared.
secs() {
  local t0=$EPOCHREALTIME t1
  /usr/bin/time -f '%M %U %S' -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
  t1=$EPOCHREALTIME
  awk -v w="$(echo "${t1/./} - ${t0/./}" | bc)" '{printf "%.3f %.0f %.2f\n", w / 1e6, $1/1024, $2+$3}' "$work/t"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# row NAME DUDAO-CMD PEER-CMD: a run of each not counted (the first run
# of a program just built or a file just written pays for its pages), then
# RUNS (default 5) alternating runs of each.
row() {
  local name=$1 d=$2 p=$3 dt=() pt=() dc=() pc=() dm=0 pm=0 i out w m c
  eval "$d" >/dev/null
  eval "$p" >/dev/null
  for ((i = 0; i < ${RUNS:-5}; i++)); do
    read -r w m c <<<"$(eval "$d")"; dt+=("$w"); dm=$m; dc+=("$c")
    read -r w m c <<<"$(eval "$p")"; pt+=("$w"); pm=$m; pc+=("$c")
  done
  local dmed pmed dcpu pcpu
  dmed=$(printf '%s\n' "${dt[@]}" | median); pmed=$(printf '%s\n' "${pt[@]}" | median)
  dcpu=$(printf '%s\n' "${dc[@]}" | median); pcpu=$(printf '%s\n' "${pc[@]}" | median)
  printf '%-40s dudao %6.3f s (cpu %5.2f s) %4s MB | peer %6.3f s (cpu %5.2f s) %4s MB | peer/dudao %4.1f× (cpu %4.1f×)\n' \
    "$name" "$dmed" "$dcpu" "$dm" "$pmed" "$pcpu" "$pm" "$(echo "$pmed / $dmed" | bc -l)" "$(echo "$pcpu / $dcpu" | bc -l)"
  # The spread of the pairs (each run of dudao with its peer's next): a
  # ratio of medians can hide runs on either side of a target.
  for ((i = 0; i < ${#dt[@]}; i++)); do echo "${pt[i]} / ${dt[i]}" | bc -l; done | sort -n |
    awk -v name="$name" '{r[NR] = $1} END {printf "%-40s pairs: peer/dudao from %.1f× to %.1f× (median %.1f×) in %d pairs\n", "", r[1], r[NR], r[int((NR + 1) / 2)], NR}'
}

unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
row "evaluate CSV → CV table (vs pandas)" \
  "secs $work/dudao evaluate $nation --format csv --table indicators -o $work/d.csv" \
  "secs /usr/bin/python3 $peers/peer_pandas.py $nation $work/p.csv"
row "import into SQLite (vs sqlite3 .import)" \
  "rm -f $work/d.db; secs $work/dudao import --db sqlite:$work/d.db $nation" \
  "rm -f $work/s.db; secs sqlite3 $work/s.db '.mode csv' '.import $nation census'"
echo "evaluate --format json (no peer):                 $(secs "$work/dudao" evaluate "$nation" --format json -o "$work/d.json" | awk '{print $1 " s (cpu " $3 " s), " $2 " MB"}'), $(du -h "$work/d.json" | cut -f1) written"
year=$(awk -F, 'NR==2 {print $1}' "$nation")
# From a database: the first read after an import reads the rows and
# stores the year's snapshot (record_snapshots); later reads, by any
# process, decode it until the data change.
dbeval() { secs "$work/dudao" evaluate --db "$1" --year "$year" --format csv --table indicators -o "$work/db.csv" | awk '{print $1 " s (cpu " $3 " s), " $2 " MB"}'; }
warm() { local t=(); for _ in 1 2 3; do t+=("$(dbeval "$1")"); done; printf '%s\n' "${t[@]}" | sort -n | sed -n 2p; }
"$work/dudao" import --db "sqlite:$work/d.db" "$nation" >/dev/null 2>&1 || true # an unchanged import: a new data version
echo "evaluate from SQLite, first read after a write:   $(dbeval "sqlite:$work/d.db")"
echo "evaluate from SQLite, warm (median of 3):         $(warm "sqlite:$work/d.db")"
# PostgreSQL: the nation imported into a server of its own (fsync off, as
# the tests'), stopped at the end.
export DUDAO_PG_DIR=$work/pg
pgurl=$(bash scripts/pg-test-server.sh start | sed -n 's/^export DUDAO_TEST_POSTGRES=//p' | tr -d "'\"")
trap 'DUDAO_PG_DIR=$work/pg bash scripts/pg-test-server.sh stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
echo "import into PostgreSQL (COPY):                    $(secs "$work/dudao" import --db "$pgurl" "$nation" | awk '{print $1 " s (cpu " $3 " s), " $2 " MB"}')"
echo "evaluate from PostgreSQL, first read:             $(dbeval "$pgurl")"
echo "evaluate from PostgreSQL, warm (median of 3):     $(warm "$pgurl")"
echo "one PostgreSQL query for the CVs, data loaded (peer_sql_load.sh, 3 runs):"
bash "$peers/peer_sql_load.sh" "$nation" "$work/sql.csv" | sed 's/^/  /'
