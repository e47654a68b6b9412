//! The real-export corpus (testdata/exports): every file run with no flags must give the numbers
//! expected.json states (worked out by make_exports.py from its canonical records, cross-checked
//! with pandas by check_exports.py), or the refusal its README line explains.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::workdir::{Workdir, s, testdata};

fn expected() -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(testdata("exports/expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The layout named on the file's `input:` line.
fn layout_of(stderr: &str, file: &str) -> Option<String> {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("input: ") && l.contains(file))?;
    let rest = line.split_once(&format!("{file}: "))?.1;
    Some(rest.split([' ', ';']).next()?.to_string())
}

/// Check one file; Err says what is wrong.
fn check_file(w: &Workdir, name: &str, exp: &Value) -> Result<&'static str, String> {
    let path = s(&testdata(&format!("exports/{name}")));
    let table = exp["table"].as_str().unwrap_or("deals");
    let out = w.run(&["show", &path, "--rows-of", table, "--format", "json"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    if stderr.contains("panicked") {
        return Err(format!("panic: {stderr}"));
    }
    let code = out.status.code().unwrap_or(-1);
    if let Some(want) = exp.get("show_exit").and_then(Value::as_i64) {
        let msg = exp["message_contains"].as_str().unwrap_or("");
        if code as i64 != want || !stderr.contains(msg) {
            return Err(format!(
                "expected a refusal (exit {want}, {msg:?}), got exit {code}: {stderr}"
            ));
        }
        return Ok("refused");
    }
    if code != 0 {
        return Err(format!("show: exit {code}: {stderr}"));
    }
    let layout = layout_of(&stderr, &path).unwrap_or_default();
    if layout != exp["layout"].as_str().unwrap_or("") {
        return Err(format!(
            "read as {layout:?}, expected {}: {stderr}",
            exp["layout"]
        ));
    }
    let v: Value = serde_json::from_str(&stdout).map_err(|e| format!("json: {e}: {stdout}"))?;
    let rows = v
        .as_array()
        .or_else(|| v[table].as_array())
        .ok_or("no rows")?;
    let mut problems = Vec::new();
    if table == "stage_events" {
        let n = rows.len() as u64;
        if Some(n) != exp["stage_events"].as_u64() {
            problems.push(format!("stage_events {n} != {}", exp["stage_events"]));
        }
        let mut ids: Vec<&str> = rows.iter().filter_map(|r| r["deal_id"].as_str()).collect();
        ids.sort();
        ids.dedup();
        if Some(ids.len() as u64) != exp["distinct_deals"].as_u64() {
            problems.push(format!(
                "distinct deals {} != {}",
                ids.len(),
                exp["distinct_deals"]
            ));
        }
    } else {
        let count = |st: &str| rows.iter().filter(|r| r["status"] == st).count() as u64;
        for (k, got) in [
            ("deals", rows.len() as u64),
            ("won", count("won")),
            ("lost", count("lost")),
            ("open", count("open")),
        ] {
            if Some(got) != exp[k].as_u64() {
                problems.push(format!("{k} {got} != {}", exp[k]));
            }
        }
        let mut won: BTreeMap<String, f64> = BTreeMap::new();
        for r in rows.iter().filter(|r| r["status"] == "won") {
            let cur = r["currency"].as_str().unwrap_or("").to_string();
            *won.entry(cur).or_default() += r["amount"].as_f64().unwrap_or(0.0);
        }
        let got: BTreeMap<String, String> =
            won.into_iter().map(|(k, v)| (k, format!("{v:.2}"))).collect();
        let want: BTreeMap<String, String> = exp["won_amount_by_currency"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        if got != want {
            problems.push(format!("won amount {got:?} != {want:?}"));
        }
        if let Some(sample) = exp.get("stage_sample").and_then(Value::as_str) {
            if !rows.iter().any(|r| r["stage"] == sample) {
                problems.push(format!("no stage reads {sample:?} (encoding)"));
            }
        }
    }
    // The funnel: its first and last open stage, or the refusal.
    if exp.get("funnel_first").is_some() || exp.get("funnel_exit").is_some() {
        let out = w.run(&["funnel", &path, "--format", "json"]);
        let code = out.status.code().unwrap_or(-1);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        if let Some(want) = exp.get("funnel_exit").and_then(Value::as_i64) {
            let msg = exp["funnel_message_contains"].as_str().unwrap_or("");
            if code as i64 != want || !stderr.contains(msg) {
                problems.push(format!(
                    "funnel: expected exit {want} with {msg:?}, got {code}: {stderr}"
                ));
            }
        } else if code != 0 {
            problems.push(format!("funnel: exit {code}: {stderr}"));
        } else {
            let v: Value = serde_json::from_str(&stdout).map_err(|e| format!("json: {e}"))?;
            let f = v["funnel"]
                .as_array()
                .or_else(|| v.as_array())
                .ok_or("no funnel")?;
            let stages: Vec<&str> = f.iter().filter_map(|r| r["stage"].as_str()).collect();
            let first = stages.first().copied().unwrap_or("");
            let last_open = stages.len().checked_sub(2).map_or("", |i| stages[i]);
            if first != exp["funnel_first"].as_str().unwrap_or("") {
                problems.push(format!("funnel first {first:?} != {}", exp["funnel_first"]));
            }
            if last_open != exp["funnel_last"].as_str().unwrap_or("") {
                problems.push(format!(
                    "funnel last {last_open:?} != {} ({stages:?})",
                    exp["funnel_last"]
                ));
            }
            let deals0 = f.first().and_then(|r| r["deals"].as_u64());
            let won = f.last().and_then(|r| r["deals"].as_u64());
            if deals0 != exp["funnel_deals"].as_u64() || won != exp["funnel_won"].as_u64() {
                problems.push(format!(
                    "funnel deals {deals0:?} / won {won:?} != {} / {}",
                    exp["funnel_deals"], exp["funnel_won"]
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(if exp.get("funnel_exit").is_some() {
            "right (funnel refused: no stage order)"
        } else {
            "right"
        })
    } else {
        Err(problems.join("; "))
    }
}

#[test]
fn corpus_every_file_right_or_refused_with_no_flags() {
    let w = Workdir::new();
    let exp = expected();
    assert!(exp.len() >= 15, "{} files", exp.len());
    let mut table = Vec::new();
    let mut wrong = Vec::new();
    for (name, e) in &exp {
        match check_file(&w, name, e) {
            Ok(what) => table.push(format!("{name}: {what}")),
            Err(why) => {
                table.push(format!("{name}: WRONG"));
                wrong.push(format!("{name}: {why}"));
            }
        }
    }
    eprintln!("corpus:\n  {}", table.join("\n  "));
    let answered = exp.len() - wrong.len();
    assert!(
        wrong.is_empty(),
        "{answered} of {} files right or refused as expected; wrong:\n{}",
        exp.len(),
        wrong.join("\n")
    );
}
