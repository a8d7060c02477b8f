#!/usr/bin/env bash
# Makes a working Pulumi toolchain available in the git-ignored folder .tools/pulumi/bin:
#   pulumi                         the CLI (engine)
#   pulumi-language-nodejs         the Node.js language host (runs `runtime: nodejs` projects)
#   pulumi-resource-pulumi-nodejs  the dynamic-provider plugin script shipped in node_modules/@pulumi/pulumi
#
# Where the two Go binaries come from, in this order:
#   1. `pulumi` (3.x) and `pulumi-language-nodejs` already on PATH (a real user's install): they are linked
#      into .tools/pulumi/bin, nothing is built.  --build skips this.
#   2. the per-user binary cache ${XDG_CACHE_HOME:-~/.cache}/pulumi-hcs/pulumi-v<version>-<key>/ (override the
#      folder with PULUMI_HCS_CACHE), where the key hashes the wrapper modules' go.mod/go.sum and the build
#      flags: copied (hard-linked) in, nothing is built.
#   3. otherwise they are built with `go` from the Go module proxy through the wrapper modules in
#      tools/pulumi-build/ (go.sum pins every hash, -mod=readonly), then stored in that cache.
# A second run is a no-op (a stamp file records what was installed).  See docs/pulumi-toolchain.md.
#
# Usage: scripts/install-pulumi.sh [--build] [--rebuild] [--quiet]
#   --build    ignore a pulumi found on PATH; use the pinned build (cache or go build)
#   --rebuild  ignore the install stamp and the binary cache; build again with go (implies --build)
#   --quiet    print only warnings, errors and the final line
# Environment: PULUMI_HCS_USE_PATH=0 (same as --build), PULUMI_HCS_CACHE (binary cache folder),
#   PULUMI_HCS_GOPROXY (default https://proxy.golang.org; never "direct").  Go's own GOMODCACHE/GOCACHE
#   stay at their per-user defaults (`go env GOMODCACHE GOCACHE`), outside the clone.
set -euo pipefail

T0=$EPOCHREALTIME
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# ---- pinned versions ------------------------------------------------------------------------------
PULUMI_VERSION=3.274.1       # github.com/pulumi/pulumi/pkg/v3 (CLI) and sdk/v3; newest served by the Go proxy
LANGHOST_SDK_VERSION=3.68.0  # newest sdk/v3 that still contains nodejs/cmd/pulumi-language-nodejs (see docs)
CLI_PKG=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
LANGHOST_PKG=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
VERSION_VAR=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
BUILD_TAGS=osusergo,grpcnotrace
LDFLAGS_CLI="-s -w -X $VERSION_VAR=v$PULUMI_VERSION"
LDFLAGS_LANGHOST="-s -w -X $VERSION_VAR=v$LANGHOST_SDK_VERSION"
GO_PROXY_URL="${PULUMI_HCS_GOPROXY:-https://proxy.golang.org}"   # no ",direct": nothing but the proxy

BUILD_DIR="$ROOT/tools/pulumi-build"
LANGHOST_DIR="$BUILD_DIR/nodejs-langhost"
TOOLS_DIR="$ROOT/.tools/pulumi"
BIN="$TOOLS_DIR/bin"
STAMP="$TOOLS_DIR/installed"
LOG="$TOOLS_DIR/build.log"
PLUGIN_SRC="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
CACHE_ROOT="${PULUMI_HCS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-hcs}"   # Go's GOCACHE also defaults under XDG_CACHE_HOME

USE_PATH=1 REBUILD=0 QUIET=0
[ "${PULUMI_HCS_USE_PATH:-1}" = 0 ] && USE_PATH=0
for arg in "$@"; do
  case "$arg" in
    --build) USE_PATH=0 ;;
    --rebuild) USE_PATH=0 REBUILD=1 ;;
    --quiet) QUIET=1 ;;
    -h|--help) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-pulumi: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

