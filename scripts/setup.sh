#!/usr/bin/env bash
# Source this file: it makes the working tree ready to run, idempotently and quickly when warm.
#   1. Node.js 22+ first on PATH (scripts/ensure-node.sh);
#   2. `npm ci` when node_modules is missing or older than package-lock.json, then `npm run build`
#      (the provider, the simulator's native library, the SDK and the examples; incremental);
#   3. the Pulumi toolchain in .tools/pulumi/bin (scripts/install-pulumi.sh), then its offline
#      environment (scripts/pulumi-env.sh).
# Nothing here downloads from anywhere but the npm registry and the Go module proxy.
_hcs_setup_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$_hcs_setup_root/scripts/ensure-node.sh" || return 1 2>/dev/null || exit 1

_hcs_lock_stamp="$_hcs_setup_root/node_modules/.package-lock.sha256"
_hcs_lock_hash="$(sha256sum "$_hcs_setup_root/package-lock.json" | cut -d' ' -f1)"
if [ ! -d "$_hcs_setup_root/node_modules" ] || [ "$(cat "$_hcs_lock_stamp" 2>/dev/null)" != "$_hcs_lock_hash" ]; then
  echo "setup: installing npm packages (npm ci)" >&2
  (cd "$_hcs_setup_root" && npm ci --no-audit --no-fund) >&2 || { echo "setup: npm ci failed" >&2; return 1 2>/dev/null || exit 1; }
  echo "$_hcs_lock_hash" > "$_hcs_lock_stamp"
fi
# npm ci's prepare scripts build the provider and the SDK but not the examples, and sources may have
# changed since the last build: build every workspace (tsc -b and the native build are incremental).
(cd "$_hcs_setup_root" && npm run --silent build) >&2 || { echo "setup: build failed" >&2; return 1 2>/dev/null || exit 1; }

bash "$_hcs_setup_root/scripts/install-pulumi.sh" --quiet >&2 || { echo "setup: the Pulumi toolchain is not available" >&2; return 1 2>/dev/null || exit 1; }
source "$_hcs_setup_root/scripts/pulumi-env.sh"
unset _hcs_setup_root _hcs_lock_stamp _hcs_lock_hash
