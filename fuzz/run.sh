#!/usr/bin/env bash
# Run one fuzz target for a while and record the run in fuzz/RUNS.md.
# Usage: fuzz/run.sh TARGET SECONDS
#   extra libFuzzer flags: FUZZ_ARGS="-jobs=2 -workers=2" fuzz/run.sh csv_rows 3600
#   (the same build as `cargo +nightly fuzz build -O`, so nothing is rebuilt between runs)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?usage: run.sh TARGET SECONDS}
secs=${2:?usage: run.sh TARGET SECONDS}

# Longest input per target: what the code under test reads at once in the loader.
case $target in
  sniff_decode) max_len=65536 ;;   # read.rs sniffs the first 64 KB
  csv_rows)     max_len=16384 ;;   # 4x the target's 4096-byte record limit
  dates|money)  max_len=128 ;;     # one cell
  xlsx_open)    max_len=262144 ;;  # the seed workbooks are up to 80 KB
  xls_open)     max_len=65536 ;;   # the seed workbooks are up to 10 KB
  flag_period)  max_len=256 ;;     # four flag values
  flag_rule|flag_map) max_len=256 ;; # one flag value
  config_toml)  max_len=8192 ;;
  *) echo "unknown target: $target (see fuzz/Cargo.toml)" >&2; exit 2 ;;
esac

corpus=$here/corpus/$target
artifacts=$here/artifacts/$target
mkdir -p "$corpus" "$artifacts" "$here/logs"
log=$here/logs/$target-$(date -u +%Y%m%dT%H%M%SZ).log
before=$(find "$artifacts" -type f | sort)

cd "$here"
# shellcheck disable=SC2086
cargo +nightly fuzz run -O "$target" "$corpus" -- \
  -max_total_time="$secs" -rss_limit_mb=4096 -malloc_limit_mb=2048 -max_len="$max_len" \
  -timeout=60 -print_final_stats=1 ${FUZZ_ARGS:-} 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$execs" = 0 ]; then  # no final stats (killed?): the last status line's count
  execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  execs=${execs:-0}
fi
corpus_files=$(find "$corpus" -type f | wc -l)
corpus_bytes=$(du -sb "$corpus" | cut -f1)
new=$(comm -13 <(echo "$before") <(find "$artifacts" -type f | sort) | sed '/^$/d')
crashes=$(printf '%s' "$new" | grep -c . || true)

echo
echo "== $target: ${secs}s, exit $rc, execs $execs, corpus $corpus_files files ($corpus_bytes bytes), log $log"
if [ -n "$new" ]; then
  echo "== new artifacts (reproduce: cargo +nightly fuzz run -O $target FILE; minimize: cargo +nightly fuzz tmin -O $target FILE):"
  echo "$new"
fi

runs=$here/RUNS.md
if [ ! -f "$runs" ]; then
  {
    echo "# Fuzz runs"
    echo
    echo "One line per \`fuzz/run.sh\` run (appended by the script)."
    echo
    echo "| date (UTC) | target | seconds | execs | corpus (files) | crashes found | mode |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
  } > "$runs"
fi
# the first three new artifacts by name (all of them are in artifacts/TARGET; fuzz/triage.sh groups them)
names=$(printf '%s' "$new" | head -3 | xargs -r -n1 basename | paste -sd' ' -)
[ "$crashes" -gt 3 ] && names="$names ..."
mode="${FUZZ_ARGS:-}"
[ "${SALESCTL_FUZZ_CONTAIN:-}" = 1 ] && mode="SALESCTL_FUZZ_CONTAIN=1 $mode"
echo "| $(date -u +%Y-%m-%dT%H:%MZ) | $target | $secs | $execs | $corpus_files | $crashes${names:+ ($names)} | ${mode:-default} |" >> "$runs"
exit "$rc"
