#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when missing (a fast no-op otherwise):
#   gcc-mingw-w64-x86-64-win32, mingw-w64-x86-64-dev  the header conformance test and the Windows DLL
#   wine64, wine                                      the Windows suite (Windows node.exe under Wine)
#   postgresql-15                                     the shared state backend tests (Pulumi's postgres:// backend;
#                                                     test/support/state-backends.ts runs its own server as `postgres`)
# Needs root for apt-get (CI machines run as root); otherwise it prints the command to run.
set -euo pipefail
PACKAGES=(wine64 wine gcc-mingw-w64-x86-64-win32 mingw-w64-x86-64-dev postgresql-15)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-debian-packages: missing ${missing[*]}; install them as root:" >&2
  echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "ensure-debian-packages: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
