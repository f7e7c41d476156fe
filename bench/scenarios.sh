#!/usr/bin/env bash
# The full UCI Online Retail history through an active cross-selling scenario (5 rules) and a post-purchase scenario
# (4 tiers) on SQLite: events/s through the live engine with decisions and outbox rows stored, against reading alone.
# The years-old history counts as live here (Scenarios:HistoryHorizonHours raised for the run).
# Usage: bench/scenarios.sh [path/to/online_retail.csv.gz]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets/online_retail.csv.gz}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
dotnet build bench/Cartwise.Benchmarks -c Release -o "$W/bench" >"$W/build.log" 2>&1 || { tail -5 "$W/build.log"; exit 1; }
# The pass runs in this process with the garbage collector `cartwise serve` runs with (server GC: Cartwise is an
# ASP.NET Core application); the workstation collector of a console process paused it three times as long.
DOTNET_gcServer=1 dotnet "$W/bench/Cartwise.Benchmarks.dll" load-scenarios --data "$(realpath "$DATA")" --feed "$PWD/src/Cartwise/Demo/demo-feed.xml.gz" | grep -v ' info: '
