#!/usr/bin/env bash
# Keeps each packable project's PublicAPI.Unshipped.txt in step with its code: removes entries of symbols
# that no longer exist (RS0017, from the build's diagnostics) and appends new public symbols (RS0016 code
# fix via dotnet format). Review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
for api in */PublicAPI.Unshipped.txt; do
  project="$(dirname "$api")"
  stale="$(dotnet build "$project/$project.csproj" -c Release --no-incremental 2>&1 \
    | grep -o "PublicAPI.Unshipped.txt([0-9]*,[0-9]*): error RS0017" | sed 's/.*(\([0-9]*\),.*/\1/' | sort -rnu || true)"
  for line in $stale; do
    sed -i "${line}d" "$api"
  done
  dotnet format analyzers "$project/$project.csproj" --diagnostics RS0016 --severity warn "$@"
done
