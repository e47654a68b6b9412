//! crates/base/src/period.rs: `--period`, `--from`/`--to` and `--as-of` as the commands use them
//! (PeriodArgs::resolve, then millis(), contains_ms() and previous(), as bottleneck and report do).
//!
//! Input (lossy UTF-8), lines: PERIOD, FROM, TO, AS_OF; an empty or missing line is no flag.
//! AS_OF goes through parse_date as `--as-of` does; unparseable: 2026-10-15.

use chrono::{NaiveDate, Weekday};
use crate::period::{self, Calendar, Period, PeriodArgs};

const CALENDARS: [(u32, Weekday); 4] = [
    (1, Weekday::Mon),
    (4, Weekday::Sun),
    (10, Weekday::Sat),
    (12, Weekday::Mon),
];

fn exercise(p: &Period) {
    assert!(p.start < p.end, "empty or reversed period {p:?}");
    let (a, b) = p.millis();
    assert!(a <= b, "{p:?}: millis {a} > {b}");
    let prev = p.previous();
    assert_eq!(prev.end, p.start, "{p:?}: previous {prev:?} does not end where it starts");
    let _ = prev.millis();
}

/// The `flag_period` target: one input.
pub fn flag_period(data: &[u8]) {
    if data.len() > 512 {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let mut next = || lines.next().filter(|l| !l.is_empty()).map(str::to_string);
    let (spec, from, to, as_of) = (next(), next(), next(), next());
    let as_of = as_of
        .and_then(|a| period::parse_date(&a).ok())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(2026, 10, 15).unwrap());
    for (fy, week_start) in CALENDARS {
        let cal = Calendar {
            fiscal_year_start: fy,
            week_start,
        };
        let with_period = PeriodArgs {
            period: spec.clone(),
            from: None,
            to: None,
        };
        let with_range = PeriodArgs {
            period: None,
            from: from.clone(),
            to: to.clone(),
        };
        for args in [with_period, with_range] {
            if let Ok(Some(p)) = args.resolve(as_of, cal) {
                exercise(&p);
            }
        }
    }
}
