//! The scanner's unit tests (a file of their own: csvscan.rs stays what fuzz/ compiles).
use super::*;

fn scan(input: &str) -> (String, ScanLog) {
    scan_with(input, ScanOptions::new(b',', false))
}

fn scan_with(input: &str, o: ScanOptions) -> (String, ScanLog) {
    let mut s = Scanner::new(input.as_bytes(), o);
    let log = s.log();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let log = std::mem::take(&mut *log.lock().unwrap());
    (String::from_utf8(out).unwrap(), log)
}

#[test]
fn clean_text_passes_unchanged() {
    let t = "a,b,c\r\n1,\"x\ny\",3\n4,5,6\r7,8,9";
    let (out, log) = scan(t);
    assert_eq!(out, t);
    assert!(log.broken.is_empty() && !log.altered);
}

#[test]
fn unclosed_quote_to_the_end_rejects_one_line_and_keeps_the_rest() {
    let t = "id,name,amount\n1,\"Acme,10\n2,Beta,20\n3,Gamma,30\n";
    let (out, log) = scan(t);
    assert_eq!(
        out,
        format!("id,name,amount\n{MARKER}0\n2,Beta,20\n3,Gamma,30\n")
    );
    assert_eq!(log.broken.len(), 1);
    let b = &log.broken[0];
    assert_eq!((b.first_line, b.last_line), (2, 4));
    assert_eq!(b.text, "1,\"Acme,10");
    assert!(b.reason.contains("never closed"), "{}", b.reason);
}

#[test]
fn a_stray_quote_closed_later_gives_back_the_rows_inside() {
    // line 2 opens a quote; line 5 closes it; lines 3 and 4 are whole rows of width 3
    let t = "id,name,amount\n1,\"Acme,10\n2,Beta,20\n3,Gamma,30\n4,Delta\",40\n5,Eps,50\n";
    let (out, log) = scan(t);
    assert_eq!(
        out,
        format!("id,name,amount\n{MARKER}0\n2,Beta,20\n3,Gamma,30\n4,Delta\",40\n5,Eps,50\n")
    );
    assert_eq!((log.broken[0].first_line, log.broken[0].last_line), (2, 5));
}

#[test]
fn adjacent_stray_quotes_are_found_too() {
    // line 2 opens a quote that line 3's own quoted field closes: both whole rows
    let t = "id,name,amount\n1,\"Acme,10\n2,\"Beta, Inc\",20\n3,Gamma,30\n";
    let (out, log) = scan(t);
    assert_eq!(
        out,
        format!("id,name,amount\n{MARKER}0\n2,\"Beta, Inc\",20\n3,Gamma,30\n")
    );
    // two adjacent rows with stray quotes: each rejected, the rest read
    let t = "id,name,amount\n1,\"Acme,10\n2,\"Beta,20\n3,Gamma,30\n";
    let (out, log2) = scan(t);
    assert_eq!(
        out,
        format!("id,name,amount\n{MARKER}0\n{MARKER}1\n3,Gamma,30\n")
    );
    assert_eq!((log.broken.len(), log2.broken.len()), (1, 2));
    assert_eq!(
        literal_width(b"1,\"Acme,10", &ScanOptions::new(b',', false)),
        3
    );
    assert_eq!(
        literal_width(b"1,\"a,b\",10", &ScanOptions::new(b',', false)),
        3
    );
}

#[test]
fn a_stray_quote_before_a_multi_line_cell() {
    // line 2's quote is closed by the quote that opens line 3's two-line cell: the merged
    // record has 2 fields, line 2 alone has 3. Line 2 is rejected, lines 3-4 are a record.
    let t = "id,name,amount\n1,\"Acme,10\n2,\"two\nlines\",20\n";
    let (out, log) = scan(t);
    assert_eq!(
        out,
        format!("id,name,amount\n{MARKER}0\n2,\"two\nlines\",20\n")
    );
    assert!(
        log.broken[0].reason.contains("2 fields"),
        "{}",
        log.broken[0].reason
    );
}

#[test]
fn legitimate_multi_line_cells_are_kept() {
    // inner lines are not rows of width 3 (one has a comma, but 2 fields)
    let t = "id,notes,amount\n1,\"first line\nsecond, part\nthird\",10\n2,x,20\n";
    let (out, log) = scan(t);
    assert_eq!(out, t);
    assert!(log.broken.is_empty());
    // a two-line cell has no inner line: kept whatever it holds
    let t = "id,notes,amount\n1,\"a,b,c\nd\",10\n";
    assert_eq!(scan(t).0, t);
}

#[test]
fn doubled_quotes_and_literal_quotes() {
    let t = "a,b\n\"say \"\"hi\"\"\",2\n27\" monitor,3\n";
    let (out, log) = scan(t);
    assert_eq!(out, t);
    assert!(log.broken.is_empty());
}

#[test]
fn backslash_escapes_do_not_close() {
    let o = ScanOptions::new(b',', true);
    let t = "a,b\n\"x \\\" y\",2\n3,4\n";
    let (out, log) = scan_with(t, o);
    assert_eq!(out, t);
    assert!(log.broken.is_empty());
}

#[test]
fn a_leading_byte_order_mark_is_no_field_content() {
    // found by fuzz/ (csv_rows): with the mark, line 1's quote opens a field as the CSV
    // parser reads it, so the unclosed quote is a broken row, not a literal
    let t = "\u{feff}\"a,b\n1,2\n3,4\n";
    let (out, log) = scan(t);
    assert_eq!(log.broken.len(), 1, "{out:?}");
    let mut rdr = csv_reader(b',', false, out.as_bytes());
    let firsts: Vec<String> = rdr.records().map(|r| r.unwrap()[0].to_string()).collect();
    assert_eq!(firsts, vec![format!("{MARKER}0"), "1".into(), "3".into()]);
}

#[test]
fn nul_bytes_are_removed_and_counted() {
    let (out, log) = scan("a,b\n1,x\0y\0\n2,z\n");
    assert_eq!(out, "a,b\n1,xy\n2,z\n");
    assert_eq!((log.nul_bytes, log.first_nul_line), (2, Some(2)));
    assert!(log.altered);
}

#[test]
fn overlong_lines_are_skipped_not_held() {
    let mut o = ScanOptions::new(b',', false);
    o.max_record_bytes = 20;
    let long = "x".repeat(100);
    let t = format!("a,b\n1,{long}\n2,ok\n");
    let (out, log) = scan_with(&t, o);
    assert_eq!(out, format!("a,b\n{MARKER}0\n2,ok\n"));
    assert!(log.broken[0].reason.contains("--max-line-bytes"));
}

#[test]
fn too_many_fields_is_a_marker() {
    let mut o = ScanOptions::new(b',', false);
    o.max_columns = 3;
    let (out, log) = scan_with("a,b,c,d,e\n1,2\n", o);
    assert_eq!(out, format!("{MARKER}0\n1,2\n"));
    assert!(log.broken[0].reason.contains("5 fields"));
}

#[test]
fn marker_round_trip() {
    assert_eq!(marker_index(&format!("{MARKER}12")), Some(12));
    assert_eq!(marker_index("12"), None);
}
