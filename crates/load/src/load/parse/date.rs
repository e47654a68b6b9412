//! Date and datetime parsing for every layout CRM exports use (see docs/input-formats.md).
//!
//! Values are normalised to naive milliseconds since 1970-01-01 (a naive datetime on the UTC
//! line: no machine timezone involved). Values with an offset or `Z`, and epoch numbers, are
//! converted to the configured timezone offset first.
//!
//! Slash and dash dates with the year last (`10/11/2026`) are ambiguous; the parser returns the
//! two numbers and the column decides the order (any first part > 12 means day-first, any second
//! part > 12 means month-first, else the config's `day_first`, else an error asking for it).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// What one cell held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateCell {
    /// A definite naive datetime, in ms since the epoch.
    At(i64),
    /// `a/b/year`, both a and b <= 12 and a != b: needs the column's order.
    Ambiguous {
        a: u8,
        b: u8,
        year: i32,
        time_ms: i64,
    },
}

/// Evidence a value gives about the column's slash order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderEvidence {
    pub day_first: bool,
    pub month_first: bool,
}

/// Parsing context: the configured timezone offset (seconds east of UTC) for offset and epoch values.
#[derive(Debug, Clone, Copy, Default)]
pub struct DateCtx {
    pub(crate) tz_offset_secs: i32,
    /// Forced order for ambiguous slash dates (from config or flags).
    pub(crate) day_first: Option<bool>,
}

/// Parse a date/datetime cell. `Err(())` when the text is no date at all: the caller, which
/// knows the file, row and column, builds the message (this runs once per cell).
#[allow(clippy::result_unit_err)]
pub fn parse(s: &str, ctx: &DateCtx, ev: &mut OrderEvidence) -> Result<DateCell, ()> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(());
    }
    // The commonest cell, `2026-10-31`, read without splitting.
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            return ymd_ms(y as i32, m, d).map(DateCell::At).ok_or(());
        }
    }
    if b.len() >= 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && (b[4] == b'-' || b[4] == b'/' || (b[4] == b'.' && b[5..].contains(&b'.')))
    {
        return year_first(s, ctx).map(DateCell::At);
    }
    if b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && b.iter().filter(|c| **c == b'.').count() <= 1
    {
        return numeric(s, ctx).map(DateCell::At);
    }
    if s.contains('年') {
        return chinese(s).map(DateCell::At);
    }
    if b[0].is_ascii_digit() {
        if let Some(r) = year_last(s, ctx, ev) {
            return r;
        }
    }
    named_month(s).map(DateCell::At)
}

/// The years a date may fall in (docs/reliability.md): a value outside is read as no date.
pub(crate) const WINDOW: (i32, i32) = crate::period::YEAR_WINDOW;
const MS_1900: i64 = -2_208_988_800_000;
const MS_1900_JAN_2: i64 = -2_208_902_400_000;
const MS_2201: i64 = 7_289_654_400_000;
const MS_9999_DEC_31: i64 = 253_402_214_400_000;

/// Why a date cell that parsed (or a placeholder that did not) is read as no date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dropped {
    /// A placeholder CRMs write for "none": `9999-12-31`, `1900-01-01`, `0000-00-00`.
    Sentinel,
    /// A year outside [`WINDOW`].
    Outside(i32),
}

/// `0000-00-00`, optionally with a time: the MySQL zero date, no date at all.
pub(crate) fn is_zero_date(s: &str) -> bool {
    let s = s.trim();
    s.starts_with("0000-00-00")
        && s[10..]
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | ':' | '.' | 'T'))
}

/// Is this parsed cell a placeholder or outside the window? None: a date to keep.
pub(crate) fn dropped(cell: &DateCell) -> Option<Dropped> {
    match *cell {
        DateCell::At(ms) => {
            if (MS_1900..MS_2201).contains(&ms) {
                (ms < MS_1900_JAN_2).then_some(Dropped::Sentinel)
            } else if (MS_9999_DEC_31..MS_9999_DEC_31 + DAY_MS).contains(&ms) {
                Some(Dropped::Sentinel)
            } else {
                let year = ms_to_naive(ms).map_or(if ms < 0 { i32::MIN } else { i32::MAX }, |t| {
                    chrono::Datelike::year(&t)
                });
                Some(Dropped::Outside(year))
            }
        }
        DateCell::Ambiguous { year, .. } => {
            (!(WINDOW.0..=WINDOW.1).contains(&year)).then_some(Dropped::Outside(year))
        }
    }
}

