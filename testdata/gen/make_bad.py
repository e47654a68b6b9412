#!/usr/bin/env python3
"""Generate salesctl's bad-input fixtures in testdata/bad/ (cases 1-60), plus facts.json and CASES.md.

Run:  python3 testdata/gen/make_bad.py          (python3 standard library only)

Every file is written from data defined here; the facts (record counts, line numbers, bad rows) come from this
script's own knowledge of what it wrote and from Python's csv module, never from running salesctl. The script is
deterministic: two runs give byte-identical files (gzip mtime 0, zip entries dated 1980-01-01, fixed deflate level).
It only writes the files listed in CASES below and never touches the older hand-made files in testdata/bad/
(README.md, ambiguous_dates.csv, bad_values.csv, binary.png, empty.csv, header_only.csv, missing_stage.csv,
ragged.csv, xls_*.xls).

Conventions used in facts.json:
- "physical_lines": the number of lines of the decoded text, a line ending at CRLF, CR or LF (a last line without a
  terminator counts, an empty rest after the last terminator does not). Undecodable bytes count as one character.
- "broken_lines": 1-based physical line numbers of the defective line(s).
- "bad_rows": spreadsheet-style row numbers (header = row 1, first data row = row 2) of the logical rows carrying the
  defect, as written (a quoted multi-line record is one row). Good controls carry "feature_rows" instead.
- "intended_rows": the number of deal data rows written (not counting header, repeated headers, footers).
- "python_csv_records": number of records csv.reader(io.StringIO(text, newline=''), delimiter=d) yields after the
  first one (the header), text decoded strictly with the file's encoding (utf-8-sig for UTF-8 files). null with a
  "python_note" when decoding or csv fails; "python_csv_records_lossy" then gives the count after decoding with
  errors="replace" (or, for the 150,000-character cell, "python_csv_records_raised_limit" with field_size_limit
  raised). "python_csv_empty_records" counts the empty lists (blank lines) among those records when non-zero.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
import struct
import zipfile
from pathlib import Path

TESTDATA = Path(__file__).resolve().parent.parent
OUT = TESTDATA / "bad"
XLS_SOURCE = TESTDATA / "twins" / "deals.xls"

PROTECTED = {
    "README.md", "ambiguous_dates.csv", "bad_values.csv", "binary.png", "empty.csv", "header_only.csv",
    "missing_stage.csv", "ragged.csv", "xls_far_corner.xls", "xls_huge_alloc.xls", "xls_overflow_panic.xls",
}
MAX_SIZE = 200_000

HEADER = ["Deal ID", "Deal Name", "Owner", "Stage", "Amount", "Currency", "Created", "Closed"]

# 12 canonical deals: (id, name, owner, stage, amount, currency, created, closed)
BASE = [
    ["D-1001", "Acme website relaunch", "Alice Chen", "Won", "1200.50", "USD", "2026-01-05", "2026-02-10"],
    ["D-1002", "Globex CRM rollout", "Bob Smith", "Lead", "8400.00", "USD", "2026-01-12", ""],
    ["D-1003", "Initech support renewal", "Carla Diaz", "Qualified", "3150.75", "USD", "2026-01-20", ""],
    ["D-1004", "Umbrella data migration", "Dan Okafor", "Lost", "12000.00", "USD", "2026-02-02", "2026-03-15"],
    ["D-1005", "Hooli analytics pilot", "Alice Chen", "Proposal", "5600.25", "USD", "2026-02-14", ""],
    ["D-1006", "Stark security audit", "Bob Smith", "Won", "22700.00", "USD", "2026-02-27", "2026-04-08"],
    ["D-1007", "Wayne fleet tracking", "Carla Diaz", "Qualified", "980.40", "USD", "2026-03-09", ""],
    ["D-1008", "Wonka packaging line", "Dan Okafor", "Won", "15300.00", "USD", "2026-03-18", "2026-05-02"],
    ["D-1009", "Tyrell onboarding", "Alice Chen", "Lost", "4450.60", "USD", "2026-04-01", "2026-05-20"],
    ["D-1010", "Cyberdyne licences", "Bob Smith", "Proposal", "7200.00", "USD", "2026-04-22", ""],
    ["D-1011", "Soylent catering deal", "Carla Diaz", "Lead", "1875.90", "USD", "2026-05-11", ""],
    ["D-1012", "Oscorp lab equipment", "Dan Okafor", "Won", "9999.99", "USD", "2026-05-28", "2026-06-30"],
]
COL = {name: i for i, name in enumerate(HEADER)}

FACTS: dict[str, dict] = {}
WRITTEN: list[str] = []


def base_rows() -> list[list[str]]:
    return [list(r) for r in BASE]


# ------------------------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------------------------
def write(name: str, data: bytes) -> None:
    assert name not in PROTECTED, name
    assert len(data) < MAX_SIZE, (name, len(data))
    (OUT / name).write_bytes(data)
    WRITTEN.append(name)


def fmt_record(cells: list[str], delim: str) -> str:
    """One record, minimal quoting (csv.writer semantics), no terminator."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delim, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return buf.getvalue()[:-1]


def build_text(rows: list, delim: str = ",", eol: str = "\n", final_eol: bool = True):
    """rows: lists of cells (csv-formatted) or raw strings (written verbatim).
    Returns (text, start_line_of_each_row) with 1-based physical line numbers."""
    parts, starts, line = [], [], 1
    for r in rows:
        rec = r if isinstance(r, str) else fmt_record(r, delim)
        starts.append(line)
        line += len(re.findall(r"\r\n|\r|\n", rec)) + 1
        parts.append(rec)
    text = eol.join(parts) + (eol if final_eol and parts else "")
    return text, starts


