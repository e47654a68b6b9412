#!/usr/bin/env python3
"""Benchmarks: salesctl beside DuckDB, Python polars and pandas, measured in one run.

    python3 docs/bench/bench.py [--python VENV/bin/python] [--data DIR] [--runs 3]

Needs a release build (cargo build --release) and a venv with duckdb, polars, pandas, pyarrow
(../shared/bench/README.md). Generates the synthetic exports with ../shared/bench/gencrm.py when
DIR/1m and DIR/20k are missing. Runs every command --runs times, alternating the tools, and
prints the median wall time and peak RSS (from /usr/bin/time) and the ratio to the fastest peer.
It also checks that salesctl's answers equal DuckDB's on the 1M-deal files (funnel counts and
ratios; per-rep won, lost, win rate, won amount, median cycle, open pipeline). Not a test: speed
goals live here, never in `cargo test`.
"""
import argparse, csv, io, os, shutil, statistics, subprocess, sys, tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.path.abspath(os.path.join(ROOT, "..", "shared", "bench"))
BIN = os.environ.get("SALESCTL_BIN") or os.path.join(ROOT, "target", "release", "salesctl")
STAGES = "Prospecting,Qualification,Proposal,Negotiation"


def timed(cmd):
    """(seconds, peak RSS MB, stdout) of one run."""
    with tempfile.NamedTemporaryFile("r") as t:
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name] + cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
        sec, kb = open(t.name).read().split()[-2:]
        return float(sec), int(kb) / 1024, p.stdout


def bench(title, cmds, runs, peers):
    """cmds: name -> (command, setup or None). Alternates the tools run by run."""
    res = {n: [] for n in cmds}
    for _ in range(runs):
        for name, (cmd, setup) in cmds.items():
            if setup:
                setup()
            res[name].append(timed(cmd)[:2])
    print(f"\n## {title}\n")
    print("| tool | median s | peak RSS MB | time / fastest peer | RSS / leanest peer |")
    print("|---|---|---|---|---|")
    med = {n: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for n, v in res.items()}
    fastest = min(med[p][0] for p in peers if p in med)
    leanest = min(med[p][1] for p in peers if p in med)
    for n, (s, m) in med.items():
        print(f"| {n} | {s:.3f} | {m:.0f} | {s / fastest:.2f}x | {m / leanest:.2f}x |")
    return med


def ensure_data(py, data):
    for name, n in (("1m", 1_000_000), ("20k", 20_000)):
        d = os.path.join(data, name)
        if not os.path.exists(os.path.join(d, "deals.csv")):
            subprocess.run([py, os.path.join(SHARED, "gencrm.py"), d, "--deals", str(n)], check=True)


def check_1m(py, d):
    """salesctl's answers equal DuckDB's on the 1M-deal files."""
    out = subprocess.run([BIN, "funnel", f"{d}/stage_history.csv", "--stages", STAGES, "--format", "csv", "-q"], capture_output=True, text=True, check=True).stdout
    ours = list(csv.DictReader(io.StringIO(out)))
    duck = subprocess.run([py, f"{SHARED}/funnel_duckdb.py", f"{d}/stage_history.csv"], capture_output=True, text=True, check=True).stdout.splitlines()
    ok = len(ours) == len(duck)
    for r, line in zip(ours, duck):
        st, reached, step, cum = line.split(",")
        ok &= r["stage"] == st and int(r["deals"]) == int(reached)
        ok &= (step == "None" and r["step_conversion"] == "") or abs(float(r["step_conversion"] or 0) - float(step if step != "None" else 0)) < 1e-12
        ok &= abs(float(r["cumulative_conversion"]) - float(cum)) < 1e-12
    print(f"\nfunnel on 1M history equals DuckDB's: {'yes' if ok else 'NO'}")
    out = subprocess.run([BIN, "scorecard", f"{d}/deals.csv", "--format", "csv", "-q"], capture_output=True, text=True, check=True).stdout
    ours = {r["owner"]: r for r in csv.DictReader(io.StringIO(out))}
    duck = subprocess.run([py, f"{SHARED}/scorecard_duckdb.py", f"{d}/deals.csv"], capture_output=True, text=True, check=True).stdout
    bad = 0
    rows = list(csv.DictReader(io.StringIO(duck)))
    for r in rows:
        o = ours[r["owner"]]
        f = lambda x: float(x) if x not in ("", None) else None
        same = int(o["won"]) == int(r["won"]) and int(o["lost"]) == int(r["lost"]) and int(o["deals_created"]) == int(r["deals"])
        for a, b, tol in (("win_rate", "win_rate", 1e-12), ("won_amount", "won_amount", 1e-6), ("cycle_median_days", "cycle_median_days", 1e-9), ("open_pipeline", "open_pipeline", 1e-6)):
            x, y = f(o[a]), f(r[b])
            same &= (x is None and y is None) or (x is not None and y is not None and abs(x - y) <= tol * max(1, abs(y)))
        bad += not same
    print(f"scorecard on 1M deals equals DuckDB's for {len(rows) - bad} of {len(rows)} reps")


