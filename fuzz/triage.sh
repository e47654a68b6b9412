#!/usr/bin/env bash
# Group a target's artifacts by what failed: the panic's place and message, or the sanitizer's
# summary and the first frame outside std/alloc/the fuzzer. One line per artifact, then counts.
# Usage: fuzz/triage.sh TARGET [ARTIFACT...]   (default: every file in fuzz/artifacts/TARGET)
# Needs the build from `cargo +nightly fuzz build -O` (run.sh makes it).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?usage: triage.sh TARGET [ARTIFACT...]}
shift
bin=$here/target/x86_64-unknown-linux-gnu/release/$target
[ -x "$bin" ] || { echo "no binary $bin: run cargo +nightly fuzz build -O first" >&2; exit 2; }
if [ $# -eq 0 ]; then
  set -- $(find "$here/artifacts/$target" -type f | sort)
fi
out=$(mktemp)
for f in "$@"; do
  log=$(RUST_BACKTRACE=1 "$bin" -rss_limit_mb=4096 -malloc_limit_mb=2048 -timeout=60 "$f" 2>&1)
  place=$(printf '%s\n' "$log" | grep -m1 -oE "panicked at [^ ]+" | sed -E 's|^panicked at ||; s|.*/registry/src/[^/]+/||; s|^(\./)?src/\.\./\.\./||')
  if [ -n "$place" ]; then
    # the message with numbers blanked (so one bug is one group), and the first frames
    msg=$(printf '%s\n' "$log" | grep -m1 -A1 "panicked at" | tail -1 | sed -E 's/[0-9]+/N/g' | cut -c1-100)
    frames=$(printf '%s\n' "$log" | sed -n '/panicked at/,$p' | grep -E "^ +[0-9]+: " \
      | sed -E 's/^ +[0-9]+: //; s/<.*//' | grep -vE "^(__rustc|core::|std::|rust_begin|alloc::|index$|expect$|unwrap$|$)" | head -3 | paste -sd'<' -)
    what="panic at ${place%:*}: $msg [$frames]"
  else
    summary=$(printf '%s\n' "$log" | grep -m1 -E "^SUMMARY|ERROR: libFuzzer|ERROR: AddressSanitizer" \
      | sed -E 's/==[0-9]+==//; s/(0x)?[0-9a-f]{6,}/N/g; s/\(N after adjustments[^)]*\)//; s/\(thread T[0-9]+\)//')
    frame=$(printf '%s\n' "$log" | grep -E "^ +#[0-9]+ " \
      | grep -vE " in (malloc|calloc|realloc|__rust|alloc::|std::|core::|<alloc::|__sanitizer|fuzzer::|__asan|libfuzzer_sys|rust_fuzzer|LLVMFuzzer|__libc|_start|main )" \
      | grep -vE "/library/(alloc|std|core)/" | head -2 | sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ in //; s|/root/.cargo/registry/src/[^/]+/||; s/<[^ ]*//' | tr '\n' ';')
    what="${summary:-no failure reproduced} @ ${frame}"
  fi
  printf '%s\t%s\n' "$what" "$f" | tee -a "$out"
done
echo
echo "== distinct failures ($target):"
cut -f1 "$out" | sort | uniq -c | sort -rn
rm -f "$out"
