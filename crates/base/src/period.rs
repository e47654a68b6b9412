//! Periods: `2026-10`, `2026-Q3`, `2026`, `FY2026`, `FY2026-Q1`, `2026-W05`, `this-month`,
//! `last-month`, `this-quarter`, `last-quarter`, `this-year`, `last-year`, `ytd`, `qtd`, `mtd`,
//! `this-week`, `last-week`, and `--from/--to`, relative to as-of. Half-open: [start, end).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The years a date may fall in (docs/reliability.md): data dates outside are read as no
/// date, and no period, as-of or loop bound is built from one.
pub const YEAR_WINDOW: (i32, i32) = (1900, 2200);

use crate::text::Text;

/// Calendar settings from the config.
#[derive(Debug, Clone, Copy)]
pub struct Calendar {
    /// First month of the fiscal year (1 = January).
    pub fiscal_year_start: u32,
    pub week_start: Weekday,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            fiscal_year_start: 1,
            week_start: Weekday::Mon,
        }
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
pub fn parse_date(s: &str) -> Result<NaiveDate, Text> {
    let t = s.trim();
    let d = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y/%m/%d"))
        .map_err(|_| crate::tr!("expected a date like 2026-10-31", "应为日期，如 2026-10-31"))?;
    // The window data dates are read in (docs/reliability.md): no period, as-of or loop bound
    // from a typed `9-3-3` or `9999-12-31`.
    let (lo, hi) = YEAR_WINDOW;
    if !(lo..=hi).contains(&d.year()) {
        let y = d.year();
        return Err(crate::tr!(
            "the year {y} is outside {lo}-{hi}",
            "年份 {y} 超出 {lo}-{hi} 的范围"
        ));
    }
    Ok(d)
}

