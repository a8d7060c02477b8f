#!/usr/bin/env bash
# `npm run bench`: pulumi-hcs against the floor (the Pulumi engine with a no-op dynamic provider)
# for `pulumi up`, `preview`, `refresh` and `destroy` of N resources on a simulated host with no
# added latency, state sizes, and the binding's HCS call throughput with and without koffi.
# Results: .bench/results.json, .bench/results.md, .bench/chart.svg (git-ignored); the tables are
# printed at the end. Not part of the test suite. Arguments go to the bench (see bench/src/main.ts):
#   npm run bench -- --sizes 25 --runs 3 --large 0 --profile
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
# The bench and its Pulumi programs (bench/dist, bench/programs/dist; incremental).
node node_modules/typescript/bin/tsc -b bench/programs bench
exec node bench/dist/main.js "$@"
