#!/usr/bin/env bash
# The main job: a Pulumi program creating a Windows utility VM on the embedded simulated host.
#   1. makes the tree ready (Node 22, npm ci, build, Pulumi toolchain: scripts/setup.sh);
#   2. starts a simulated host in .demo/host (kept running afterwards) and seeds a fake base layer;
#   3. runs `pulumi up` on examples/basic (stack "demo", state in .demo/state);
#   4. prints the VM's outputs and `pulumi-hcs ps`, then how to preview a change and destroy.
# Run it again at any time: it reuses the host and the stack (a second run shows no changes).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh

DEMO="$ROOT/.demo"
HOST_ROOT="$DEMO/host"
BASE_LAYER='C:\layers\servercore'
mkdir -p "$DEMO/state" "$DEMO/pulumi-home"
hcs() { node "$ROOT/provider/bin/pulumi-hcs.js" "$@"; }

# A simulated host that outlives this script, so `pulumi preview` and `pulumi destroy` work later.
# One left running by an earlier run is restarted, so it is this build's simulator (a host keeps its
# VMs and files across a restart of its service; an older service would lack what this provider needs).
if hcs sim state --root "$HOST_ROOT" >/dev/null 2>&1; then
  echo "demo: restarting the simulated host in .demo/host with this build (its VMs stay)" >&2
  hcs sim stop --root "$HOST_ROOT" >/dev/null
else
  echo "demo: starting a simulated host in .demo/host" >&2
fi
hcs sim --root "$HOST_ROOT" --logical-processors 4 --build 20348 --detach >/dev/null
hcs sim seed-layers --root "$HOST_ROOT" --layer "$BASE_LAYER" >/dev/null

# Everything a shell needs to use this host and stack afterwards.
cat > "$DEMO/env.sh" <<ENV
# Source this file to work with the demo stack (see README.md).
source "$ROOT/scripts/pulumi-env.sh"
export PULUMI_HOME="$DEMO/pulumi-home"
export PULUMI_BACKEND_URL="file://$DEMO/state"
export PULUMI_CONFIG_PASSPHRASE="pulumi-hcs-demo"
export PULUMI_HCS_HOST="sim:$HOST_ROOT/hcs.sock"
export PATH="$ROOT/node_modules/.bin:\$PATH"
ENV
source "$DEMO/env.sh"

cd "$ROOT/examples/basic"
pulumi stack select demo --create --non-interactive >/dev/null 2>&1 || pulumi stack init demo --secrets-provider passphrase --non-interactive
pulumi config set --path 'layerFolders[0]' "$BASE_LAYER" --non-interactive
pulumi config set --path 'layerFolders[1]' 'C:\uvms\build-uvm' --non-interactive
pulumi up --yes --skip-preview --non-interactive

echo
echo "== stack outputs (pulumi stack output) =="
pulumi stack output --non-interactive
echo
echo "== compute systems on the simulated host (pulumi-hcs ps) =="
hcs ps
cat <<NEXT

The VM runs on the simulated host in .demo/host. To work with it yourself:
  source .demo/env.sh && cd examples/basic
  pulumi config set processorLimit 50000 && pulumi preview   # an in-place update
  pulumi config set processorCount 1 && pulumi preview       # a replacement
  pulumi up                                                  # apply what preview showed
  pulumi destroy --yes                                       # remove the VM and its files
  pulumi-hcs sim stop --root ../../.demo/host                # stop the simulated host
NEXT
