#!/usr/bin/env python3
"""Independent forecast-accuracy reference for `salesctl forecast`.

Compares, on a held-out tail of each monthly series (season length m = 12):
  (a) statsforecast AutoETS(season_length=12)
  (b) seasonal naive (computed here: repeat the last observed season)
  (c) salesctl forecast (optional: env SALESCTL or --salesctl PATH)

Metrics are computed here, from point forecasts against the true data:
  MAPE  = 100 * mean(|e| / |y|)          over held-out points with y != 0
  sMAPE = 200 * mean(|e| / (|y| + |f|))  (a term with |y| + |f| == 0 counts as 0)
  MASE  = mean|e| / mean_{t>=12} |y_t - y_{t-12}|   (scale from the TRAINING part)

Outputs (paths relative to the repository root unless absolute):
  stdout, --out (default docs/forecast/results.csv):
      series,model,selected,mape,smape,mase,error
  --summary (default docs/forecast/summary.md): markdown summary (also echoed to stderr)
  docs/forecast/statsforecast.csv: the statsforecast-only rows (AutoETS + seasonal naive)
  docs/forecast/statsforecast_forecasts.csv: series,period,autoets,snaive,actual
  docs/forecast/statsforecast_full.csv: AutoETS fitted on the FULL Airline / Shampoo series

A failure (statsforecast error, salesctl exit status, missing rows, ...) is a row
whose metrics are empty and whose `error` column holds the text; the script goes on.

Usage (from the repository root):
  /tmp/venv-sf/bin/python docs/forecast/compare.py
  SALESCTL=target/release/salesctl /tmp/venv-sf/bin/python docs/forecast/compare.py
"""

import argparse
import io
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd

M = 12  # season length for every series here
DATA = "/work/shared/data/timeseries"
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))  # docs/forecast -> repo root

# name, file, date column, value column, id column (None: single series), holdout
FILES = [
    ("Airline", "Airline.csv", "Date", "Passengers", None, 12),
    ("Shampoo", "ShampooSales.csv", "Time", "Sales", None, 6),
    ("m4", "m4_monthly.csv", "date", "value", "id", 12),
]

COLUMNS = ["series", "model", "selected", "mape", "smape", "mase", "error"]


# --------------------------------------------------------------------------- data

def load_series(data_dir):
    """Return a list of dicts: series, file, spec, periods (PeriodIndex), y, h."""
    out = []
    for name, fname, dcol, vcol, idcol, h in FILES:
        df = pd.read_csv(os.path.join(data_dir, fname))
        groups = [(name, df)] if idcol is None else list(df.groupby(idcol, sort=False))
        for sid, g in groups:
            per = pd.PeriodIndex(pd.to_datetime(g[dcol].astype(str)), freq="M")
            order = np.argsort(per.asi8, kind="stable")
            out.append(dict(
                series=str(sid), file=fname, name=name, h=h,
                periods=per[order], y=g[vcol].to_numpy(dtype=float)[order],
            ))
    return out


# ------------------------------------------------------------------------ metrics

def snaive_forecast(train, h, m=M):
    n = len(train)
    return np.array([train[n - m + ((k - 1) % m)] for k in range(1, h + 1)], dtype=float)


def mase_scale(train, m=M):
    return float(np.mean(np.abs(train[m:] - train[:-m])))


def metrics(actual, fc, train, m=M):
    actual = np.asarray(actual, float)
    fc = np.asarray(fc, float)
    e = np.abs(actual - fc)
    nz = actual != 0
    mape = 100.0 * float(np.mean(e[nz] / np.abs(actual[nz]))) if nz.any() else float("nan")
    den = np.abs(actual) + np.abs(fc)
    terms = np.where(den == 0, 0.0, e / np.where(den == 0, 1.0, den))
    smape = 200.0 * float(np.mean(terms))
    scale = mase_scale(train, m)
    mase = float(np.mean(e)) / scale if scale > 0 else float("nan")
    return mape, smape, mase


def row(series, model, selected="", mape=None, smape=None, mase=None, error=""):
    return dict(series=series, model=model, selected=selected,
                mape=mape, smape=smape, mase=mase, error=error)


# ------------------------------------------------------------------ statsforecast

def autoets_fit(y, m=M):
    from statsforecast.models import AutoETS
    mdl = AutoETS(season_length=m)
    mdl.fit(np.asarray(y, float))
    info = mdl.model_
    method = info.get("method") if isinstance(info, dict) else None
    return mdl, (method or str(info)), (info.get("aicc") if isinstance(info, dict) else None)