def lines_of_row(rows: list, starts: list[int], idx: int, delim: str = ",") -> list[int]:
    r = rows[idx]
    rec = r if isinstance(r, str) else fmt_record(r, delim)
    n = len(re.findall(r"\r\n|\r|\n", rec)) + 1
    return list(range(starts[idx], starts[idx] + n))


def count_lines(text: str) -> int:
    pieces = re.split(r"\r\n|\r|\n", text)
    if pieces and pieces[-1] == "":
        pieces.pop()
    return len(pieces)


def python_csv(data: bytes, encoding: str, delim: str) -> dict:
    out: dict = {}
    dec = "utf-8-sig" if encoding == "utf-8" else encoding

    def read(text: str):
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
        recs = rows[1:]
        return len(recs), sum(1 for r in recs if r == []), rows

    try:
        text = data.decode(dec)
    except UnicodeDecodeError as e:
        out["python_csv_records"] = None
        out["python_note"] = f"strict {dec} decode fails: {e}"
        out["python_csv_records_lossy"] = read(data.decode(dec, errors="replace"))[0]
        return out
    try:
        n, empty, rows = read(text)
        out["python_csv_records"] = n
        if empty:
            out["python_csv_empty_records"] = empty
        if rows:
            width = len(rows[0])
            odd = [{"record": i, "fields": len(r)} for i, r in enumerate(rows[1:], start=1) if len(r) != width]
            if odd:
                out["python_csv_header_fields"] = width
                out["python_csv_irregular_count"] = len(odd)
                out["python_csv_irregular_records"] = odd[:5]  # the first 5 at most
    except csv.Error as e:
        out["python_csv_records"] = None
        out["python_note"] = f"csv.Error: {e}"
        old = csv.field_size_limit()
        csv.field_size_limit(10_000_000)
        try:
            out["python_csv_records_raised_limit"] = read(text)[0]
        finally:
            csv.field_size_limit(old)
    return out


def quote_note(data: bytes) -> str:
    """Describe, from Python's csv module, the records that swallow line breaks (for the broken-quote cases)."""
    text = data.decode("utf-8")
    rdr = csv.reader(io.StringIO(text, newline=""))
    parts = []
    prev_line = 0
    width = None
    total = count_lines(text)
    for rec in rdr:
        if width is None:
            width = len(rec)
        first = prev_line + 1
        prev_line = rdr.line_num
        if rdr.line_num > first:
            big = max(range(len(rec)), key=lambda i: rec[i].count("\n"))
            part = (f"Python's csv reads physical lines {first}-{rdr.line_num} as ONE record of {len(rec)} fields "
                    f"(field {big + 1} starts {rec[big][:12]!r} and holds {rec[big].count(chr(10))} line breaks)")
            if len(rec) == width:
                part += "; that is the header's width, so the merged record does not even look ragged"
            if rdr.line_num == total:
                part += "; the quote is still open at EOF, which csv.reader (strict=False) accepts without error"
            parts.append(part)
    return "; ".join(parts)


def text_case(name: str, case: int, desc: str, data: bytes, *, encoding: str = "utf-8", delim: str = ",",
              good: bool = False, intended: int | None = None, bad_rows=None, broken_lines=None, **extra) -> None:
    write(name, data)
    f: dict = {"case": case, "desc": desc, "good": good, "format": "text", "encoding": encoding,
               "delimiter": delim}
    f.update(python_csv(data, encoding, delim))
    lossy = data.decode("utf-8" if encoding == "utf-8" else encoding, errors="replace")
    f["physical_lines"] = count_lines(lossy)
    if broken_lines is not None:
        f["feature_lines" if good else "broken_lines"] = broken_lines
    if bad_rows is not None:
        f["feature_rows" if good else "bad_rows"] = bad_rows
    if intended is not None:
        f["intended_rows"] = intended
    f.update(extra)
    FACTS[name] = f


def csv_case(name: str, case: int, desc: str, rows: list, *, delim: str = ",", eol: str = "\n",
             encoding: str = "utf-8", good: bool = False, bad_idx=(), intended: int | None = None,
             broken_from_bad: bool = True, **extra) -> None:
    """rows[0] is the header; bad_idx are indexes into rows (0 = header)."""
    text, starts = build_text(rows, delim, eol)
    data = text.encode(encoding)
    bad_rows = [i + 1 for i in bad_idx]
    broken = sorted({ln for i in bad_idx for ln in lines_of_row(rows, starts, i, delim)}) if broken_from_bad else None
    if intended is None:
        intended = len(rows) - 1
    text_case(name, case, desc, data, encoding=encoding, delim=delim, good=good, intended=intended,
              bad_rows=bad_rows if bad_idx else None, broken_lines=broken if bad_idx else None, **extra)


def binary_case(name: str, case: int, desc: str, data: bytes, fmt: str, good: bool = False, **extra) -> None:
    write(name, data)
    f = {"case": case, "desc": desc, "good": good, "format": fmt}
    f.update(extra)
    FACTS[name] = f


