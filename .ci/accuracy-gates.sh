#!/usr/bin/env bash
# Runs every .ci/accuracy-gate-*.sh (each skips itself when ../shared/datasets is absent); fails when any gate fails.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for gate in .ci/accuracy-gate-*.sh; do
  [ -f "$gate" ] || continue
  echo "--- $gate"
  bash "$gate" || status=1
done
exit $status
