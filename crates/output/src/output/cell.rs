//! Reading result cells out of a frame, and the two ways of writing them: plain (for CSV, TSV,
//! JSON, XLSX: full precision, `.` decimal, ISO dates) and display (tables and Markdown).

use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;

use super::Unit;

/// One cell of a result.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Cell {
    pub(crate) fn from_any(v: AnyValue) -> Cell {
        match v {
            AnyValue::Null => Cell::Null,
            AnyValue::Boolean(b) => Cell::Bool(b),
            AnyValue::String(s) => Cell::Text(s.to_string()),
            AnyValue::StringOwned(s) => Cell::Text(s.to_string()),
            AnyValue::Int8(x) => Cell::Int(x as i64),
            AnyValue::Int16(x) => Cell::Int(x as i64),
            AnyValue::Int32(x) => Cell::Int(x as i64),
            AnyValue::Int64(x) => Cell::Int(x),
            AnyValue::UInt8(x) => Cell::Int(x as i64),
            AnyValue::UInt16(x) => Cell::Int(x as i64),
            AnyValue::UInt32(x) => Cell::Int(x as i64),
            AnyValue::UInt64(x) => Cell::Int(x as i64),
            AnyValue::Float32(x) => float(x as f64),
            AnyValue::Float64(x) => float(x),
            AnyValue::Date(d) => {
                NaiveDate::from_num_days_from_ce_opt(d + 719_163).map_or(Cell::Null, Cell::Date)
            }
            AnyValue::Datetime(v, tu, _) | AnyValue::DatetimeOwned(v, tu, _) => {
                let ms = match tu {
                    TimeUnit::Milliseconds => v,
                    TimeUnit::Microseconds => v / 1000,
                    TimeUnit::Nanoseconds => v / 1_000_000,
                };
                chrono::DateTime::from_timestamp_millis(ms)
                    .map_or(Cell::Null, |d| Cell::DateTime(d.naive_utc()))
            }
            other => Cell::Text(other.to_string().trim_matches('"').to_string()),
        }
    }

    /// Plain text for spreadsheets and pipes: no separators, full precision, ISO dates, "" for null.
    pub(crate) fn plain(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => plain_float(*f),
            Cell::Text(s) => s.clone(),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::DateTime(d) => {
                if d.time() == chrono::NaiveTime::MIN {
                    d.format("%Y-%m-%d").to_string()
                } else {
                    d.format("%Y-%m-%dT%H:%M:%S").to_string()
                }
            }
        }
    }

    /// Human text for tables and Markdown: ratios as percent, thousands separators, money with
    /// its currency, sensible precision.
    pub fn display(&self, unit: Unit, currency: Option<&str>) -> String {
        match (self, unit) {
            (Cell::Null, _) => String::new(),
            (Cell::Float(f), Unit::Ratio) => format!("{:.1}%", f * 100.0),
            (Cell::Int(i), Unit::Ratio) => format!("{:.1}%", *i as f64 * 100.0),
            (Cell::Float(f), Unit::Percent) => format!("{f:.1}%"),
            (Cell::Float(f), Unit::Money) => money(*f, currency),
            (Cell::Int(i), Unit::Money) => money(*i as f64, currency),
            (Cell::Float(f), Unit::Days) => format!("{f:.1}"),
            (Cell::Int(i), Unit::Count | Unit::Number | Unit::Days) => thousands(&i.to_string()),
            // A count's median may fall between two counts (1.5): shown, not rounded away.
            (Cell::Float(f), Unit::Count) if f.fract() != 0.0 => thousands(&format!("{f:.1}")),
            (Cell::Float(f), Unit::Count) => thousands(&format!("{f:.0}")),
            // Plain numbers: whole from 1,000 up, at most 2 decimals from 1, at most 4 below
            // (a forecast of 442.77, a MASE of 1.64, a model parameter of 0.2426).
            (Cell::Float(f), _) => {
                let s = if f.abs() >= 1000.0 {
                    format!("{f:.0}")
                } else if f.abs() >= 1.0 {
                    trim_zeros(&format!("{f:.2}"))
                } else {
                    trim_zeros(&format!("{f:.4}"))
                };
                thousands(&s)
            }
            (other, _) => other.plain(),
        }
    }

    pub(crate) fn is_text(&self) -> bool {
        matches!(self, Cell::Text(_))
    }
}

fn float(x: f64) -> Cell {
    if x.is_nan() {
        Cell::Null
    } else {
        Cell::Float(x)
    }
}

/// `f` rounded to 15 significant digits: the digits an f64 holds for certain, so arithmetic
/// noise (`0.19999999999999996`, `69261.26000000001`) goes and every real digit stays.
pub(crate) fn round15(f: f64) -> f64 {
    if f == 0.0 || !f.is_finite() {
        return f;
    }
    format!("{f:.14e}").parse().unwrap_or(f)
}

/// `f` as machine formats write it: itself when its shortest text has at most 15 significant
/// digits, else [`round15`] (JSON, XLSX).
pub(crate) fn denoise(f: f64) -> f64 {
    if !f.is_finite() || f.fract() == 0.0 || significant_digits(&format!("{f}")) <= 15 {
        f
    } else {
        round15(f)
    }
}

/// Significant digits of a float's shortest text (`{}` never uses an exponent for f64).
fn significant_digits(s: &str) -> usize {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|&b| b == b'0')
        .count()
}

