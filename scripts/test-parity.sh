#!/usr/bin/env bash
# The parity tier: hcsshim v0.12.9's own CreateWCOW, run under Wine, judges the documents pulumi-hcs
# sends and what it refuses (docs/parity.md).
#
#   scripts/test-parity.sh                    every golden vector + 300 random cases (seed fixed)
#   scripts/test-parity.sh --write-fixtures   the same, and rewrite test/vectors/cases' expectations
#                                             from hcsshim's answers
#   scripts/test-parity.sh --setup-only       build everything, run nothing
#   PULUMI_HCS_PARITY_RUNS=2000 PULUMI_HCS_PARITY_SEED=7 scripts/test-parity.sh   more cases, another seed
#   PULUMI_HCS_PARITY_SHRINK_SECONDS=0     do not shrink a disagreeing random case (default: up to 120 s)
#   PULUMI_HCS_PARITY_PROVIDER=DIR         judge another checkout's built provider folder instead
#
# Phases, each skipped or quick when already done:
#   packages  Debian wine64, wine, mingw-w64 (scripts/ensure-debian-packages.sh, as root)
#   hcsshim   github.com/Microsoft/hcsshim@v0.12.9 from the Go module proxy (go mod download; its h1: sum
#             is pinned below), copied to .tools/parity/hcsshim and checked file for file against the
#             download, so nothing of hcsshim is changed
#   harness   test/parity/harness/main.go added to the copy as cmd/pulumi-hcs-parity and built for
#             Windows (GOOS=windows, no cgo) -> .tools/parity/bin/pulumi-hcs-parity.exe
#   dlls      the stand-in vmcompute.dll (test/parity/harness/vmcompute.c) and the bcryptprimitives.dll
#             shim Go needs on Wine 8 (scripts/windows/bcryptprimitives.c), built with mingw-w64
#   prefix    the tier's own Wine prefix .tools/parity/prefix (win10, Wine's version key removed so the
#             build comes from the registry), both DLLs in its system32
#   provider  tsc -b provider and the simulator's library (the project runner uses the built provider)
#   jest      test/parity/parity.test.ts -> .test-results/parity.json; the report with the parity line
#             and every difference -> .test-results/parity-report.json
# Last line: "parity: N passed, N failed".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

HCSSHIM_MODULE=github.com/Microsoft/hcsshim
HCSSHIM_VERSION=v0.12.9
HCSSHIM_SUM="h1:2zJy5KA+l0loz1HzEGqyNnjd3fyZA31ZBCGKacp6lLg="
GO_PROXY_URL="${PULUMI_HCS_GOPROXY:-https://proxy.golang.org}"   # nothing but the proxy

PARITY_DIR="$ROOT/.tools/parity"
SOURCE="$PARITY_DIR/hcsshim"
HARNESS="$PARITY_DIR/bin/pulumi-hcs-parity.exe"
BUILD="$PARITY_DIR/build"
LOGS="$PARITY_DIR/logs"
export WINEPREFIX="$PARITY_DIR/prefix" WINEDEBUG=-all WINEARCH=win64

write_fixtures=0 setup_only=0
for arg in "$@"; do
    case "$arg" in
        --write-fixtures) write_fixtures=1 ;;
        --setup-only) setup_only=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "test-parity: unknown argument $arg (try --help)" >&2; exit 2 ;;
    esac
done

