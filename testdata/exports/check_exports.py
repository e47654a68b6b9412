#!/usr/bin/env python3
"""Independent cross-check of testdata/exports/expected.json.

Re-reads every rendered export with pandas, the way a user of pandas would
read it (per-file encoding, separator, quoting and column knowledge taken from
the files themselves and README.md), recomputes the numbers expected.json
states and compares them.  It does not import or copy make_exports.py.

    python3 check_exports.py          # one line per file, exit 1 on mismatch

Checked per deals file: deals, won, lost, open, won_amount_by_currency,
funnel_first/funnel_last (or, where expected.json says the funnel refuses,
that no stage order is implied by the layout), funnel_deals, funnel_won,
label_flag_disagreements and stage_sample when present.  History file:
rows_in, stage_events, distinct_deals.  Headerless dump: first row is data.
Not checked (salesctl behaviour, not data): layout, table, exit messages.
"""
import json
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------
# Vendor default stage lists (open stages only, in pipeline order), from the
# vendors' own defaults as README.md names them.
# --------------------------------------------------------------------------
SALESFORCE_OPEN = [  # Opportunity.StageName defaults (also vTiger, SuiteCRM sales_stage_dom)
    "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
    "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
    "Negotiation/Review",
]
ZOHO_OPEN = [
    "Qualification", "Needs Analysis", "Value Proposition",
    "Identify Decision Makers", "Proposal/Price Quote", "Negotiation/Review",
]
BITRIX_OPEN = ["NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE"]
ODOO_OPEN = ["New", "Qualified", "Proposition"]          # Odoo 12/13 crm.stage defaults
WUKONG_OPEN = ["验证客户", "需求分析", "方案/报价"]        # WukongCRM 9.0 default status group

WON_LABELS = {"closed won", "closedwon", "won", "ganada", "выиграна", "赢单", "успешно реализовано",
              "cierre ganado"}
LOST_LABELS = {"closed lost", "closedlost", "closed-lost to competition", "lost", "lose",
               "закрыто и не реализовано", "cierre perdido",
               "apology", "perdida", "проиграна", "输单"}

CURRENCY_NAMES = {"us dollar": "USD", "euro": "EUR"}

TRUE = {"true", "1", "y", "yes"}
FALSE = {"false", "0", "n", "no"}


def label_outcome(label):
    s = str(label).strip().lower()
    if s in WON_LABELS:
        return "won"
    if s in LOST_LABELS:
        return "lost"
    return None


def as_bool(v, col):
    s = str(v).strip().lower()
    if s in TRUE:
        return True
    if s in FALSE:
        return False
    raise ValueError(f"{col}: not a boolean: {v!r}")


def dec(v):
    try:
        return Decimal(str(v).strip())
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {v!r}")


