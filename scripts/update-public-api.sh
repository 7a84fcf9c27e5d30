#!/usr/bin/env bash
# Appends every new public symbol of the library to PublicAPI.Unshipped.txt (RS0016 code fix), then
# removes entries for symbols that no longer exist (RS0017). Review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet format analyzers SmartCity.Streams/SmartCity.Streams.csproj --diagnostics RS0016 RS0017 --severity warn "$@"
