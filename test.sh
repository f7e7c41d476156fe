#!/usr/bin/env bash
# Runs every test of Cartwise. PostgreSQL tests use $CARTWISE_TEST_POSTGRES (a connection string of a role that may
# create databases); without it they try the local server as the postgres user, and are skipped when none answers
# (under CI=true they fail instead). SMTP tests start Debian's aiosmtpd themselves.
set -uo pipefail
cd "$(dirname "$0")"
if [ -z "${CARTWISE_TEST_POSTGRES:-}" ] && command -v pg_lsclusters >/dev/null 2>&1; then
  if pg_lsclusters -h 2>/dev/null | grep -q online; then
    export CARTWISE_TEST_POSTGRES="Host=127.0.0.1;Username=cartwise;Password=cartwise;Database=postgres"
  fi
fi
log=$(mktemp)
dotnet test Cartwise.slnx -c Release "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# One plain closing line for whoever reads the log: totals over every test project.
python3 - "$log" <<'PY'
import re, sys
p = f = s = 0
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"(Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)", line)
    if m: f += int(m.group(2)); p += int(m.group(3)); s += int(m.group(4))
print(f"tests: {p} passed, {f} failed, {s} skipped")
PY
rm -f "$log"
exit $rc