/// Resolve an ambiguous cell with the column's order.
pub(crate) fn resolve(cell: DateCell, day_first: bool) -> Option<i64> {
    match cell {
        DateCell::At(ms) => Some(ms),
        DateCell::Ambiguous {
            a,
            b,
            year,
            time_ms,
        } => {
            let (d, m) = if day_first { (a, b) } else { (b, a) };
            ymd_ms(year, m as u32, d as u32).map(|ms| ms + time_ms)
        }
    }
}

/// Days since the epoch of a calendar date, or None when it does not exist.
pub(crate) fn ymd_ms(y: i32, m: u32, d: u32) -> Option<i64> {
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    Some(date.and_time(NaiveTime::MIN).and_utc().timestamp_millis())
}

/// The naive datetime of epoch milliseconds.
pub(crate) fn ms_to_naive(ms: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp_millis(ms).map(|d| d.naive_utc())
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, c| n * 10 + (c - b'0') as u32))
}

/// `2026-10-31`, `2026/10/31`, `2021/4/15`, `2026-10`, `2026/10`, with an optional time after
/// `T` or a space, and an optional `Z` / `+08:00` / `+0800` offset.
fn year_first(s: &str, ctx: &DateCtx) -> Result<i64, ()> {
    let (date_part, time_part) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim())),
        None => (s, None),
    };
    let sep = date_part.as_bytes()[4];
    let mut it = date_part.split(sep as char);
    let y = digits(it.next().ok_or(())?.as_bytes()).ok_or(())? as i32;
    let m = digits(it.next().ok_or(())?.as_bytes()).ok_or(())?;
    let d = match it.next() {
        Some(d) => digits(d.as_bytes()).ok_or(())?,
        None if time_part.is_none() => 1,
        None => return Err(()),
    };
    if it.next().is_some() {
        return Err(());
    }
    let day = ymd_ms(y, m, d).ok_or(())?;
    match time_part {
        None | Some("") => Ok(day),
        Some(t) => {
            let (t, offset) = split_offset(t)?;
            let ms = day + time_of_day(t)?;
            Ok(match offset {
                Some(off) => ms - off as i64 * 1000 + ctx.tz_offset_secs as i64 * 1000,
                None => ms,
            })
        }
    }
}

/// Split `10:30:00+08:00` / `10:30Z` / `10:30:00.000+0000` into time and offset seconds.
fn split_offset(t: &str) -> Result<(&str, Option<i32>), ()> {
    if let Some(rest) = t.strip_suffix('Z').or_else(|| t.strip_suffix(" UTC")) {
        return Ok((rest.trim(), Some(0)));
    }
    if let Some(i) = t.rfind(['+', '-']) {
        if i >= 4 {
            let off = t[i + 1..].trim().replace(':', "");
            if (off.len() == 4 || off.len() == 2) && off.bytes().all(|b| b.is_ascii_digit()) {
                let h = digits(&off.as_bytes()[..2]).ok_or(())? as i32;
                let m = if off.len() == 4 {
                    digits(&off.as_bytes()[2..]).ok_or(())? as i32
                } else {
                    0
                };
                let sign = if t.as_bytes()[i] == b'-' { -1 } else { 1 };
                return Ok((t[..i].trim(), Some(sign * (h * 3600 + m * 60))));
            }
        }
    }
    Ok((t, None))
}

