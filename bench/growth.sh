#!/usr/bin/env bash
# How cost grows with the data: stores 1, 4 and 16 times the size of UCI Online Retail (customers and their histories
# resampled, `grow-data`), each measured whole-process with /usr/bin/time on SQLite: the order import, FP-Growth on the
# store's baskets (0.5 %), the model build (`cartwise mine --store`), a scenario pass over every purchase (5 cross-sell
# rules, 4 post-purchase tiers), cart recommendations at 500 requests/s (p99) and each analytics report. Then the
# growth exponent of each step (the slope of log time against log size) and a log-log plot.
# Usage: bench/growth.sh [factors, default "1 4 16"] [path/to/online_retail.csv.gz]   (GROWTH_OUT: where the figures go)
set -euo pipefail
cd "$(dirname "$0")/.."
FACTORS=${1:-1 4 16}
DATA=$(realpath "${2:-../shared/datasets/online_retail.csv.gz}")
W=$(mktemp -d)
OUT=${GROWTH_OUT:-docs/growth}
mkdir -p "$OUT"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
dotnet build src/Cartwise -c Release -o "$W/bin" >"$W/build.log" 2>&1 || { tail -5 "$W/build.log"; exit 1; }
dotnet build bench/Cartwise.Benchmarks -c Release -o "$W/bench" >"$W/build2.log" 2>&1 || { tail -5 "$W/build2.log"; exit 1; }
CW="dotnet $W/bin/Cartwise.dll"
BENCH="dotnet $W/bench/Cartwise.Benchmarks.dll"
TSV="$OUT/growth.tsv"
printf 'factor\tstep\tseconds\tpeak_mb\tsize\n' >"$TSV"

measure() { # factor step size command… → a line of the table (wall time and peak RSS of the whole process)
  local f=$1 step=$2 size=$3; shift 3
  /usr/bin/time -f "%e %M" -o "$W/t" "$@" >"$W/out" 2>"$W/err" || { tail -5 "$W/err"; exit 1; }
  read -r secs kb <"$W/t"
  printf '%s\t%s\t%s\t%s\t%s\n' "$f" "$step" "$secs" "$((kb / 1024))" "$size" | tee -a "$TSV"
}

for F in $FACTORS; do
  $BENCH grow-data --input "$DATA" --factor "$F" --out "$W/g.csv.gz"
  ROWS=$(( $(zcat "$W/g.csv.gz" | wc -l) - 1 ))
  DB="$W/g$F.db"
  KEY=$(cd "$W" && $CW store create g --currency GBP --time-zone Europe/London --db "$DB" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["trackingKey"])')
  measure "$F" "import orders" "$ROWS" $CW import orders "$W/g.csv.gz" --store g --format online-retail --db "$DB"
  measure "$F" "start-up (store list)" "$ROWS" $CW store list --db "$DB"
  python3 bench/baskets.py online_retail "$W/b.txt" "$W/g.csv.gz"
  measure "$F" "FP-Growth at 0.5 %" "$(wc -l <"$W/b.txt")" $CW mine --input "$W/b.txt" --min-support 0.005 --output "$W/itemsets.txt"
  measure "$F" "model build" "$ROWS" $CW mine --store g --db "$DB"
  for r in orders repeat cohorts threshold paths attribution; do
    measure "$F" "report $r" "$ROWS" $CW report "$r" --store g --format json --db "$DB"
  done
  measure "$F" "report rfm --recompute" "$ROWS" $CW report rfm --recompute --store g --format json --db "$DB"
  # A scenario pass over every purchase of the history (the bench's own process: import not counted, see its output),
  # with the server GC `cartwise serve` runs with.
  DOTNET_gcServer=1 $BENCH load-scenarios --data "$W/g.csv.gz" --feed "$PWD/src/Cartwise/Demo/demo-feed.xml.gz" >"$W/scen.txt" 2>&1
  secs=$(grep -o 'stored in [0-9.]* s' "$W/scen.txt" | grep -o '[0-9.]*')
  events=$(grep -o '^[0-9,]* events' "$W/scen.txt" | tr -d ', events')
  printf '%s\t%s\t%s\t%s\t%s\n' "$F" "scenario pass" "$secs" "" "$events" | tee -a "$TSV"
  # Cart recommendations at a fixed 500 requests/s: p99 latency (ms, in the seconds column's place: see the report).
  python3 bench/carts.py "$W/g.csv.gz" "$W/carts.txt"
  (cd "$W" && exec $CW serve --urls http://127.0.0.1:5393 --db "$DB" >"$W/serve.log" 2>&1) &
  for _ in $(seq 1 120); do curl -fsS http://127.0.0.1:5393/healthz >/dev/null 2>&1 && break; sleep 0.5; done
  $BENCH load-recs --url http://127.0.0.1:5393 --key "$KEY" --carts "$W/carts.txt" --seconds 10 --rate 500 >"$W/recs.txt" 2>&1 || true
  kill %1 2>/dev/null; wait 2>/dev/null || true
  p99=$(grep 'open loop' "$W/recs.txt" | awk -F'|' '{gsub(/ /, "", $6); print $6}')
  printf '%s\t%s\t%s\t%s\t%s\n' "$F" "recommendation p99 ms" "$(python3 -c "print($p99 / 1000)")" "" "$ROWS" | tee -a "$TSV"
  rm -f "$W/g.csv.gz" "$DB"*
done
python3 bench/growth_report.py "$TSV" "$OUT/growth.svg" | tee "$OUT/growth.md"
