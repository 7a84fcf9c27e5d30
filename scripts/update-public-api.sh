#!/usr/bin/env bash
# Appends every new public symbol of each packable project to its PublicAPI.Unshipped.txt (RS0016 code fix)
# and removes entries for symbols that no longer exist (RS0017). Review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
for api in */PublicAPI.Unshipped.txt; do
  project="$(dirname "$api")"
  dotnet format analyzers "$project/$project.csproj" --diagnostics RS0016 RS0017 --severity warn "$@"
done
