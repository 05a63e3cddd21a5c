#!/bin/sh
# Run the JSON fuzz target for a bounded time.
#
#   fuzz/build.sh OUTDIR        # once
#   fuzz/run.sh OUTDIR SECONDS  # e.g. fuzz/run.sh /tmp/llmops-fuzz 300
#
# Uses OUTDIR/json_fuzz and grows OUTDIR/corpus/json; crash reproducers land
# in OUTDIR/artifacts/. Exits non-zero when the fuzzer finds a crash, a leak,
# a sanitizer report or a failed round-trip check. Extra libFuzzer flags can
# be passed in FUZZ_FLAGS (for example FUZZ_FLAGS="-jobs=2 -workers=2").
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 OUTDIR SECONDS" >&2
    exit 2
fi
out=$1
secs=$2
bin=$out/json_fuzz
if [ ! -x "$bin" ]; then
    echo "$bin not found: run fuzz/build.sh $out first" >&2
    exit 2
fi
mkdir -p "$out/corpus/json" "$out/artifacts"
dict=$(cd "$(dirname "$0")" && pwd)/json.dict

status=0
# shellcheck disable=SC2086
"$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -dict="$dict" -artifact_prefix="$out/artifacts/" -print_final_stats=1 \
    ${FUZZ_FLAGS:-} "$out/corpus/json" || status=$?
if ls "$out"/artifacts/crash-* "$out"/artifacts/leak-* "$out"/artifacts/timeout-* \
       "$out"/artifacts/oom-* >/dev/null 2>&1; then
    echo "fuzz: failures saved in $out/artifacts/" >&2
    exit 1
fi
exit "$status"
