#!/bin/sh
# Run a fuzz target for a bounded time.
#
#   fuzz/build.sh OUTDIR [TARGET]          # once
#   fuzz/run.sh OUTDIR SECONDS [TARGET]    # e.g. fuzz/run.sh /tmp/llmops-fuzz 300
#
# TARGET defaults to json_fuzz. Uses OUTDIR/TARGET and grows OUTDIR/corpus/TARGET; crash reproducers land
# in OUTDIR/artifacts/. Exits non-zero when the fuzzer finds a crash, a leak,
# a sanitizer report or a failed round-trip check. Extra libFuzzer flags can
# be passed in FUZZ_FLAGS (for example FUZZ_FLAGS="-jobs=2 -workers=2").
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 OUTDIR SECONDS [TARGET]" >&2
    exit 2
fi
out=$1
secs=$2
target=${3:-json_fuzz}
bin=$out/$target
if [ ! -x "$bin" ]; then
    echo "$bin not found: run fuzz/build.sh $out first" >&2
    exit 2
fi
mkdir -p "$out/corpus/$target" "$out/artifacts/$target"
here=$(cd "$(dirname "$0")" && pwd)
dict_flag=""
if [ -f "$here/${target%_fuzz}.dict" ]; then
    dict_flag="-dict=$here/${target%_fuzz}.dict"
fi

status=0
# shellcheck disable=SC2086
"$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    $dict_flag -artifact_prefix="$out/artifacts/$target/" -print_final_stats=1 \
    ${FUZZ_FLAGS:-} "$out/corpus/$target" || status=$?
a=$out/artifacts/$target
if ls "$a"/crash-* "$a"/leak-* "$a"/timeout-* "$a"/oom-* >/dev/null 2>&1; then
    echo "fuzz: failures saved in $a/" >&2
    exit 1
fi
exit "$status"
