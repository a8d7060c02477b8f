#!/usr/bin/env bash
# Runs the Windows node.exe under Wine: scripts/windows/run-under-wine.sh [--label NAME] [--quiet] [--] NODE_ARGS...
#
#   scripts/windows/run-under-wine.sh -e "console.log(process.platform, require('koffi').version)"
#   scripts/windows/run-under-wine.sh --label demo path/to/script.js arg1
#
# node.exe's stdout and stderr go to files (.tools/win/logs/NAME.stdout.txt / NAME.stderr.txt):
# under Wine a Linux pipe or socket as stdout makes the first console.log throw `Error: open EBADF`.
# The files are printed afterwards (stdout to stdout, stderr to stderr; with --quiet only where they
# are) and the script exits with node's exit code (124 if PULUMI_HCS_WINE_TIMEOUT seconds pass,
# default 900).
#
# Every run preloads scripts/windows/app-modules.cjs through NODE_OPTIONS, so that it and every
# node.exe it spawns (the CLI, test fixtures) find the win32 packages in .tools/win/app for bare
# requires from the repo's files, as a Windows checkout's own node_modules would give them. It also
# gets PULUMI_HCS_EXPECT_WINDOWS=1, PULUMI_HCS_WIN_APP and PULUMI_HCS_WIN_BUILD (Z:\ paths). Linux
# paths in arguments work as they are while the current directory is on the Linux file system
# (Wine's drive Z:), e.g. /work/x.js means Z:\work\x.js.
#
# The wineserver is kept warm between runs: if none is running for the prefix, this starts one that
# lingers PULUMI_HCS_WINESERVER_LINGER seconds (default 30) after the last Windows process exits.
# scripts/test-windows.sh starts one without a timeout and kills it when it ends. Run
# scripts/test-windows.sh --setup-only once first: it installs node.exe, the win32 packages and the prefix.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

label="node"
quiet=0
while [ $# -gt 0 ]; do
    case "$1" in
        --label) label="$2"; shift 2 ;;
        --label=*) label="${1#--label=}"; shift ;;
        --quiet) quiet=1; shift ;;
        --) shift; break ;;
        *) break ;;
    esac
done
if [ $# -eq 0 ]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
case "$label" in *[!A-Za-z0-9._-]*|'') echo "run-under-wine: --label must be [A-Za-z0-9._-]+, got '$label'" >&2; exit 2 ;; esac

if [ ! -x "$HCS_WINE" ] || [ ! -f "$HCS_WIN_NODE_EXE" ] || [ ! -f "$WINEPREFIX/.pulumi-hcs-prefix" ]; then
    echo "run-under-wine: Wine, $HCS_WIN_NODE_EXE or the prefix $WINEPREFIX is missing: run scripts/test-windows.sh --setup-only" >&2
    exit 2
fi

# Start a wineserver unless one runs for this prefix (then `wineserver -p` exits 2 and changes nothing).
"$HCS_WINESERVER" -p"${PULUMI_HCS_WINESERVER_LINGER:-30}" 2>/dev/null || true

mkdir -p "$HCS_WIN_LOGS"
out="$HCS_WIN_LOGS/$label.stdout.txt"
err="$HCS_WIN_LOGS/$label.stderr.txt"
: >"$out"
: >"$err"

export PULUMI_HCS_EXPECT_WINDOWS=1
# Output goes to files, but Node on win32 colours them anyway unless told not to.
export FORCE_COLOR="${FORCE_COLOR:-0}"
PULUMI_HCS_WIN_APP="$(hcs_winpath "$HCS_WIN_APP")"
PULUMI_HCS_WIN_BUILD="$(hcs_winpath "$HCS_WIN_BUILD")"
export PULUMI_HCS_WIN_APP PULUMI_HCS_WIN_BUILD

# Children spawned with process.execPath get no -r, but they inherit NODE_OPTIONS. Forward slashes:
# inside NODE_OPTIONS' double quotes a backslash escapes the next character.
app_modules="$(hcs_winpath "$HCS_REPO/scripts/windows/app-modules.cjs")"
node_options="--require \"${app_modules//\\//}\""

started="$(hcs_now)"
rc=0
timeout --kill-after=10 "${PULUMI_HCS_WINE_TIMEOUT:-900}" \
    "${HCS_WINE_ENV[@]}" NODE_OPTIONS="$node_options" "$HCS_WINE" "$HCS_WIN_NODE_EXE" "$@" \
    </dev/null >"$out" 2>"$err" || rc=$?
elapsed="$(hcs_since "$started")"

# Print a file, ending it with a newline if node's output did not.
print_file() {
    cat "$1"
    if [ -s "$1" ] && [ -n "$(tail -c1 "$1")" ]; then echo; fi
}
if [ "$quiet" -eq 1 ]; then
    hcs_log "$label: output in ${out#"$HCS_REPO"/} and ${err#"$HCS_REPO"/}"
else
    print_file "$out"
    print_file "$err" >&2
fi
if [ "$rc" -eq 124 ]; then
    hcs_log "$label: node.exe did not finish within ${PULUMI_HCS_WINE_TIMEOUT:-900} s and was killed"
fi
hcs_log "$label: node.exe exited $rc after ${elapsed} s"
exit "$rc"