# --------------------------------------------------------------------------
# Per-file reading knowledge.
#   read:     pandas.read_csv keyword arguments
#   stage:    stage column
#   amount:   amount column
#   currency: currency column or None
#   status:   how outcome is decided:
#             "label"         stage label only
#             ("status", col) an Open/Won/Lost status column
#             "salesforce"    IsWon/IsClosed decide (label only a cross-check)
#             "bitrix"        STAGE_ID label, STAGE_SEMANTIC_ID must agree
#             "odoo"          stage Won = won, active False = lost
#             "won_closed"    label when an outcome, else Won 0/1 + Closed Y/N
#   order:    how the open-stage order is implied: a vendor list, "ordinal",
#             ("probability", col), or None (no order: funnel must refuse)
# --------------------------------------------------------------------------
STR = dict(dtype=str, keep_default_na=False)
FILES = {
    "salesforce_object_api.csv": dict(
        read=STR, stage="StageName", amount="Amount", currency="CurrencyIsoCode",
        status="salesforce", order=SALESFORCE_OPEN),
    "salesforce_custom_fields.csv": dict(
        read=STR, stage="StageName__c", amount="Amount__c", currency=None,
        status="salesforce", order=None, vendor_list=SALESFORCE_OPEN),
    "zoho_api_deals.csv": dict(
        read=STR, stage="Stage", amount="Amount", currency=None,
        status="label", order=ZOHO_OPEN),
    "bitrix24_deals.csv": dict(
        read=STR, stage="STAGE_ID", amount="OPPORTUNITY", currency="CURRENCY_ID",
        status="bitrix", order=BITRIX_OPEN),
    "odoo12_import.csv": dict(
        read=STR, stage="stage_id", amount="planned_revenue", currency=None,
        status="odoo", order=ODOO_OPEN),
    "vtiger_potentials.csv": dict(
        read=STR, stage="Sales Stage", amount="Amount", currency=None,
        status="label", order=SALESFORCE_OPEN),
    "dynamics365_opportunities.csv": dict(
        read=STR, stage="Pipeline Phase", amount="Est. Revenue", currency="Currency",
        status=("status", "Status"), order="ordinal"),
    "suitecrm_opportunities.csv": dict(
        read=STR, stage="sales_stage", amount="amount", currency=None,
        status="label", order=SALESFORCE_OPEN),
    "pipeline_es_cp1252.csv": dict(
        read=dict(STR, sep=";", encoding="cp1252"), stage="Etapa", amount="Monto",
        currency="Moneda", status="label", order=None),
    # amoCRM Russian UI export: UTF-8 with BOM, ';'; no currency column, RUB by the layout's
    # default (README); amoCRM's default pipeline.
    "amocrm_deals.csv": dict(
        read=dict(STR, sep=";", encoding="utf-8-sig"), stage="Этап сделки", amount="Бюджет",
        currency=None, default_currency="RUB", status="label",
        order=["Первичный контакт", "Переговоры", "Принимают решение", "Согласование договора"]),
    # HubSpot CRM API: internal stage ids, HubSpot's default pipeline order.
    "hubspot_api_deals.csv": dict(
        read=STR, stage="dealstage", amount="amount", currency=None, status="label",
        order=["appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
               "decisionmakerboughtin", "contractsent"]),
    # HubSpot Spanish UI: no currency column, no stage order in the file.
    "hubspot_es_deals.csv": dict(
        read=STR, stage="Etapa del negocio", amount="Importe", currency=None,
        status="label", order=None),
    # MySQL dump without a header: read with the dump's column order (README) as names.
    "mysql_headerless.tsv": dict(
        read=dict(STR, sep="\t", header=None,
                  names=["deal_id", "deal_name", "owner", "stage", "amount", "created_at", "closed_at"]),
        stage="stage", amount="amount", currency=None, status="label", order=None),
    "deals_ru_cp1251.csv": dict(
        read=dict(STR, sep=";", encoding="cp1251"), stage="Стадия", amount="Сумма",
        currency="Валюта", status="label", order=None),
    # MySQL INTO OUTFILE: \" escapes a quote, \N is NULL.  With escapechar the
    # C parser consumes the backslash of an unquoted \N, leaving "N".
    "mysql_outfile.csv": dict(
        read=dict(STR, escapechar="\\", na_values={"closed_at": ["N"]}),
        stage="stage", amount="amount", currency="currency",
        status="label", order=None),
    "two_digit_years.csv": dict(
        read=STR, stage="Stage", amount="Amount", currency="Currency",
        status="label", order="ordinal"),
    "closed_yn_flags.csv": dict(
        read=STR, stage="Stage", amount="Amount", currency="Currency",
        status="won_closed", order=("probability", "Probability")),
    "latam_currencies.csv": dict(
        read=STR, stage="Stage", amount="Deal size", currency="Currency",
        status="label", order=None),
    "kaggle_sales_pipeline.csv": dict(
        read=STR, stage="deal_stage", amount="close_value", currency=None,
        status="label", order=None),
    # Excel "Unicode text": UTF-16 LE, tab-separated; the BOM was stripped.
    "utf16le_nobom.csv": dict(
        read=dict(STR, sep="\t", encoding="utf-16-le"), stage="销售阶段",
        amount="商机金额", currency="币种", status="label", order=None),
    "wukong_gbk.csv": dict(
        read=dict(STR, encoding="gbk"), stage="商机阶段", amount="商机金额",
        currency=None, default_currency="CNY", status="label", order=WUKONG_OPEN),
}
HISTORY = {
    "salesforce_history_external.csv": dict(
        read=STR, deal="Opportunity.External_Id__c", time="CreatedDate", stage="StageName"),
}
HEADERLESS = {"mysql_headerless.tsv": dict(sep="\t", header=None, dtype=str,
                                           keep_default_na=False)}


