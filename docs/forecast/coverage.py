#!/usr/bin/env python3
"""Empirical coverage of salesctl's prediction intervals on held-out points.

For every series that compare.py and validate.py score (the issue's six, protocol A's and
protocol B's fresh sets), salesctl forecasts the holdout with its defaults and `--level 80,95`;
this script counts the held-out actuals inside each interval. Nominal: 80% and 95%.

Usage (from the repository root):
  /tmp/venv-sf/bin/python docs/forecast/coverage.py --salesctl target/release/salesctl
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402
import validate  # noqa: E402


def run(binary, s):
    """salesctl's held-out rows for one series, with 80% and 95% intervals."""
    r = validate.run_one(binary, s, s["y"], s["periods"], [("cov", ["--level", "80,95"])],
                         timeout=600)["cov"]
    if isinstance(r, str):
        raise RuntimeError(f"{s['series']}: {r}")
    return r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--salesctl", required=True)
    ap.add_argument("--out", default="docs/forecast/coverage.md")
    a = ap.parse_args(argv)
    binary = compare.resolve_binary(a.salesctl)
    series = compare.load_series(compare.DATA)
    fa, _ = validate.load_fresh()
    fb, _ = validate.load_fresh_b()
    L = ["# Prediction-interval coverage on held-out points", "",
         "| series | set | model | points | inside 80% | inside 95% |",
         "| --- | --- | --- | ---: | ---: | ---: |"]
    tot = {"80": [0, 0], "95": [0, 0]}
    for set_name, group in (("issue", series), ("A", fa), ("B", fb)):
        for s in group:
            df = run(binary, s)
            y = df["actual"].to_numpy(float)
            row = [s["series"], set_name, ";".join(dict.fromkeys(df["model"].astype(str))), len(y)]
            for lv in ("80", "95"):
                lo = df[f"lower_{lv}"].to_numpy(float)
                hi = df[f"upper_{lv}"].to_numpy(float)
                inside = int(np.sum((y >= lo) & (y <= hi)))
                tot[lv][0] += inside
                tot[lv][1] += len(y)
                row.append(f"{inside}/{len(y)}")
            L.append("| " + " | ".join(str(v) for v in row) + " |")
    L += ["", f"All points: 80% interval {tot['80'][0]}/{tot['80'][1]} = "
          f"{100 * tot['80'][0] / tot['80'][1]:.1f}%; 95% interval {tot['95'][0]}/{tot['95'][1]} = "
          f"{100 * tot['95'][0] / tot['95'][1]:.1f}%."]
    md = "\n".join(L) + "\n"
    with open(compare.repo_path(a.out), "w") as fh:
        fh.write(md)
    sys.stdout.write(md)


if __name__ == "__main__":
    main()
