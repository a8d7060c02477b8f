#!/usr/bin/env bash
# The whole test suite, from a fresh clone or a warm tree:
#   1. setup (Node 22, npm ci + build, the Pulumi toolchain) and the Debian packages the tests need
#      (mingw-w64 for the header conformance test and the Windows DLL, Wine for the Windows suite);
#   2. the Linux suites with jest (unit, vectors, CLI, conformance, simulator, binding, provider,
#      schema, examples, the Pulumi engine, the type check) -> .test-results/linux.json;
#   3. the Windows suite under Wine with the Windows node.exe -> .test-results/windows.json;
#   4. the parity tier: hcsshim v0.12.9's own CreateWCOW under Wine against render and create
#      (scripts/test-parity.sh, docs/parity.md) -> .test-results/parity.json;
#   5. one last line, counted from the three jest JSON files: "N passed, N failed".
# Extra arguments go to the Linux jest run (e.g. a path filter).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RESULTS="$ROOT/.test-results"
mkdir -p "$RESULTS"
rm -f "$RESULTS/linux.json" "$RESULTS/windows.json" "$RESULTS/parity.json"

bash scripts/ensure-debian-packages.sh || { echo "test: the Debian packages the tests need are missing"; echo "0 passed, 1 failed"; exit 1; }
source scripts/setup.sh || { echo "test: setup failed"; echo "0 passed, 1 failed"; exit 1; }

T0=$SECONDS
# The Wine check of the simulator's DLL belongs to the full run (Wine is installed by now).
PULUMI_HCS_SIM_WINE_TEST=1 npx jest --maxWorkers=2 --json --outputFile="$RESULTS/linux.json" "$@"
echo "test: Linux suites took $((SECONDS - T0)) s"

T1=$SECONDS
bash scripts/test-windows.sh
echo "test: Windows suite took $((SECONDS - T1)) s"

T2=$SECONDS
bash scripts/test-parity.sh
echo "test: parity tier took $((SECONDS - T2)) s"

node scripts/count-results.js "$RESULTS/linux.json" "$RESULTS/windows.json" "$RESULTS/parity.json"