def cltv(d1, d20, runs):
    lt = os.environ.get("LIFETIMES_PYTHON", "/tmp/venv-lt/bin/python")
    if not os.path.exists(lt):
        print(f"\n(no lifetimes at {lt}: set LIFETIMES_PYTHON; CLTV skipped)")
        return
    for label, d in (("20k deals: 10,000 customers", d20), ("1M deals: 1.35M orders, 500,000 customers", d1)):
        bench(f"cltv BG/NBD + Gamma-Gamma + 12-month CLV ({label})", {
            "salesctl cltv": ([BIN, "cltv", f"{d}/orders.csv", "--model", "bgnbd", "--as-of", "2024-12-29", "--horizon", "12m", "--discount", "0.01", "--format", "csv", "-q"], None),
            # lifetimes' own definition (freq="W": repeat weeks, not days).
            "salesctl cltv --periods": ([BIN, "cltv", f"{d}/orders.csv", "--model", "bgnbd", "--periods", "--as-of", "2024-12-29", "--horizon", "12m", "--discount", "0.01", "--format", "csv", "-q"], None),
            "lifetimes": ([lt, f"{SHARED}/cltv_lifetimes.py", f"{d}/orders.csv", "2024-12-29"], None),
        }, runs, ["lifetimes"])


def check_dir(d, hist_dir, deals_dir):
    """The ingested DIRs give the same output as the raw exports (funnel; scorecard; the
    bottleneck's stuck list, whose ties are broken by deal id)."""
    run = lambda args: subprocess.run([BIN] + args + ["--format", "csv", "-q"], capture_output=True, text=True, check=True).stdout
    same = run(["funnel", f"{d}/stage_history.csv", "--stages", STAGES]) == run(["funnel", hist_dir, "--stages", STAGES])
    print(f"funnel from the DIR equals the CSV's: {'yes' if same else 'NO'}")
    same = run(["scorecard", f"{d}/deals.csv"]) == run(["scorecard", deals_dir])
    print(f"scorecard from the DIR equals the CSV's: {'yes' if same else 'NO'}")
    stuck = ["--stages", STAGES, "--stuck", "20", "--format", "json"]
    j = lambda src: subprocess.run([BIN, "bottleneck", src] + stuck + ["-q"], capture_output=True, text=True, check=True).stdout
    print(f"bottleneck --stuck 20 from the DIR equals the CSV's: {'yes' if j(f'{d}/stage_history.csv') == j(hist_dir) else 'NO'}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default="/tmp/venv/bin/python")
    ap.add_argument("--data", default="/tmp/bench")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only-cltv", action="store_true")
    a = ap.parse_args()
    py, runs = a.python, a.runs
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    ensure_data(py, a.data)
    d1, d20 = os.path.join(a.data, "1m"), os.path.join(a.data, "20k")
    work = tempfile.mkdtemp()
    hist_dir, deals_dir = os.path.join(work, "hist"), os.path.join(work, "deals")
    subprocess.run([BIN, "ingest", f"{d1}/stage_history.csv", "-o", hist_dir, "-q"], check=True)
    subprocess.run([BIN, "ingest", f"{d1}/deals.csv", "-o", deals_dir, "-q"], check=True)
    print(f"# salesctl benchmarks ({runs} runs each, medians)")
    if a.only_cltv:
        cltv(d1, d20, runs)
        return
    out_dir = os.path.join(work, "ing")
    clean = lambda: shutil.rmtree(out_dir, ignore_errors=True)
    bench("ingest deals.csv (1M deals, 113 MB) into a DIR", {
        "salesctl ingest": ([BIN, "ingest", f"{d1}/deals.csv", "-o", out_dir, "-q"], clean),
        "duckdb": ([py, f"{SHARED}/ingest_duckdb.py", f"{d1}/deals.csv", f"{work}/d.parquet"], None),
        "polars": ([py, f"{SHARED}/ingest_polars.py", f"{d1}/deals.csv", f"{work}/p.parquet"], None),
    }, runs, ["duckdb", "polars"])
    for label, d in (("1M deals, 2.9M history rows, 166 MB", d1), ("20k deals", d20)):
        cmds = {
            "salesctl funnel (CSV)": ([BIN, "funnel", f"{d}/stage_history.csv", "--stages", STAGES, "--format", "csv", "-q"], None),
            "duckdb": ([py, f"{SHARED}/funnel_duckdb.py", f"{d}/stage_history.csv"], None),
            "polars": ([py, f"{SHARED}/funnel_polars.py", f"{d}/stage_history.csv"], None),
            "pandas": ([py, f"{SHARED}/funnel_pandas.py", f"{d}/stage_history.csv"], None),
        }
        if d == d1:
            cmds["salesctl funnel (DIR)"] = ([BIN, "funnel", hist_dir, "--stages", STAGES, "--format", "csv", "-q"], None)
        bench(f"funnel ({label})", cmds, runs, ["duckdb", "polars", "pandas"])
        cmds = {
            "salesctl scorecard (CSV)": ([BIN, "scorecard", f"{d}/deals.csv", "--format", "csv", "-q"], None),
            "duckdb": ([py, f"{SHARED}/scorecard_duckdb.py", f"{d}/deals.csv"], None),
            "polars": ([py, f"{SHARED}/scorecard_polars.py", f"{d}/deals.csv"], None),
            "pandas": ([py, f"{SHARED}/scorecard_pandas.py", f"{d}/deals.csv"], None),
        }
        if d == d1:
            cmds["salesctl scorecard (DIR)"] = ([BIN, "scorecard", deals_dir, "--format", "csv", "-q"], None)
        bench(f"scorecard ({label})", cmds, runs, ["duckdb", "polars", "pandas"])
    cltv(d1, d20, runs)
    check_1m(py, d1)
    check_dir(d1, hist_dir, deals_dir)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
