//! Every testdata export ingests to the totals testdata/README.md states. The expected values in
//! testdata/expected.json were computed by testdata/gen/make_testdata.py from the canonical
//! records it renders (and cross-checked by gen/check_testdata.py with pandas/xlrd/openpyxl),
//! never from salesctl's output.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::workdir::{Workdir, s, testdata};

fn expected() -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(testdata("expected.json")).expect("expected.json");
    crate::workdir::json_value(&text).expect("json")
}

/// Extra flags a file needs (documented in testdata/README.md).
fn flags_for(file: &str, exp: &Value) -> Vec<String> {
    let mut f = Vec::new();
    if let Some(cols) = exp.get("columns").and_then(Value::as_array) {
        let names: Vec<&str> = cols.iter().filter_map(Value::as_str).collect();
        f.extend([
            "--no-header".to_string(),
            "--columns".into(),
            names.join(","),
        ]);
    }
    // Files with more rejected rows than the default 10% are refused unless allowed.
    let (rej, rows) = (exp["rejects"].as_u64(), exp["rows_in"].as_u64());
    if let (Some(r), Some(n)) = (rej, rows) {
        if r * 10 > n {
            f.extend(["--max-rejects".to_string(), "50%".into()]);
        }
    }
    if file.starts_with("cdnow/") {
        f.extend([
            "--no-header".to_string(),
            "--columns".into(),
            "source_id,customer_id,ordered_at,quantity,amount".into(),
        ]);
    }
    f
}

fn dec(v: &Value) -> f64 {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v.as_f64())
        .expect("number")
}

fn sums(rows: &[Value], filter: impl Fn(&Value) -> bool) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    for r in rows.iter().filter(|r| filter(r)) {
        if let Some(a) = r["amount"].as_f64() {
            let cur = r["currency"].as_str().unwrap_or("").to_string();
            *m.entry(cur).or_insert(0.0) += a;
        }
    }
    m
}

fn assert_money(got: &BTreeMap<String, f64>, want: &Value, what: &str) {
    let want: BTreeMap<String, f64> = want
        .as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.clone(), dec(v)))
        .collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{what}: currencies"
    );
    for (k, w) in &want {
        assert!(
            (got[k] - w).abs() < 0.005,
            "{what} {k}: got {}, want {w}",
            got[k]
        );
    }
}

/// Ingest one file into a DIR, then read it back through `show DIR --format json`.
fn check(file: &str, exp: &Value, part_bytes: Option<&str>) {
    let mut w = Workdir::new();
    if let Some(b) = part_bytes {
        w = w.with_env("SALESCTL_PART_BYTES", b);
    }
    let out = w.path("out");
    let mut args: Vec<String> = vec!["ingest".into(), s(&testdata(file)), "-o".into(), s(&out)];
    args.extend(flags_for(file, exp));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    w.expect(&a, 0);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let src = &manifest["sources"][0];
    assert_eq!(
        src["rows_in"].as_u64(),
        exp["rows_in"].as_u64(),
        "{file}: rows_in"
    );
    assert_eq!(
        src["rejected_rows"].as_u64(),
        exp["rejects"].as_u64(),
        "{file}: rejected rows"
    );
    assert_eq!(
        manifest["as_of"].as_str(),
        exp["as_of"].as_str(),
        "{file}: as_of"
    );
    assert_eq!(
        out.join("rejects.csv").exists(),
        exp["rejects"].as_u64() != Some(0),
        "{file}: rejects.csv"
    );
    let table = exp["table"].as_str().unwrap();
    let (stdout, _) = w.expect(
        &["show", &s(&out), "--rows-of", table, "--format", "json"],
        0,
    );
    let rows: Vec<Value> = crate::workdir::json_value(&stdout).expect("json rows");
    // rows_out counts accepted rows; a history's table holds them collapsed to stage changes.
    let want = if table == "stage_events" {
        exp.get("stage_events").unwrap_or(&exp["rows_out"])
    } else {
        &exp["rows_out"]
    };
    assert_eq!(
        rows.len() as u64,
        want.as_u64().unwrap(),
        "{file}: rows out"
    );
    if let Some(by_deal) = exp.get("stage_events_by_deal").and_then(Value::as_object) {
        for (id, n) in by_deal {
            let got = rows.iter().filter(|r| r["deal_id"] == id.as_str()).count() as u64;
            assert_eq!(got, n.as_u64().unwrap(), "{file}: stage events of {id}");
        }
    }
    if table == "deals" {
        for st in ["open", "won", "lost", "invalid"] {
            let n = rows.iter().filter(|r| r["status"] == st).count() as u64;
            assert_eq!(n, exp["status"][st].as_u64().unwrap(), "{file}: {st} deals");
        }
        assert_money(
            &sums(&rows, |_| true),
            &exp["amount_by_currency"],
            &format!("{file}: amount"),
        );
        assert_money(
            &sums(&rows, |r| r["status"] == "won"),
            &exp["won_amount_by_currency"],
            &format!("{file}: won amount"),
        );
    }
    if table == "orders" {
        assert_money(
            &sums(&rows, |_| true),
            &exp["amount_by_currency"],
            &format!("{file}: amount"),
        );
        let customers: std::collections::BTreeSet<&str> = rows
            .iter()
            .filter_map(|r| r["customer_id"].as_str())
            .collect();
        assert_eq!(
            customers.len() as u64,
            exp["customers"].as_u64().unwrap(),
            "{file}: customers"
        );
        let qty: f64 = rows.iter().filter_map(|r| r["quantity"].as_f64()).sum();
        assert_eq!(qty, exp["quantity"].as_f64().unwrap(), "{file}: quantity");
        let dates: Vec<&str> = rows
            .iter()
            .filter_map(|r| r["ordered_at"].as_str())
            .collect();
        assert_eq!(
            dates.iter().min().copied(),
            exp["min_date"].as_str(),
            "{file}: first order"
        );
        assert_eq!(
            dates.iter().max().copied(),
            exp["max_date"].as_str(),
            "{file}: last order"
        );
    }
    let events = exp.get("stage_events").and_then(Value::as_u64);
    if let Some(n) = events {
        let (stdout, _) = w.expect(
            &[
                "show",
                &s(&out),
                "--rows-of",
                "stage_events",
                "--format",
                "json",
            ],
            0,
        );
        let ev: Vec<Value> = crate::workdir::json_value(&stdout).unwrap();
        assert_eq!(ev.len() as u64, n, "{file}: stage events");
    }
}

