#!/usr/bin/env bash
# The tracking fuzz test at full size: 100,000 generated bodies per engine (SQLite, and PostgreSQL when
# CARTWISE_TEST_POSTGRES names a server), asserting no 5xx and that stored counts equal the events answered stored.
# Usage: bench/fuzz-tracking.sh [bodies, default 100000]; CARTWISE_FUZZ_SEED=<seed> replays a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARTWISE_FUZZ_BODIES=${1:-100000}
start=$(date +%s)
dotnet test tests/Cartwise.Tests -c Release --filter "FullyQualifiedName~TrackingFuzzTests" 2>&1 | grep -E "Passed!|Failed!|Failed |Error Message|Assert" -A3
echo "fuzz-tracking: $CARTWISE_FUZZ_BODIES bodies per engine in $(( $(date +%s) - start )) s"