fn ym(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// Add months to the first of a month.
fn add_months(d: NaiveDate, n: i32) -> Option<NaiveDate> {
    let total = d.year() * 12 + d.month0() as i32 + n;
    ym(total.div_euclid(12), total.rem_euclid(12) as u32 + 1)
}

fn span(start: NaiveDate, months: i32, label: &str) -> Result<Period, Text> {
    let end =
        add_months(start, months).ok_or_else(|| crate::tr!("date out of range", "日期超出范围"))?;
    Ok(Period {
        start,
        end,
        label: label.to_string(),
    })
}

/// Parse a period name relative to `as_of`.
/// The relative period keywords `parse` takes.
pub(crate) const KEYWORDS: &[&str] = &[
    "this-month",
    "last-month",
    "this-quarter",
    "last-quarter",
    "this-year",
    "last-year",
    "this-week",
    "last-week",
    "ytd",
    "qtd",
    "mtd",
];

pub fn parse(spec: &str, as_of: NaiveDate, cal: Calendar) -> Result<Period, Text> {
    let s = spec.trim();
    let lower = s.to_ascii_lowercase();
    let bad_as_of = || crate::tr!("bad as-of", "截至日期无效");
    let out_of_range = || crate::tr!("out of range", "超出范围");
    let month_start = ym(as_of.year(), as_of.month()).ok_or_else(bad_as_of)?;
    // Quarters and years follow the fiscal year (calendar ones when it starts in January).
    let into_fy = (as_of.month0() as i32 - (cal.fiscal_year_start as i32 - 1)).rem_euclid(12);
    let q_start = add_months(month_start, -(into_fy % 3)).ok_or_else(bad_as_of)?;
    let y_start = add_months(month_start, -into_fy).ok_or_else(bad_as_of)?;
    let next_day = as_of + Duration::days(1);
    let week_start = as_of - Duration::days(as_of.weekday().days_since(cal.week_start) as i64);
    match lower.as_str() {
        "this-month" => return span(month_start, 1, s),
        "last-month" => return span(add_months(month_start, -1).ok_or_else(out_of_range)?, 1, s),
        "this-quarter" => return span(q_start, 3, s),
        "last-quarter" => return span(add_months(q_start, -3).ok_or_else(out_of_range)?, 3, s),
        "this-year" => return span(y_start, 12, s),
        "last-year" => return span(add_months(y_start, -12).ok_or_else(out_of_range)?, 12, s),
        "ytd" => {
            return Ok(Period {
                start: y_start,
                end: next_day,
                label: s.into(),
            });
        }
        "qtd" => {
            return Ok(Period {
                start: q_start,
                end: next_day,
                label: s.into(),
            });
        }
        "mtd" => {
            return Ok(Period {
                start: month_start,
                end: next_day,
                label: s.into(),
            });
        }
        "this-week" => {
            return Ok(Period {
                start: week_start,
                end: week_start + Duration::days(7),
                label: s.into(),
            });
        }
        "last-week" => {
            return Ok(Period {
                start: week_start - Duration::days(7),
                end: week_start,
                label: s.into(),
            });
        }
        _ => {}
    }
    let bad = || {
        // A near miss of a keyword (`last-mnth`) is named.
        let near = KEYWORDS
            .iter()
            .map(|k| (crate::flags::edit_distance(&lower, k), *k))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| k);
        let hint_en = near
            .map(|k| format!(" (did you mean {k:?}?)"))
            .unwrap_or_default();
        let hint_zh = near
            .map(|k| format!("（是否想用 {k:?}？）"))
            .unwrap_or_default();
        Text::new(
            format!(
                "{s:?}: expected a period such as 2026-10, 2026-Q3, 2026, FY2026, FY2026-Q1, 2026-W05, this-month, last-month, last-quarter, ytd{hint_en}"
            ),
            format!(
                "{s:?}：应为期间，例如 2026-10, 2026-Q3, 2026, FY2026, FY2026-Q1, 2026-W05, this-month, last-month, last-quarter, ytd{hint_zh}"
            ),
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
            span(
                ym(y.parse().map_err(|_| bad())?, 3 * q - 2).ok_or_else(bad)?,
                3,
                s,
            )
        }
        [y, w] if w.starts_with('w') => {
            let w: u32 = w[1..].parse().map_err(|_| bad())?;
            let d = NaiveDate::from_isoywd_opt(y.parse().map_err(|_| bad())?, w, Weekday::Mon)
                .ok_or_else(bad)?;
            Ok(Period {
                start: d,
                end: d + Duration::days(7),
                label: s.into(),
            })
        }
        [y, m] => span(
            ym(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)?,
            1,
            s,
        ),
        [_, _, _] => {
            let d = parse_date(s).map_err(|_| bad())?;
            Ok(Period {
                start: d,
                end: d + Duration::days(1),
                label: s.into(),
            })
        }
        _ => Err(bad()),
    }
}

/// `--from A --to B` (B inclusive) -> [A, B + 1 day).
pub(crate) fn from_to(from: Option<&str>, to: Option<&str>) -> Result<Option<Period>, Text> {
    if from.is_none() && to.is_none() {
        return Ok(None);
    }
    let start = match from {
        Some(f) => parse_date(f).map_err(|e| prefixed(&format!("--from {f:?}"), e))?,
        None => NaiveDate::MIN,
    };
    let end = match to {
        Some(t) => {
            parse_date(t).map_err(|e| prefixed(&format!("--to {t:?}"), e))? + Duration::days(1)
        }
        None => NaiveDate::MAX,
    };
    if end <= start {
        return Err(crate::tr!("--to is before --from", "--to 早于 --from"));
    }
    Ok(Some(Period {
        start,
        end,
        label: format!("{}..{}", from.unwrap_or(""), to.unwrap_or("")),
    }))
}

/// `PREFIX: message` (`PREFIX：message` in Chinese).
fn prefixed(prefix: &str, e: Text) -> Text {
    let zh = e.zh.as_deref().unwrap_or(&e.en);
    Text::new(format!("{prefix}: {}", e.en), format!("{prefix}：{zh}"))
}

