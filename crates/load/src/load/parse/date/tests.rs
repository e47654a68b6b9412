//! Unit tests of `load/parse/date.rs`.

use super::*;

fn at(s: &str) -> NaiveDateTime {
    let mut ev = OrderEvidence::default();
    match parse(s, &DateCtx::default(), &mut ev) {
        Ok(DateCell::At(ms)) => ms_to_naive(ms).unwrap(),
        other => panic!("{s}: {other:?}"),
    }
}

fn dt(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, mi, s)
        .unwrap()
}

#[test]
fn iso_dates_and_datetimes() {
    assert_eq!(at("2026-10-31"), dt(2026, 10, 31, 0, 0, 0));
    assert_eq!(at("1999-01-01"), dt(1999, 1, 1, 0, 0, 0));
    let mut ev = OrderEvidence::default();
    for bad in ["2026-02-30", "2026-13-01", "2026-1a-01", "20x6-10-31"] {
        assert!(parse(bad, &DateCtx::default(), &mut ev).is_err(), "{bad}");
    }
    assert_eq!(at("2026-10-31 14:05"), dt(2026, 10, 31, 14, 5, 0));
    assert_eq!(at("2026-10-31T14:05:09"), dt(2026, 10, 31, 14, 5, 9));
    assert_eq!(at("2023-10-02T14:05:00.000Z"), dt(2023, 10, 2, 14, 5, 0));
    // +08:00 is 8 hours ahead of UTC: 10:00+08:00 is 02:00 UTC.
    assert_eq!(at("2026-10-31T10:00:00+08:00"), dt(2026, 10, 31, 2, 0, 0));
    assert_eq!(at("2026-10-31T10:00:00-0500"), dt(2026, 10, 31, 15, 0, 0));
}

#[test]
fn offsets_convert_to_the_configured_zone() {
    let ctx = DateCtx {
        tz_offset_secs: 8 * 3600,
        day_first: None,
    };
    let mut ev = OrderEvidence::default();
    let ms = match parse("2026-10-31T00:00:00Z", &ctx, &mut ev).unwrap() {
        DateCell::At(ms) => ms,
        _ => unreachable!(),
    };
    assert_eq!(ms_to_naive(ms).unwrap(), dt(2026, 10, 31, 8, 0, 0));
    // a naive value is kept as written
    let ms = match parse("2026-10-31 00:00", &ctx, &mut ev).unwrap() {
        DateCell::At(ms) => ms,
        _ => unreachable!(),
    };
    assert_eq!(ms_to_naive(ms).unwrap(), dt(2026, 10, 31, 0, 0, 0));
}

#[test]
fn dotted_year_first_and_weekday_names() {
    assert_eq!(at("2026.01.05"), dt(2026, 1, 5, 0, 0, 0));
    assert_eq!(at("2026.01.05 10:30"), dt(2026, 1, 5, 10, 30, 0));
    assert_eq!(at("Mon Jan 05 2026"), dt(2026, 1, 5, 0, 0, 0));
    assert_eq!(at("Monday, January 5, 2026"), dt(2026, 1, 5, 0, 0, 0));
}

#[test]
fn placeholders_and_years_outside_the_window_are_no_dates() {
    let ctx = DateCtx::default();
    let mut ev = OrderEvidence::default();
    let p = |s: &str, ev: &mut OrderEvidence| parse(s, &ctx, ev).unwrap();
    assert_eq!(dropped(&p("9999-12-31", &mut ev)), Some(Dropped::Sentinel));
    assert_eq!(
        dropped(&p("9999-12-31 23:59:59", &mut ev)),
        Some(Dropped::Sentinel)
    );
    assert_eq!(dropped(&p("1900-01-01", &mut ev)), Some(Dropped::Sentinel));
    assert_eq!(
        dropped(&p("2999-03-01", &mut ev)),
        Some(Dropped::Outside(2999))
    );
    assert_eq!(
        dropped(&p("1066-10-14", &mut ev)),
        Some(Dropped::Outside(1066))
    );
    assert_eq!(dropped(&p("1900-01-02", &mut ev)), None);
    assert_eq!(dropped(&p("2200-12-31", &mut ev)), None);
    assert_eq!(dropped(&p("2026-01-05", &mut ev)), None);
    assert_eq!(
        dropped(&p("03/04/2999", &mut ev)),
        Some(Dropped::Outside(2999))
    );
    assert!(is_zero_date("0000-00-00") && is_zero_date("0000-00-00 00:00:00"));
    assert!(!is_zero_date("0000-00-00x") && !is_zero_date("2026-01-01"));
}