/// Shortest text that reads back as `f` rounded to 15 significant digits; integral values
/// without `.0`. Most values (`12500.5`) are already that short and are formatted once; only
/// float noise (17 digits) takes the rounding.
pub fn plain_float(f: f64) -> String {
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let short = format!("{f}");
    if significant_digits(&short) <= 15 {
        return short;
    }
    let f = round15(f);
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// `1234567.5` -> `1,234,567.5`
pub fn thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(a, b)| (a, Some(b)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

fn money(f: f64, currency: Option<&str>) -> String {
    let n = thousands(&format!("{:.2}", f.abs()));
    let sign = if f < 0.0 { "-" } else { "" };
    match currency {
        Some("USD") => format!("{sign}${n}"),
        Some("CNY") => format!("{sign}¥{n}"),
        Some("EUR") => format!("{sign}€{n}"),
        Some("GBP") => format!("{sign}£{n}"),
        Some(c) if !c.is_empty() => format!("{sign}{n} {c}"),
        _ => format!("{sign}{n}"),
    }
}

/// The rows of a frame as cells, `limit` rows at most.
pub fn rows(df: &DataFrame, limit: Option<usize>) -> Vec<Vec<Cell>> {
    let n = limit.map_or(df.height(), |l| l.min(df.height()));
    let cols = df.columns();
    (0..n)
        .map(|i| {
            cols.iter()
                .map(|c| c.get(i).map_or(Cell::Null, Cell::from_any))
                .collect()
        })
        .collect()
}

/// Text that a spreadsheet would run as a formula gets a leading `'` (OWASP CSV injection),
/// also when spaces (a space, NBSP, an ideographic space) come first or the sign is fullwidth
/// (`＝`, `＋`, `－`, `＠`), as spreadsheets trim and fold them.
/// The same for `|` (DDE), and for any line of a multi-line cell.
pub(crate) fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    const SIGNS: [char; 10] = ['=', '+', '-', '@', '|', '＝', '＋', '－', '＠', '｜'];
    let risky = |line: &str| {
        line.trim_start_matches([' ', '\u{a0}', '\u{3000}', '\u{2007}', '\u{202f}'])
            .starts_with(SIGNS)
    };
    if s.starts_with(['\t', '\r']) || s.split(['\n', '\r']).any(risky) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_display() {
        assert_eq!(Cell::Float(0.625).plain(), "0.625");
        assert_eq!(Cell::Float(0.625).display(Unit::Ratio, None), "62.5%");
        assert_eq!(
            Cell::Float(1234567.891).display(Unit::Money, Some("USD")),
            "$1,234,567.89"
        );
        assert_eq!(
            Cell::Float(-1200.0).display(Unit::Money, Some("CNY")),
            "-¥1,200.00"
        );
        assert_eq!(
            Cell::Float(5.0).display(Unit::Money, Some("SEK")),
            "5.00 SEK"
        );
        assert_eq!(Cell::Int(1234).display(Unit::Count, None), "1,234");
        assert_eq!(Cell::Float(1.5).display(Unit::Count, None), "1.5");
        assert_eq!(Cell::Float(2.0).display(Unit::Count, None), "2");
        assert_eq!(Cell::Float(442.7682).display(Unit::Number, None), "442.77");
        assert_eq!(Cell::Float(1.6435).display(Unit::Number, None), "1.64");
        assert_eq!(Cell::Float(0.24263).display(Unit::Number, None), "0.2426");
        assert_eq!(Cell::Float(69261.26).display(Unit::Number, None), "69,261");
        assert_eq!(Cell::Float(22700.0).plain(), "22700");
        assert_eq!(Cell::Float(12.25).display(Unit::Days, None), "12.2");
        assert_eq!(Cell::Null.display(Unit::Ratio, None), "");
    }

    #[test]
    fn machine_numbers_lose_float_noise_not_digits() {
        // The issue's two cases; 0.1 + 0.2 and 1/3 worked out by hand.
        assert_eq!(plain_float(0.19999999999999996), "0.2");
        assert_eq!(plain_float(69261.26000000001), "69261.26");
        assert_eq!(plain_float(0.1 + 0.2), "0.3");
        assert_eq!(plain_float(1.0 / 3.0), "0.333333333333333");
        assert_eq!(plain_float(-2.0 / 3.0), "-0.666666666666667");
        assert_eq!(plain_float(123456789.123456), "123456789.123456");
        assert_eq!(plain_float(1e-20), "0.00000000000000000001");
        assert_eq!(plain_float(2.5e20), "250000000000000000000");
        assert_eq!(round15(0.0), 0.0);
    }

    #[test]
    fn neutralises_each_dangerous_prefix() {
        for p in ["=", "+", "-", "@", "\t", "\r"] {
            let s = format!("{p}SUM(A1)");
            assert_eq!(neutralise(&s), format!("'{s}"));
        }
        assert_eq!(neutralise("plain"), "plain");
        for s in [
            " =1+1",
            "\u{a0}=HYPERLINK(\"x\")",
            "＝1+1",
            "\u{3000}＠SUM(A1)",
            "  -2+3",
        ] {
            assert_eq!(neutralise(s), format!("'{s}"), "{s:?}");
        }
        assert_eq!(neutralise(" plain = text"), " plain = text");
        for s in ["|calc", "｜calc", "line one\n=2+2", "ok\r\n @SUM(A1)"] {
            assert_eq!(neutralise(s), format!("'{s}"), "{s:?}");
        }
        assert_eq!(neutralise("a\nb - c"), "a\nb - c");
    }
}