def run_statsforecast(series):
    rows, fc_rows = [], []
    for s in series:
        y, h = s["y"], s["h"]
        train, test = y[:-h], y[-h:]
        test_per = s["periods"][-h:]
        sn = snaive_forecast(train, h)
        ets = np.full(h, np.nan)
        try:
            mdl, method, _ = autoets_fit(train)
            ets = np.asarray(mdl.predict(h)["mean"], float)
            if ets.shape != (h,) or not np.all(np.isfinite(ets)):
                raise ValueError(f"AutoETS returned non-finite/ill-shaped forecast {ets!r}")
            rows.append(row(s["series"], "AutoETS", method, *metrics(test, ets, train)))
        except Exception as exc:  # noqa: BLE001 - record and go on
            rows.append(row(s["series"], "AutoETS", error=f"{type(exc).__name__}: {exc}"))
        rows.append(row(s["series"], "SeasonalNaive", f"snaive(m={M})", *metrics(test, sn, train)))
        for p, a, b, t in zip(test_per, ets, sn, test):
            fc_rows.append(dict(series=s["series"], period=str(p), autoets=a, snaive=b, actual=t))
    return rows, fc_rows


def run_full_fits(series):
    out = []
    for s in series:
        if s["name"] not in ("Airline", "Shampoo"):
            continue
        try:
            _, method, aicc = autoets_fit(s["y"])
            out.append(dict(series=s["series"], n=len(s["y"]), selected=method,
                            aicc=aicc, error=""))
        except Exception as exc:  # noqa: BLE001
            out.append(dict(series=s["series"], n=len(s["y"]), selected="", aicc=None,
                            error=f"{type(exc).__name__}: {exc}"))
    return out


# ------------------------------------------------------------------------ salesctl

def resolve_binary(path):
    if os.path.isabs(path) or os.path.exists(path):
        return os.path.abspath(path)
    cand = os.path.join(REPO, path)
    return cand if os.path.exists(cand) else path  # leave bare names to PATH lookup


def salesctl_cmd(binary, spec, data_dir):
    name, fname, dcol, vcol, idcol, h = spec
    cmd = [binary, "forecast", os.path.join(data_dir, fname),
           "--map", f"ordered_at={dcol}", "--map", f"amount={vcol}"]
    if idcol:
        cmd += ["--by", idcol]
    cmd += ["--holdout", str(h), "--format", "csv", "--table", "forecast", "-q"]
    return cmd


def to_period(values):
    return pd.PeriodIndex(pd.to_datetime(pd.Series(values).astype(str).str.strip()), freq="M")


def one_line(text, limit=300):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


def run_salesctl(binary, series, data_dir, timeout):
    rows = []
    by_file = {}
    for s in series:
        by_file.setdefault(s["file"], []).append(s)
    for spec in FILES:
        members = by_file.get(spec[1], [])
        if not members:
            continue
        cmd = salesctl_cmd(binary, spec, data_dir)
        fail = None
        try:
            proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)
            if proc.returncode != 0:
                fail = f"exit {proc.returncode}: {one_line(proc.stderr or proc.stdout)}"
            else:
                df = pd.read_csv(io.StringIO(proc.stdout), dtype={"group": str, "period": str})
                missing = [c for c in ("group", "period", "forecast") if c not in df.columns]
                if missing:
                    fail = f"salesctl CSV lacks columns {missing}; has {list(df.columns)}"
        except subprocess.TimeoutExpired:
            fail = f"timeout after {timeout}s"
        except Exception as exc:  # noqa: BLE001
            fail = f"{type(exc).__name__}: {one_line(exc)}"
        if fail:
            rows += [row(s["series"], "salesctl", error=fail) for s in members]
            continue
        df = df[df["group"].astype(str).str.strip() != "(total)"]
        for s in members:
            try:
                rows.append(score_salesctl(s, df, single=spec[4] is None))
            except Exception as exc:  # noqa: BLE001
                rows.append(row(s["series"], "salesctl", error=f"{type(exc).__name__}: {one_line(exc)}"))
    return rows


def score_salesctl(s, df, single):
    h, y = s["h"], s["y"]
    train, test = y[:-h], y[-h:]
    test_per = s["periods"][-h:]
    g = df if single else df[df["group"].astype(str).str.strip() == s["series"]]
    if single and g["group"].nunique() > 1:
        raise ValueError(f"several groups for a single-series file: {sorted(g['group'].unique())}")
    if g.empty:
        raise ValueError(f"no salesctl rows for group {s['series']!r}")
    g = g.assign(_per=to_period(g["period"]).asi8).sort_values("_per", kind="stable")
    g = g[g["_per"].isin(test_per.asi8)]
    if len(g) != h or g["_per"].duplicated().any():
        raise ValueError(f"expected {h} forecast rows for held-out periods "
                         f"{test_per[0]}..{test_per[-1]}, matched {len(g)}")
    fc = pd.to_numeric(g["forecast"], errors="coerce").to_numpy(float)
    if not np.all(np.isfinite(fc)):
        raise ValueError(f"non-numeric/non-finite forecast values: {list(g['forecast'])}")
    selected = ""
    if "model" in g.columns:
        selected = ";".join(dict.fromkeys(str(v) for v in g["model"]))
    return row(s["series"], "salesctl", selected, *metrics(test, fc, train))


# ------------------------------------------------------------------------- output

def fmt(v, nd=3):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return f"{v:.{nd}f}"


def results_frame(rows):
    df = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("mape", "smape", "mase"):
        df[c] = pd.to_numeric(df[c])
    return df