#[test]
fn a_zero_day_or_month_is_no_date() {
    let mut ev = OrderEvidence::default();
    assert_eq!(parse("00/1/2415", &DateCtx::default(), &mut ev), Err(()));
    assert_eq!(parse("3/0/2026", &DateCtx::default(), &mut ev), Err(()));
}

#[test]
fn a_bare_year_is_no_date() {
    let mut ev = OrderEvidence::default();
    assert!(parse("2026", &DateCtx::default(), &mut ev).is_err());
    assert_eq!(at("45292"), dt(2024, 1, 1, 0, 0, 0));
}

#[test]
fn two_digit_years_pivot_at_69() {
    // d/mm/yy with a day over 12, m/d/yy with a day over 12, dd.mm.yy
    assert_eq!(at("13/08/26"), dt(2026, 8, 13, 0, 0, 0));
    assert_eq!(at("8/13/26"), dt(2026, 8, 13, 0, 0, 0));
    assert_eq!(at("05.01.26 10:30"), dt(2026, 1, 5, 10, 30, 0));
    assert_eq!(at("31/12/68"), dt(2068, 12, 31, 0, 0, 0));
    assert_eq!(at("31/12/69"), dt(1969, 12, 31, 0, 0, 0));
    let mut ev = OrderEvidence::default();
    assert!(matches!(
        parse("1/08/26", &DateCtx::default(), &mut ev),
        Ok(DateCell::Ambiguous {
            a: 1,
            b: 8,
            year: 2026,
            ..
        })
    ));
    assert!(parse("1/08/2", &DateCtx::default(), &mut ev).is_err());
}

#[test]
fn months_and_year_first_slashes() {
    assert_eq!(at("1949-01"), dt(1949, 1, 1, 0, 0, 0));
    assert_eq!(at("2026/10"), dt(2026, 10, 1, 0, 0, 0));
    assert_eq!(at("2021/4/15"), dt(2021, 4, 15, 0, 0, 0));
    assert_eq!(at("2021/4/15 9:30"), dt(2021, 4, 15, 9, 30, 0));
}

#[test]
fn named_and_chinese_and_compact() {
    assert_eq!(at("15 Apr, 2021 00:02:00"), dt(2021, 4, 15, 0, 2, 0));
    assert_eq!(at("15 Apr, 2021"), dt(2021, 4, 15, 0, 0, 0));
    assert_eq!(at("Apr 15, 2021"), dt(2021, 4, 15, 0, 0, 0));
    assert_eq!(at("15-Apr-2021"), dt(2021, 4, 15, 0, 0, 0));
    assert_eq!(at("2021年4月15日"), dt(2021, 4, 15, 0, 0, 0));
    assert_eq!(at("2021年4月15日 10:30"), dt(2021, 4, 15, 10, 30, 0));
    assert_eq!(at("19970101"), dt(1997, 1, 1, 0, 0, 0));
}

#[test]
fn epochs_and_excel_serials() {
    // 1700000000 s = 2023-11-14 22:13:20 UTC
    assert_eq!(at("1700000000"), dt(2023, 11, 14, 22, 13, 20));
    assert_eq!(at("1700000000000"), dt(2023, 11, 14, 22, 13, 20));
    // Excel serial 45292 = 2024-01-01; .5 = noon
    assert_eq!(at("45292"), dt(2024, 1, 1, 0, 0, 0));
    assert_eq!(at("45292.5"), dt(2024, 1, 1, 12, 0, 0));
}

