#!/bin/sh
# Quick start: installs what is missing, builds, and runs the offline demos:
# examples/quickstart.c (a fallback chain streaming an answer from a
# recorded cassette, then usage, timings, attempts and the fingerprint) and
# the support-bot task through the llmops CLI (versioned prompt, JSON
# contract, fallback to a cassette; prints the answer, prompt version,
# fingerprint and usage).
# usage: tools/demo.sh [BUILDDIR]   (default: build)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
cd "$root"
tools/install-deps.sh
[ -d "$build" ] || meson setup "$build"
meson compile -C "$build"
echo "== examples/quickstart"
"$build/examples/quickstart" examples/cassettes
echo
echo "== llmops run answer (examples/support-bot)"
"$build/tools/llmops/llmops" run answer --config examples/support-bot/llmops.yaml \
    --input @examples/support-bot/input.json
