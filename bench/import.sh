#!/usr/bin/env bash
# Order-history and feed import benchmark: the full UCI Online Retail file into SQLite (and PostgreSQL when
# CARTWISE_BENCH_POSTGRES names a server, e.g. postgres://cartwise:cartwise@127.0.0.1/postgres), and a generated
# 200,000-item Merchant Center feed. Baseline in the same run: Python's csv module reading the same file.
# Usage: bench/import.sh [path/to/online_retail.csv.gz]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets/online_retail.csv.gz}
W=$(mktemp -d)
dotnet build src/Cartwise -c Release -o "$W/bin" >"$W/build.log" 2>&1 || { tail -5 "$W/build.log"; exit 1; }
CW="dotnet $W/bin/Cartwise.dll"
ROWS=$(python3 -c "import gzip,sys; print(sum(1 for _ in gzip.open(sys.argv[1],'rt'))-1)" "$DATA")

measure() { # label, rows, command…  → prints a table row
  local label=$1 rows=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$W/t" "$@" >"$W/out.log" 2>&1 || { tail -5 "$W/out.log"; exit 1; }
  read -r secs kb <"$W/t"
  printf '| %s | %s | %.1f | %s | %s |\n' "$label" "$rows" "$secs" "$(python3 -c "print(f'{int($rows/max($secs,0.001)):,}')")" "$((kb / 1024))"
}

echo "| run | rows | seconds (wall, whole process) | rows/s | peak RSS MB |"
echo "| --- | ---: | ---: | ---: | ---: |"
measure "baseline: python3 csv.reader over the file" "$ROWS" python3 -c "import csv,gzip,sys; [0 for _ in csv.reader(gzip.open(sys.argv[1],'rt'))]" "$DATA"
(cd "$W" && $CW store create bench --currency GBP --time-zone Europe/London --db "$W/s.db" >/dev/null)
measure "cartwise import orders → SQLite" "$ROWS" $CW import orders "$DATA" --store bench --format online-retail --db "$W/s.db"
measure "same file again (idempotent: all skipped)" "$ROWS" $CW import orders "$DATA" --store bench --format online-retail --db "$W/s.db"
if [ -n "${CARTWISE_BENCH_POSTGRES:-}" ]; then
  db="cw_bench_$$"
  psql "$CARTWISE_BENCH_POSTGRES" -qc "CREATE DATABASE $db" >/dev/null
  PG="${CARTWISE_BENCH_POSTGRES%/*}/$db"
  $CW store create bench --currency GBP --time-zone Europe/London --db "$PG" >/dev/null
  measure "cartwise import orders → PostgreSQL" "$ROWS" $CW import orders "$DATA" --store bench --format online-retail --db "$PG"
  psql "$CARTWISE_BENCH_POSTGRES" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
fi

# A 200,000-item feed (about 110 MB of XML) with ten categories and a few bad items.
python3 - "$W/feed.xml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('<?xml version="1.0"?>\n<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel><title>bench</title>\n')
    for i in range(200_000):
        price = "n/a" if i % 10_000 == 7 else f"{(i % 500) + 0.99:.2f} GBP"
        f.write(f"<item><g:id>P{i}</g:id><g:title>Product {i} with a reasonably long descriptive title</g:title>"
                f"<g:description>Description of product {i}, long enough to look like a real one in a real shop feed.</g:description>"
                f"<g:link>https://shop.example/p/{i}</g:link><g:image_link>https://shop.example/i/{i}.jpg</g:image_link>"
                f"<g:price>{price}</g:price><g:availability>{'in stock' if i % 7 else 'out of stock'}</g:availability><g:brand>Brand {i % 50}</g:brand>"
                f"<g:product_type>Department {i % 10} &gt; Aisle {i % 100}</g:product_type><g:item_group_id>G{i // 4}</g:item_group_id></item>\n")
    f.write("</channel></rss>\n")
PY
measure "cartwise import feed (200,000 items) → SQLite" 200000 $CW import feed "$W/feed.xml" --store bench --db "$W/s.db"
measure "same feed again (all updates)" 200000 $CW import feed "$W/feed.xml" --store bench --db "$W/s.db"
rm -rf "$W"
