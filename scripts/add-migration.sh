#!/usr/bin/env bash
# Adds an EF Core migration for both engines: scripts/add-migration.sh <Name>
set -euo pipefail
name=${1:?usage: scripts/add-migration.sh <Name>}
cd "$(dirname "$0")/../src/Cartwise"
dotnet tool restore >/dev/null
for engine in Sqlite Postgres; do
  dotnet tool run dotnet-ef migrations add "$name" --context ${engine}CartwiseDb \
    --output-dir Data/Migrations/$engine --namespace Cartwise.Data.Migrations.$engine
  # dotnet-ef places the model snapshot by namespace; keep it beside the migrations.
  if [ -f Cartwise/Data/Migrations/$engine/${engine}CartwiseDbModelSnapshot.cs ]; then
    mv Cartwise/Data/Migrations/$engine/${engine}CartwiseDbModelSnapshot.cs Data/Migrations/$engine/
  fi
done
rm -rf Cartwise design.db design.db-*