/// The period flags every analysis command accepts.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Period")]
pub struct PeriodArgs {
    /// Which rows count: 2026-10, 2026-Q3, 2026, FY2026, FY2026-Q1, 2026-W05, this-month,
    /// last-month, this-quarter, last-quarter, ytd... relative to --as-of. Default: all rows.
    #[arg(long, value_name = "PERIOD", conflicts_with_all = ["from", "to"])]
    pub(crate) period: Option<String>,
    /// First day of the period (inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<String>,
    /// Last day of the period (inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<String>,
}

impl PeriodArgs {
    /// The period asked for, if any.
    pub fn resolve(&self, as_of: NaiveDate, cal: Calendar) -> Result<Option<Period>, Text> {
        match &self.period {
            Some(p) => parse(p, as_of, cal)
                .map(Some)
                .map_err(|e| e.map(|m| format!("--period {m}"))),
            None => from_to(self.from.as_deref(), self.to.as_deref()),
        }
    }
}

impl Period {
    /// Start and end as epoch milliseconds (end exclusive).
    pub fn millis(&self) -> (i64, i64) {
        let ms = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .map_or(i64::MIN, |t| t.and_utc().timestamp_millis())
        };
        (
            if self.start == NaiveDate::MIN {
                i64::MIN
            } else {
                ms(self.start)
            },
            if self.end == NaiveDate::MAX {
                i64::MAX
            } else {
                ms(self.end)
            },
        )
    }

    /// The period of the same length just before this one (calendar months when it is whole months).
    pub fn previous(&self) -> Period {
        let months = (self.end.year() - self.start.year()) * 12 + self.end.month0() as i32
            - self.start.month0() as i32;
        if self.start.day() == 1 && self.end.day() == 1 && months > 0 {
            if let Some(start) = add_months(self.start, -months) {
                return Period {
                    start,
                    end: self.start,
                    label: format!("before {}", self.label),
                };
            }
        }
        // An open start (`--to` alone) has no length to step back by: the period before it
        // is everything before it.
        let len = self.end.signed_duration_since(self.start);
        Period {
            start: self.start.checked_sub_signed(len).unwrap_or(NaiveDate::MIN),
            end: self.start,
            label: format!("before {}", self.label),
        }
    }
}

impl Calendar {}

/// Epoch milliseconds of a naive datetime written as UTC (how the loader stores naive values).
pub fn ms_to_date(ms: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(ms).map(|d| d.date_naive())
}

/// Midnight of `d` as epoch milliseconds.
pub fn date_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis())
}

/// Period length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    Month,
    Quarter,
    Week(Weekday),
}

impl Freq {
    pub fn parse(s: &str, week_start: Weekday) -> Freq {
        match s {
            "quarter" => Freq::Quarter,
            "week" => Freq::Week(week_start),
            _ => Freq::Month,
        }
    }

