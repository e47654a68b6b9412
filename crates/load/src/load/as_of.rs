//! The as-of date: `--as-of`, else the latest date in the data (or a snapshot's file name),
//! else today with a warning.

use super::*;

/// The date in an export's file name: `...-2026-10-31.csv`, `Deals_2026_05_28.csv`,
/// `report1700000000000.csv` (epoch ms, UTC).
pub fn file_name_date(path: &Path) -> Option<NaiveDate> {
    let name = path.file_stem()?.to_string_lossy().to_string();
    let b = name.as_bytes();
    if let Some(i) = name.find("report") {
        let digits: String = name[i + 6..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if digits.len() == 13 {
            let ms: i64 = digits.parse().ok()?;
            return chrono::DateTime::from_timestamp_millis(ms).map(|d| d.date_naive());
        }
    }
    for i in 0..b.len().saturating_sub(9) {
        let w = &b[i..i + 10];
        let sep = w[4];
        if (sep == b'-' || sep == b'_')
            && w[7] == sep
            && w.iter()
                .enumerate()
                .all(|(j, c)| j == 4 || j == 7 || c.is_ascii_digit())
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && (i + 10 == b.len() || !b[i + 10].is_ascii_digit())
        {
            let s = std::str::from_utf8(w).ok()?;
            let (y, m, d) = (
                s[..4].parse().ok()?,
                s[5..7].parse().ok()?,
                s[8..].parse().ok()?,
            );
            if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                return Some(date);
            }
        }
    }
    None
}

/// `--as-of`, else the first input's file-name date, else the latest datetime in the data (never
/// an expected close date).
pub(super) fn as_of(
    flag: Option<&str>,
    entries: &[SourceEntry],
    tables: &BTreeMap<Table, Source>,
) -> Result<(NaiveDate, String)> {
    if let Some(f) = flag {
        let d = crate::period::parse_date(f).map_err(|e| {
            let (en, zh) = (&e.en, e.get(Lang::ZhCn));
            Error::usage(crate::tr!("--as-of {f:?}: {en}", "--as-of {f:?}：{zh}"))
        })?;
        return Ok((d, "--as-of".into()));
    }
    if let Some((e, d)) = entries
        .iter()
        .find_map(|e| e.file_date.as_ref().map(|d| (e, d)))
    {
        let date =
            NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|e| Error::Internal(e.to_string()))?;
        return Ok((date, format!("date in the file name of {}", e.path)));
    }
    let fields = [
        "created_at",
        "closed_at",
        "modified_at",
        "stage_entered_at",
        "entered_at",
        "ordered_at",
        "at",
    ];
    let mut best: Option<(i64, String)> = None;
    for (t, s) in tables {
        let Some(df) = s.rows() else { continue };
        for f in fields {
            if let Ok(c) = df.column(f) {
                let max = c
                    .as_materialized_series()
                    .cast(&DataType::Int64)?
                    .i64()?
                    .max();
                if let Some(m) = max {
                    if best.as_ref().is_none_or(|(b, _)| m > *b) {
                        best = Some((m, format!("latest {t}.{f} in the data")));
                    }
                }
            }
        }
    }
    match best {
        Some((ms, why)) => {
            let d = parse::date::ms_to_naive(ms)
                .map(|d| d.date())
                .ok_or_else(|| Error::Internal("bad max date".into()))?;
            Ok((d, why))
        }
        None => Ok((
            chrono::Local::now().date_naive(),
            "today (no dates in the data)".into(),
        )),
    }
}
