//! Periods: `2026-10`, `2026-Q3`, `2026`, `FY2026`, `FY2026-Q1`, `2026-W05`, `this-month`,
//! `last-month`, `this-quarter`, `last-quarter`, `this-year`, `last-year`, `ytd`, `qtd`, `mtd`,
//! `this-week`, `last-week`, and `--from/--to`, relative to as-of. Half-open: [start, end).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Calendar settings from the config.
#[derive(Debug, Clone, Copy)]
pub struct Calendar {
    /// First month of the fiscal year (1 = January).
    pub fiscal_year_start: u32,
    pub week_start: Weekday,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar { fiscal_year_start: 1, week_start: Weekday::Mon }
    }
}

/// A half-open date range with the label users gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    /// Exclusive.
    pub end: NaiveDate,
    pub label: String,
}

/// `2026-10-31` (also `2026/10/31`).
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y/%m/%d"))
        .map_err(|_| "expected a date like 2026-10-31".to_string())
}

fn ym(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// Add months to the first of a month.
fn add_months(d: NaiveDate, n: i32) -> Option<NaiveDate> {
    let total = d.year() * 12 + d.month0() as i32 + n;
    ym(total.div_euclid(12), total.rem_euclid(12) as u32 + 1)
}

fn span(start: NaiveDate, months: i32, label: &str) -> Result<Period, String> {
    let end = add_months(start, months).ok_or("date out of range")?;
    Ok(Period { start, end, label: label.to_string() })
}

/// Parse a period name relative to `as_of`.
pub fn parse(spec: &str, as_of: NaiveDate, cal: Calendar) -> Result<Period, String> {
    let s = spec.trim();
    let lower = s.to_ascii_lowercase();
    let month_start = ym(as_of.year(), as_of.month()).ok_or("bad as-of")?;
    let q_start = ym(as_of.year(), as_of.month0() / 3 * 3 + 1).ok_or("bad as-of")?;
    let y_start = ym(as_of.year(), 1).ok_or("bad as-of")?;
    let next_day = as_of + Duration::days(1);
    let week_start = as_of - Duration::days(as_of.weekday().days_since(cal.week_start) as i64);
    match lower.as_str() {
        "this-month" => return span(month_start, 1, s),
        "last-month" => return span(add_months(month_start, -1).ok_or("out of range")?, 1, s),
        "this-quarter" => return span(q_start, 3, s),
        "last-quarter" => return span(add_months(q_start, -3).ok_or("out of range")?, 3, s),
        "this-year" => return span(y_start, 12, s),
        "last-year" => return span(add_months(y_start, -12).ok_or("out of range")?, 12, s),
        "ytd" => return Ok(Period { start: y_start, end: next_day, label: s.into() }),
        "qtd" => return Ok(Period { start: q_start, end: next_day, label: s.into() }),
        "mtd" => return Ok(Period { start: month_start, end: next_day, label: s.into() }),
        "this-week" => return Ok(Period { start: week_start, end: week_start + Duration::days(7), label: s.into() }),
        "last-week" => return Ok(Period { start: week_start - Duration::days(7), end: week_start, label: s.into() }),
        _ => {}
    }
    let bad = || {
        format!(
            "{s:?}: expected a period such as 2026-10, 2026-Q3, 2026, FY2026, FY2026-Q1, 2026-W05, this-month, last-month, last-quarter, ytd"
        )
    };
    if let Some(rest) = lower.strip_prefix("fy") {
        let (y, q) = match rest.split_once("-q") {
            Some((y, q)) => (y, Some(q.parse::<u32>().map_err(|_| bad())?)),
            None => (rest, None),
        };
        let y: i32 = y.parse().map_err(|_| bad())?;
        // FY2026 starts in the fiscal_year_start month of 2026.
        let start = ym(y, cal.fiscal_year_start).ok_or_else(bad)?;
        return match q {
            None => span(start, 12, s),
            Some(q @ 1..=4) => span(add_months(start, 3 * (q as i32 - 1)).ok_or_else(bad)?, 3, s),
            Some(_) => Err(bad()),
        };
    }
    let parts: Vec<&str> = lower.split('-').collect();
    match parts.as_slice() {
        [y] if y.len() == 4 => span(ym(y.parse().map_err(|_| bad())?, 1).ok_or_else(bad)?, 12, s),
        [y, q] if q.starts_with('q') => {
            let q: u32 = q[1..].parse().map_err(|_| bad())?;
            if !(1..=4).contains(&q) {
                return Err(bad());
            }
            span(ym(y.parse().map_err(|_| bad())?, 3 * q - 2).ok_or_else(bad)?, 3, s)
        }
        [y, w] if w.starts_with('w') => {
            let w: u32 = w[1..].parse().map_err(|_| bad())?;
            let d = NaiveDate::from_isoywd_opt(y.parse().map_err(|_| bad())?, w, Weekday::Mon).ok_or_else(bad)?;
            Ok(Period { start: d, end: d + Duration::days(7), label: s.into() })
        }
        [y, m] => span(ym(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)?, 1, s),
        [_, _, _] => {
            let d = parse_date(s).map_err(|_| bad())?;
            Ok(Period { start: d, end: d + Duration::days(1), label: s.into() })
        }
        _ => Err(bad()),
    }
}

/// `--from A --to B` (B inclusive) -> [A, B + 1 day).
pub fn from_to(from: Option<&str>, to: Option<&str>) -> Result<Option<Period>, String> {
    if from.is_none() && to.is_none() {
        return Ok(None);
    }
    let start = match from {
        Some(f) => parse_date(f).map_err(|e| format!("--from {f:?}: {e}"))?,
        None => NaiveDate::MIN,
    };
    let end = match to {
        Some(t) => parse_date(t).map_err(|e| format!("--to {t:?}: {e}"))? + Duration::days(1),
        None => NaiveDate::MAX,
    };
    if end <= start {
        return Err("--to is before --from".into());
    }
    Ok(Some(Period { start, end, label: format!("{}..{}", from.unwrap_or(""), to.unwrap_or("")) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn p(spec: &str) -> (NaiveDate, NaiveDate) {
        let r = parse(spec, d(2026, 11, 22), Calendar::default()).unwrap();
        (r.start, r.end)
    }

    #[test]
    fn absolute_periods() {
        assert_eq!(p("2026-10"), (d(2026, 10, 1), d(2026, 11, 1)));
        assert_eq!(p("2026-12"), (d(2026, 12, 1), d(2027, 1, 1)));
        assert_eq!(p("2026-Q3"), (d(2026, 7, 1), d(2026, 10, 1)));
        assert_eq!(p("2026"), (d(2026, 1, 1), d(2027, 1, 1)));
        assert_eq!(p("2026-W01"), (d(2025, 12, 29), d(2026, 1, 5)));
    }

    #[test]
    fn relative_periods_from_as_of() {
        // as-of 2026-11-22, a Sunday
        assert_eq!(p("this-month"), (d(2026, 11, 1), d(2026, 12, 1)));
        assert_eq!(p("last-month"), (d(2026, 10, 1), d(2026, 11, 1)));
        assert_eq!(p("last-quarter"), (d(2026, 7, 1), d(2026, 10, 1)));
        assert_eq!(p("ytd"), (d(2026, 1, 1), d(2026, 11, 23)));
        assert_eq!(p("this-week"), (d(2026, 11, 16), d(2026, 11, 23)));
        let sunday = Calendar { fiscal_year_start: 1, week_start: Weekday::Sun };
        let w = parse("this-week", d(2026, 11, 22), sunday).unwrap();
        assert_eq!((w.start, w.end), (d(2026, 11, 22), d(2026, 11, 29)));
        let jan = parse("last-month", d(2026, 1, 15), Calendar::default()).unwrap();
        assert_eq!((jan.start, jan.end), (d(2025, 12, 1), d(2026, 1, 1)));
    }

    #[test]
    fn fiscal_periods() {
        let cal = Calendar { fiscal_year_start: 4, week_start: Weekday::Mon };
        let fy = parse("FY2026", d(2026, 11, 22), cal).unwrap();
        assert_eq!((fy.start, fy.end), (d(2026, 4, 1), d(2027, 4, 1)));
        let q4 = parse("FY2026-Q4", d(2026, 11, 22), cal).unwrap();
        assert_eq!((q4.start, q4.end), (d(2027, 1, 1), d(2027, 4, 1)));
    }

    #[test]
    fn from_to_is_inclusive_of_to() {
        let r = from_to(Some("2026-01-01"), Some("2026-01-31")).unwrap().unwrap();
        assert_eq!((r.start, r.end), (d(2026, 1, 1), d(2026, 2, 1)));
        assert!(from_to(Some("2026-02-01"), Some("2026-01-01")).is_err());
        assert_eq!(from_to(None, None), Ok(None));
    }

    #[test]
    fn bad_periods() {
        for bad in ["2026-13", "2026-Q5", "soon", "FY20x6", "2026-02-30"] {
            assert!(parse(bad, d(2026, 1, 1), Calendar::default()).is_err(), "{bad}");
        }
    }
}