#[test]
fn every_testdata_export_matches_its_stated_totals() {
    let mut checked = 0;
    for (file, exp) in expected() {
        if exp.get("expect_exit").and_then(Value::as_i64).unwrap_or(0) != 0 {
            continue;
        }
        check(&file, &exp, None);
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} files checked");
}

/// Big UTF-8 files are read in parallel parts cut at record boundaries; tiny parts
/// (`SALESCTL_PART_BYTES`) put every testdata CSV through that reader: the same stated totals,
/// reject counts and as-of must come out (quoted newlines, BOMs, footers, ragged rows included).
#[test]
fn every_testdata_export_matches_its_stated_totals_read_in_parts() {
    for (file, exp) in expected() {
        if exp.get("expect_exit").and_then(Value::as_i64).unwrap_or(0) != 0 {
            continue;
        }
        check(&file, &exp, Some("64"));
    }
}

/// The GBK, XLSX and XLS twins hold the same canonical rows as the UTF-8 CSV.
#[test]
fn twins_ingest_to_the_same_rows() {
    let w = Workdir::new();
    let read = |f: &str| {
        let (out, _) = w.expect(&["show", &s(&testdata(f)), "--format", "csv"], 0);
        out
    };
    let base = read("twins/deals_utf8.csv");
    assert!(base.lines().count() == 11, "{base}");
    for twin in ["twins/deals_gbk.csv", "twins/deals.xlsx", "twins/deals.xls"] {
        assert_eq!(read(twin), base, "{twin} differs from the UTF-8 CSV");
    }
    // WukongCRM 9.0 (title row above the header) and 11.0 hold the same records.
    assert_eq!(read("wukong/business.xls"), read("wukong/商机信息.xls"));
}

#[test]
fn rejects_name_file_row_column_and_value() {
    for parts in [None, Some("16")] {
        rejects_named(parts);
    }
}

fn rejects_named(part_bytes: Option<&str>) {
    let mut w = Workdir::new();
    if let Some(b) = part_bytes {
        w = w.with_env("SALESCTL_PART_BYTES", b);
    }
    let exp = &expected()["bad/bad_values.csv"];
    let rej = w.path("rej.csv");
    let (_, stderr) = w.expect(
        &[
            "show",
            &s(&testdata("bad/bad_values.csv")),
            "--max-rejects",
            "2",
            "--format",
            "csv",
            "--rejects",
            &s(&rej),
        ],
        0,
    );
    assert!(stderr.contains("2 rejected"), "{stderr}");
    let text = std::fs::read_to_string(&rej).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "{text}");
    for (r, want) in rows.iter().zip(exp["reject_rows"].as_array().unwrap()) {
        assert!(r[0].ends_with("bad/bad_values.csv"));
        assert_eq!(r[1].parse::<u64>().unwrap(), want["row"].as_u64().unwrap());
        assert_eq!(&r[2], want["column"].as_str().unwrap());
        assert_eq!(&r[3], want["value"].as_str().unwrap());
    }
}