# ------------------------------------------------------------------------------------------------------------------
# zip / xlsx helpers
# ------------------------------------------------------------------------------------------------------------------
def make_zip(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 3
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buf.getvalue()


NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def xesc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def col_letter(i: int) -> str:  # 0-based
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def content_types(sst: bool, workbook: bool = True) -> bytes:
    parts = ['<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
             '<Default Extension="xml" ContentType="application/xml"/>']
    if workbook:
        parts.append('<Override PartName="/xl/workbook.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>')
    parts.append('<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
                 'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    if sst:
        parts.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    return (XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            + "".join(parts) + "</Types>").encode()


ROOT_RELS = (XML_DECL + f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" '
             'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
             'Target="xl/workbook.xml"/></Relationships>').encode()
WORKBOOK = (XML_DECL + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><sheets>'
            '<sheet name="Deals" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()


def workbook_rels(sst: bool) -> bytes:
    s = (XML_DECL + f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
         'Target="worksheets/sheet1.xml"/>')
    if sst:
        s += ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'sharedStrings" Target="sharedStrings.xml"/>')
    return (s + "</Relationships>").encode()


def sheet_xml(rows_xml: str, dimension: str, pad: str = "") -> bytes:
    return (XML_DECL + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><dimension ref="{dimension}"/>'
            f"<sheetData>{pad}{rows_xml}</sheetData></worksheet>").encode()


def inline_rows(rows: list[list[str]], numeric_amount: bool = True) -> str:
    out = []
    for ri, row in enumerate(rows, start=1):
        cells = []
        for ci, v in enumerate(row):
            ref = f"{col_letter(ci)}{ri}"
            if v == "":
                continue
            if numeric_amount and ri > 1 and ci == COL["Amount"]:
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{xesc(v)}</t></is></c>')
        out.append(f'<row r="{ri}">{"".join(cells)}</row>')
    return "".join(out)


def sst_sheet(rows: list[list[str]]):
    """Rows referencing shared strings (amounts numeric). Returns (rows_xml, strings list, total refs)."""
    strings: list[str] = []
    index: dict[str, int] = {}
    refs = 0
    out = []
    for ri, row in enumerate(rows, start=1):
        cells = []
        for ci, v in enumerate(row):
            ref = f"{col_letter(ci)}{ri}"
            if v == "":
                continue
            if ri > 1 and ci == COL["Amount"]:
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
                continue
            if v not in index:
                index[v] = len(strings)
                strings.append(v)
            refs += 1
            cells.append(f'<c r="{ref}" t="s"><v>{index[v]}</v></c>')
        out.append(f'<row r="{ri}">{"".join(cells)}</row>')
    return "".join(out), strings, refs


def sst_xml(strings: list[str], count: int, unique: int, extra_si: str = "") -> bytes:
    si = "".join(f"<si><t>{xesc(s)}</t></si>" for s in strings)
    return (XML_DECL + f'<sst xmlns="{NS_MAIN}" count="{count}" uniqueCount="{unique}">{si}{extra_si}</sst>').encode()


def xlsx_inline(rows: list[list[str]]) -> bytes:
    dim = f"A1:{col_letter(len(rows[0]) - 1)}{len(rows)}"
    return make_zip([
        ("[Content_Types].xml", content_types(False)),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", workbook_rels(False)),
        ("xl/worksheets/sheet1.xml", sheet_xml(inline_rows(rows), dim)),
    ])


# ------------------------------------------------------------------------------------------------------------------
# the cases
# ------------------------------------------------------------------------------------------------------------------
def make_all() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    csv.field_size_limit(131072)  # Python's default, stated so the facts do not depend on the caller
    H = HEADER
    valid_text, _ = build_text([H] + base_rows())
    valid_csv = valid_text.encode()

    # 1 gzip
    binary_case("gzip.csv.gz", 1, "gzip-compressed copy of a valid 12-row deals CSV (mtime 0, no file name)",
                gzip.compress(valid_csv, compresslevel=9, mtime=0), "gzip", intended_rows=12)

    # 2 plain zip named .xlsx
    binary_case("plain_zip.xlsx", 2, "a zip archive holding only notes.txt, named .xlsx (no OOXML parts)",
                make_zip([("notes.txt", b"Meeting notes\nCall Acme on Monday about the renewal.\n")]), "zip")

    # 3 fake pdf
    pdf = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
           b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
           b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    text_case("fake.pdf", 3, "a PDF (starts %PDF-1.4, ASCII only, 10 lines), not a table", pdf)

    # 4 prose
    prose = ("Quarterly pipeline review\n\n"
             "The team spent most of the quarter on renewals. Alice closed the Acme website relaunch early, "
             "and the Stark audit finally moved after three rounds of legal review.\n\n"
             "Next quarter we want to focus on qualified leads rather than raw volume. Please keep the CRM up to "
             "date before the Friday call; the forecast depends on it.\n\n"
             "Thanks to everyone who helped with the migration.\n")
    text_case("prose.txt", 4, "English paragraphs (a few commas, no delimiter structure), not a table",
              prose.encode())

    # 5 nul sparse
    rows = [H] + base_rows()
    rows[3][COL["Deal Name"]] = "Initech\x00\x00\x00 support renewal"
    csv_case("nul_sparse.csv", 5, "three NUL bytes inside the Deal Name cell of row 4", rows, bad_idx=[3],
             note="Python >= 3.11's csv keeps NUL characters in the field; older versions raise 'line contains NUL'")

    # 6 nul heavy: 4096 bytes of junk (mostly NUL, ASCII control bytes, no CR/LF/comma/quote), then LF, then CSV
    rnd = random.Random(6)
    ctrl = [b for b in range(1, 32) if b not in (9, 10, 11, 12, 13, 28, 29, 30)] + [127]
    junk = bytes(0 if rnd.random() < 0.8 else rnd.choice(ctrl) for _ in range(4095)) + b"\n"
    text_case("nul_heavy.csv", 6,
              "first 4096 bytes are junk (about 80% NUL, other ASCII control bytes, ending in LF on line 1), then a "
              "valid 12-row deals CSV starting at byte 4096 (line 2)",
              junk + valid_csv, intended=12, broken_lines=[1], junk_bytes=4096, header_line=2,
              note="python's csv takes the junk line as its header, so python_csv_records counts "
                                "the real header as a record (12 deals + 1)")

    # 7 unclosed quote to EOF: spreadsheet row 6 (= physical line 6), Deal Name opens a quote that never closes
    rows = [H] + base_rows()
    lines = [fmt_record(r, ",") for r in rows]
    r6 = rows[5]
    lines[5] = ",".join([r6[0], '"' + r6[1]] + r6[2:])
    text = "\n".join(lines) + "\n"
    text_case("unclosed_quote_eof.csv", 7,
              "row 6's Deal Name starts with a quote that is never closed; rows 7-13 are ordinary full rows",
              text.encode(), intended=12, bad_rows=[6], broken_lines=[6], note=quote_note(text.encode()))

    # 8 broken quote in the middle, closed by accident on row 10
    rows = [H] + base_rows()
    lines = [fmt_record(r, ",") for r in rows]
    r4, r10 = rows[3], rows[9]
    lines[3] = ",".join([r4[0], '"Acme'] + r4[2:])
    lines[9] = ",".join([r10[0], 'Beta"'] + r10[2:])
    text = "\n".join(lines) + "\n"
    text_case("broken_quote_mid.csv", 8,
              'row 4\'s Deal Name is "Acme with no closing quote; row 10\'s Deal Name Beta" closes it by accident; '
              "rows 5-9 and 11-13 are ordinary full rows",
              text.encode(), intended=12, bad_rows=[4, 10], broken_lines=[4, 10],
              note=quote_note(text.encode()) + f" (Deal ID {r4[0]} from row 4; Owner..Closed from row 10, "
                   f"{r10[0]}'s); deals {rows[4][0]}..{rows[8][0]} vanish into the Deal Name")

    # 9 multi-line notes (good)
    rows = [H + ["Notes"]] + [r + [""] for r in base_rows()]
    notes = {2: "Call scheduled\nSent pricing sheet",
             5: "Pilot scope agreed\nLegal review pending\nFollow up in March",
             8: "Line visit done\nNeeds second quote\nBudget approved\nPO expected in May\nShip date TBD"}
    for i in range(1, len(rows)):
        rows[i][-1] = notes.get(i, "Single line note" if i % 3 == 0 else "")
    csv_case("multiline_notes_ok.csv", 9,
             "GOOD: Notes column last; rows 3, 6, 9 hold quoted notes of 2, 3 and 5 lines (no commas)",
             rows, good=True, bad_idx=[2, 5, 8])

    # 10 multi-line notes with commas on one inner line (good)
    rows = [H + ["Notes"]] + [r + [""] for r in base_rows()]
    rows[4][-1] = "Kickoff call done\nPricing: tier A, tier B, tier C\nSent deck"
    rows[7][-1] = "Waiting on budget\nReminder set"
    csv_case("multiline_commas_ok.csv", 10,
             "GOOD: quoted multi-line Notes; row 5's second note line has 2 commas (fewer than 9 columns - 1)",
             rows, good=True, bad_idx=[4, 7])

    # 11 inner quote in unquoted cell
    rows = [H] + base_rows()
    rows[3][COL["Deal Name"]] = '27" monitor bundle'
    lines = [fmt_record(r, ",") for r in rows]
    r = rows[3]
    lines[3] = ",".join(r)  # unquoted: the quote is a literal character mid-field
    text = "\n".join(lines) + "\n"
    text_case("inner_quote_unquoted.csv", 11,
              'row 4\'s Deal Name is 27" monitor bundle, unquoted (a literal quote mid-field; lenient readers accept)',
              text.encode(), intended=12, bad_rows=[4], broken_lines=[4],
              note="Python's csv reads the cell as 27\" monitor bundle (quote kept literally); a strict RFC 4180 "
                   "reader may reject it")

    # 12 CR only
    csv_case("cr_only.csv", 12, "CR-only line ends (classic Mac) on every line", [H] + base_rows(), eol="\r",
             note="no LF byte in the file; a reader splitting on LF sees the whole file as one line")

    # 13 mixed EOL
    rows = [H] + base_rows()
    lines = [fmt_record(r, ",") for r in rows]
    eols = ["\r\n" if i % 2 == 0 else "\n" for i in range(len(lines))]
    text = "".join(l + e for l, e in zip(lines, eols))
    text_case("mixed_eol.csv", 13, "CRLF and LF mixed: odd physical lines end CRLF, even ones LF", text.encode(),
              intended=12, crlf_lines=[i + 1 for i in range(len(lines)) if eols[i] == "\r\n"])

    # 14 sentinel dates
    rows = [H] + base_rows()
    sent = {1: "9999-12-31", 6: "9999-12-31", 4: "1900-01-01", 9: "0000-00-00"}  # rows 2,7,5,10 (Won/Won/Lost/Lost)
    for i, v in sent.items():
        rows[i][COL["Closed"]] = v
    csv_case("sentinel_dates.csv", 14,
             "Closed holds 9999-12-31 (rows 2, 7), 1900-01-01 (row 5), 0000-00-00 (row 10); others empty or normal",
             rows, bad_idx=sorted(sent))

    # 15 / 16 / 17
    rows = [H] + base_rows()
    rows[7][COL["Created"]] = "2999-03-01"
    csv_case("year_2999.csv", 15, "row 8's Created is 2999-03-01", rows, bad_idx=[7])
    rows = [H] + base_rows()
    rows[7][COL["Created"]] = "1066-10-14"
    csv_case("year_1066.csv", 16, "row 8's Created is 1066-10-14", rows, bad_idx=[7])
    rows = [H] + base_rows()
    rows[8][COL["Closed"]] = "9999-12-31"  # D-1008, Won
    csv_case("far_future_only_close.csv", 17,
             "row 9 (a Won deal) has Closed 9999-12-31, the latest date in the file; all other dates are normal "
             "(latest normal date 2026-06-30)", rows, bad_idx=[8])

    # 18-23 amounts
    rows = [H] + base_rows()
    rows[3][COL["Amount"]] = "1,2,3"
    rows[6][COL["Amount"]] = "1.2.3"
    csv_case("grouping_bad.csv", 18, 'Amount "1,2,3" (quoted) in row 4 and 1.2.3 in row 7: bad digit groups',
             rows, bad_idx=[3, 6])
    rows = [H] + base_rows()
    rows[5][COL["Amount"]] = "--5"
    csv_case("double_sign.csv", 19, "row 6's Amount is --5", rows, bad_idx=[5])
    rows = [H] + base_rows()
    rows[5][COL["Amount"]] = "12345678901234567"
    csv_case("too_many_digits.csv", 20, "row 6's Amount is 12345678901234567 (17 significant digits)", rows,
             bad_idx=[5])
    rows = [H] + base_rows()
    rows[3][COL["Amount"]] = "NaN"
    rows[9][COL["Amount"]] = "inf"
    csv_case("nan_amount.csv", 21, "Amount NaN in row 4 and inf in row 10", rows, bad_idx=[3, 9])
    rows = [H] + base_rows()
    rows[2][COL["Amount"]] = "12,34,567"
    rows[8][COL["Amount"]] = "1,23,456.50"
    csv_case("indian_grouping_ok.csv", 22,
             'GOOD: Indian digit grouping, Amount "12,34,567" (row 3) and "1,23,456.50" (row 9), quoted',
             rows, good=True, bad_idx=[2, 8])
    rows = [H] + base_rows()
    rows[10][COL["Amount"]] = "1e400"
    csv_case("overflow_amount.csv", 23, "row 11's Amount is 1e400 (overflows f64)", rows, bad_idx=[10])

    # 24-26 duplicate headers
    rows = [H + ["Amount"]] + [r + [r[COL["Amount"]]] for r in base_rows()]
    csv_case("dup_header_same.csv", 24, "two Amount columns (5th and 9th) with identical values", rows,
             bad_idx=[0])
    rows = [H + ["Amount"]] + [r + [r[COL["Amount"]]] for r in base_rows()]
    for i, v in ((2, "8500.00"), (6, "21000.00"), (11, "0.00")):
        rows[i][-1] = v
    csv_case("dup_header_differ.csv", 25,
             "two Amount columns (5th and 9th); their values differ in rows 3, 7 and 12", rows,
             bad_idx=[0, 2, 6, 11])
    rows = [H + ["AMOUNT "]] + [r + [r[COL["Amount"]]] for r in base_rows()]
    for i, v in ((1, "1300.00"), (4, "5000.00"), (10, "2000.00")):
        rows[i][-1] = v
    csv_case("case_variant_header.csv", 26,
             'columns "Amount" (5th) and "AMOUNT " (9th, trailing space); values differ in rows 2, 5 and 11', rows,
             bad_idx=[0, 1, 4, 10])

    # 27 UTF-8 Chinese owners, one stray 0xFF
    owners = ["王芳", "李雷", "张伟", "刘洋"]
    rows = [H] + base_rows()
    for i in range(1, len(rows)):
        rows[i][COL["Owner"]] = owners[(i - 1) % 4]
    text, _ = build_text(rows)
    data = text.encode("utf-8")
    lines = data.split(b"\n")
    who = rows[6][COL["Owner"]].encode()
    assert lines[6].count(who) == 1
    lines[6] = lines[6].replace(who, who + b"\xff", 1)
    text_case("utf8_one_bad_byte.csv", 27,
              "UTF-8 with Chinese owner names; one stray 0xFF byte after the owner of row 7", b"\n".join(lines),
              intended=12, bad_rows=[7], broken_lines=[7])

    # 28 UTF-16LE with BOM, last byte chopped
    text, _ = build_text([H] + base_rows())
    data = b"\xff\xfe" + text.encode("utf-16-le")
    text_case("utf16_odd.csv", 28,
              "UTF-16LE with BOM, LF; the last byte (the 0x00 of the final LF) is chopped off: odd length",
              data[:-1], encoding="utf-16", intended=12, broken_lines=[13], odd_length=True)

    # 29 / 30 / 31 / 32
    text_case("blank_lines_only.csv", 29, "five LF bytes and nothing else", b"\n" * 5, intended=0,
              note="Python's csv yields 5 empty records (the first taken as the header); none holds a value")
    text_case("bom_only.csv", 30, "just the UTF-8 BOM EF BB BF", b"\xef\xbb\xbf", intended=0)
    rows = [[""] * 8] + base_rows()
    csv_case("empty_header.csv", 31, "header row is 7 commas (8 empty names), then 12 data rows", rows,
             bad_idx=[0])
    rows = [H] + base_rows()[:6] + [list(H)] + base_rows()[6:]
    csv_case("header_repeated.csv", 32,
             "the header line repeated as row 8 (two exports concatenated); 12 deal rows around it", rows,
             bad_idx=[7], intended=12, note="python_csv_records counts the repeated header line (12 deals + 1)")

    # 33 formula injection
    rows = [H] + base_rows()
    names = {1: "=cmd|' /C calc'!A0", 2: "+SUM(A1)", 3: "-2+3", 4: "@IMPORT", 5: " =1+1", 6: "＝1+1",
             7: "line1\n=2+2"}
    for i, v in names.items():
        rows[i][COL["Deal Name"]] = v
    csv_case("formula_injection.csv", 33,
             "Deal Names that look like spreadsheet formulas (rows 2-8: =cmd..., +SUM, -2+3, @IMPORT, leading-space "
             "=, fullwidth ＝, quoted two-line cell whose second line is =2+2)", rows, bad_idx=sorted(names))

    # 34 html injection
    rows = [H] + base_rows()
    rows[2][COL["Deal Name"]] = "<script>alert(1)</script>"
    rows[4][COL["Owner"]] = "<img src=x onerror=alert(1)>"
    rows[6][COL["Deal Name"]] = "Wayne | *bold* tracking"
    csv_case("html_injection.csv", 34,
             "markup in cells: Deal Name <script> (row 3), Owner <img onerror> (row 5), Deal Name with | and *bold* "
             "(row 7)", rows, bad_idx=[2, 4, 6])

    # 35 long cell
    rows = [H] + base_rows()
    rows[4][COL["Deal Name"]] = "Long-deal-name-" * 10000
    csv_case("long_cell.csv", 35, "row 5's Deal Name is 150,000 characters (no quoting needed)", rows,
             bad_idx=[4])

    # 36 traversal owner
    rows = [H] + base_rows()
    rows[3][COL["Owner"]] = "../../etc/passwd"
    rows[8][COL["Owner"]] = "..\\..\\x"
    csv_case("traversal_owner.csv", 36, r"Owner ../../etc/passwd (row 4) and ..\..\x (row 9)", rows,
             bad_idx=[3, 8])

    # 37 Chinese AM/PM
    rows = [H] + base_rows()
    times = ["10:30", "09:15", "02:45", "11:05", "04:20", "08:00", "03:30", "12:10", "07:55", "01:40", "05:05",
             "09:50"]
    for i in range(1, len(rows)):
        mark = "下午" if i % 2 == 1 else "上午"
        rows[i][COL["Created"]] = f"{rows[i][COL['Created']]} {times[i - 1]} {mark}"
    csv_case("ampm_chinese.csv", 37,
             "every Created is 12-hour time with a Chinese AM/PM marker, e.g. 2026-01-05 10:30 下午 (= 22:30), "
             "2026-01-12 09:15 上午 (= 09:15)", rows, bad_idx=list(range(1, 13)))

    # 38 semicolon + decimal comma (good)
    rows = [H] + base_rows()
    euro = ["1.234,50", "8.400,00", "3.150,75", "12.000,00", "5.600,25", "22.700,00", "980,40", "15.300,00",
            "4.450,60", "7.200,00", "1.875,90", "9.999,99"]
    for i in range(1, len(rows)):
        rows[i][COL["Amount"]] = euro[i - 1]
        rows[i][COL["Currency"]] = "EUR"
    csv_case("semicolon_decimal_comma.csv", 38,
             "GOOD: European export, ; delimiter, amounts 1.234,50 style, currency EUR", rows, delim=";",
             good=True)

    # 39 header + footer
    csv_case("only_header_and_footer.csv", 39, "header, then only the footer line Grand Totals (0 records)",
             [H, "Grand Totals (0 records)"], bad_idx=[1], intended=0,
             note="python_csv_records counts the footer line (a 1-field record)")

    # 40 trailing delimiters (good)
    rows = [H + ["", ""]] + [r + ["", ""] for r in base_rows()]
    csv_case("trailing_delimiters.csv", 40, "GOOD: every line (header too) ends with ,, (two empty trailing columns)",
             rows, good=True)

    # 41 many columns
    wide = H + [f"c{i}" for i in range(9, 20001)]
    assert len(wide) == 20000
    rows = [wide] + [r + [""] * (20000 - 8) for r in base_rows()[:3]]
    csv_case("many_columns_header.csv", 41,
             "header of 20,000 columns: the 8 deal columns, then c9..c20000; 3 data rows of 20,000 cells", rows,
             bad_idx=[0], intended=3)

    # 42 xlsx with far dimension and a far cell
    rows = [H] + base_rows()[:2]
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = sheet_xml(inline_rows(rows, numeric_amount=False) + far, "A1:XFD1048576")
    data = make_zip([
        ("[Content_Types].xml", content_types(False)),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", workbook_rels(False)),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
    binary_case("xlsx_far_dimension.xlsx", 42,
                'xlsx, <dimension ref="A1:XFD1048576"/>, inline-string header + 2 deal rows, and one cell "x" at '
                "XFD1048576", data, "xlsx", intended_rows=2, bad_rows=[1048576])

    # 43 sst count lie
    rows = [H] + base_rows()[:3]
    rows_xml, strings, refs = sst_sheet(rows)
    data = make_zip([
        ("[Content_Types].xml", content_types(True)),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", workbook_rels(True)),
        ("xl/worksheets/sheet1.xml", sheet_xml(rows_xml, "A1:H4")),
        ("xl/sharedStrings.xml", sst_xml(strings, 60_000_000, 60_000_000)),
    ])
    binary_case("xlsx_sst_count_lie.xlsx", 43,
                f"xlsx whose sharedStrings.xml claims count=uniqueCount=60000000 but holds {len(strings)} strings "
                f"({refs} references); header + 3 deal rows", data, "xlsx", intended_rows=3,
                sst_strings=len(strings), sst_claimed=60_000_000)

    # 44 sst bomb
    rows = [H] + base_rows()[:2]
    rows_xml, strings, refs = sst_sheet(rows)
    bomb = "<si><t>" + "A" * 50_000_000 + "</t></si>"
    data = make_zip([
        ("[Content_Types].xml", content_types(True)),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", workbook_rels(True)),
        ("xl/worksheets/sheet1.xml", sheet_xml(rows_xml, "A1:H3")),
        ("xl/sharedStrings.xml", sst_xml(strings, refs, len(strings) + 1, bomb)),
    ])
    binary_case("xlsx_sst_bomb.xlsx", 44,
                f"xlsx whose sharedStrings.xml ends with one unreferenced <si><t> of 50,000,000 'A' (index "
                f"{len(strings)}; about 50 MB inflated); header + 2 deal rows", data, "xlsx", intended_rows=2,
                huge_string_index=len(strings), huge_string_referenced=False, inflated_bytes_approx=50_000_000)

    # 45 sheet bomb
    rows = [H] + base_rows()[:2]
    sheet = sheet_xml(inline_rows(rows), "A1:H3", pad=" " * 80_000_000)
    data = make_zip([
        ("[Content_Types].xml", content_types(False)),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", workbook_rels(False)),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
    binary_case("xlsx_sheet_bomb.xlsx", 45,
                f"xlsx whose sheet1.xml has 80,000,000 spaces inside <sheetData> before the rows "
                f"({len(sheet)} bytes inflated); header + 2 deal rows", data, "xlsx", intended_rows=2,
                sheet_inflated_bytes=len(sheet))
    del sheet

    # 46 truncated xlsx
    full = xlsx_inline([H] + base_rows())
    binary_case("xlsx_truncated.xlsx", 46,
                f"a valid 12-row inline-string xlsx ({len(full)} bytes) cut to its first {len(full) // 2} bytes "
                "(no central directory)", full[: len(full) // 2], "xlsx", intended_rows=12,
                original_bytes=len(full))

    # 47 no workbook
    rows = [H] + base_rows()[:3]
    data = make_zip([
        ("[Content_Types].xml", content_types(False, workbook=False)),
        ("_rels/.rels", ROOT_RELS),
        ("xl/worksheets/sheet1.xml", sheet_xml(inline_rows(rows), "A1:H4")),
    ])
    binary_case("xlsx_no_workbook.xlsx", 47,
                "zip with [Content_Types].xml, _rels/.rels (pointing at xl/workbook.xml) and "
                "xl/worksheets/sheet1.xml (header + 3 rows), but no xl/workbook.xml", data, "xlsx", intended_rows=3)

    # 48-51 xls
    src = XLS_SOURCE.read_bytes()
    src_note = f"testdata/twins/deals.xls ({len(src)} bytes, 10 deal rows)"
    binary_case("xls_truncated.xls", 48, f"the first 3000 bytes of {src_note}", src[:3000], "xls",
                intended_rows=10)

    b = bytearray(src)
    old_shift = struct.unpack_from("<H", b, 30)[0]
    struct.pack_into("<H", b, 30, 30)
    binary_case("xls_bad_sector_shift.xls", 49,
                f"copy of {src_note} with the CFB sector shift (u16 LE at offset 30) set to 30 (was {old_shift})",
                bytes(b), "xls", intended_rows=10, offset=30, old_value=old_shift, new_value=30)

    b = bytearray(src)
    old_fat = struct.unpack_from("<I", b, 44)[0]
    struct.pack_into("<I", b, 44, 0x7FFFFFFF)
    binary_case("xls_fat_count_lie.xls", 50,
                f"copy of {src_note} with the number of FAT sectors (u32 LE at offset 44) set to 0x7FFFFFFF "
                f"(was {old_fat})", bytes(b), "xls", intended_rows=10, offset=44, old_value=old_fat,
                new_value=0x7FFFFFFF)

    b = bytearray(src)
    shift = struct.unpack_from("<H", b, 30)[0]
    assert shift == 9, shift
    sector = 1 << shift
    dir_sector = struct.unpack_from("<I", b, 48)[0]
    dir_off = (dir_sector + 1) * sector
    target = None
    for i in range(sector // 128):
        e = dir_off + i * 128
        if struct.unpack_from("<I", b, e + 120)[0] != 0:
            target = i
            break
    assert target is not None
    e = dir_off + target * 128
    nlen = struct.unpack_from("<H", b, e + 64)[0]
    ename = bytes(b[e:e + max(nlen - 2, 0)]).decode("utf-16-le")
    old_size = struct.unpack_from("<I", b, e + 120)[0]
    struct.pack_into("<I", b, e + 120, 0xFFFFFFF0)
    binary_case("xls_dir_stream_huge.xls", 51,
                f"copy of {src_note} where directory entry {target} ({ename!r}, the first with a non-zero stream "
                f"size) has its size (u32 LE at entry offset 120, file offset {e + 120}) set to 0xFFFFFFF0 "
                f"(was {old_size})", bytes(b), "xls", intended_rows=10, dir_entry=target, dir_entry_name=ename,
                file_offset=e + 120, old_value=old_size, new_value=0xFFFFFFF0)

    # 52 tsv (good)
    rows = [H] + base_rows()
    rows[5][COL["Deal Name"]] = "Hooli analytics\tpilot"
    csv_case("tsv_ok.tsv", 52, "GOOD: tab-delimited; row 6's Deal Name holds a tab and is quoted", rows, delim="\t",
             good=True, bad_idx=[5])

    # 53 pipe (good)
    csv_case("pipe_delim.csv", 53, "GOOD: |-delimited deals export", [H] + base_rows(), delim="|", good=True)

    # 54 GBK (good)
    zh_header = ["商机名称", "负责人", "阶段", "金额", "创建时间"]
    zh_rows = [
        ["智慧园区平台", "刘洋", "赢单", "1200.50", "2026-01-05"],
        ["门禁系统改造", "陈静", "初步接洽", "8400.00", "2026-01-12"],
        ["数据中台咨询", "刘洋", "输单", "3150.75", "2026-01-20"],
        ["云桌面采购", "黄磊", "方案报价", "12000.00", "2026-02-02"],
        ["智能仓储升级", "王芳", "需求确认", "5600.25", "2026-02-14"],
        ["财务共享中心", "李雷", "赢单", "22700.00", "2026-02-27"],
        ["门店收银系统", "陈静", "初步接洽", "980.40", "2026-03-09"],
        ["客服热线外包", "黄磊", "赢单", "15300.00", "2026-03-18"],
        ["校园网络改造", "王芳", "输单", "4450.60", "2026-04-01"],
        ["物流调度平台", "李雷", "方案报价", "7200.00", "2026-04-22"],
    ]
    csv_case("gbk_no_bom.csv", 54,
             "GOOD: GBK-encoded (no BOM) Chinese export: 商机名称,负责人,阶段,金额,创建时间; stages 初步接洽, 需求确认, "
             "方案报价, 赢单, 输单; no currency column", [zh_header] + zh_rows, encoding="gbk", good=True)

    # 55 Windows-1252 (good)
    rows = [H] + base_rows()
    for i, who in ((1, "José Núñez"), (2, "Jürgen Müller"), (3, "Françoise Lefèvre"), (4, "Søren Ødegård"),
                   (5, "Zoë Brontë")):
        rows[i][COL["Owner"]] = who
    rows[6][COL["Deal Name"]] = "Café Olé – menu boards"
    csv_case("latin1_accents.csv", 55,
             "GOOD: Windows-1252 (no BOM) with accented owner names (José, Müller, ...) and an en dash (0x96)",
             rows, encoding="cp1252", good=True, bad_idx=[1, 2, 3, 4, 5, 6])

    # 56 header cell with embedded newline
    rows = [["Deal ID", "Deal\nName"] + H[2:]] + base_rows()
    csv_case("quoted_header_newline.csv", 56, 'header cell "Deal\\nName" (quoted, embedded LF: header spans lines 1-2)',
             rows, bad_idx=[0])

    # 57 whitespace variant header
    hdr = ["Deal ID", "Deal Name", "Owner", " Stage", "Amount", "Currency", "Created", "Closed", "Stage"]
    rows = [hdr] + [r + [r[COL["Stage"]]] for r in base_rows()]
    csv_case("whitespace_variant_header.csv", 57,
             'header has " Stage" (4th, leading space) and "Stage" (9th); values equal on every row', rows,
             bad_idx=[0])

    # 58 negative parentheses (good)
    rows = [H] + base_rows()
    rows[3][COL["Amount"]] = "(1,200.00)"
    rows[7][COL["Amount"]] = "(350.00)"
    rows[10][COL["Amount"]] = "(12,000.50)"
    csv_case("negative_parentheses.csv", 58,
             'GOOD: accounting negatives "(1,200.00)" (row 4), (350.00) (row 8), "(12,000.50)" (row 11)',
             rows, good=True, bad_idx=[3, 7, 10])

    # 59 garbage time
    rows = [H] + base_rows()
    rows[2][COL["Created"]] = "2026-01-05 25:61"
    csv_case("date_time_garbage.csv", 59, "row 3's Created is 2026-01-05 25:61 (hour 25, minute 61)", rows,
             bad_idx=[2])

    # 60 Excel error cells
    rows = [H] + base_rows()
    rows[2][COL["Amount"]] = "#N/A"
    rows[5][COL["Amount"]] = "#VALUE!"
    rows[9][COL["Amount"]] = "#REF!"
    csv_case("excel_error_cells.csv", 60, "Amount holds #N/A (row 3), #VALUE! (row 6), #REF! (row 10)", rows,
             bad_idx=[2, 5, 9])


# ------------------------------------------------------------------------------------------------------------------
def write_meta() -> None:
    facts = json.dumps(FACTS, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (OUT / "facts.json").write_text(facts, encoding="utf-8", newline="\n")

    lines = ["Files listed here are made by `testdata/gen/make_bad.py` (deterministic; edit the generator, "
             "not the files). Facts per file: `facts.json`.", "",
             "Row numbers are spreadsheet style (header = row 1). \"intended rows\" = deal data rows written. "
             "For good controls the last column lists the rows carrying the feature.", "",
             "| file | case | defect | good/bad | intended rows | bad rows |", "|---|---|---|---|---|---|"]
    for name, f in sorted(FACTS.items(), key=lambda kv: kv[1]["case"]):
        rows = f.get("bad_rows", f.get("feature_rows"))
        rows_s = ", ".join(map(str, rows)) if rows else ""
        intended = f.get("intended_rows", "")
        desc = f["desc"].replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{name}` | {f['case']} | {desc} | {'good' if f['good'] else 'bad'} | {intended} | "
                     f"{rows_s} |")
    (OUT / "CASES.md").write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


if __name__ == "__main__":
    make_all()
    assert sorted(f["case"] for f in FACTS.values()) == list(range(1, 61)), sorted(f["case"] for f in FACTS.values())
    write_meta()
    for n in WRITTEN:
        print(f"{(OUT / n).stat().st_size:>8}  {n}")