log() { printf '[parity] %s\n' "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
started="$(now)"
timings=()
phase_started=""
phase_begin() { phase_started="$(now)"; }
phase_end() { local s; s="$(since "$phase_started")"; timings+=("$1 ${s}s"); log "phase $1: ${s} s ($2)"; }
fail() { log "$*"; echo "parity: 0 passed, 1 failed"; exit 1; }

mkdir -p "$PARITY_DIR" "$BUILD" "$LOGS" .test-results
exec 9>"$PARITY_DIR/.lock"
flock -n 9 || { log "another scripts/test-parity.sh holds $PARITY_DIR/.lock; waiting for it"; flock 9; }

wineserver_started=0
cleanup() {
    if [ "$wineserver_started" -eq 1 ]; then wineserver -k 2>/dev/null || true; wineserver -w 2>/dev/null || true; fi
}
trap cleanup EXIT

# --- packages ---------------------------------------------------------------------------------------
phase_begin
bash scripts/ensure-debian-packages.sh || fail "the Debian packages the tier needs are missing"
# shellcheck disable=SC1091
source scripts/ensure-node.sh
# Run alone on a fresh clone, the tier needs the workspace installed and built (test.sh did it already).
# shellcheck disable=SC1091
[ -d node_modules ] || source scripts/setup.sh || fail "setup failed"
command -v go >/dev/null 2>&1 || fail "'go' is not on PATH: install Go (the Pulumi CLI build needs it too; docs/pulumi-toolchain.md)"
command -v taskset >/dev/null 2>&1 || fail "'taskset' (util-linux) is not on PATH"
phase_end packages "$(wine --version), $(go version | cut -d' ' -f3)"

# --- hcsshim: the module, unmodified ----------------------------------------------------------------
phase_begin
download="$(GOPROXY="$GO_PROXY_URL" GOFLAGS=-mod=mod go mod download -json "$HCSSHIM_MODULE@$HCSSHIM_VERSION" 2>"$LOGS/go-mod-download.txt")" \
    || { cat "$LOGS/go-mod-download.txt" >&2; fail "go mod download $HCSSHIM_MODULE@$HCSSHIM_VERSION failed (GOPROXY $GO_PROXY_URL)"; }
module_dir="$(node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).Dir' <<<"$download")"
module_sum="$(node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).Sum' <<<"$download")"
[ "$module_sum" = "$HCSSHIM_SUM" ] || fail "$HCSSHIM_MODULE@$HCSSHIM_VERSION has sum $module_sum, not the pinned $HCSSHIM_SUM"
if [ "$(cat "$SOURCE/.parity-source" 2>/dev/null)" != "$HCSSHIM_SUM" ]; then
    rm -rf "$SOURCE"
    cp -r "$module_dir" "$SOURCE"
    chmod -R u+w "$SOURCE"
    echo "$HCSSHIM_SUM" >"$SOURCE/.parity-source"
    detail="copied from $module_dir"
else
    detail="copy present"
fi
mkdir -p "$SOURCE/cmd/pulumi-hcs-parity"
cp test/parity/harness/main.go "$SOURCE/cmd/pulumi-hcs-parity/main.go"
# Nothing of hcsshim may differ from the download: only our harness and the stamp are added.
changes="$(diff -rq "$module_dir" "$SOURCE" || true)"
expected="$(printf 'Only in %s: .parity-source\nOnly in %s/cmd: pulumi-hcs-parity' "$SOURCE" "$SOURCE")"
[ "$changes" = "$expected" ] || fail "the copy of hcsshim in $SOURCE differs from the module: $changes"
phase_end hcsshim "$HCSSHIM_MODULE@$HCSSHIM_VERSION $module_sum; $detail; identical to the module but for the harness"

# --- harness ------------------------------------------------------------------------------------------
phase_begin
mkdir -p "$(dirname "$HARNESS")"
(cd "$SOURCE" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY="$GO_PROXY_URL" \
    go build -trimpath -o "$HARNESS" ./cmd/pulumi-hcs-parity) >"$LOGS/go-build.txt" 2>&1 \
    || { cat "$LOGS/go-build.txt" >&2; fail "building the harness failed"; }
phase_end harness "go build GOOS=windows -> ${HARNESS#"$ROOT"/}"

# --- dlls -----------------------------------------------------------------------------------------------
phase_begin
built=()
mingw() { x86_64-w64-mingw32-gcc -std=c11 -O2 -Wall -Wextra -Werror -shared -static-libgcc "$@"; }
if [ ! -f "$BUILD/vmcompute.dll" ] || [ test/parity/harness/vmcompute.c -nt "$BUILD/vmcompute.dll" ] || [ test/parity/harness/vmcompute.def -nt "$BUILD/vmcompute.dll" ]; then
    mingw -o "$BUILD/vmcompute.dll" test/parity/harness/vmcompute.c test/parity/harness/vmcompute.def -lole32
    built+=(vmcompute.dll)
fi
if [ ! -f "$BUILD/bcryptprimitives.dll" ] || [ scripts/windows/bcryptprimitives.c -nt "$BUILD/bcryptprimitives.dll" ]; then
    mingw -o "$BUILD/bcryptprimitives.dll" scripts/windows/bcryptprimitives.c -ladvapi32
    built+=(bcryptprimitives.dll)
fi
phase_end dlls "${built[*]:-up to date}"

# --- prefix -------------------------------------------------------------------------------------------
phase_begin
wine_version="$(wine --version)"
stamp="$WINEPREFIX/.pulumi-hcs-parity"
if [ "$(cat "$stamp" 2>/dev/null)" = "$wine_version win10 registry-build" ]; then
    wineserver -p 2>/dev/null || true
    wineserver_started=1
    detail="existing prefix; wineserver started"
else
    wineserver -k 2>/dev/null || true
    rm -rf "$WINEPREFIX"
    mkdir -p "$WINEPREFIX"
    wineserver -p 2>/dev/null || true
    wineserver_started=1
    WINEDLLOVERRIDES="mscoree,mshtml=" wine wineboot -i >"$LOGS/wineboot.txt" 2>&1 || { cat "$LOGS/wineboot.txt" >&2; fail "wineboot -i failed"; }
    # win10 writes Windows 10's values under HKLM\...\CurrentVersion; with no Version value under
    # HKCU\Software\Wine, Wine then reports the build those values name, which each run sets.
    wine winecfg /v win10 >"$LOGS/winecfg.txt" 2>&1 || { cat "$LOGS/winecfg.txt" >&2; fail "winecfg /v win10 failed"; }
    wine reg delete 'HKCU\Software\Wine' /v Version /f >/dev/null 2>&1 || true
    echo "$wine_version win10 registry-build" >"$stamp"
    detail="created ($wine_version)"
fi
for dll in vmcompute.dll bcryptprimitives.dll; do
    cmp -s "$BUILD/$dll" "$WINEPREFIX/drive_c/windows/system32/$dll" || cp "$BUILD/$dll" "$WINEPREFIX/drive_c/windows/system32/$dll"
done
phase_end prefix "$detail; vmcompute.dll and bcryptprimitives.dll in system32"

# --- provider -------------------------------------------------------------------------------------------
phase_begin
npx --no-install tsc -b provider >"$LOGS/tsc-provider.txt" 2>&1 || { cat "$LOGS/tsc-provider.txt" >&2; fail "tsc -b provider failed"; }
node provider/sim/native/build.js >"$LOGS/build-sim.txt" 2>&1 || { cat "$LOGS/build-sim.txt" >&2; fail "building the simulator's library failed"; }
phase_end provider "tsc -b provider; simulator library"

if [ "$setup_only" -eq 1 ]; then
    log "setup done in $(since "$started") s: ${timings[*]}"
    exit 0
fi

# --- jest -----------------------------------------------------------------------------------------------
phase_begin
result=.test-results/parity.json
rm -f "$result" .test-results/parity-report.json
export PULUMI_HCS_PARITY_HARNESS="$HARNESS" PULUMI_HCS_PARITY_PREFIX="$WINEPREFIX" PULUMI_HCS_PARITY_WORK="$PARITY_DIR/work"
[ "$write_fixtures" -eq 1 ] && export PULUMI_HCS_PARITY_WRITE_FIXTURES=1
jest_rc=0
npx --no-install jest --config test/parity/jest.parity.config.js --ci --json --outputFile "$result" \
    >"$LOGS/jest.stdout.txt" 2>"$LOGS/jest.stderr.txt" || jest_rc=$?
phase_end jest "rc $jest_rc; jest's output in ${LOGS#"$ROOT"/}/jest.*.txt"

log "timings: ${timings[*]}; total $(since "$started") s"
[ -s .test-results/parity-report.json ] && node -e '
    const r = require(process.argv[1]);
    console.log(`${r.line} (seed ${r.seed}, ${r.randomCases} random cases; ${r.timings.casesPerMinute} cases/min)`);
    for (const d of r.differences) console.log(`  ${d.name} (${d.kind}): ${d.problems.join("\n    ")}`);
' "$ROOT/.test-results/parity-report.json"
if [ ! -s "$result" ]; then
    tail -50 "$LOGS/jest.stderr.txt" >&2
    echo "parity: 0 passed, 1 failed"
    exit 1
fi
# shellcheck disable=SC2016
node -e '
    const r = require(process.argv[1]);
    const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
    if (r.numRuntimeErrorTestSuites) console.error(r.testResults.map((t) => t.message).join("\n").slice(0, 4000));
    console.log(`parity: ${r.numPassedTests} passed, ${failed} failed`);
    process.exitCode = failed === 0 && r.numTotalTests > 0 ? 0 : 1;
' "$ROOT/$result"
