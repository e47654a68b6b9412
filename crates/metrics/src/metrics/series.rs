//! The series a forecast is fitted on: a metric's dated values taken from columns
//! ([`dated_values`]), and their sum per period and group up to the as-of ([`aggregate`]).
//! Pure: columns and parameters in, no dataset, no I/O (docs/metrics.md, "Forecast" and
//! "Partial last period").

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use crate::columns::engine::{Coded, NONE};
use crate::error::{Error, Result};
use crate::model::{Status, kpi};
use crate::period::Freq;

/// The columns a metric's dated values are read from: one entry per row of orders or deals.
pub struct Columns<'a> {
    /// The date a value counts on (`ordered_at` or `closed_at`), epoch milliseconds.
    pub at: &'a [Option<i64>],
    pub amount: &'a [Option<f64>],
    pub currency: &'a Coded,
    /// Deals' status: only won deals count. None for orders.
    pub status: Option<&'a Coded>,
    /// The customer (orders) or account (deals), for `new_customers`.
    pub customer: &'a Coded,
    pub cancelled: &'a [bool],
    /// The `--by` grouping column, if any.
    pub group: Option<&'a Coded>,
}

/// A metric's dated values: (day as ms, value, group code), the currencies seen on revenue, and
/// the rows left out for want of a date.
#[derive(Debug, Default, PartialEq)]
pub struct Dated {
    pub rows: Vec<(i64, f64, u32)>,
    pub currencies: BTreeSet<String>,
    pub skipped_no_date: usize,
}

/// The dated values of `metric` (`revenue`, `won_deals`, `orders`, `new_customers`): revenue
/// is each row's amount; `new_customers` is 1 at each customer's first row, in that row's
/// group; the others count rows. Cancelled rows and (for deals) rows not won are left out.
pub fn dated_values(c: &Columns, metric: &str) -> Dated {
    let mut out = Dated::default();
    let mut first: HashMap<u32, (i64, u32)> = HashMap::new();
    for (i, at) in c.at.iter().enumerate() {
        if c.status
            .is_some_and(|s| s.get(i) != Some(Status::Won.as_str()))
            || c.cancelled[i]
        {
            continue;
        }
        let Some(ms) = *at else {
            out.skipped_no_date += 1;
            continue;
        };
        let g = c.group.map_or(0, |g| g.codes[i]);
        match metric {
            "revenue" => {
                let Some(v) = c.amount[i] else { continue };
                if let Some(cur) = c.currency.get(i).filter(|s| !s.is_empty()) {
                    out.currencies.insert(cur.to_string());
                }
                out.rows.push((ms, v, g));
            }
            kpi::NEW_CUSTOMERS => {
                let cust = c.customer.codes[i];
                if cust == NONE {
                    continue;
                }
                let e = first.entry(cust).or_insert((ms, g));
                if ms < e.0 {
                    *e = (ms, g);
                }
            }
            _ => out.rows.push((ms, 1.0, g)),
        }
    }
    if metric == kpi::NEW_CUSTOMERS {
        out.rows = first.into_values().map(|(ms, g)| (ms, 1.0, g)).collect();
        out.rows.sort_by_key(|r| (r.0, r.2));
    }
    out
}

/// The aggregated series: period indices [first, last], one value vector per group.
#[derive(Debug)]
pub struct Series {
    pub freq: Freq,
    pub first: i64,
    pub last: i64,
    /// Per group code ([`TOTAL`] = all groups): the group's first period (its first dated value;
    /// a rep who joined later has no history before) and its values from there to `last`.
    pub values: BTreeMap<u32, (i64, Vec<f64>)>,
    /// The as-of's own period, when it was left out as partial.
    pub dropped: Option<String>,
    /// Values dated after the last period, left out.
    pub after_as_of: usize,
}

/// The total of all groups (NONE, u32::MAX, is "no value").
pub const TOTAL: u32 = u32::MAX - 1;