#[test]
fn slash_order_evidence() {
    let ctx = DateCtx::default();
    let mut ev = OrderEvidence::default();
    assert_eq!(
        parse("20/10/2016", &ctx, &mut ev),
        Ok(DateCell::At(ymd_ms(2016, 10, 20).unwrap()))
    );
    assert!(ev.day_first && !ev.month_first);
    let mut ev = OrderEvidence::default();
    assert_eq!(
        parse("10/20/2016", &ctx, &mut ev),
        Ok(DateCell::At(ymd_ms(2016, 10, 20).unwrap()))
    );
    assert!(ev.month_first);
    let mut ev = OrderEvidence::default();
    let cell = parse("03-07-2021 01:09", &ctx, &mut ev).unwrap();
    assert!(matches!(
        cell,
        DateCell::Ambiguous {
            a: 3,
            b: 7,
            year: 2021,
            ..
        }
    ));
    assert_eq!(
        ms_to_naive(resolve(cell, true).unwrap()).unwrap(),
        dt(2021, 7, 3, 1, 9, 0)
    );
    assert_eq!(
        ms_to_naive(resolve(cell, false).unwrap()).unwrap(),
        dt(2021, 3, 7, 1, 9, 0)
    );
    assert_eq!(at("31.12.2026"), dt(2026, 12, 31, 0, 0, 0));
    assert_eq!(at("05/05/2026"), dt(2026, 5, 5, 0, 0, 0));
    assert_eq!(at("10/20/2016 1:09 PM"), dt(2016, 10, 20, 13, 9, 0));
}

#[test]
fn garbage_is_rejected() {
    let mut ev = OrderEvidence::default();
    for bad in [
        "",
        "abc",
        "2026-13-45",
        "2026-02-30",
        "31/31/2026",
        "12345678901",
        "Select",
        "1.2.3.4",
    ] {
        assert!(parse(bad, &DateCtx::default(), &mut ev).is_err(), "{bad}");
    }
}

/// Issue 26: a non-ASCII character after the time panicked every command (the parser
/// sliced by byte offset). Now 下午/上午 read as PM/AM, any other text is a parse failure.
#[test]
fn text_after_the_time_never_panics() {
    assert_eq!(at("2026-01-05 10:30 下午"), dt(2026, 1, 5, 22, 30, 0));
    assert_eq!(at("2026-01-05 下午 1:09"), dt(2026, 1, 5, 13, 9, 0));
    assert_eq!(at("2026-01-05 上午 12:15"), dt(2026, 1, 5, 0, 15, 0));
    let mut ev = OrderEvidence::default();
    for bad in [
        "2026-01-05 10:30 午",
        "2026-01-05 10:30 晚上",
        "2026-01-05 10:30+€1",
        "2026-01-05 10:30-a€",
        "05/01/2026 10:30 é",
        "5 Jan 2026 10:30 Ω",
    ] {
        assert!(parse(bad, &DateCtx::default(), &mut ev).is_err(), "{bad}");
    }
}

proptest::proptest! {
    /// No text at all makes the date parser panic (every slice on a char boundary).
    #[test]
    fn any_text_parses_or_fails(s in "\\PC{0,24}", t in "[0-9 :./\\-TZ+上下午AMP]{0,20}\\PC{0,3}") {
        let mut ev = OrderEvidence::default();
        let _ = parse(&s, &DateCtx::default(), &mut ev);
        let _ = parse(&format!("2026-01-05 {t}"), &DateCtx::default(), &mut ev);
        let _ = parse(&format!("05/01/2026 {t}"), &DateCtx::default(), &mut ev);
        let _ = time_of_day(&t);
    }
}
