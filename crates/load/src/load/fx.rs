//! `--fx FILE`: convert money to one report currency, so amounts in several currencies can be
//! compared. The file is CSV with `date,currency,rate`, rate = the value of one unit of `currency`
//! in the report currency. Each amount uses the latest rate on or before its row's date (closed_at,
//! else created_at; ordered_at; the spend period), else the earliest rate after it (noted).

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::model::Table;
use crate::text::Text;

/// Rates per currency, sorted by date (epoch ms).
#[derive(Debug, Clone, Default)]
pub(crate) struct Rates {
    pub(crate) base: String,
    by_currency: BTreeMap<String, Vec<(i64, f64)>>,
}

impl Rates {
    /// Read the rates file. `base`: the config's `currency`; without it, the one currency whose
    /// rates are all 1.
    pub(crate) fn read(path: &Path, base: Option<&str>) -> Result<Rates> {
        let file = path.display().to_string();
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(path)
            .map_err(|e| Error::input(crate::tr!("{file}: {e}", "{file}：{e}")))?;
        let headers: Vec<String> = r
            .headers()
            .map_err(|e| Error::input(crate::tr!("{file}: {e}", "{file}：{e}")))?
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect();
        let idx = |name: &str| {
            headers.iter().position(|h| h == name).ok_or_else(|| {
                Error::MissingColumn(Box::new(crate::error::MissingColumn {
                    file: file.clone(),
                    field: name.into(),
                    why: crate::tr!(
                        "--fx needs date, currency, rate",
                        "--fx 需要 date、currency、rate 三列"
                    ),
                    found: headers.join(", "),
                    hint: crate::text::Text::default(),
                }))
            })
        };
        let (di, ci, ri) = (idx("date")?, idx("currency")?, idx("rate")?);
        let mut by_currency: BTreeMap<String, Vec<(i64, f64)>> = BTreeMap::new();
        for (n, rec) in r.records().enumerate() {
            let row = n + 2;
            let rec = rec
                .map_err(|e| Error::input(crate::tr!("{file}:{row}: {e}", "{file}:{row}：{e}")))?;
            let get = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
            let (d, c, v) = (get(di), get(ci).to_uppercase(), get(ri));
            let date = crate::period::parse_date(&d)
                .or_else(|_| {
                    crate::period::parse(&d, chrono::NaiveDate::MIN, Default::default())
                        .map(|p| p.start)
                })
                .map_err(|_| {
                    Error::Cell(Box::new(crate::error::BadCell {
                        file: file.clone(),
                        row,
                        column: "date".into(),
                        found: d.clone(),
                        expected: "a date like 2026-10-31 or a month like 2026-10".into(),
                    }))
                })?;
            let rate: f64 = v
                .parse()
                .ok()
                .filter(|x: &f64| *x > 0.0 && x.is_finite())
                .ok_or_else(|| {
                    Error::Cell(Box::new(crate::error::BadCell {
                        file: file.clone(),
                        row,
                        column: "rate".into(),
                        found: v.clone(),
                        expected: "a positive number".into(),
                    }))
                })?;
            by_currency
                .entry(c)
                .or_default()
                .push((crate::period::date_ms(date), rate));
        }
        for v in by_currency.values_mut() {
            v.sort_by_key(|x| x.0);
        }
        let base = match base {
            Some(b) => b.trim().to_uppercase(),
            None => {
                let ones: Vec<&String> = by_currency
                    .iter()
                    .filter(|(_, v)| v.iter().all(|x| x.1 == 1.0))
                    .map(|(k, _)| k)
                    .collect();
                match ones.as_slice() {
                    [one] => (*one).clone(),
                    _ => {
                        return Err(Error::input(crate::tr!(
                            "{file}: cannot tell the report currency; set `currency = \"USD\"` (or another) in salesctl.toml, or list it with rate 1",
                            "{file}：无法确定报告币种；请在 salesctl.toml 中设置 `currency = \"USD\"`（或其他币种），或在汇率文件中以汇率 1 列出它"
                        )));
                    }
                }
            }
        };
        Ok(Rates { base, by_currency })
    }

    /// The rate for `currency` at `at` (epoch ms) and whether it came from a later date.
    pub(crate) fn rate(&self, currency: &str, at: Option<i64>) -> Option<(f64, bool)> {
        if currency == self.base {
            return Some((1.0, false));
        }
        let v = self.by_currency.get(currency)?;
        let t = at.unwrap_or(i64::MAX);
        match v.iter().rev().find(|x| x.0 <= t) {
            Some(x) => Some((x.1, false)),
            None => v.first().map(|x| (x.1, true)),
        }
    }
}

