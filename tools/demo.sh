#!/bin/sh
# Quick start: installs what is missing, builds, and runs the offline demo
# (examples/quickstart.c: a fallback chain streaming an answer from a
# recorded cassette, then usage, timings, attempts and the fingerprint).
# usage: tools/demo.sh [BUILDDIR]   (default: build)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
cd "$root"
tools/install-deps.sh
[ -d "$build" ] || meson setup "$build"
meson compile -C "$build"
"$build/examples/quickstart" examples/cassettes
