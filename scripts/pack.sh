#!/usr/bin/env bash
# Builds and packs the two npm packages a Pulumi program installs, into one folder:
#   pulumi-hcs-provider-<version>.tgz   the implementation, the `pulumi-hcs` command and the simulator
#                                      (with its native library, built here: npm runs no install step)
#   pulumi-hcs-<version>.tgz           the SDK, which depends on the provider by version
# Usage: bash scripts/pack.sh [OUT_DIR]     (default: .pack/ in the clone)
# Prints the two tarballs' absolute paths on stdout, provider first; progress goes to stderr.
# Install both into a program with `npm install OUT_DIR/pulumi-hcs-provider-*.tgz OUT_DIR/pulumi-hcs-*.tgz`
# (README.md, "Installing").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/ensure-node.sh

OUT="${1:-$ROOT/.pack}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

if [ ! -d node_modules ]; then
  echo "pack: installing the workspace's npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
# tsc -b of the provider and the SDK, and the simulator's native library (incremental).
npm run --silent build -w provider -w sdk >&2

# tsc never deletes the output of a source that was removed, and `files` would ship it.
stale=""
for js in $(cd provider/dist && find src sim -name '*.js') ; do
  [ -f "provider/${js%.js}.ts" ] || stale="$stale provider/dist/$js"
done
for js in $(cd sdk/dist && find . -name '*.js' | sed 's|^\./||'); do
  [ -f "sdk/src/${js%.js}.ts" ] || stale="$stale sdk/dist/$js"
done
if [ -n "$stale" ]; then
  echo "pack: these build outputs have no source any more and would be packed:$stale" >&2
  echo "pack: delete them (or the whole dist folder, then build again) and run pack.sh again" >&2
  exit 1
fi

platform="$(node -p 'process.platform + "-" + process.arch')"
library="provider/sim/native/build/libhcssim.so"
if [ "$platform" != "win32-x64" ] && [ ! -f "$library" ]; then
  echo "pack: $library was not built; the provider package would have no simulator" >&2
  exit 1
fi
if [ "$platform" != "linux-x64" ]; then
  echo "pack: note: packing on $platform, so the provider's simulator library is built for $platform, not linux-x64" >&2
fi

# Neither package has lifecycle scripts (the workspace root's `prepare` builds them for `npm ci`);
# --ignore-scripts keeps it so, and the tarball names the only output.
rm -f "$OUT"/pulumi-hcs-provider-*.tgz "$OUT"/pulumi-hcs-[0-9]*.tgz
names="$(npm pack -w provider -w sdk --ignore-scripts --silent --pack-destination "$OUT")"
for name in $names; do
  echo "$OUT/$name"
done