/// Which money column and which date columns (first non-null wins) a table converts.
fn plan(t: Table) -> Option<(&'static str, &'static [&'static str])> {
    match t {
        Table::Deals => Some(("amount", &["closed_at", "created_at"])),
        Table::Orders => Some(("amount", &["ordered_at"])),
        Table::StageEvents => Some(("amount", &["entered_at"])),
        _ => None,
    }
}

/// Convert a table's money to the report currency. Returns notes.
pub(crate) fn convert(t: Table, df: DataFrame, rates: &Rates) -> Result<(DataFrame, Vec<Text>)> {
    let Some((money, dates)) = plan(t) else {
        return Ok((df, vec![]));
    };
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    if !names.iter().any(|n| n == money) || !names.iter().any(|n| n == "currency") {
        return Ok((df, vec![]));
    }
    let amount = df
        .column(money)?
        .as_materialized_series()
        .cast(&DataType::Float64)?;
    let amount = amount.f64()?;
    let cur = df
        .column("currency")?
        .as_materialized_series()
        .cast(&DataType::String)?;
    let cur = cur.str()?;
    let mut when: Vec<Option<i64>> = vec![None; df.height()];
    for d in dates.iter().rev() {
        if let Ok(c) = df.column(d) {
            let s = c
                .as_materialized_series()
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?
                .cast(&DataType::Int64)?;
            for (i, v) in s.i64()?.iter().enumerate() {
                if v.is_some() {
                    when[i] = v;
                }
            }
        }
    }
    let mut out_amount: Vec<Option<f64>> = Vec::with_capacity(df.height());
    let mut out_cur: Vec<Option<String>> = Vec::with_capacity(df.height());
    let (mut converted, mut later, mut blank) = (0usize, 0usize, 0usize);
    let mut missing: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..df.height() {
        let a = amount.get(i);
        let c = cur.get(i).unwrap_or("").trim().to_uppercase();
        if c.is_empty() {
            blank += (a.is_some()) as usize;
            out_amount.push(a);
            out_cur.push(cur.get(i).map(str::to_string));
            continue;
        }
        match rates.rate(&c, when[i]) {
            Some((r, after)) => {
                out_amount.push(a.map(|x| x * r));
                out_cur.push(Some(rates.base.clone()));
                converted += (c != rates.base && a.is_some()) as usize;
                later += (after && a.is_some()) as usize;
            }
            None => {
                *missing.entry(c.clone()).or_default() += 1;
                out_amount.push(a);
                out_cur.push(Some(c));
            }
        }
    }
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|(c, n)| format!("{c} ({n} rows)"))
            .collect::<Vec<_>>()
            .join(", ");
        let list_zh = missing
            .iter()
            .map(|(c, n)| format!("{c}（{n} 行）"))
            .collect::<Vec<_>>()
            .join("、");
        return Err(Error::input(crate::tr!(
            "--fx: no rate for {list}; add rows `date,currency,rate` for them",
            "--fx：{list_zh} 没有汇率；请为它们添加 `date,currency,rate` 行"
        )));
    }
    let mut df = df;
    df.with_column(Column::new(money.into(), out_amount))?;
    df.with_column(Column::new("currency".into(), out_cur))?;
    let base = &rates.base;
    let mut notes = vec![crate::tr!(
        "{t}: {converted} amount(s) converted to {base} with --fx",
        "{t}：{converted} 个金额已用 --fx 换算为 {base}"
    )];
    if later > 0 {
        notes.push(crate::tr!(
            "{t}: {later} amount(s) dated before the first rate of their currency used that first rate",
            "{t}：{later} 个金额的日期早于其币种的第一个汇率，按该第一个汇率换算"
        ));
    }
    if blank > 0 {
        notes.push(crate::tr!(
            "{t}: {blank} amount(s) without a currency left unconverted",
            "{t}：{blank} 个金额没有币种，未换算"
        ));
    }
    Ok((df, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_rate_on_or_before_the_date() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fx.csv");
        std::fs::write(
            &p,
            "date,currency,rate\n2026-01-01,EUR,1.10\n2026-02-01,EUR,1.20\n2026-01-01,USD,1\n",
        )
        .unwrap();
        let r = Rates::read(&p, None).unwrap();
        assert_eq!(r.base, "USD");
        let ms = |s: &str| crate::period::date_ms(crate::period::parse_date(s).unwrap());
        assert_eq!(r.rate("EUR", Some(ms("2026-01-15"))), Some((1.10, false)));
        assert_eq!(r.rate("EUR", Some(ms("2026-02-01"))), Some((1.20, false)));
        assert_eq!(r.rate("EUR", Some(ms("2025-12-01"))), Some((1.10, true)));
        assert_eq!(r.rate("USD", None), Some((1.0, false)));
        assert_eq!(r.rate("GBP", None), None);
    }

    #[test]
    fn bad_rate_names_file_row_and_value() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fx.csv");
        std::fs::write(&p, "date,currency,rate\n2026-01-01,EUR,abc\n").unwrap();
        let e = Rates::read(&p, Some("USD")).unwrap_err().to_string();
        assert!(e.contains(":2:rate") && e.contains("abc"), "{e}");
    }
}