def markdown_summary(df, full, series_order, with_salesctl):
    L = ["# Forecast accuracy summary", ""]
    L += ["| series | model | selected | MAPE % | sMAPE % | MASE | error |",
          "| --- | --- | --- | ---: | ---: | ---: | --- |"]
    for _, r in df.iterrows():
        L.append(f"| {r.series} | {r.model} | {r.selected} | {fmt(r.mape, 2)} | "
                 f"{fmt(r.smape, 2)} | {fmt(r.mase)} | {r.error} |")
    L += ["", "Mean MASE per model (over the series where the model produced a forecast):", "",
          "| model | mean MASE | series scored | failures |", "| --- | ---: | ---: | ---: |"]
    for model, g in df.groupby("model", sort=False):
        ok = g["mase"].notna()
        L.append(f"| {model} | {fmt(g.loc[ok, 'mase'].mean())} | {int(ok.sum())} | {int((~ok).sum())} |")
    L.append("")
    if with_salesctl:
        piv = df.pivot_table(index="series", columns="model", values="mase", aggfunc="first")
        piv = piv.reindex(series_order)
        sc = piv.get("salesctl", pd.Series(np.nan, index=piv.index))
        sn = piv.get("SeasonalNaive", pd.Series(np.nan, index=piv.index))
        et = piv.get("AutoETS", pd.Series(np.nan, index=piv.index))
        lost = [s for s in piv.index if not (sc[s] < sn[s])]  # NaN (failure) counts as a loss
        L.append(f"- salesctl beats seasonal naive (lower MASE) on every series: "
                 f"**{'yes' if not lost else 'no'}**"
                 + ("" if not lost else f" (not on: {', '.join(lost)})"))
        both = sc.notna() & et.notna()
        if sc.isna().any() or et.isna().any():
            L.append(f"- salesctl mean MASE <= AutoETS mean MASE: **no (not comparable: "
                     f"failures on {', '.join(piv.index[sc.isna() | et.isna()])})**"
                     + (f"; on the {int(both.sum())} series both scored: "
                        f"{fmt(sc[both].mean())} vs {fmt(et[both].mean())}" if both.any() else ""))
        else:
            ok = sc.mean() <= et.mean()
            L.append(f"- salesctl mean MASE <= AutoETS mean MASE: **{'yes' if ok else 'no'}** "
                     f"({fmt(sc.mean())} vs {fmt(et.mean())})")
    else:
        L.append("- salesctl: not run (set SALESCTL=path/to/salesctl or pass --salesctl PATH).")
    L += ["", "AutoETS fitted on the FULL series (statsforecast):", "",
          "| series | n | selected | AICc | error |", "| --- | ---: | --- | ---: | --- |"]
    for f in full:
        L.append(f"| {f['series']} | {f['n']} | {f['selected']} | {fmt(f['aicc'], 2)} | {f['error']} |")
    return "\n".join(L) + "\n"


def repo_path(p):
    return p if os.path.isabs(p) else os.path.join(REPO, p)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="docs/forecast/results.csv")
    ap.add_argument("--summary", default="docs/forecast/summary.md")
    ap.add_argument("--salesctl", default=os.environ.get("SALESCTL") or None,
                    help="salesctl binary (default: env SALESCTL; unset = skip salesctl)")
    ap.add_argument("--data-dir", default=DATA)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per salesctl run")
    ap.add_argument("--no-reference-files", action="store_true",
                    help="do not (re)write the statsforecast*.csv reference files")
    args = ap.parse_args(argv)

    series = load_series(args.data_dir)
    order = [s["series"] for s in series]
    sf_rows, fc_rows = run_statsforecast(series)
    full = run_full_fits(series)
    rows = list(sf_rows)
    if args.salesctl:
        rows += run_salesctl(resolve_binary(args.salesctl), series, args.data_dir, args.timeout)

    df = results_frame(rows)
    df["_o"] = df["series"].map({s: i for i, s in enumerate(order)})
    df = df.sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)

    csv_text = df.to_csv(index=False, float_format="%.6f")
    sys.stdout.write(csv_text)
    os.makedirs(os.path.dirname(repo_path(args.out)) or ".", exist_ok=True)
    with open(repo_path(args.out), "w") as fh:
        fh.write(csv_text)

    if not args.no_reference_files:
        results_frame(sf_rows).to_csv(os.path.join(HERE, "statsforecast.csv"),
                                      index=False, float_format="%.6f")
        pd.DataFrame(fc_rows, columns=["series", "period", "autoets", "snaive", "actual"]).to_csv(
            os.path.join(HERE, "statsforecast_forecasts.csv"), index=False, float_format="%.6f")
        pd.DataFrame(full, columns=["series", "n", "selected", "aicc", "error"]).to_csv(
            os.path.join(HERE, "statsforecast_full.csv"), index=False, float_format="%.4f")

    md = markdown_summary(df, full, order, bool(args.salesctl))
    with open(repo_path(args.summary), "w") as fh:
        fh.write(md)
    sys.stderr.write("\n" + md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
