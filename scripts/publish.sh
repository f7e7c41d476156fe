#!/usr/bin/env bash
# Builds the installable `cartwise` command into dist/:
#   dist/linux-x64/cartwise    self-contained single file: needs no .NET on the machine (about 120 MB)
#   dist/framework/cartwise    framework-dependent: needs the ASP.NET Core 10 runtime, a few MB
# Usage: scripts/publish.sh [output folder, default dist] [both|self-contained|framework, default both]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
kind="${2:-both}"
# A runtime-specific restore differs from the checked-in lock files (they describe the portable build): it writes its
# own lock file under obj/ instead of changing them.
lock="-p:NuGetLockFilePath=obj/publish.packages.lock.json -p:RestoreLockedMode=false"
if [ "$kind" != framework ]; then
  # Everything in the one file (the demo's data too); it unpacks itself under ~/.net on first start.
  dotnet publish src/Cartwise -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -p:IncludeAllContentForSelfExtract=true \
    -p:DebugType=none -p:PublishDocumentationFiles=false $lock -o "$out/linux-x64"
  mv "$out/linux-x64/Cartwise" "$out/linux-x64/cartwise"
  # The admin app serves its script and styles from the executable itself: the static web assets are not used.
  rm -rf "$out/linux-x64/wwwroot" "$out/linux-x64/Cartwise.staticwebassets.endpoints.json"
  echo "self-contained: $out/linux-x64/cartwise"
fi
if [ "$kind" != self-contained ]; then
  dotnet publish src/Cartwise -c Release -p:UseAppHost=true -p:DebugType=none -p:PublishDocumentationFiles=false $lock -o "$out/framework"
  mv "$out/framework/Cartwise" "$out/framework/cartwise"
  rm -rf "$out/framework/wwwroot" "$out/framework/Cartwise.staticwebassets.endpoints.json"
  echo "framework-dependent (needs the ASP.NET Core 10 runtime): $out/framework/cartwise"
fi