say() { [ "$QUIET" = 1 ] || echo "install-pulumi: $*"; }
warn() { echo "install-pulumi: $*" >&2; }
die() { echo "install-pulumi: error: $*" >&2; exit 1; }
elapsed() { awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2fs", b - a }'; }
finish() { echo "install-pulumi: $1 in $(elapsed) -> ${BIN#"$ROOT"/}"; }

# The cache key: everything that decides the bytes of the two binaries.
compute_key() {
  {
    echo "pulumi=$PULUMI_VERSION langhost=$LANGHOST_SDK_VERSION tags=$BUILD_TAGS"
    echo "cli=$CLI_PKG $LDFLAGS_CLI"
    echo "langhost=$LANGHOST_PKG $LDFLAGS_LANGHOST"
    echo "flags=-trimpath -buildvcs=false -mod=readonly CGO_ENABLED=0"
    cat "$BUILD_DIR/go.mod" "$BUILD_DIR/go.sum" "$LANGHOST_DIR/go.mod" "$LANGHOST_DIR/go.sum"
  } | sha256sum | cut -c1-16
}

# Copy the dynamic-provider plugin script next to the CLI (the engine looks there for bundled plugins).
install_plugin_script() {
  if [ ! -f "$PLUGIN_SRC" ]; then
    die "$PLUGIN_SRC is missing: run 'npm ci' (or 'npm install') in $ROOT first, then run this script again"
  fi
  if ! cmp -s "$PLUGIN_SRC" "$BIN/pulumi-resource-pulumi-nodejs" 2>/dev/null; then
    rm -f "$BIN/pulumi-resource-pulumi-nodejs"
    cp "$PLUGIN_SRC" "$BIN/pulumi-resource-pulumi-nodejs"
  fi
  chmod 755 "$BIN/pulumi-resource-pulumi-nodejs"
}

# Prints the first executable NAME on PATH outside our own bin folder (pulumi-env.sh puts it first).
find_outside() {
  local name=$1 dir own
  own="$(realpath -m "$BIN")"
  local IFS=:
  for dir in $PATH; do
    [ -n "$dir" ] || continue
    [ "$(realpath -m "$dir")" = "$own" ] && continue
    if [ -x "$dir/$name" ] && [ ! -d "$dir/$name" ]; then
      echo "$dir/$name"
      return 0
    fi
  done
  return 1
}

# Starts a language host without an engine and checks that it serves (prints its gRPC port).
check_langhost() {
  local exe=$1 out pid
  out="$(mktemp)"
  "$exe" >"$out" 2>&1 &
  pid=$!
  for _ in $(seq 1 50); do
    grep -qE '^[0-9]+$' "$out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if grep -qE '^[0-9]+$' "$out"; then rm -f "$out"; return 0; fi
  warn "$exe did not start: $(head -c 500 "$out")"
  rm -f "$out"
  return 1
}

[ -f "$PLUGIN_SRC" ] ||
  die "$PLUGIN_SRC is missing: run 'npm ci' (or 'npm install') in $ROOT first, then run this script again"
mkdir -p "$BIN"

# ---- fast path: already installed ------------------------------------------------------------------
KEY="$(compute_key)"
if [ "$REBUILD" = 0 ] && [ -f "$STAMP" ] &&
   cmp -s "$PLUGIN_SRC" "$BIN/pulumi-resource-pulumi-nodejs" &&
   [ -x "$BIN/pulumi" ] && [ -x "$BIN/pulumi-language-nodejs" ]; then
  stamp="$(cat "$STAMP")"
  if [ "$stamp" = "build $KEY" ] && { [ "$USE_PATH" = 0 ] || [ -z "$(find_outside pulumi || true)" ]; }; then
    finish "pulumi v$PULUMI_VERSION (pinned build $KEY) already installed, nothing to do"
    exit 0
  fi
  if [ "$USE_PATH" = 1 ] && [ "${stamp%% *}" = path ] && [ "$stamp" = "path $(find_outside pulumi || true)" ]; then
    finish "using pulumi from PATH ($(readlink "$BIN/pulumi")), already linked, nothing to do"
    exit 0
  fi
fi

# ---- 1. pulumi already on PATH (a real user's machine) ---------------------------------------------
if [ "$USE_PATH" = 1 ] && ext_pulumi="$(find_outside pulumi)"; then
  ext_version="$("$ext_pulumi" version 2>/dev/null | head -1 || true)"
  ext_langhost="$(find_outside pulumi-language-nodejs || true)"
  real_dir="$(dirname "$(realpath "$ext_pulumi")")"
  [ -n "$ext_langhost" ] || { [ -x "$real_dir/pulumi-language-nodejs" ] && ext_langhost="$real_dir/pulumi-language-nodejs"; }
  if [[ "$ext_version" =~ ^v?3\. ]] && [ -n "$ext_langhost" ]; then
    ln -sfn "$ext_pulumi" "$BIN/pulumi"
    ln -sfn "$ext_langhost" "$BIN/pulumi-language-nodejs"
    install_plugin_script
    echo "path $ext_pulumi" >"$STAMP"
    say "found pulumi $ext_version at $ext_pulumi and $ext_langhost on PATH: linked them, built nothing"
    say "(run with --build to use the pinned v$PULUMI_VERSION build instead)"
    finish "using pulumi $ext_version from PATH"
    exit 0
  fi
  say "ignoring $ext_pulumi on PATH (version '${ext_version:-?}', language host: ${ext_langhost:-not found}); using the pinned build"
fi

# ---- 2./3. pinned build: per-user cache, else go build ---------------------------------------------
CACHE_DIR="$CACHE_ROOT/pulumi-v$PULUMI_VERSION-$KEY"
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.lock"
flock 9   # one build at a time per user (parallel clones share the cache)

how="copied from the binary cache $CACHE_DIR"
if [ "$REBUILD" = 1 ] || [ ! -f "$CACHE_DIR/complete" ]; then
  if ! command -v go >/dev/null 2>&1; then
    die "'go' is not on PATH and no cached build exists in $CACHE_DIR.
  Install Go 1.26 (https://go.dev/dl/, or the distro package if it is >= 1.21: with the default
  GOTOOLCHAIN=auto it fetches the go1.26 toolchain as the module golang.org/toolchain from the Go proxy),
  or put an existing Pulumi 3.x CLI (pulumi + pulumi-language-nodejs) on PATH."
  fi
  say "building pulumi v$PULUMI_VERSION and pulumi-language-nodejs (sdk v$LANGHOST_SDK_VERSION) with $(go version | cut -d' ' -f3)"
  say "first build takes ~4 min on 2 cores; Go caches: $(go env GOMODCACHE) $(go env GOCACHE); log: ${LOG#"$ROOT"/}"
  tmp="$CACHE_ROOT/.build-$$"
  rm -rf "$tmp"; mkdir -p "$tmp/bin"
  trap 'rm -rf "$tmp"' EXIT
  : >"$LOG"
  run_build() {  # dir, output, package, ldflags
    local dir=$1 out=$2 pkg=$3 ldf=$4
    local cmd=(go build -mod=readonly -trimpath -buildvcs=false -tags "$BUILD_TAGS" -ldflags "$ldf" -o "$out" "$pkg")
    echo "+ (cd ${dir#"$ROOT"/} && GOPROXY=$GO_PROXY_URL CGO_ENABLED=0 GOFLAGS= GOWORK=off ${cmd[*]@Q})" >>"$LOG"
    if ! (cd "$dir" && GOPROXY="$GO_PROXY_URL" GONOPROXY='' GOPRIVATE='' GONOSUMDB='' CGO_ENABLED=0 GOFLAGS='' GOWORK=off \
          "${cmd[@]}") >>"$LOG" 2>&1; then
      warn "go build failed in ${dir#"$ROOT"/}. Command:"
      warn "  (cd $dir && GOPROXY=$GO_PROXY_URL CGO_ENABLED=0 GOFLAGS= GOWORK=off ${cmd[*]@Q})"
      warn "last lines of $LOG:"
      tail -n 25 "$LOG" >&2
      exit 1
    fi
  }
  tb=$EPOCHREALTIME
  run_build "$BUILD_DIR" "$tmp/bin/pulumi" "$CLI_PKG" "$LDFLAGS_CLI"
  run_build "$LANGHOST_DIR" "$tmp/bin/pulumi-language-nodejs" "$LANGHOST_PKG" "$LDFLAGS_LANGHOST"
  got="$("$tmp/bin/pulumi" version 2>&1 | head -1)"
  [ "$got" = "v$PULUMI_VERSION" ] || die "built pulumi reports version '$got', expected v$PULUMI_VERSION"
  check_langhost "$tmp/bin/pulumi-language-nodejs" || die "built pulumi-language-nodejs does not start"
  echo "built $(date -u +%FT%TZ) with $(go version | cut -d' ' -f3) key $KEY" >"$tmp/complete"
  rm -rf "$CACHE_DIR"
  mv "$tmp" "$CACHE_DIR"
  trap - EXIT
  how="built with go in $(awk -v a="$tb" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0fs", b - a }') and stored in $CACHE_DIR"
fi

for exe in pulumi pulumi-language-nodejs; do
  rm -f "$BIN/$exe"
  ln "$CACHE_DIR/bin/$exe" "$BIN/$exe" 2>/dev/null || cp "$CACHE_DIR/bin/$exe" "$BIN/$exe"
done
flock -u 9
got="$("$BIN/pulumi" version 2>&1 | head -1)"
[ "$got" = "v$PULUMI_VERSION" ] || die "$BIN/pulumi reports version '$got', expected v$PULUMI_VERSION"
install_plugin_script
echo "build $KEY" >"$STAMP"
say "pulumi $got and pulumi-language-nodejs $how"
say "next: source scripts/pulumi-env.sh  (puts ${BIN#"$ROOT"/} first on PATH, offline settings)"
finish "installed pulumi $got"
