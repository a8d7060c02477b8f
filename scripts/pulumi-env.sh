#!/usr/bin/env bash
# Source this file (after scripts/install-pulumi.sh has run): it puts the project's Pulumi toolchain,
# .tools/pulumi/bin, first on PATH, makes Node.js 22+ the first `node` (the language host and the
# dynamic-provider plugin run `node`), and exports the settings that keep the CLI offline.
#
# It sets no backend, passphrase or PULUMI_HOME on purpose. Callers choose them, for example:
#   export PULUMI_HOME="$PWD/.pulumi-home"                  # plugin cache, credentials (default ~/.pulumi)
#   export PULUMI_BACKEND_URL="file://$PWD/.state"          # a project-local DIY backend folder
#   export PULUMI_CONFIG_PASSPHRASE=...                      # passphrase secrets provider
# See docs/pulumi-toolchain.md.
_hcs_pulumi_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# shellcheck source=scripts/ensure-node.sh
source "$_hcs_pulumi_root/scripts/ensure-node.sh" || return 1 2>/dev/null || exit 1

_hcs_pulumi_bin="$_hcs_pulumi_root/.tools/pulumi/bin"
if [ ! -x "$_hcs_pulumi_bin/pulumi" ]; then
  echo "pulumi-env: $_hcs_pulumi_bin/pulumi is missing: run scripts/install-pulumi.sh first" >&2
fi
_hcs_path=":$PATH:"
_hcs_path="${_hcs_path//:$_hcs_pulumi_bin:/:}"          # drop an earlier entry, then put it first
_hcs_path="${_hcs_path#:}"
export PATH="$_hcs_pulumi_bin:${_hcs_path%:}"

# No update check (it would call Pulumi Cloud).
export PULUMI_SKIP_UPDATE_CHECK=true
# Fail with "no resource plugin ... found" instead of trying to download a missing plugin.
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# No Pulumi Registry look-ups when resolving package names.
export PULUMI_DISABLE_REGISTRY_RESOLVE=true
# Quiet the DIY (file://) backend's legacy-layout warning.
export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
# PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK is not needed: the pinned CLI is stamped with its version.
# Pass --non-interactive (and --yes for up/refresh/destroy) yourself; nothing here skips confirmations.

unset _hcs_pulumi_root _hcs_pulumi_bin _hcs_path
