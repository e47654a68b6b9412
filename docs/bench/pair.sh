#!/bin/sh
# Paired bench of two release binaries on gencrm.py files (docs/bench/README.md, stop 32):
# OLD and NEW binaries, B the folder holding d1m/ and d20k/ from bench/gencrm.py.
OLD=${OLD:-/tmp/salesctl-old}; NEW=${NEW:-/tmp/salesctl-new}; B=${B:-/tmp/bench}
R=$(cd "$(dirname "$0")/../.." && pwd)
# Both binaries out of the page cache first: the runs of a binary just written (cargo's output,
# a cp) show 5-6 MB more peak RSS than those of the same bytes read back from disk (docs/bench/README.md, stop 37). Evicted, both are paged in alike.
python3 -c 'import os, sys
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)' "$OLD" "$NEW"
cd $B
rm -rf dold dnew
$OLD ingest d1m/deals.csv d1m/stage_history.csv d1m/orders.csv -o dold -q 2>/dev/null
$NEW ingest d1m/deals.csv d1m/stage_history.csv d1m/orders.csv -o dnew -q 2>/dev/null
run() { # name, args with DIR placeholder
  name="$1"; shift
  o=$(echo "$*" | sed "s#@D#dold#g"); n=$(echo "$*" | sed "s#@D#dnew#g")
  echo "== $name"
  farm-bench -n 9 --pin 0 --vs "sh -c 'exec $OLD $o > /dev/null 2>&1'" -- sh -c "exec $NEW $n > /dev/null 2>&1" 2>&1 | grep -E "^(A|B) wall|^A/B wall|^(A|B) peak|exit"
}
run "ingest deals.csv" "ingest d1m/deals.csv -o /tmp/bench/in_x -q"
run "funnel raw history" "funnel d1m/stage_history.csv --stages Prospecting,Qualification,Proposal,Negotiation -q"
run "scorecard raw deals" "scorecard d1m/deals.csv --stages Prospecting,Qualification,Proposal,Negotiation -q"
run "funnel DIR" "funnel @D --stages Prospecting,Qualification,Proposal,Negotiation -q"
run "scorecard DIR" "scorecard @D --stages Prospecting,Qualification,Proposal,Negotiation -q"
run "funnel 20k" "funnel d20k/deals.csv --stages Prospecting,Qualification,Proposal,Negotiation -q"
run "scorecard 20k" "scorecard d20k/deals.csv --stages Prospecting,Qualification,Proposal,Negotiation -q"
run "forecast DIR same series" "forecast @D --as-of 2026-02-28 -q"
run "forecast DIR" "forecast @D -q"
run "bottleneck DIR" "bottleneck @D --stages Prospecting,Qualification,Proposal,Negotiation -q"
run "cltv bgnbd DIR, every customer" "cltv @D --model bgnbd --format csv -q"
run "show 1M csv" "show d1m/deals.csv --format csv -q"
T=$R/testdata
rm -rf rold rnew; mkdir -p rold rnew
(cd rold && $OLD ingest $T/handmade/scorecard/deals.csv $T/handmade/scorecard/history.csv --stages Lead,Qualified,Proposal,Negotiation -o crm/ -q 2>/dev/null)
(cd rnew && $NEW ingest $T/handmade/scorecard/deals.csv $T/handmade/scorecard/history.csv --stages Lead,Qualified,Proposal,Negotiation -o crm/ -q 2>/dev/null)
echo "== report shipped example (README)"
farm-bench -n 9 --pin 0 --vs "sh -c 'cd /tmp/bench/rold && exec $OLD report crm/ --stages Lead,Qualified,Proposal,Negotiation --period 2026-10 --targets $T/handmade/scorecard/targets.csv -o reports/2026-10 > /dev/null 2>&1'" -- sh -c "cd /tmp/bench/rnew && exec $NEW report crm/ --stages Lead,Qualified,Proposal,Negotiation --period 2026-10 --targets $T/handmade/scorecard/targets.csv -o reports/2026-10 > /dev/null 2>&1" 2>&1 | grep -E "^(A|B) wall|^A/B wall|^(A|B) peak|exit"
