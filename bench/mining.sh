#!/usr/bin/env bash
# `cartwise mine --input` against an earlier Cartwise build and against the npm package node-fpgrowth, on the same
# baskets and thresholds in the same run: Groceries at 0.1%, Online Retail baskets at 1%, 0.5% and 0.3%. Whole
# processes (start-up, reading and writing the itemsets included); the two Cartwise builds alternate, five runs each,
# and the table gives their medians.
# The itemset files of the two builds are compared line by line.
# Usage: bench/mining.sh [datasets dir, default ../shared/datasets]
#   BASE=<commit>  the earlier build (default 74fc47d, the miner before the first level was read from the baskets)
#   RUNS=<n>       runs of each Cartwise build (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets}
BASE=${BASE:-74fc47d}
RUNS=${RUNS:-5}
W=$(mktemp -d)
trap 'git worktree remove --force "$W/base-src" >/dev/null 2>&1 || true; rm -rf "$W"' EXIT
build() { # source folder, output folder
  dotnet build "$1/src/Cartwise" -c Release -o "$2" >"$W/build.log" 2>&1 || { tail -5 "$W/build.log"; exit 1; }
}
build . "$W/cur"
git worktree add --detach "$W/base-src" "$BASE" >/dev/null 2>&1
build "$W/base-src" "$W/base"
python3 bench/baskets.py groceries "$W/groceries.txt" "$DATA/groceries.csv.gz"
python3 bench/baskets.py online_retail "$W/retail.txt" "$DATA/online_retail.csv.gz"
(cd "$W" && npm install --silent node-fpgrowth >/dev/null 2>&1)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| data | min support | itemsets | cartwise s | earlier build s | speed-up | node-fpgrowth s | vs node-fpgrowth | cartwise peak MB | earlier peak MB | node peak MB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for run in "groceries 0.001" "retail 0.01" "retail 0.005" "retail 0.003"; do
  set -- $run
  : >"$W/cur.t"; : >"$W/base.t"
  for _ in $(seq "$RUNS"); do
    for b in base cur; do
      /usr/bin/time -f "%e %M" -a -o "$W/$b.t" dotnet "$W/$b/Cartwise.dll" mine --input "$W/$1.txt" --min-support "$2" --output "$W/$b.out" >/dev/null
    done
  done
  if ! cmp -s <(sort "$W/cur.out") <(sort "$W/base.out"); then echo "itemsets differ on $1 at $2" >&2; exit 1; fi
  cs=$(cut -d' ' -f1 "$W/cur.t" | median); bs=$(cut -d' ' -f1 "$W/base.t" | median)
  cm=$(cut -d' ' -f2 "$W/cur.t" | median); bm=$(cut -d' ' -f2 "$W/base.t" | median)
  ci=$(wc -l <"$W/cur.out")
  if [ "$2" = 0.003 ]; then ns="–"; ratio="–"; nm="–"  # node-fpgrowth needs minutes and gigabytes here
  else
    /usr/bin/time -f "%e %M" -o "$W/n.t" env NODE_PATH="$W/node_modules" node --max-old-space-size=8000 bench/node_fpgrowth.js "$W/$1.txt" "$2" >"$W/n.txt"
    read -r ns nkb <"$W/n.t"; read -r ni _ <"$W/n.txt"
    [ "$ni" = "$ci" ] || { echo "node-fpgrowth found $ni itemsets on $1 at $2, cartwise $ci" >&2; exit 1; }
    ratio=$(python3 -c "print(f'×{$ns/$cs:.1f}')"); nm=$((nkb/1024))
  fi
  printf '| %s | %s | %s | %.2f | %.2f | ×%.2f | %s | %s | %d | %d | %s |\n' "$1" "$2" "$ci" "$cs" "$bs" "$(python3 -c "print($bs/$cs)")" "$ns" "$ratio" $((cm/1024)) $((bm/1024)) "$nm"
done
