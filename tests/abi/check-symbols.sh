#!/bin/sh
# Every dynamic symbol the shared library defines must start with llmops_ and
# be listed by name in the version script; every name listed must be defined.
# usage: check-symbols.sh LIBRARY MAPFILE
set -eu
lib=$1
map=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TtDdBbRrVvWwiu]$/ {print $3}' | sed 's/@.*//' \
  | grep -v '^LLMOPS_[0-9.]*$' | sort -u > "$tmp/exported"
sed -e 's#/\*.*\*/##' "$map" | grep -E '^[[:space:]]*llmops_[A-Za-z0-9_]*;' \
  | sed -e 's/[[:space:];]//g' | sort -u > "$tmp/listed"
status=0
bad=$(grep -v '^llmops_' "$tmp/exported" || true)
if [ -n "$bad" ]; then
  echo "FAIL: exported symbols without the llmops_ prefix:"; echo "$bad"; status=1
fi
unlisted=$(comm -23 "$tmp/exported" "$tmp/listed")
if [ -n "$unlisted" ]; then
  echo "FAIL: exported but not in $map:"; echo "$unlisted"; status=1
fi
missing=$(comm -13 "$tmp/exported" "$tmp/listed")
if [ -n "$missing" ]; then
  echo "FAIL: listed in $map but not defined by the library:"; echo "$missing"; status=1
fi
n=$(wc -l < "$tmp/exported")
if [ "$status" -eq 0 ]; then
  echo "symbols: $n exported, all llmops_ and all in the version script"
fi
exit $status
