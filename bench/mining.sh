#!/usr/bin/env bash
# FP-Growth against the npm package node-fpgrowth on the same baskets and thresholds, in the same run:
# Groceries at 0.1%, Online Retail baskets at 1% and 0.5%. Wall time and peak memory of each whole process.
# Usage: bench/mining.sh [datasets dir, default ../shared/datasets]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets}
W=$(mktemp -d)
dotnet build src/Cartwise -c Release -o "$W/bin" >"$W/build.log" 2>&1 || { tail -5 "$W/build.log"; exit 1; }
python3 bench/baskets.py groceries "$W/groceries.txt" "$DATA/groceries.csv.gz"
python3 bench/baskets.py online_retail "$W/retail.txt" "$DATA/online_retail.csv.gz"
(cd "$W" && npm install --silent node-fpgrowth >/dev/null 2>&1)
echo "| data | min support | cartwise itemsets | node-fpgrowth itemsets | cartwise s | node-fpgrowth s | speed-up | cartwise peak MB | node peak MB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for run in "groceries 0.001" "retail 0.01" "retail 0.005"; do
  set -- $run
  /usr/bin/time -f "%e %M" -o "$W/t1" dotnet "$W/bin/Cartwise.dll" mine --input "$W/$1.txt" --min-support "$2" --output "$W/it.txt" >/dev/null
  read -r cs ckb <"$W/t1"; ci=$(wc -l <"$W/it.txt")
  /usr/bin/time -f "%e %M" -o "$W/t2" env NODE_PATH="$W/node_modules" node --max-old-space-size=8000 bench/node_fpgrowth.js "$W/$1.txt" "$2" >"$W/n.txt"
  read -r ns nkb <"$W/t2"; read -r ni _ <"$W/n.txt"
  printf '| %s | %s | %s | %s | %.2f | %.2f | ×%.1f | %d | %d |\n' "$1" "$2" "$ci" "$ni" "$cs" "$ns" "$(python3 -c "print($ns/$cs)")" $((ckb/1024)) $((nkb/1024))
done
rm -rf "$W"
