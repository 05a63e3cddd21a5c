#!/bin/sh
# Regenerate the committed ABI baseline from a build directory after a
# deliberate public API change (and list the change in CHANGELOG.md).
# usage: tools/abi-update.sh [BUILDDIR]   (default: build)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
lib=$(ls "$build"/libllmops.so.*.*.* | head -n1)
abidw --no-corpus-path --drop-private-types --headers-dir "$root/include" --out-file "$root/abi/libllmops.abi" "$lib"
echo "wrote abi/libllmops.abi from $lib"