#[test]
fn ragged_rows_are_rejected_not_dropped() {
    let w = Workdir::new();
    let out = w.path("out");
    let (_, stderr) = w.expect(
        &[
            "ingest",
            &s(&testdata("bad/ragged.csv")),
            "-o",
            &s(&out),
            "--max-rejects",
            "2",
        ],
        0,
    );
    assert!(stderr.contains("2 rejected"), "{stderr}");
    let text = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert!(
        text.contains(",5,") && text.contains("row has 8 fields, the header has 7"),
        "{text}"
    );
    assert!(
        text.contains(",10,") && text.contains("row has 6 fields, the header has 7"),
        "{text}"
    );
}

#[test]
fn manifest_records_sources_preset_and_assumptions() {
    let w = Workdir::new();
    let out = w.path("out");
    let file = testdata("wukong/商机信息.xls");
    w.expect(&["ingest", &s(&file), "-o", &s(&out)], 0);
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let src = &m["sources"][0];
    assert_eq!(src["preset"], "wukong");
    assert!(src["preset_why"].as_str().unwrap().contains("signature"));
    assert_eq!(
        src["size"].as_u64().unwrap(),
        std::fs::metadata(&file).unwrap().len()
    );
    // sha256 computed independently with the sha2 crate
    use sha2::Digest;
    let want: String = sha2::Sha256::digest(std::fs::read(&file).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(src["sha256"].as_str().unwrap(), want);
    let assumptions = src["assumptions"].to_string();
    assert!(assumptions.contains("deal_id derived"), "{assumptions}");
    assert_eq!(m["salesctl_version"], env!("CARGO_PKG_VERSION"));
    assert!(
        src["mapping"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["field"] == "amount" && p["header"] == "商机金额")
    );
}

#[test]
fn preset_can_be_forced_and_map_overrides() {
    let w = Workdir::new();
    let csv = w.write(
        "x.csv",
        b"Opp,Who,Phase,Value\nA,Ann,Closed Won,100\nB,Bob,Prospecting,50\n",
    );
    let (out, _) = w.expect(
        &[
            "show",
            &s(&csv),
            "--format",
            "json",
            "--map",
            "deal_name=Opp",
            "--map",
            "owner=Who",
            "--map",
            "stage=Phase",
            "--map",
            "amount=Value",
        ],
        0,
    );
    let rows: Vec<Value> = crate::workdir::json_value(&out).unwrap();
    assert_eq!(rows[0]["owner"], "Ann");
    assert_eq!(rows[0]["status"], "won");
    assert_eq!(rows[1]["amount"].as_f64(), Some(50.0));
    let (_, err) = w.expect(&["show", &s(&csv), "--preset", "nosuch"], 2);
    assert!(err.contains("unknown preset"), "{err}");
}

#[test]
fn unmapped_columns_stay_under_snake_case_names() {
    let w = Workdir::new();
    let csv = w.write(
        "x.csv",
        b"Deal Name,Stage,Amount,Deal Type,Forecast Category\nA,Won,1,New Business,Closed\n",
    );
    let (out, _) = w.expect(&["show", &s(&csv), "--format", "json"], 0);
    let rows: Vec<Value> = crate::workdir::json_value(&out).unwrap();
    assert_eq!(rows[0]["deal_type"], "New Business");
    assert_eq!(rows[0]["forecast_category"], "Closed");
}

#[test]
fn config_file_sets_day_first_and_currency() {
    let w = Workdir::new();
    let csv = w.write(
        "d.csv",
        b"Deal Name,Stage,Amount,Created\nA,Won,$5,03/04/2026\n",
    );
    w.expect(&["show", &s(&csv)], 3);
    w.write("salesctl.toml", b"day_first = true\ncurrency = \"AUD\"\n");
    let (out, _) = w.expect(&["show", &s(&csv), "--format", "json"], 0);
    let rows: Vec<Value> = crate::workdir::json_value(&out).unwrap();
    assert_eq!(rows[0]["created_at"], "2026-04-03");
    assert_eq!(rows[0]["currency"], "AUD");
    let (out, _) = w.expect(&["show", &s(&csv), "--format", "json", "--month-first"], 0);
    let rows: Vec<Value> = crate::workdir::json_value(&out).unwrap();
    assert_eq!(rows[0]["created_at"], "2026-03-04");
}

#[test]
fn as_of_flag_overrides_the_export_date() {
    let w = Workdir::new();
    let out = w.path("out");
    w.expect(
        &[
            "ingest",
            &s(&testdata(
                "hubspot/hubspot-crm-exports-all-deals-2026-10-31.csv",
            )),
            "-o",
            &s(&out),
            "--as-of",
            "2026-11-05",
        ],
        0,
    );
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["as_of"], "2026-11-05");
}

