#!/usr/bin/env bash
# `npm run soak`: the reliability suite (test/reliability) at its full counts: 40 SIGKILL trials of
# the CLI and 40 of the dynamic-provider process mid-call, every HCS call x fail/hang/crash in
# create, update, refresh and delete, and 100 VMs at --parallel 100. Each trial is recorded in
# .test-results/soak.jsonl; the table (trials, orphans before recovery, converged after it) is
# printed at the end and written to .test-results/soak.md (docs/operations.md reports it).
# Takes about 40 minutes on 2 cores. Not part of the test suite (CI runs the bounded set).
#   PULUMI_HCS_TRIALS=N   trials per kind instead of the full counts
#   PULUMI_HCS_SOAK_SEED  the seed of the random trials (default 20261202)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
REPORT="$ROOT/.test-results/soak.jsonl"
mkdir -p "$ROOT/.test-results"
rm -f "$REPORT"
PULUMI_HCS_SOAK=1 PULUMI_HCS_SOAK_REPORT="$REPORT" npx jest test/reliability --runInBand "$@"
code=$?
node scripts/soak-report.js "$REPORT" "$ROOT/.test-results/soak.md"
exit $code
