#!/usr/bin/env python3
"""Cross-check: re-read every rendered fixture with pandas / xlrd / openpyxl and recompute the totals in
expected.json. make_testdata.py computes expected.json from its canonical records; this script is a second,
separate reading of the bytes on disk, to catch renderer mistakes. Run after make_testdata.py:

    /tmp/venv/bin/python testdata/gen/check_testdata.py      (needs pandas, openpyxl, xlrd)
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import datetime, timezone
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pandas as pd
import xlrd

T = Path(__file__).resolve().parent.parent
EXP = json.loads((T / "expected.json").read_text(encoding="utf-8"))
FAIL = []

WON = {"closed won", "won", "赢单", "成交"}
LOST = {"closed lost", "lost", "closed lost to competition", "输单", "丢单"}


def st(stage):
    s = str(stage).strip().lower()
    return "won" if s in WON else "lost" if s in LOST else "invalid" if s == "无效" else "open"


def amount(text):
    t = str(text).strip()
    if t in ("", "NA", "-", "nan"):
        return None, None
    cur = None
    for sym, iso in (("$", "USD"), ("¥", "CNY"), ("￥", "CNY"), ("€", "EUR"), ("£", "GBP")):
        if sym in t:
            cur, t = iso, t.replace(sym, "")
    t = t.strip()
    neg = t.startswith("(") and t.endswith(")")
    t = t.strip("()")
    mult = 1
    if t.endswith("万"):
        mult, t = 10000, t[:-1]
    if t.endswith("亿"):
        mult, t = 100000000, t[:-1]
    if re.fullmatch(r"[\d.]+,\d{2}", t):
        t = t.replace(".", "").replace(",", ".")
    v = D(t.replace(",", "")) * mult
    return (-v if neg else v), cur


def totals(rows):
    """rows: list of (status, amount Decimal|None, currency str)"""
    s = {"open": 0, "won": 0, "lost": 0, "invalid": 0}
    a, w = {}, {}
    for status, amt, cur in rows:
        s[status] += 1
        if amt is None:
            continue
        a[cur] = a.get(cur, D(0)) + amt
        if status == "won":
            w[cur] = w.get(cur, D(0)) + amt
    q = lambda m: {k: str(v.quantize(D("0.01"))) for k, v in sorted(m.items())}  # noqa: E731
    return s, q(a), q(w)


def check(path, rows, as_of, **more):
    e = EXP[path]
    s, a, w = totals(rows)
    got = {"rows_out": len(rows), "status": s, "amount_by_currency": a, "won_amount_by_currency": w,
           "as_of": as_of, **more}
    for k, v in got.items():
        if e.get(k) != v:
            FAIL.append(f"{path}: {k}: expected.json {e.get(k)!r} != re-read {v!r}")
    print(f"checked {path}")


def latest(vals):
    return max(v for v in vals if v is not None and not pd.isna(v)).date().isoformat()


def read_csv(path, **kw):
    return pd.read_csv(T / path, dtype=str, keep_default_na=False, **kw)


# ---- Salesforce report: stop at the blank line before the footer ----
raw = (T / "salesforce/report1700000000000.csv").read_text(encoding="utf-8")
body, footer = raw.split("\n\n")
assert footer.startswith('"Grand Totals (14 records)"') and raw.endswith('reserved."\n')
df = pd.read_csv(io.StringIO(body), dtype=str)
assert all(line.startswith('"') and line.endswith('"') for line in body.splitlines())
check("salesforce/report1700000000000.csv",
      [(st(r["Stage"]), D(r["Total Amount"]), r["Total Amount Currency"]) for _, r in df.iterrows()],
      datetime.fromtimestamp(1700000000, timezone.utc).date().isoformat())
assert EXP["salesforce/report1700000000000.csv"]["rows_in"] == len(df) == 14

# ---- Salesforce history ----
h = read_csv("salesforce/opportunity_history.csv")
h["t"] = pd.to_datetime(h["CreatedDate"], utc=True)
h = h.sort_values(["OpportunityId", "t"])
ev = {}
for oid, g in h.groupby("OpportunityId"):
    stages = list(g["StageName"])
    ev[oid] = sum(1 for i, s in enumerate(stages) if i == 0 or s != stages[i - 1])
e = EXP["salesforce/opportunity_history.csv"]
for k, v in {"rows_in": len(h), "stage_events": sum(ev.values()), "stage_events_by_deal": ev,
             "as_of": h["t"].max().date().isoformat()}.items():
    if e[k] != v:
        FAIL.append(f"history {k}: {e[k]} != {v}")
last = h.groupby("OpportunityId").tail(1).set_index("OpportunityId")
for _, r in df.iterrows():
    lr = last.loc[r["Opportunity ID"]]
    assert lr["StageName"] == r["Stage"] and D(lr["Amount"]) == D(r["Total Amount"]), r["Opportunity ID"]
    close = datetime.strptime(r["Close Date"], "%m/%d/%Y").date().isoformat()
    assert lr["CloseDate"] == close, (lr["CloseDate"], close)
print("checked salesforce/opportunity_history.csv")

# ---- HubSpot ----
path = "hubspot/hubspot-crm-exports-all-deals-2026-10-31.csv"
df = read_csv(path)
entered = [c for c in df.columns if c.startswith('Date entered "')]
assert len(entered) == 12
check(path, [(st(r["Deal Stage"]), amount(r["Amount"])[0], "") for _, r in df.iterrows()], "2026-10-31",
      stage_events=int((df[entered] != "").sum().sum()))

# ---- Pipedrive ----
path = "pipedrive/deals-pipedrive.csv"
df = read_csv(path)
times = pd.to_datetime(pd.concat([df["Deal - Deal created"], df["Deal - Won time"], df["Deal - Lost time"]])
                       .replace("", None))
check(path, [(r["Deal - Status"].lower(), D(r["Deal - Value"]), r["Deal - Currency of value"])
             for _, r in df.iterrows()], latest(times))
assert "\n" in df["Deal - Title"][1] and "," in df["Deal - Title"][0]

# ---- Zoho CRM ----
path = "zoho/Deals_2026_05_28.csv"
assert (T / path).read_bytes()[:3] == b"\xef\xbb\xbf"
df = read_csv(path, encoding="utf-8-sig")
assert df["Record Id"].str.startswith("zcrm_").all()
check(path, [(st(r["Stage"]), D(r["Amount"]), "") for _, r in df.iterrows()], "2026-05-28")

# ---- Zoho Analytics ----
path = "zoho/potentials_analytics.csv"
b = (T / path).read_bytes()
assert b.count(b"\r\n") == b.count(b"\n") and all(line.endswith(b",,") for line in b.split(b"\r\n")[:-1])
df = read_csv(path)
df = df[(df.drop(columns=[c for c in df.columns if c.startswith("Unnamed")]) != "").any(axis=1)]
rows, ts = [], []
for _, r in df.iterrows():
    a, c = amount(r["Amount"])
    rows.append((st(r["Stage"]), a, c or ""))
    ts.append(datetime.strptime(r["Created Time"], "%d %b, %Y %H:%M:%S"))
    if st(r["Stage"]) in ("won", "lost"):
        ts.append(datetime.strptime(r["Closing Date"], "%d %b, %Y"))
check(path, rows, latest(ts))

# ---- Odoo ----
path = "odoo/crm_lead.csv"
df = read_csv(path)
assert (T / path).read_bytes()[:1] == b'"'
rows = [("won" if r["Stage"] == "Won" else "lost" if r["Active"] == "False" else "open", D(r["Expected Revenue"]), "")
        for _, r in df.iterrows()]
check(path, rows, latest(pd.to_datetime(pd.concat([df["Closed Date"], df["Last Stage Update"]]).replace("", None))))

# ---- WukongCRM ----
for path, hdr in (("wukong/商机信息.xls", 0), ("wukong/business.xls", 1)):
    bk = xlrd.open_workbook(T / path, formatting_info=True)
    sh = bk.sheet_by_index(0)
    assert sh.name == "sheet1"
    if hdr:
        assert sh.cell_value(0, 0) == "商机信息" and (0, 1, 0, 14) in sh.merged_cells
    head = sh.row_values(hdr)
    assert head[0] == "商机名称" and len(head) == 14 and "编号" not in "".join(head)
    rows, ts = [], []
    for i in range(hdr + 1, sh.nrows):
        r = dict(zip(head, sh.row_values(i)))
        assert sh.cell_type(i, 2) == xlrd.XL_CELL_NUMBER
        rows.append((st(r["商机阶段"]), D(str(r["商机金额"])), "CNY"))
        ts += [datetime.strptime(r["创建时间"], "%Y-%m-%d %H:%M:%S"), datetime.strptime(r["更新时间"], "%Y-%m-%d %H:%M:%S")]
    check(path, rows, latest(ts))

# ---- Twins ----
u = (T / "twins/deals_utf8.csv").read_bytes()
g = (T / "twins/deals_gbk.csv").read_bytes()
assert u.decode("utf-8") == g.decode("gbk") and u != g


def cn_dt(s):
    s = s.strip()
    if not s:
        return None
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", s)
    if m:
        return datetime(*map(int, m.groups()))
    for f in ("%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(s, f)
        except ValueError:
            pass
    raise ValueError(s)


canon = []
for path, enc in (("twins/deals_utf8.csv", "utf-8"), ("twins/deals_gbk.csv", "gbk")):
    df = read_csv(path, encoding=enc)
    rows = []
    for _, r in df.iterrows():
        a, c = amount(r["商机金额"])
        rows.append((st(r["销售阶段"]), a, c or "CNY"))
    canon = [(r["商机名称"], a, cn_dt(r["创建时间"]), cn_dt(r["结单日期"]), cn_dt(r["预计成交日期"]))
             for (_, r), (_, a, _) in zip(df.iterrows(), rows)]
    check(path, rows, latest([x[2] for x in canon] + [x[3] for x in canon]))

wb = openpyxl.load_workbook(T / "twins/deals.xlsx")
ws = wb.worksheets[0]
assert ws.title == "商机"
vals = list(ws.iter_rows(values_only=True))
head = vals[0]
rows, xl = [], []
for v in vals[1:]:
    r = dict(zip(head, v))
    assert isinstance(r["商机金额"], (int, float)) and isinstance(r["创建时间"], datetime)
    rows.append((st(r["销售阶段"]), D(str(r["商机金额"])), "CNY"))
    xl.append((r["商机名称"], D(str(r["商机金额"])), r["创建时间"], r["结单日期"], r["预计成交日期"]))
assert xl == canon, "xlsx differs from csv"
check("twins/deals.xlsx", rows, latest([x[2] for x in xl] + [x[3] for x in xl]))

bk = xlrd.open_workbook(T / "twins/deals.xls", formatting_info=True)
sh = bk.sheet_by_index(0)
head = sh.row_values(0)
rows, xs = [], []
for i in range(1, sh.nrows):
    def dv(c):
        if sh.cell_type(i, c) == xlrd.XL_CELL_EMPTY:
            return None
        assert sh.cell_type(i, c) == xlrd.XL_CELL_DATE, (i, c, sh.cell_type(i, c))
        return xlrd.xldate.xldate_as_datetime(sh.cell_value(i, c), bk.datemode)
    r = dict(zip(head, sh.row_values(i)))
    rows.append((st(r["销售阶段"]), D(str(r["商机金额"])), "CNY"))
    xs.append((r["商机名称"], D(str(r["商机金额"])), dv(7), dv(6), dv(5)))
assert xs == canon, "xls differs from csv"
check("twins/deals.xls", rows, latest([x[2] for x in xs] + [x[3] for x in xs]))

# ---- General ----
path = "general/eu_semicolon.csv"
b = (T / path).read_bytes()
assert b"\x80" in b and b.count(b"\r\n") == b.count(b"\n")
df = pd.read_csv(io.BytesIO(b), sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
rows = [(st(r["Stage"]), *amount(r["Amount"])) for _, r in df.iterrows()]
check(path, rows, latest(pd.to_datetime(pd.concat([df["Created"], df["Closed"]]).replace("", None), format="%d/%m/%Y")))

path = "general/unicode_text.txt"
b = (T / path).read_bytes()
assert b[:2] == b"\xff\xfe"
df = pd.read_csv(io.StringIO(b[2:].decode("utf-16-le")), sep="\t", dtype=str, keep_default_na=False)
check(path, [(st(r["Stage"]), D(r["Amount"]), r["Currency"]) for _, r in df.iterrows()],
      latest(pd.to_datetime(pd.concat([df["Created"], df["Closed"]]).replace("", None))))

path = "general/pipe_epoch.csv"
df = pd.read_csv(T / path, sep="|", dtype=str, na_values=["NA", "-"], keep_default_na=False)
rows = [(st(r["stage"]), None if pd.isna(r["amount"]) else D(r["amount"]),
         "" if pd.isna(r["currency"]) else r["currency"]) for _, r in df.iterrows()]
c = pd.to_datetime(df["created_at"].astype("int64"), unit="s", utc=True)
cl = pd.to_datetime(df["closed_at"].dropna().astype("int64"), unit="ms", utc=True)
check(path, rows, latest(list(c) + list(cl)))

path = "general/no_header.csv"
cols = EXP[path]["columns"]
df = pd.read_csv(T / path, header=None, names=cols, dtype=str)
check(path, [(st(r["stage"]), D(r["amount"]), r["currency"]) for _, r in df.iterrows()],
      latest(pd.to_datetime(df["created_at"])))

# ---- CDNOW ----
path = "cdnow/CDNOW_sample.txt"
df = pd.read_csv(T / path, sep=r"\s+", header=None, dtype=str)
e = EXP[path]
assert e["rows_in"] == len(df) and e["customers"] == df[1].nunique()
assert e["amount_by_currency"][""] == str(sum(D(x) for x in df[4]).quantize(D("0.01")))
assert e["min_date"].replace("-", "") == df[2].min() and e["max_date"].replace("-", "") == df[2].max()
print("checked", path)

# ---- Bad files ----
assert (T / "bad/empty.csv").stat().st_size == 0
assert (T / "bad/binary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
with open(T / "bad/ragged.csv", newline="") as f:
    lines = list(csv.reader(f))
widths = {i + 1: len(r) for i, r in enumerate(lines)}
bad = [{"row": n, "fields": w, "expected_fields": widths[1]} for n, w in widths.items() if w != widths[1]]
assert bad == EXP["bad/ragged.csv"]["reject_rows"], bad
good = [dict(zip(lines[0], r)) for r in lines[1:] if len(r) == len(lines[0])]
check("bad/ragged.csv", [(st(r["stage"]), D(r["amount"]), r["currency"]) for r in good],
      latest(pd.to_datetime([r["created_at"] for r in good])))
df = read_csv("bad/bad_values.csv")
rows, rej, ts = [], [], []
for i, r in df.iterrows():
    try:
        a = D(r["amount"])
        float(a)
    except Exception:
        rej.append({"row": i + 2, "column": "amount", "value": r["amount"]})
        continue
    try:
        ts.append(datetime.strptime(r["created_at"], "%Y-%m-%d"))
    except ValueError:
        rej.append({"row": i + 2, "column": "created_at", "value": r["created_at"]})
        continue
    if r["closed_at"]:
        ts.append(datetime.strptime(r["closed_at"], "%Y-%m-%d"))
    rows.append((st(r["stage"]), a, r["currency"]))
assert rej == EXP["bad/bad_values.csv"]["reject_rows"], rej
check("bad/bad_values.csv", rows, latest(ts))

if FAIL:
    print("\n".join(FAIL))
    sys.exit(1)
print("all re-read totals agree with expected.json")
