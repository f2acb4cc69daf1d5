#!/usr/bin/env bash
# Two builds of dudao side by side on the same nation: each step run N times
# (default 5), alternating the builds, with the median wall time, CPU time
# (user + system) and peak memory of each, and their ratio. On a shared
# machine the wall time drifts with the load; the CPU time drifts less.
#
#   bench/compare.sh OLD-REV [NEW-REV] NATION.csv     # e.g. bench/compare.sh 16e9e27 /tmp/nation.csv
#
# NEW-REV defaults to the work tree. NATION.csv is a file as sidebyside.sh
# makes it (county codes renumbered). With PANDAS=1 the first step also runs
# the pandas peer (../shared/bench/peer_pandas.py, Debian's python3-pandas)
# in the same alternation, and prints the new build's ratio to it.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1
shift
new=
if [ $# -gt 1 ]; then new=$1; shift; fi
nation=$1
n=${N:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build() { # REV OUT: the tree of REV, built
  mkdir "$work/$2"
  git archive "$1" | tar -x -C "$work/$2"
  (cd "$work/$2" && CGO_ENABLED=0 go build -o "$work/$2.bin" ./cmd/dudao)
}
build "$old" old
if [ -n "$new" ]; then build "$new" new; else CGO_ENABLED=0 go build -o "$work/new.bin" ./cmd/dudao; fi
year=$(awk -F, 'NR==2 {print $1}' "$nation")
"$work/old.bin" import --db "sqlite:$work/db.sqlite" "$nation" >/dev/null

# one BIN ARGS…: wall s, cpu s, max RSS MB of one run.
one() {
  /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
  awk '{printf "%s %.2f %.0f\n", $1, $2+$3, $4/1024}' "$work/t"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# step NAME ARGS… (with BIN for the binary, and DB for a fresh database)
step() {
  local name=$1; shift
  local b i out
  declare -A w c m
  for i in $(seq "$n"); do
    for b in old new; do
      rm -f "$work/fresh.sqlite"*
      out=$(one "${@/#BIN/$work/$b.bin}")
      w[$b]+="${out%% *} "; out=${out#* }; c[$b]+="${out%% *} "; m[$b]+="${out#* } "
    done
  done
  local ow oc om nw nc nm
  ow=$(printf '%s\n' ${w[old]} | median); oc=$(printf '%s\n' ${c[old]} | median); om=$(printf '%s\n' ${m[old]} | median)
  nw=$(printf '%s\n' ${w[new]} | median); nc=$(printf '%s\n' ${c[new]} | median); nm=$(printf '%s\n' ${m[new]} | median)
  printf '%-34s old %6.2f s wall %6.2f s cpu %5s MB | new %6.2f s wall %6.2f s cpu %5s MB | old/new wall %4.1f× cpu %4.1f×\n' \
    "$name" "$ow" "$oc" "$om" "$nw" "$nc" "$nm" "$(echo "$ow / $nw" | bc -l)" "$(echo "$oc / $nc" | bc -l)"
}
step "evaluate CSV → CV table" BIN evaluate "$nation" --format csv --table indicators -o "$work/o.csv"
if [ -n "${PANDAS:-}" ]; then
  # pandas against the new build, alternating, as step does.
  declare -A pw pc pm
  for i in $(seq "$n"); do
    out=$(one "$work/new.bin" evaluate "$nation" --format csv --table indicators -o "$work/o.csv")
    pw[new]+="${out%% *} "; out=${out#* }; pc[new]+="${out%% *} "; pm[new]+="${out#* } "
    out=$(one /usr/bin/env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "${PEERS:-../shared/bench}/peer_pandas.py" "$nation" "$work/p.csv")
    pw[pandas]+="${out%% *} "; out=${out#* }; pc[pandas]+="${out%% *} "; pm[pandas]+="${out#* } "
  done
  for b in new pandas; do
    printf '%-34s %-6s %6.2f s wall %6.2f s cpu %5s MB\n' "evaluate CSV → CV table vs pandas" "$b" \
      "$(printf '%s\n' ${pw[$b]} | median)" "$(printf '%s\n' ${pc[$b]} | median)" "$(printf '%s\n' ${pm[$b]} | median)"
  done
  printf '%-34s pandas/new wall %4.1f× cpu %4.1f×\n' "" \
    "$(echo "$(printf '%s\n' ${pw[pandas]} | median) / $(printf '%s\n' ${pw[new]} | median)" | bc -l)" \
    "$(echo "$(printf '%s\n' ${pc[pandas]} | median) / $(printf '%s\n' ${pc[new]} | median)" | bc -l)"
fi
step "evaluate --format json" BIN evaluate "$nation" --format json -o "$work/o.json"
step "evaluate --db sqlite: (CV table)" BIN evaluate --db "sqlite:$work/db.sqlite" --year "$year" --format csv --table indicators -o "$work/d.csv"
step "import into a fresh SQLite" BIN import --db "sqlite:$work/fresh.sqlite" "$nation"