/// Sum dated values per period, ending at the as-of's period, which is left out when the as-of
/// is not its last day, whatever the as-of's basis (docs/metrics.md, "Partial last period": a
/// month of 6 days fitted as a whole month reads as a collapse). Period-stamped data (every
/// date the same number of days into its period, as a monthly series `1993-12` reads) are
/// whole periods, the as-of's own included when the as-of is its stamp. With `grouped`, each
/// group gets its own series beside the [`TOTAL`].
pub fn aggregate(
    rows: &[(i64, f64, u32)],
    as_of: NaiveDate,
    freq: Freq,
    grouped: bool,
) -> Result<Series> {
    let mut last = freq.index(as_of);
    let mut dropped = None;
    // Period-stamped: every date the same number of days into its period (`1993-12` is the
    // 1st; a quarterly series may be stamped on the 15th of its first month).
    let offset =
        |ms: i64| crate::period::ms_to_date(ms).map(|d| (d - freq.start(freq.index(d))).num_days());
    let first_offset = rows.first().and_then(|r| offset(r.0));
    let stamped = rows.len() >= 2
        && first_offset.is_some()
        && rows.iter().all(|r| offset(r.0) == first_offset);
    let as_of_is_stamp = first_offset.is_some_and(|o| (as_of - freq.start(last)).num_days() == o);
    if as_of < freq.last_day(last) && !(stamped && as_of_is_stamp) {
        dropped = Some(freq.label(last));
        last -= 1;
    }
    let mut first = i64::MAX;
    let mut after = 0;
    let idx: Vec<Option<i64>> = rows
        .iter()
        .map(|r| {
            let d = crate::period::ms_to_date(r.0)?;
            let i = freq.index(d);
            if i > last {
                after += 1;
                return None;
            }
            first = first.min(i);
            Some(i)
        })
        .collect();
    if first == i64::MAX {
        let label = freq.label(last);
        return Err(Error::input(crate::tr!(
            "no dated values on or before {label} to forecast from",
            "{label} 及之前没有带日期的值，无法预测"
        )));
    }
    let mut starts: HashMap<u32, i64> = HashMap::new();
    starts.insert(TOTAL, first);
    if grouped {
        for (r, i) in rows.iter().zip(&idx) {
            if let Some(i) = i {
                let e = starts.entry(r.2).or_insert(*i);
                *e = (*e).min(*i);
            }
        }
    }
    let mut values: BTreeMap<u32, (i64, Vec<f64>)> = starts
        .iter()
        .map(|(g, st)| (*g, (*st, vec![0.0; (last - st + 1) as usize])))
        .collect();
    for (r, i) in rows.iter().zip(idx) {
        let Some(i) = i else { continue };
        for g in [TOTAL, r.2] {
            if g == r.2 && !grouped {
                continue;
            }
            if let Some((st, v)) = values.get_mut(&g) {
                v[(i - *st) as usize] += r.1;
            }
        }
    }
    Ok(Series {
        freq,
        first,
        last,
        values,
        dropped,
        after_as_of: after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ms(s: &str) -> i64 {
        day(s)
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    fn coded(v: &[Option<&str>]) -> Coded {
        Coded::from_texts(v)
    }

    /// Five deals worked by hand: a won deal in January (EUR 100, rep A, account X), a lost
    /// one (left out), a cancelled won one (left out), a won one with no close date (counted as
    /// skipped), and a won one in February (EUR 50, rep B, account X again).
    #[test]
    fn dated_values_of_deals() {
        let at = [
            Some(ms("2026-01-10")),
            Some(ms("2026-01-11")),
            Some(ms("2026-01-12")),
            None,
            Some(ms("2026-02-03")),
        ];
        let amount = [Some(100.0), Some(70.0), Some(30.0), Some(20.0), Some(50.0)];
        let currency = coded(&[Some("EUR"); 5]);
        let status = coded(&[
            Some("won"),
            Some("lost"),
            Some("won"),
            Some("won"),
            Some("won"),
        ]);
        let account = coded(&[Some("X"), Some("Y"), Some("Z"), Some("W"), Some("X")]);
        let group = coded(&[Some("A"), Some("A"), Some("B"), Some("A"), Some("B")]);
        let cancelled = [false, false, true, false, false];
        let c = Columns {
            at: &at,
            amount: &amount,
            currency: &currency,
            status: Some(&status),
            customer: &account,
            cancelled: &cancelled,
            group: Some(&group),
        };
        let rev = dated_values(&c, "revenue");
        assert_eq!(
            rev.rows,
            vec![(ms("2026-01-10"), 100.0, 0), (ms("2026-02-03"), 50.0, 1)]
        );
        assert_eq!(rev.currencies.iter().collect::<Vec<_>>(), ["EUR"]);
        assert_eq!(rev.skipped_no_date, 1);
        assert_eq!(dated_values(&c, "won_deals").rows.len(), 2);
        // Account X's first won deal is January's, in rep A's group; February's is not new.
        let new = dated_values(&c, kpi::NEW_CUSTOMERS);
        assert_eq!(new.rows, vec![(ms("2026-01-10"), 1.0, 0)]);
    }

    /// As of 15 March 2026 (not the month's last day) March is partial and left out: 100 dated
    /// in March counts as after the as-of. January holds 10 (A) + 5 (B), February 7 (A).
    #[test]
    fn aggregate_drops_the_partial_as_of_month() {
        let rows = [
            (ms("2026-01-05"), 10.0, 0),
            (ms("2026-01-20"), 5.0, 1),
            (ms("2026-02-10"), 7.0, 0),
            (ms("2026-03-02"), 100.0, 0),
        ];
        let s = aggregate(&rows, day("2026-03-15"), Freq::Month, true).unwrap();
        assert_eq!(s.dropped.as_deref(), Some("2026-03"));
        assert_eq!(s.after_as_of, 1);
        assert_eq!(s.last - s.first, 1);
        assert_eq!(s.values[&TOTAL].1, vec![15.0, 7.0]);
        assert_eq!(s.values[&0].1, vec![10.0, 7.0]);
        assert_eq!(s.values[&1].1, vec![5.0, 0.0]);
        // Ungrouped: the total alone.
        let s = aggregate(&rows, day("2026-03-31"), Freq::Month, false).unwrap();
        assert_eq!(s.dropped, None);
        assert_eq!(s.values.len(), 1);
        assert_eq!(s.values[&TOTAL].1, vec![15.0, 7.0, 100.0]);
    }

    /// A monthly series stamped on the 1st (`1993-12` reads as 1 December) is whole months: as
    /// of its last stamp, that month is kept. Nothing on or before the as-of is refused.
    #[test]
    fn aggregate_keeps_stamped_periods_and_refuses_an_empty_range() {
        let rows = [
            (ms("2026-01-01"), 1.0, 0),
            (ms("2026-02-01"), 2.0, 0),
            (ms("2026-03-01"), 3.0, 0),
        ];
        let s = aggregate(&rows, day("2026-03-01"), Freq::Month, false).unwrap();
        assert_eq!(s.dropped, None);
        assert_eq!(s.values[&TOTAL].1, vec![1.0, 2.0, 3.0]);
        let e = aggregate(&rows, day("2025-12-15"), Freq::Month, false).unwrap_err();
        assert!(
            e.to_string()
                .contains("no dated values on or before 2025-11"),
            "{e}"
        );
    }
}