/// `10:30`, `10:30:05`, `10:30:05.123`, `1:09 PM` -> ms since midnight.
pub(crate) fn time_of_day(t: &str) -> Result<i64, ()> {
    let t = t.trim();
    // `1:09 PM`, and the Chinese forms `下午 1:09` / `1:09 下午` (上午 = AM). Sliced only at
    // char boundaries: any other text after the time is a parse failure, never a panic.
    let (t, pm) = match t
        .len()
        .checked_sub(2)
        .filter(|&i| t.is_char_boundary(i))
        .map(|i| (&t[..i], t[i..].to_ascii_uppercase()))
    {
        Some((rest, ref ap)) if ap == "AM" || ap == "PM" => (rest.trim(), Some(ap == "PM")),
        _ => match ["上午", "下午"].iter().find_map(|w| {
            t.strip_suffix(w)
                .or_else(|| t.strip_prefix(w))
                .map(|rest| (rest.trim(), Some(*w == "下午")))
        }) {
            Some(hit) => hit,
            None => (t, None),
        },
    };
    let mut parts = t.split(':');
    let mut h = digits(parts.next().ok_or(())?.as_bytes()).ok_or(())? as i64;
    let m = digits(parts.next().ok_or(())?.as_bytes()).ok_or(())? as i64;
    let (sec, frac_ms) = match parts.next() {
        None => (0, 0),
        Some(sv) => {
            let (whole, frac) = sv.split_once('.').unwrap_or((sv, ""));
            let sec = digits(whole.as_bytes()).ok_or(())? as i64;
            let frac_ms = if frac.is_empty() {
                0
            } else {
                let f3: String = frac.chars().chain("000".chars()).take(3).collect();
                digits(f3.as_bytes()).ok_or(())? as i64
            };
            (sec, frac_ms)
        }
    };
    if parts.next().is_some() {
        return Err(());
    }
    if let Some(pm) = pm {
        if !(1..=12).contains(&h) {
            return Err(());
        }
        h = match (h, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    if h > 23 || m > 59 || sec > 60 {
        return Err(());
    }
    Ok(((h * 60 + m) * 60 + sec) * 1000 + frac_ms)
}

/// `19970101`, epoch seconds (10 digits), epoch ms (13 digits), Excel serials (`45321`, `45321.5`).
fn numeric(s: &str, ctx: &DateCtx) -> Result<i64, ()> {
    let tz_ms = ctx.tz_offset_secs as i64 * 1000;
    if let Some((whole, frac)) = s.split_once('.') {
        let serial: f64 = format!("{whole}.{frac}").parse().map_err(|_| ())?;
        return excel_serial(serial);
    }
    let b = s.as_bytes();
    match b.len() {
        8 => {
            let y = digits(&b[..4]).ok_or(())? as i32;
            let m = digits(&b[4..6]).ok_or(())?;
            let d = digits(&b[6..]).ok_or(())?;
            if !(1900..=2199).contains(&y) {
                return Err(());
            }
            ymd_ms(y, m, d).ok_or(())
        }
        // Excel serials of dates after 1927 have 5 digits; a bare 4-digit number is a year or
        // a count, never 1905-07-18 for `2026`.
        5 => excel_serial(s.parse::<f64>().map_err(|_| ())?),
        9..=10 => Ok(s.parse::<i64>().map_err(|_| ())? * 1000 + tz_ms),
        12..=13 => Ok(s.parse::<i64>().map_err(|_| ())? + tz_ms),
        _ => Err(()),
    }
}

/// Excel's 1900 date system: serial 25569 is 1970-01-01 (serials after the phantom 1900-02-29).
pub(crate) fn excel_serial(v: f64) -> Result<i64, ()> {
    if !(61.0..=2_958_465.0).contains(&v) {
        return Err(());
    }
    Ok(((v - 25569.0) * DAY_MS as f64).round() as i64)
}

/// `2021年4月15日`, optionally followed by a time.
fn chinese(s: &str) -> Result<i64, ()> {
    let (y, rest) = s.split_once('年').ok_or(())?;
    let (m, rest) = rest.split_once('月').ok_or(())?;
    let (d, rest) = rest.split_once(['日', '号']).unwrap_or((rest, ""));
    let day = ymd_ms(
        digits(y.trim().as_bytes()).ok_or(())? as i32,
        digits(m.trim().as_bytes()).ok_or(())?,
        digits(d.trim().as_bytes()).ok_or(())?,
    )
    .ok_or(())?;
    let rest = rest.trim();
    if rest.is_empty() {
        Ok(day)
    } else {
        Ok(day + time_of_day(rest)?)
    }
}

/// `10/20/2016`, `20/10/2016`, `03-07-2021 01:09`, `31.12.2026` (dots: always day-first).
/// None when the text has another shape.
fn year_last(s: &str, _ctx: &DateCtx, ev: &mut OrderEvidence) -> Option<Result<DateCell, ()>> {
    let (date_part, time_part) = match s.find(' ') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let sep = *date_part
        .as_bytes()
        .iter()
        .find(|c| matches!(c, b'/' | b'-' | b'.'))?;
    let parts: Vec<&str> = date_part.split(sep as char).collect();
    if parts.len() != 3
        || !matches!(parts[2].len(), 2 | 4)
        || parts[0].len() > 2
        || parts[1].len() > 2
    {
        return None;
    }
    let a = digits(parts[0].as_bytes())?;
    let b = digits(parts[1].as_bytes())?;
    let year = digits(parts[2].as_bytes())? as i32;
    // Two-digit years pivot as POSIX strptime's %y does: 69-99 are 1969-1999, 00-68 2000-2068.
    let year = if parts[2].len() == 2 {
        if year >= 69 { 1900 + year } else { 2000 + year }
    } else {
        year
    };
    let time_ms = match time_part.map(str::trim) {
        None | Some("") => 0,
        Some(t) => match time_of_day(t) {
            Ok(ms) => ms,
            Err(()) => return Some(Err(())),
        },
    };
    let at = |d: u32, m: u32| {
        ymd_ms(year, m, d)
            .map(|ms| DateCell::At(ms + time_ms))
            .ok_or(())
    };
    // A day or month of 0 is no date in either order (found by fuzz/: `00/1/2415` was kept as
    // ambiguous and could then stop a whole column as undecidable).
    if a == 0 || b == 0 {
        return Some(Err(()));
    }
    Some(if sep == b'.' {
        at(a, b)
    } else if a > 12 {
        ev.day_first = true;
        at(a, b)
    } else if b > 12 {
        ev.month_first = true;
        at(b, a)
    } else if a == b {
        at(a, b)
    } else {
        Ok(DateCell::Ambiguous {
            a: a as u8,
            b: b as u8,
            year,
            time_ms,
        })
    })
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// `15 Apr, 2021 00:02:00`, `15 Apr 2021`, `Apr 15, 2021`, `15-Apr-2021`, `April 15 2021 10:00 AM`.
fn named_month(s: &str) -> Result<i64, ()> {
    let cleaned = s.replace([',', '-'], " ");
    let mut tokens: Vec<&str> = cleaned.split_whitespace().collect();
    // A leading weekday: `Mon Jan 05 2026`, `Monday, January 5, 2026`.
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    if tokens.first().is_some_and(|t| {
        let l = t.trim_end_matches('.').to_ascii_lowercase();
        l.len() >= 3 && DAYS.iter().any(|d| l.starts_with(d))
    }) {
        tokens.remove(0);
    }
    if tokens.len() < 3 {
        return Err(());
    }
    let month_of = |t: &str| {
        let l = t.to_ascii_lowercase();
        MONTHS
            .iter()
            .position(|m| l.len() >= 3 && l.starts_with(m))
            .map(|i| i as u32 + 1)
    };
    let (d, m) = if let Some(m) = month_of(tokens[1]) {
        (digits(tokens[0].as_bytes()).ok_or(())?, m)
    } else if let Some(m) = month_of(tokens[0]) {
        (digits(tokens[1].as_bytes()).ok_or(())?, m)
    } else {
        return Err(());
    };
    let y = digits(tokens[2].as_bytes()).ok_or(())? as i32;
    let day = ymd_ms(y, m, d).ok_or(())?;
    let rest = tokens[3..].join(" ");
    if rest.is_empty() {
        Ok(day)
    } else {
        Ok(day + time_of_day(&rest)?)
    }
}

#[cfg(test)]
mod tests;