    /// The period's name (a chart's axis title).
    pub fn name(self) -> &'static str {
        match self {
            Freq::Month => "month",
            Freq::Quarter => "quarter",
            Freq::Week(_) => "week",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Freq::Month => "月",
            Freq::Quarter => "季度",
            Freq::Week(_) => "周",
        }
    }

    /// Season length (METRICS.md): 12 months, 4 quarters, 52 weeks.
    pub fn season(self) -> usize {
        match self {
            Freq::Month => 12,
            Freq::Quarter => 4,
            Freq::Week(_) => 52,
        }
    }

    fn week_offset(ws: Weekday) -> i64 {
        // 1970-01-01 was a Thursday.
        (3 - ws.num_days_from_monday() as i64).rem_euclid(7)
    }

    /// Index of the period holding `d`.
    pub fn index(self, d: NaiveDate) -> i64 {
        match self {
            Freq::Month => d.year() as i64 * 12 + d.month0() as i64,
            Freq::Quarter => d.year() as i64 * 4 + d.month0() as i64 / 3,
            Freq::Week(ws) => {
                let days = d.signed_duration_since(NaiveDate::default()).num_days();
                (days + Self::week_offset(ws)).div_euclid(7)
            }
        }
    }

    /// First day of period `i`.
    pub fn start(self, i: i64) -> NaiveDate {
        match self {
            Freq::Month => {
                NaiveDate::from_ymd_opt(i.div_euclid(12) as i32, i.rem_euclid(12) as u32 + 1, 1)
            }
            Freq::Quarter => {
                NaiveDate::from_ymd_opt(i.div_euclid(4) as i32, i.rem_euclid(4) as u32 * 3 + 1, 1)
            }
            Freq::Week(ws) => NaiveDate::default()
                .checked_add_signed(chrono::Duration::days(i * 7 - Self::week_offset(ws))),
        }
        .unwrap_or_default()
    }

    /// Last day of period `i`.
    pub fn last_day(self, i: i64) -> NaiveDate {
        self.start(i + 1).pred_opt().unwrap_or_default()
    }

    /// `2026-10`, `2026-Q4`, or the week's first day.
    pub fn label(self, i: i64) -> String {
        match self {
            Freq::Month => format!("{}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1),
            Freq::Quarter => format!("{}-Q{}", i.div_euclid(4), i.rem_euclid(4) + 1),
            Freq::Week(_) => self.start(i).to_string(),
        }
    }

    /// Periods in `days` days (rounded, at least 1).
    pub fn periods_in(self, days: f64) -> usize {
        let len = match self {
            Freq::Month => 365.25 / 12.0,
            Freq::Quarter => 365.25 / 4.0,
            Freq::Week(_) => 7.0,
        };
        (days / len).round().max(1.0) as usize
    }
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
        let sunday = Calendar {
            fiscal_year_start: 1,
            week_start: Weekday::Sun,
        };
        let w = parse("this-week", d(2026, 11, 22), sunday).unwrap();
        assert_eq!((w.start, w.end), (d(2026, 11, 22), d(2026, 11, 29)));
        let jan = parse("last-month", d(2026, 1, 15), Calendar::default()).unwrap();
        assert_eq!((jan.start, jan.end), (d(2025, 12, 1), d(2026, 1, 1)));
    }

    #[test]
    fn fiscal_periods() {
        let cal = Calendar {
            fiscal_year_start: 4,
            week_start: Weekday::Mon,
        };
        let fy = parse("FY2026", d(2026, 11, 22), cal).unwrap();
        assert_eq!((fy.start, fy.end), (d(2026, 4, 1), d(2027, 4, 1)));
        let q4 = parse("FY2026-Q4", d(2026, 11, 22), cal).unwrap();
        assert_eq!((q4.start, q4.end), (d(2027, 1, 1), d(2027, 4, 1)));
    }

    #[test]
    fn keywords_at_month_quarter_and_year_boundaries() {
        let at = |spec: &str, asof: NaiveDate, fys: u32| {
            let cal = Calendar {
                fiscal_year_start: fys,
                week_start: Weekday::Mon,
            };
            let r = parse(spec, asof, cal).unwrap();
            (r.start, r.end)
        };
        // New Year's Day.
        let jan1 = d(2026, 1, 1);
        assert_eq!(at("last-month", jan1, 1), (d(2025, 12, 1), d(2026, 1, 1)));
        assert_eq!(at("this-quarter", jan1, 1), (d(2026, 1, 1), d(2026, 4, 1)));
        assert_eq!(at("last-quarter", jan1, 1), (d(2025, 10, 1), d(2026, 1, 1)));
        assert_eq!(at("ytd", jan1, 1), (d(2026, 1, 1), d(2026, 1, 2)));
        assert_eq!(at("last-year", jan1, 1), (d(2025, 1, 1), d(2026, 1, 1)));
        // The last day of a quarter, and of a year.
        let mar31 = d(2026, 3, 31);
        assert_eq!(at("this-quarter", mar31, 1), (d(2026, 1, 1), d(2026, 4, 1)));
        assert_eq!(at("last-month", mar31, 1), (d(2026, 2, 1), d(2026, 3, 1)));
        assert_eq!(at("mtd", mar31, 1), (d(2026, 3, 1), d(2026, 4, 1)));
        let dec31 = d(2026, 12, 31);
        assert_eq!(at("this-year", dec31, 1), (d(2026, 1, 1), d(2027, 1, 1)));
        assert_eq!(
            at("last-quarter", dec31, 1),
            (d(2026, 7, 1), d(2026, 10, 1))
        );
        // A fiscal year from April: 2026-03-31 is the last day of the year that began 2025-04-01.
        assert_eq!(at("this-year", mar31, 4), (d(2025, 4, 1), d(2026, 4, 1)));
        assert_eq!(at("ytd", mar31, 4), (d(2025, 4, 1), d(2026, 4, 1)));
        assert_eq!(
            at("last-quarter", mar31, 4),
            (d(2025, 10, 1), d(2026, 1, 1))
        );
        let apr1 = d(2026, 4, 1);
        assert_eq!(at("last-year", apr1, 4), (d(2025, 4, 1), d(2026, 4, 1)));
        assert_eq!(at("this-quarter", apr1, 4), (d(2026, 4, 1), d(2026, 7, 1)));
        assert_eq!(at("ytd", apr1, 4), (d(2026, 4, 1), d(2026, 4, 2)));
        // From February: quarters Feb-Apr, May-Jul, Aug-Oct, Nov-Jan.
        let jan15 = d(2026, 1, 15);
        assert_eq!(
            at("this-quarter", jan15, 2),
            (d(2025, 11, 1), d(2026, 2, 1))
        );
        assert_eq!(
            at("last-quarter", jan15, 2),
            (d(2025, 8, 1), d(2025, 11, 1))
        );
        assert_eq!(at("this-year", jan15, 2), (d(2025, 2, 1), d(2026, 2, 1)));
    }

    #[test]
    fn from_to_is_inclusive_of_to() {
        let r = from_to(Some("2026-01-01"), Some("2026-01-31"))
            .unwrap()
            .unwrap();
        assert_eq!((r.start, r.end), (d(2026, 1, 1), d(2026, 2, 1)));
        assert!(from_to(Some("2026-02-01"), Some("2026-01-01")).is_err());
        assert_eq!(from_to(None, None), Ok(None));
    }

    #[test]
    fn typed_dates_stay_in_the_window_and_open_periods_step_back() {
        assert!(
            parse_date("9-3-3")
                .unwrap_err()
                .en
                .contains("outside 1900-2200")
        );
        assert!(parse_date("9999-12-31").is_err());
        assert_eq!(parse_date("2200-12-31"), Ok(d(2200, 12, 31)));
        // found by fuzz/ (flag_period): `--to` alone, then the period before it, overflowed
        let to_only = from_to(None, Some("2026-09-30")).unwrap().unwrap();
        let before = to_only.previous();
        assert_eq!((before.start, before.end), (NaiveDate::MIN, NaiveDate::MIN));
        let from_only = from_to(Some("2026-01-01"), None).unwrap().unwrap();
        assert_eq!(from_only.previous().end, d(2026, 1, 1));
    }

    #[test]
    fn previous_period() {
        let q = parse("2026-Q3", d(2026, 11, 22), Calendar::default())
            .unwrap()
            .previous();
        assert_eq!((q.start, q.end), (d(2026, 4, 1), d(2026, 7, 1)));
        let r = from_to(Some("2026-01-11"), Some("2026-01-20"))
            .unwrap()
            .unwrap()
            .previous();
        assert_eq!((r.start, r.end), (d(2026, 1, 1), d(2026, 1, 11)));
    }

    #[test]
    fn bad_periods() {
        for bad in ["2026-13", "2026-Q5", "soon", "FY20x6", "2026-02-30"] {
            assert!(
                parse(bad, d(2026, 1, 1), Calendar::default()).is_err(),
                "{bad}"
            );
        }
    }
}
