#!/usr/bin/env bash
# The whole test suite, from a fresh clone or a warm tree:
#   1. setup (Node 22, npm ci + build, the Pulumi toolchain) and the Debian packages the tests need
#      (mingw-w64 for the header conformance test and the Windows DLL, Wine for the Windows suite);
#   2. the host agent API's compatibility check (scripts/check-proto-compat.js: v1 is add-only), before
#      any suite, so a broken v1 is the first thing in the log; the script fails when it fails (its jest
#      twin, test/proto, carries the failure into the count below);
#   3. the Linux suites with jest (unit, vectors, CLI, conformance, simulator, binding, provider,
#      schema, examples, the Pulumi engine, the type check) -> .test-results/linux.json;
#   4. the agent tier: the Pulumi engine suites again with every VM on a host agent in front of its
#      simulator (jest.via-agent.config.js names the files left out, and why) -> .test-results/engine-agent.json;
#   5. the Windows suite under Wine with the Windows node.exe -> .test-results/windows.json;
#   6. the parity tier: hcsshim v0.12.9's own CreateWCOW under Wine against render and create
#      (scripts/test-parity.sh, docs/parity.md) -> .test-results/parity.json;
#   7. one last line, counted from the four jest JSON files: "N passed, N failed".
# Extra arguments go to the Linux jest run (e.g. a path filter).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RESULTS="$ROOT/.test-results"
mkdir -p "$RESULTS"
rm -f "$RESULTS/linux.json" "$RESULTS/engine-agent.json" "$RESULTS/windows.json" "$RESULTS/parity.json"

bash scripts/ensure-debian-packages.sh || { echo "test: the Debian packages the tests need are missing"; echo "0 passed, 1 failed"; exit 1; }
source scripts/setup.sh || { echo "test: setup failed"; echo "0 passed, 1 failed"; exit 1; }

echo "test: host agent API v1 compatibility (node scripts/check-proto-compat.js)"
node scripts/check-proto-compat.js
PROTO_COMPAT_STATUS=$?

T0=$SECONDS
# The Wine check of the simulator's DLL belongs to the full run (Wine is installed by now).
PULUMI_HCS_SIM_WINE_TEST=1 npx jest --maxWorkers=2 --json --outputFile="$RESULTS/linux.json" "$@"
echo "test: Linux suites took $((SECONDS - T0)) s"

TA=$SECONDS
npx jest -c jest.via-agent.config.js --maxWorkers=2 --json --outputFile="$RESULTS/engine-agent.json"
echo "test: agent tier (engine suites through a host agent) took $((SECONDS - TA)) s"

T1=$SECONDS
bash scripts/test-windows.sh
echo "test: Windows suite took $((SECONDS - T1)) s"

T2=$SECONDS
bash scripts/test-parity.sh
echo "test: parity tier took $((SECONDS - T2)) s"

[ "$PROTO_COMPAT_STATUS" -eq 0 ] || echo "test: the host agent API v1 compatibility check failed (see its lines at the start)"
node scripts/count-results.js "$RESULTS/linux.json" "$RESULTS/engine-agent.json" "$RESULTS/windows.json" "$RESULTS/parity.json"
COUNT_STATUS=$?
[ "$PROTO_COMPAT_STATUS" -eq 0 ] || exit 1
exit "$COUNT_STATUS"
