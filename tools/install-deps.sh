#!/bin/sh
# Install every Debian package libllmops needs to build and test (idempotent).
# Runs apt-get as root, or through sudo when not root.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
pkgs=$(grep -v '^#' "$root/tools/packages.txt" | tr '\n' ' ')
SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
missing=
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
