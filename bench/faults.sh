#!/usr/bin/env bash
# Several cartwise serve nodes on one PostgreSQL under a compressed day of a large shop, with a node killed (SIGKILL)
# every 30–90 s and PostgreSQL restarted once, compared with one node running the same day without faults.
# Needs a local PostgreSQL this user may restart (the default restart command is Debian's pg_ctlcluster, run as root).
# Usage: bench/faults.sh [--visitors 200000] [--events 2000000] [--nodes 3] [--pg postgres://cartwise:cartwise@127.0.0.1/postgres]
#        [--pg-restart "pg_ctlcluster 15 main restart"] [--kill 30-90] [--json result.json]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/Cartwise.Benchmarks -c Release >/dev/null
exec dotnet bench/Cartwise.Benchmarks/bin/Release/net10.0/Cartwise.Benchmarks.dll faults "$@"
