#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with seeds from the repository (testdata/, docs/config.md).
# Usage: fuzz/seed.sh [TESTDATA_DIR]      (default: the repository's testdata/)
# Idempotent: each seed is named by the SHA-1 of its bytes, as libFuzzer names corpus files.
# corpus/ is git-ignored (fuzz/.gitignore): re-run this on a fresh checkout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
testdata=${1:-$here/../testdata}
[ -d "$testdata" ] || { echo "no testdata dir: $testdata" >&2; exit 1; }
command -v python3 >/dev/null || { echo "seed.sh needs python3" >&2; exit 1; }

python3 - "$here" "$testdata" <<'PY'
import csv, hashlib, io, os, re, sys

fuzz_dir, testdata = sys.argv[1], os.path.abspath(sys.argv[2])
repo = os.path.dirname(fuzz_dir)
corpus = os.path.join(fuzz_dir, "corpus")
counts = {}

def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, hashlib.sha1(data).hexdigest())
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(data)
        counts[target] = counts.get(target, 0) + 1

files = []
for root, _, names in os.walk(testdata):
    for n in sorted(names):
        files.append(os.path.join(root, n))
files.sort()

def ext(p):
    return os.path.splitext(p)[1].lower()

TEXT = {".csv", ".tsv", ".txt"}
SNIFF_MAX = 64 << 10   # sniff_decode -max_len (run.sh)
CSV_MAX = 16 << 10     # csv_rows -max_len (run.sh)

def head(data, limit):
    """The first `limit` bytes, cut after the last line break inside them."""
    if len(data) <= limit:
        return data
    cut = data[:limit]
    nl = cut.rfind(b"\n")
    return cut[: nl + 1] if nl > 0 else cut

def guess_delim(data, path):
    if ext(path) == ".tsv":
        return b"\t"
    first = data.split(b"\n", 1)[0]
    best = max([b",", b";", b"\t", b"|"], key=lambda d: first.count(d))
    return best if first.count(best) else b","

def decode(data):
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    return None

DATE_RE = re.compile(
    r"""^\s*(\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?|\d{4}年|\d{1,2}\s*[-\s]?[A-Za-z]{3}|
        [A-Za-z]{3,9},?\s+\d|(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s)""",
    re.I | re.X,
)
NUMERIC_DATE = re.compile(r"^\d{5}(\.\d+)?$|^\d{8}$|^\d{9,10}$|^\d{12,13}$")
MONEY_CHARS = set("0123456789.,'-+()% $¥￥€£元万亿_\u00a0\u202f")
MONEY_CODES = re.compile(r"US\$|HK\$|CN¥|USD|CNY|RMB|EUR|GBP|JPY|HKD")

dates, money = set(), set()

for path in files:
    with open(path, "rb") as f:
        data = f.read()
    e = ext(path)
    if e in TEXT:
        put("sniff_decode", head(data, SNIFF_MAX))
        body = head(data, CSV_MAX)
        d = guess_delim(body, path)
        put("csv_rows", d + body)
        if b'\\"' in body or b"\\N" in body or len(body) < 2048:
            # the same text in backslash-escape mode (high bit on the delimiter byte)
            put("csv_rows", bytes([d[0] | 0x80]) + body)
        text = decode(data)
        if text is None:
            continue
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=d.decode()))
        except csv.Error:
            continue
        for row in rows[:400]:
            for cell in row:
                v = cell.strip()
                if not v or len(v) > 48 or not any(c.isdigit() for c in v):
                    continue
                if DATE_RE.match(v) or NUMERIC_DATE.match(v):
                    dates.add(v)
                if set(MONEY_CODES.sub("", v)) <= MONEY_CHARS:
                    money.add(v)
    elif e == ".xlsx":
        put("xlsx_open", data)
    elif e == ".xls":
        put("xls_open", data)
    elif e in (".png", ".pdf", ".gz"):
        put("sniff_decode", data)  # kind() refusals
    elif e == ".toml":
        put("config_toml", data)

