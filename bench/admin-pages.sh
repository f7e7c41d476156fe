#!/usr/bin/env bash
# Admin app pages on a large store: the full UCI Online Retail history (541,909 rows) imported into one store and
# the demo's product feed (categories) and mined, then each page fetched by a signed-in client. Reports the median of 9 fetches per page (loopback HTTP, so
# almost all of it is server time) and, as the baseline of the same run, /livez (no I/O).
# Usage: bench/admin-pages.sh [path/to/online_retail.csv.gz]   (CARTWISE_BENCH_POSTGRES=postgres://… adds PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets/online_retail.csv.gz}
W=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
dotnet build src/Cartwise -c Release -o "$W/bin" >"$W/build.log" 2>&1 || { tail -5 "$W/build.log"; exit 1; }
CW="dotnet $W/bin/Cartwise.dll"

run() { # label, database
  local label=$1 db=$2
  (cd "$W" && $CW store create bench --currency GBP --country GB --time-zone Europe/London --db "$db" >/dev/null)
  $CW import orders "$DATA" --store bench --format online-retail --db "$db" >"$W/import.log" 2>&1 || { tail -5 "$W/import.log"; exit 1; }
  # Categories come from a feed: the demo's (built from the same shop's products).
  $CW import feed src/Cartwise/Demo/demo-feed.xml.gz --store bench --db "$db" >"$W/feed.log" 2>&1 || { tail -5 "$W/feed.log"; exit 1; }
  $CW mine --store bench --db "$db" >"$W/mine.log" 2>&1 || { tail -5 "$W/mine.log"; exit 1; }
  echo "bench-password" | $CW user create bench@cartwise.local --store bench --password-stdin --db "$db" >/dev/null
  local port
  port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
  (cd "$W" && $CW serve --db "$db" --urls "http://127.0.0.1:$port" >"$W/serve.log" 2>&1) &
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  echo "### $label"
  python3 - "http://127.0.0.1:$port" <<'PY'
import http.cookiejar, re, statistics, sys, time, urllib.parse, urllib.request
base = sys.argv[1]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
def get(path):
    with opener.open(base + path) as r:
        return r.status, r.read().decode()
_, login = get("/login")
chunk = next(c for c in login.split("<form") if 'name="_handler"' in c)
form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', chunk))
form.update({"Form.Email": "bench@cartwise.local", "Form.Password": "bench-password"})
opener.open(base + "/login", urllib.parse.urlencode(form).encode()).read()
_, overview = get("/")
assert "Sign out" in overview, "sign-in failed"
# 14911 has the longest history of the file (248 invoices, 5,900 lines).
_, customers = get("/customers?q=14911")
m = re.search(r'href="/customers/(\d+)"', customers)
assert m, customers[customers.find("<main"):][:600]
customer = m.group(1)
_, tree = get("/catalog")
category = re.search(r'href="/catalog\?category=(\d+)"', tree).group(1)
pages = ["/livez", "/", "/catalog", "/catalog?q=heart", f"/catalog?category={category}", "/catalog?availability=unavailable",
         "/customers", "/customers?q=1234", f"/customers/{customer}", "/recommendations?cart=85123A", "/recommendations?q=heart",
         "/recommendations?cart=85123A,22423,47566", "/recommendations/rules", "/recommendations/rules?sort=support&after=500",
         "/recommendations/rules?level=category", "/outbox", "/settings"]
print("| page | median ms (9 fetches) | × /livez |")
print("| --- | ---: | ---: |")
livez = None
for p in pages:
    get(p)  # warm
    times = []
    for _ in range(9):
        t = time.perf_counter(); status, _ = get(p); times.append((time.perf_counter() - t) * 1000)
        assert status == 200, (p, status)
    m = statistics.median(times)
    livez = livez or m
    print(f"| `{p}` | {m:.1f} | {m / livez:.0f} |")
PY
  kill %1 2>/dev/null || true; wait 2>/dev/null || true
}

run "SQLite" "$W/s.db"
if [ -n "${CARTWISE_BENCH_POSTGRES:-}" ]; then
  db="cw_pages_$$"
  psql "$CARTWISE_BENCH_POSTGRES" -qc "CREATE DATABASE $db" >/dev/null
  run "PostgreSQL" "${CARTWISE_BENCH_POSTGRES%/*}/$db"
  psql "$CARTWISE_BENCH_POSTGRES" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
fi