# --------------------------------------------------------------------------
def outcomes(df, spec, notes):
    stage = df[spec["stage"]]
    st = spec["status"]
    out = []
    disagreements = 0
    for i, row in df.iterrows():
        lab = label_outcome(row[spec["stage"]])
        if isinstance(st, tuple) and st[0] == "status":
            v = row[st[1]].strip().lower()
            o = {"open": "open", "won": "won", "lost": "lost"}[v]
        elif st == "salesforce":
            won = as_bool(row["IsWon"], "IsWon")
            closed = as_bool(row["IsClosed"], "IsClosed")
            if won and not closed:
                raise ValueError(f"row {i}: IsWon true but IsClosed false")
            o = "won" if won else ("lost" if closed else "open")
            if (lab or "open") != o:
                disagreements += 1
        elif st == "bitrix":
            o = lab or "open"
            sem = {"S": "won", "F": "lost", "P": "open"}[row["STAGE_SEMANTIC_ID"].strip()]
            if sem != o:
                raise ValueError(f"row {i}: STAGE_ID {row['STAGE_ID']} vs "
                                 f"STAGE_SEMANTIC_ID {row['STAGE_SEMANTIC_ID']}")
        elif st == "odoo":
            active = as_bool(row["active"], "active")
            is_won = row[spec["stage"]].strip() == "Won"
            if is_won and not active:
                raise ValueError(f"row {i}: stage Won but active False")
            o = "won" if is_won else ("lost" if not active else "open")
        elif st == "won_closed":
            won = as_bool(row["Won"], "Won")
            closed = as_bool(row["Closed"], "Closed")
            flag = "won" if won else ("lost" if closed else "open")
            if lab is not None:
                o = lab
                if flag != lab:
                    disagreements += 1
            else:
                o = flag
        elif st == "label":
            o = lab or "open"
        else:
            raise AssertionError(st)
        out.append(o)
    if disagreements:
        notes.append(f"{disagreements} label/flag disagreement(s)")
    return pd.Series(out, index=df.index), disagreements


def currency_code(v):
    s = str(v).strip()
    return CURRENCY_NAMES.get(s.lower(), s.upper())


def ordinal_key(label):
    m = re.match(r"^\s*(\d+)\s*[.\-)]\s*\S", label)
    return int(m.group(1)) if m else None


def funnel(df, spec, status):
    """(first, last) open stage, or None when the layout implies no order."""
    open_stages = list(dict.fromkeys(df.loc[status == "open", spec["stage"]]))
    order = spec["order"]
    if order is None:
        return None
    if isinstance(order, list):
        unknown = [s for s in open_stages if s not in order]
        if unknown:
            raise ValueError(f"open stages not in vendor list: {unknown}")
        return order[0], order[-1]
    if order == "ordinal":
        keys = {s: ordinal_key(s) for s in open_stages}
        if any(k is None for k in keys.values()):
            raise ValueError(f"open stages without ordinal prefix: {keys}")
        ranked = sorted(open_stages, key=keys.get)
        return ranked[0], ranked[-1]
    if order[0] == "probability":
        col = order[1]
        prob = df[col].str.rstrip("%").astype(float)
        per_stage = prob.groupby(df[spec["stage"]]).agg(["min", "max"])
        if (per_stage["min"] != per_stage["max"]).any():
            raise ValueError(f"{col} not constant per stage:\n{per_stage}")
        p = per_stage["min"].sort_values()
        if not p.is_unique:
            raise ValueError(f"{col} not strictly monotone in stage: {dict(p)}")
        ranked = [s for s in p.index if s in open_stages]
        return ranked[0], ranked[-1]
    raise AssertionError(order)


def order_implied_anyway(df, spec, status):
    """For files expected to refuse: is a stage order implied after all?"""
    open_stages = list(dict.fromkeys(df.loc[status == "open", spec["stage"]]))
    reasons = []
    if open_stages and all(ordinal_key(s) is not None for s in open_stages):
        reasons.append("all open stages carry ordinal prefixes")
    if any(c.strip().lower() == "probability" for c in df.columns):
        reasons.append("a Probability column is present")
    vl = spec.get("vendor_list")
    if vl and open_stages and all(s in vl for s in open_stages):
        reasons.append("open stages are the vendor's defaults")
    return reasons


def check_deals(name, spec, exp):
    df = pd.read_csv(HERE / name, **spec["read"])
    notes = []
    for c in [spec["stage"], spec["amount"]] + ([spec["currency"]] if spec["currency"] else []):
        if c not in df.columns:
            raise ValueError(f"column {c!r} missing; columns: {list(df.columns)}")
        if df[c].isna().any():
            raise ValueError(f"column {c!r} has missing cells (short rows?)")
    if df[spec["stage"]].str.strip().eq("").any():
        raise ValueError("empty stage cells")
    status, disagreements = outcomes(df, spec, notes)
    got = {
        "deals": len(df),
        "won": int((status == "won").sum()),
        "lost": int((status == "lost").sum()),
        "open": int((status == "open").sum()),
    }
    sums = {}
    for i in df.index[status == "won"]:
        # No currency column: the layout's documented default (WukongCRM exports are CNY,
        # testdata/README.md "Rules"), else unknown ("").
        cur = (currency_code(df.at[i, spec["currency"]]) if spec["currency"]
               else spec.get("default_currency", ""))
        sums[cur] = sums.get(cur, Decimal(0)) + dec(df.at[i, spec["amount"]])
    got["won_amount_by_currency"] = {k: f"{v:.2f}" for k, v in sorted(sums.items())}
    got["funnel_deals"] = got["deals"]
    got["funnel_won"] = got["won"]
    got["label_flag_disagreements"] = disagreements
    f = funnel(df, spec, status)
    if f is not None:
        got["funnel_first"], got["funnel_last"] = f
    if "stage_sample" in exp:
        s = exp["stage_sample"]
        got["stage_sample"] = s if (df[spec["stage"]] == s).any() else \
            f"<absent; stages={sorted(df[spec['stage']].unique())}>"
    if "name_sample" in exp:
        n = exp["name_sample"]
        names = df["deal_name"] if "deal_name" in df.columns else df.iloc[:, 1]
        got["name_sample"] = n if (names == n).any() else "<absent>"
    diffs = []
    for k in ("deals", "won", "lost", "open", "won_amount_by_currency",
              "funnel_first", "funnel_last", "funnel_deals", "funnel_won",
              "label_flag_disagreements", "stage_sample", "name_sample"):
        if k in exp and exp[k] != got.get(k):
            diffs.append(f"{k}: expected {exp[k]!r}, got {got.get(k)!r}")
    if "funnel_exit" in exp:
        if f is not None:
            diffs.append(f"funnel_exit: expected refusal, but order implied: {f}")
        else:
            why = order_implied_anyway(df, spec, status)
            if why:
                diffs.append(f"funnel_exit: expected refusal, but {'; '.join(why)}")
    elif f is None and "funnel_first" in exp:
        diffs.append("funnel: expected an order, none implied by layout")
    return diffs, notes


