#!/usr/bin/env bash
# Cart-aware recommendation serving with the full UCI Online Retail history loaded: imports it into a fresh SQLite
# store, builds the model, starts `cartwise serve`, and drives it with carts of 1–3 products taken from real invoices.
# Usage: bench/recommendations.sh [path/to/online_retail.csv.gz] [seconds per phase]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets/online_retail.csv.gz}
SECS=${2:-20}
W=$(mktemp -d)
dotnet build src/Cartwise -c Release -o "$W/bin" >"$W/build.log" 2>&1 || { tail -5 "$W/build.log"; exit 1; }
dotnet build bench/Cartwise.Benchmarks -c Release -o "$W/bench" >"$W/build2.log" 2>&1 || { tail -5 "$W/build2.log"; exit 1; }
CW="dotnet $W/bin/Cartwise.dll --db $W/r.db"
read -r KEY ADMIN < <(cd "$W" && $CW store create bench --currency GBP --time-zone Europe/London --json | python3 -c 'import json,sys;d=json.load(sys.stdin);print(d["trackingKey"], d["adminKey"])')
$CW import orders "$DATA" --store bench --format online-retail >/dev/null
$CW mine --store bench | head -3
python3 bench/carts.py "$DATA" "$W/carts.txt"
(cd "$W" && exec $CW serve --urls http://127.0.0.1:5392 >"$W/serve.log" 2>&1) &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$W"' EXIT
for _ in $(seq 1 60); do curl -fsS http://127.0.0.1:5392/healthz >/dev/null 2>&1 && break; sleep 0.5; done
# One load client on loopback: the storefront's per-address limit would measure itself, not the engine.
curl -fsS -X PUT http://127.0.0.1:5392/api/v1/store/storefront -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d '{"clientRequestsPerMinute":0,"keyRequestsPerMinute":0}' >/dev/null
dotnet "$W/bench/Cartwise.Benchmarks.dll" load-recs --url http://127.0.0.1:5392 --key "$KEY" --carts "$W/carts.txt" --seconds "$SECS" --rate 1000
