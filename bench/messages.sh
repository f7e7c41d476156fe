#!/usr/bin/env bash
# Message rendering and delivery: the demo's post-purchase message (PURCHASED, RECOMMENDED, COUPON) rendered for real
# demo customers and sent through the outbox into a local SMTP sink, against the renderer alone and raw MailKit sends.
# The sink is Postfix's smtp-sink (C; Debian package postfix) when installed, else aiosmtpd (a Python process on the
# same cores, which then is the ceiling).
# Also on PostgreSQL when CARTWISE_BENCH_POSTGRES names a server (e.g. postgres://cartwise:cartwise@127.0.0.1/postgres).
# Usage: bench/messages.sh [count]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-3000}
W=$(mktemp -d)
dotnet build bench/Cartwise.Benchmarks -c Release -o "$W/bench" >"$W/build.log" 2>&1 || { tail -5 "$W/build.log"; exit 1; }
if [ -x /usr/sbin/smtp-sink ]; then
  /usr/sbin/smtp-sink -u nobody 127.0.0.1:2599 1000 >/dev/null 2>&1 &
else
  /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:2599 -c aiosmtpd.handlers.Sink >/dev/null 2>&1 &
fi
SMTP=$!
trap 'kill $SMTP 2>/dev/null; rm -rf "$W"' EXIT
sleep 1
# The outbox runs in this process with the garbage collector `cartwise serve` runs with (server GC: Cartwise is an
# ASP.NET Core application), and so does the raw MailKit baseline.
export DOTNET_gcServer=1
(cd "$W" && dotnet bench/Cartwise.Benchmarks.dll load-messages --smtp smtp://127.0.0.1:2599 --count "$COUNT") | grep -v '^Demo store\|^  \| info: '
if [ -n "${CARTWISE_BENCH_POSTGRES:-}" ]; then
  db="cw_bench_messages_$$"
  psql "$CARTWISE_BENCH_POSTGRES" -qc "CREATE DATABASE $db" >/dev/null
  (cd "$W" && dotnet bench/Cartwise.Benchmarks.dll load-messages --smtp smtp://127.0.0.1:2599 --count "$COUNT" --db "${CARTWISE_BENCH_POSTGRES%/*}/$db") | grep -v '^Demo store\|^  \| info: '
  psql "$CARTWISE_BENCH_POSTGRES" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
fi