def check_history(name, spec, exp):
    df = pd.read_csv(HERE / name, **spec["read"])
    df["_t"] = pd.to_datetime(df[spec["time"]], utc=True, format="ISO8601")
    events = 0
    for _, g in df.sort_values([spec["deal"], "_t"], kind="stable").groupby(spec["deal"], sort=False):
        stages = g[spec["stage"]].tolist()
        events += sum(1 for j, s in enumerate(stages) if j == 0 or s != stages[j - 1])
    got = {"rows_in": len(df), "stage_events": events,
           "distinct_deals": int(df[spec["deal"]].nunique())}
    diffs = [f"{k}: expected {exp[k]!r}, got {got[k]!r}"
             for k in ("rows_in", "stage_events", "distinct_deals") if k in exp and exp[k] != got[k]]
    return diffs, []


def cell_type(v):
    s = str(v).strip()
    if s == "\\N":
        return "null"
    if re.fullmatch(r"-?\d+", s):
        return "int"
    if re.fullmatch(r"-?\d+\.\d+", s):
        return "decimal"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?", s):
        return "datetime"
    return "text"


def check_headerless(name, kw, exp):
    df = pd.read_csv(HERE / name, **kw)
    diffs = []
    body = df.iloc[1:]
    for c in df.columns:
        body_types = set(body[c].map(cell_type)) - {"null"}
        first = cell_type(df.iat[0, c])
        if first == "null":
            continue
        if body_types and body_types != {"text"} and first not in body_types:
            diffs.append(f"column {c}: first row {df.iat[0, c]!r} ({first}) is typed "
                         f"unlike the data ({sorted(body_types)}): looks like a header")
    notes = [f"{len(df)} rows, {df.shape[1]} columns, first row is data"] if not diffs else []
    return diffs, notes


def main():
    expected = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    known = set(FILES) | set(HISTORY) | set(HEADERLESS)
    bad = 0
    for name in expected:
        exp = expected[name]
        try:
            if name in FILES:
                diffs, notes = check_deals(name, FILES[name], exp)
            elif name in HISTORY:
                diffs, notes = check_history(name, HISTORY[name], exp)
            elif name in HEADERLESS:
                if "show_exit" not in exp:
                    raise ValueError("headerless file without show_exit in expected.json")
                diffs, notes = check_headerless(name, HEADERLESS[name], exp)
            else:
                diffs, notes = [f"no reading knowledge for {name}"], []
        except Exception as e:  # a file that does not read as described is a mismatch
            diffs, notes = [f"error: {type(e).__name__}: {e}"], []
        extra = f"  ({'; '.join(notes)})" if notes else ""
        if diffs:
            bad += 1
            print(f"MISMATCH {name}: " + " | ".join(diffs) + extra)
        else:
            print(f"OK       {name}{extra}")
    rendered = {p.name for p in HERE.iterdir() if p.suffix in (".csv", ".tsv")}
    for name in sorted(rendered - set(expected)):
        bad += 1
        print(f"MISMATCH {name}: rendered file has no entry in expected.json")
    for name in sorted(set(expected) - rendered):
        bad += 1
        print(f"MISMATCH {name}: in expected.json but not rendered")
    for name in sorted(known - set(expected)):
        print(f"note     {name}: known to this script but absent from expected.json")
    print(f"{len(expected) - bad if bad <= len(expected) else 0}/{len(expected)} OK")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
