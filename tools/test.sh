#!/bin/sh
# The full test suite: configure (warnings are errors), build, run every
# Meson test (Criterion suites, header/symbol/ABI checks, examples, bindings).
# usage: tools/test.sh [BUILDDIR]   (default: build)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
cd "$root"
if [ ! -d "$build" ]; then
  meson setup "$build" -Dwerror=true
else
  meson configure "$build" -Dwerror=true >/dev/null
fi
meson compile -C "$build"
meson test -C "$build" --print-errorlogs