# Shapes the parsers' docs name, beside what the exports hold.
date_shapes = {
    "2026-10-31", "2026/10/31", "2021/4/15", "2026-10", "2026/10", "2026.10.31",
    "2026-10-31T10:30:00+08:00", "2026-10-31 10:30:05.123Z", "2026-10-31T10:30:00.000+0000",
    "2026-10-31 10:30 UTC", "10/20/2016", "20/10/2016", "03/04/2026", "03-07-2021 01:09",
    "31.12.2026", "1/2/26", "10/11/2026 1:09 PM", "2021年4月15日", "2021年4月15日 下午 1:09",
    "2021年4月15号 10:00", "15 Apr, 2021 00:02:00", "15 Apr 2021", "Apr 15, 2021",
    "15-Apr-2021", "April 15 2021 10:00 AM", "Mon Jan 05 2026", "Monday, January 5, 2026",
    "19970101", "1700000000", "1700000000123", "45321", "45321.5", "0000-00-00",
    "0000-00-00 00:00:00", "9999-12-31", "1900-01-01", "1066-10-14", "2999-01-01",
    "12:00 AM", "上午 9:15",
}
money_shapes = {
    "$22,700.00", "¥12,500.00", "￥12,500.00", "1.234,50 €", "(1,200.00)", "-1200", "12.5万",
    "1.2亿", "30%", "US$ 1,000", "1 234 567,89", "1'234'567.50", "12,34,567", "1,2,3",
    "1.234", "1,234", "--5", "-(5)", "+-5", "1200-", "NaN", "inf", "1e400",
    "123456789012345678", "0012300.00", "CNY 88", "88 RMB", "HK$5", "€1.000,00", "£3",
    "5元", "1_000",
}
import random
rng = random.Random(1)  # a fixed sample: the same seeds on every machine
for pool, target in ((dates, "dates"), (money, "money")):
    pool = sorted(pool)
    for v in (rng.sample(pool, 600) if len(pool) > 600 else pool):
        put(target, v)
for v in sorted(date_shapes):
    put("dates", v)
for v in sorted(money_shapes):
    put("money", v)

# flag_period: lines PERIOD, FROM, TO, AS_OF (fuzz_targets/flag_period.rs).
periods = [
    "2026-10", "2026-Q3", "2026", "FY2026", "FY2026-Q1", "2026-W05", "this-month", "last-month",
    "this-quarter", "last-quarter", "this-year", "last-year", "ytd", "qtd", "mtd", "this-week",
    "last-week", "2026-10-31", "2026/10/31", "fy2026-q4", "2026-q5", "2026-W53", "2026-13",
]
for p in periods:
    put("flag_period", p + "\n\n\n")
    put("flag_period", p + "\n\n\n2026-01-31")
for frm, to in [("2026-01-01", "2026-03-31"), ("2026/01/01", ""), ("", "2026-09-30"),
                ("2026-03-31", "2026-01-01")]:
    put("flag_period", "\n%s\n%s\n" % (frm, to))
put("flag_period", "ytd\n2026-01-01\n2026-12-31\n2024-02-29")

# config_toml: the docs' examples and config.rs's own test text.
with open(os.path.join(repo, "docs", "config.md"), encoding="utf-8") as f:
    for block in re.findall(r"```toml\n(.*?)```", f.read(), re.S):
        put("config_toml", block)
put("config_toml", """preset = "wukong"
lang = "zh-CN"
day_first = true
decimal_comma = false
currency = "CNY"
null_markers = ["暂无"]
timezone = "+08:00"
fiscal_year_start = 4
week_start = "sunday"
qualified_stage = "需求分析"
max_rejects = "10%"
won_labels = ["签约"]
lost_labels = ["放弃"]
invalid_labels = ["重复"]
[map]
deal_id = "商机编号"
[stages]
default = ["验证客户", "需求分析", "方案/报价"]
[sla]
"验证客户" = "3d"
[check]
rules = ["win_rate >= 0.2"]
[report]
sections = ["scorecard"]
""")
for tz in ["UTC", "Z", "+08:00", "-0530", "UTC+8", "GMT-3", "Asia/Shanghai", "+14:59"]:
    put("config_toml", 'timezone = "%s"\n' % tz)

# check --rule and --map values (flag_rule, flag_map), and those in the docs
for r in ["win_rate >= 0.2", "step_conversion[Proposal] >= 0.4", "cycle_median_days<45",
          "won==3", "attainment != 1", "drop_off[报价] <= 0.5", "win_rate => 0.2",
          "reached[Lead]>10", "win_rate >= 20%"]:
    put("flag_rule", r)
for m in ['owner="Sales Rep"', "*history*::deal_id=Opportunity ID", "amount=Amount",
          "stage=阶段", "::x=y", "no equals sign", 'deal_name="Deal - Title"']:
    put("flag_map", m)

for t in sorted(os.listdir(corpus)):
    n = len(os.listdir(os.path.join(corpus, t)))
    print("%-14s %5d seed(s) (%d new)" % (t, n, counts.get(t, 0)))
print("date candidates %d, money candidates %d" % (len(dates), len(money)))
PY