#[test]
fn inputs_are_never_modified() {
    let w = Workdir::new();
    let file = testdata("salesforce/report1700000000000.csv");
    let before = std::fs::read(&file).unwrap();
    w.expect(&["ingest", &s(&file), "-o", &s(&w.path("o"))], 0);
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn stage_events_get_exit_times_and_deal_id_order_raw_and_ingested() {
    // Deals out of order in the file; by hand: sorted by id, then time; exited_at is the
    // deal's next entered_at, empty for its last event.
    let w = Workdir::new();
    let csv = w.write(
        "events.csv",
        b"deal_id,stage,entered_at\nb,Lead,2026-01-02\na,Lead,2026-01-01\nb,Won,2026-01-09\na,Qualified,2026-01-05\nc,Lead,2026-01-03\n",
    );
    let want = [
        ("a", "Lead", "2026-01-01", Some("2026-01-05")),
        ("a", "Qualified", "2026-01-05", None),
        ("b", "Lead", "2026-01-02", Some("2026-01-09")),
        ("b", "Won", "2026-01-09", None),
        ("c", "Lead", "2026-01-03", None),
    ];
    let dir = w.path("dir");
    w.expect(&["ingest", &s(&csv), "-o", &s(&dir), "-q"], 0);
    for input in [s(&csv), s(&dir)] {
        let (out, _) = w.expect(
            &[
                "show",
                &input,
                "--rows-of",
                "stage_events",
                "--format",
                "json",
            ],
            0,
        );
        let rows: Vec<Value> = crate::workdir::json_value(&out).unwrap();
        assert_eq!(rows.len(), want.len(), "{input}: {out}");
        for (r, (id, stage, at, exit)) in rows.iter().zip(want) {
            assert_eq!(r["deal_id"], id, "{input}: {r}");
            assert_eq!(r["stage"], stage, "{input}: {r}");
            assert!(
                r["entered_at"].as_str().unwrap().starts_with(at),
                "{input}: {r}"
            );
            match exit {
                Some(e) => assert!(
                    r["exited_at"].as_str().unwrap().starts_with(e),
                    "{input}: {r}"
                ),
                None => assert!(r["exited_at"].is_null(), "{input}: {r}"),
            }
        }
    }
}

#[test]
fn repeated_deal_ids_are_reported_and_dedupe_last_keeps_the_last_row() {
    let w = Workdir::new();
    // Out of order (b a b) and in order (a a b c): one repeat each, counted by hand.
    for (name, body) in [
        (
            "mixed.csv",
            &b"deal_id,stage,amount\nb,Won,1\na,Lost,2\nb,Won,3\n"[..],
        ),
        (
            "sorted.csv",
            &b"deal_id,stage,amount\na,Won,1\na,Won,5\nb,Lost,2\nc,Won,3\n"[..],
        ),
    ] {
        let f = w.write(name, body);
        let (_, err) = w.expect(
            &["ingest", &s(&f), "-o", &s(&w.path(&format!("{name}.d")))],
            0,
        );
        // The repeated rows differ (amounts 1/3, 1/5): all kept, no advice to drop them.
        assert!(
            err.contains("1 row(s) repeat a deal id with different values; all kept"),
            "{name}: {err}"
        );
    }
    // An exact repeat is the same deal written twice: --dedupe is suggested.
    let f = w.write(
        "twice.csv",
        b"deal_id,stage,amount
a,Won,1
b,Lost,2
a,Won,1
",
    );
    let (_, err) = w.expect(&["ingest", &s(&f), "-o", &s(&w.path("twice.d"))], 0);
    assert!(
        err.contains("1 row(s) repeat an earlier row exactly") && err.contains("--dedupe last"),
        "{err}"
    );
    let f = w.path("mixed.csv");
    let (out, _) = w.expect(&["show", &s(&f), "--format", "json", "--dedupe", "last"], 0);
    let rows: Vec<Value> = crate::workdir::json_value(&out).unwrap();
    assert_eq!(rows.len(), 2);
    let b = rows.iter().find(|r| r["deal_id"] == "b").unwrap();
    assert_eq!(b["amount"].as_f64(), Some(3.0), "the last b row");
}
