#!/bin/sh
# Compare the built library's ABI with the committed baseline (abidw output).
# Before 1.0.0 differences are reported, not fatal; from 1.0.0 an incompatible
# change (abidiff exit bit 8, ABIDIFF_ABI_INCOMPATIBLE_CHANGE) fails.
# usage: abi-check.sh LIBRARY BASELINE VERSION_MAJOR
set -u
lib=$1
baseline=$2
major=$3
if ! command -v abidiff >/dev/null 2>&1; then
  echo "SKIP: abidiff not installed (apt-get install abigail-tools)"; exit 77
fi
if [ ! -f "$baseline" ]; then
  echo "FAIL: no ABI baseline at $baseline (run tools/abi-update.sh)"; exit 1
fi
out=$(abidiff --no-added-syms "$baseline" "$lib" 2>&1)
rc=$?
[ -n "$out" ] && echo "$out"
incompatible=$(( rc & 8 ))
error=$(( rc & 3 ))
if [ "$error" -ne 0 ]; then
  echo "FAIL: abidiff could not compare (exit $rc)"; exit 1
fi
if [ "$incompatible" -ne 0 ]; then
  if [ "$major" -ge 1 ]; then
    echo "FAIL: incompatible ABI change against the baseline"; exit 1
  fi
  echo "NOTE: incompatible ABI change (allowed before 1.0.0; update the baseline and CHANGELOG)"
elif [ "$rc" -ne 0 ]; then
  echo "ABI changed compatibly against the baseline (exit $rc); update the baseline when releasing"
else
  echo "ABI: identical to the baseline"
fi
exit 0
