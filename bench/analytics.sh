#!/usr/bin/env bash
# Store analytics on the full UCI Online Retail history in one SQLite store: every `cartwise report` (whole process,
# median of 3) against `cartwise store list` on the same database (the process's start-up and schema check: the
# floor every command pays), with the report's own time (its "done in" line); RFM recomputation for every customer;
# and `cartwise attribution --model all` on a generated 10,000-path file against Python only reading and splitting it.
# Usage: bench/analytics.sh [path/to/online_retail.csv.gz]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets/online_retail.csv.gz}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
dotnet build src/Cartwise -c Release -o "$W/bin" >"$W/build.log" 2>&1 || { tail -5 "$W/build.log"; exit 1; }
CW="dotnet $W/bin/Cartwise.dll --db $W/a.db"
$CW store create bench --currency GBP --time-zone Europe/London >/dev/null
$CW import orders "$DATA" --store bench --format online-retail >/dev/null

median() { # command… → "wall_seconds peak_MB" (median of 3 runs by wall time); the last run's stderr in $W/err
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$W/t" "$@" >/dev/null 2>"$W/err" || { cat "$W/err"; exit 1; }
    tail -1 "$W/t"
  done | sort -n | sed -n 2p | awk '{printf "%.2f %d\n", $1, $2 / 1024}'
}

read -r base _ < <(median $CW store list)
echo "| run | wall s (whole process) | over start-up | in the process | peak MB |"
echo "| --- | ---: | ---: | ---: | ---: |"
printf '| baseline: cartwise store list | %s | | | |\n' "$base"
for r in orders repeat cohorts threshold paths attribution; do
  read -r secs mb < <(median $CW report $r --store bench --format json)
  inner=$(grep -o 'done in [0-9.]* s' "$W/err" | grep -o '[0-9.]*' || echo "?")
  printf '| report %s | %s | %.2f | %s | %s |\n' "$r" "$secs" "$(echo "$secs - $base" | bc)" "$inner" "$mb"
done
read -r secs mb < <(median $CW report rfm --store bench --recompute --format json)
inner=$(grep -o 'in [0-9.]* s$' "$W/err" | head -1 | grep -o '[0-9.]*' || echo "?")
printf '| report rfm --recompute (%s customers) | %s | %.2f | %s | %s |\n' "$(grep -o 'scored [0-9,]*' "$W/err" | grep -o '[0-9,]*$')" "$secs" "$(echo "$secs - $base" | bc)" "$inner" "$mb"

# 10,000 distinct paths of 1–6 steps over 12 channels, a quarter converting.
python3 - "$W/paths.csv" <<'PY'
import random, sys
random.seed(3)
channels = ["google / cpc", "google / organic", "facebook / paid", "newsletter / email", "email / Cart reminder", "direct",
            "referral / blog.example", "bing / cpc", "instagram / social", "affiliate / partner", "email / After purchase", "tiktok / paid"]
seen = set()
with open(sys.argv[1], "w") as f:
    f.write("path;total_conversions;total_conversion_value;total_null\n")
    while len(seen) < 10_000:
        p = " > ".join(random.choice(channels) for _ in range(random.randint(1, 6)))
        if p in seen: continue
        seen.add(p)
        conv = random.randint(0, 3) if random.random() < 0.25 else 0
        f.write(f"{p};{conv};{conv * random.randint(20, 400)};{random.randint(1, 20)}\n")
PY
read -r py_s py_mb < <(median python3 -c "import sys; print(sum(len(l.split(';')[0].split(' > ')) for l in open(sys.argv[1])))" "$W/paths.csv")
read -r secs mb < <(median dotnet "$W/bin/Cartwise.dll" attribution --input "$W/paths.csv" --model all --json)
printf '| baseline: python3 reading and splitting the 10,000 paths | %s | | | %s |\n' "$py_s" "$py_mb"
printf '| cartwise attribution --model all (10,000 paths, 6 models) | %s | ×%.1f of the baseline | | %s |\n' "$secs" "$(echo "$secs / $py_s" | bc -l)" "$mb"
