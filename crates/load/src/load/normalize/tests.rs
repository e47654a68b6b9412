//! Unit tests of `load/normalize/mod.rs`.

use super::derived::derive_id;
use super::*;

#[test]
fn quote_free_parts_split_as_the_csv_reader_cuts_them() {
    for (data, delim) in [
        (
            "a,b,c\r\n\r\nx,,ü 中\n\n1,2\n,,\n   \nlast,row,\u{3000}",
            b',',
        ),
        ("id;amount\n1;1.234,50 €\n2;\n\n", b';'),
        ("a\tb\n\tc\t\n", b'\t'),
        ("", b','),
        ("\n\n", b','),
    ] {
        let text = plain_text(data.as_bytes(), false).expect("plain");
        let mut fast: Vec<Vec<String>> = Vec::new();
        each_line(text, delim, 3, |l| {
            fast.push(l.cells.iter().map(|c| c.to_string()).collect())
        });
        let mut rdr = super::super::read::csv_reader(delim, data.as_bytes());
        let slow: Vec<Vec<String>> = rdr
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(fast, slow, "{data:?}");
    }
    // Quotes, a lone carriage return, or bytes that are not UTF-8: the csv reader is used.
    assert!(plain_text(b"a,\"b\"\n", false).is_none());
    assert!(plain_text(b"a\rb\n", false).is_none());
    assert!(plain_text(b"a\r", false).is_none());
    assert!(plain_text(b"a,\xff\n", false).is_none());
}

#[test]
fn footers_are_recognised() {
    let r = StringRecord::from(vec!["Grand Totals (12 records)", "", ""]);
    assert_eq!(footer(&r).as_deref(), Some("Grand Totals (12 records)"));
    let r = StringRecord::from(vec![
        "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
    ]);
    assert!(footer(&r).is_some());
    let r = StringRecord::from(vec!["Grand Totals Inc", "Closed Won", "100"]);
    assert!(footer(&r).is_none());
}

#[test]
fn hubspot_headers() {
    let h = vec![
        "Deal Name".to_string(),
        "Date entered \"Closed Won (Partners Distribution)\"".to_string(),
    ];
    let w = hubspot_columns(&h);
    assert_eq!(w.len(), 1);
    assert_eq!(
        (w[0].col, w[0].stage.as_str(), w[0].pipeline.as_str()),
        (1, "Closed Won", "Partners Distribution")
    );
}

#[test]
fn derived_ids_are_stable_and_distinct() {
    assert_eq!(
        derive_id(&["A", "B", "2026-01-01"]),
        derive_id(&[" A", "B ", "2026-01-01"])
    );
    assert_ne!(
        derive_id(&["A", "B", "2026-01-01"]),
        derive_id(&["AB", "", "2026-01-01"])
    );
    assert_eq!(derive_id(&["x"]).len(), 17);
}
