//! Money and number parsing: `$22,700.00`, `¥12,500.00`, `￥12,500.00`, `1.234,50 €`, `(1,200.00)`,
//! `-1200`, `12.5万`, `1.2亿`, `30%`.

/// A parsed amount with the currency its symbol or code implies, if any.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount {
    pub value: f64,
    pub currency: Option<&'static str>,
    /// The text carried a `%` sign.
    pub percent: bool,
    /// The currency came from `$` or `¥` alone, which several currencies share.
    pub(crate) ambiguous: bool,
}

/// Symbols and codes recognised around a number. `$` alone is taken as USD and `¥` as CNY; the
/// manifest records that assumption and the config's `currency` overrides it.
const MARKS: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("USD", "USD"),
    ("CN¥", "CNY"),
    ("RMB", "CNY"),
    ("CNY", "CNY"),
    ("EUR", "EUR"),
    ("GBP", "GBP"),
    ("JPY", "JPY"),
    ("HK$", "HKD"),
    ("HKD", "HKD"),
    ("$", "USD"),
    ("¥", "CNY"),
    ("￥", "CNY"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("元", "CNY"),
];

/// Parse a number as exported. `decimal_comma` forces `1.234` to mean 1234 (European locale).
pub fn parse(raw: &str, decimal_comma: bool) -> Option<Amount> {
    let mut s = raw.trim();
    if s.is_empty() {
        return None;
    }
    // Fast path: a plain ASCII number such as 22700.00 or -1200 (not under a decimal comma,
    // where `1.234` means one thousand two hundred thirty-four).
    if let Some(v) = (!decimal_comma).then(|| s.parse::<f64>().ok()).flatten() {
        if v.is_finite()
            && !s.contains(['e', 'E', 'i', 'I', 'n', 'N'])
            && (s.len() <= MAX_DIGITS || significant_digits(s) <= MAX_DIGITS)
        {
            return Some(Amount {
                value: v,
                currency: None,
                percent: false,
                ambiguous: false,
            });
        }
    }
    let mut negative = false;
    let mut signs = 0;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        signs += 1;
        s = inner.trim();
    }
    let mut currency = None;
    let mut ambiguous = false;
    let mut percent = false;
    let mut multiplier = 1.0;
    // Peel marks off both ends until nothing changes.
    loop {
        let before = s;
        s = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}');
        if let Some(r) = s.strip_prefix('-') {
            negative = !negative;
            signs += 1;
            s = r;
        } else if let Some(r) = s.strip_suffix('-') {
            negative = !negative;
            signs += 1;
            s = r;
        } else if let Some(r) = s.strip_prefix('+') {
            signs += 1;
            s = r;
        } else if let Some(r) = s.strip_suffix('%') {
            percent = true;
            s = r;
        } else if let Some(r) = s.strip_suffix('万') {
            multiplier *= 1e4;
            s = r;
        } else if let Some(r) = s.strip_suffix('亿') {
            multiplier *= 1e8;
            s = r;
        } else if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            negative = !negative;
            signs += 1;
            s = inner;
        } else {
            for (mark, code) in MARKS {
                if let Some(r) = s.strip_prefix(mark).or_else(|| s.strip_suffix(mark)) {
                    currency = Some(*code);
                    ambiguous = matches!(*mark, "$" | "¥" | "￥");
                    s = r;
                    break;
                }
            }
        }
        if s == before {
            break;
        }
    }
    // `--5`, `-(5)`, `+-5`: more than one sign is no number.
    if signs > 1 {
        return None;
    }
    if significant_digits(s) > MAX_DIGITS {
        return None;
    }
    let value = plain_number(s, decimal_comma)? * multiplier;
    let value = if negative { -value } else { value };
    value.is_finite().then_some(Amount {
        value,
        currency,
        percent,
        ambiguous,
    })
}

/// Most significant digits a number may carry: an f64 holds 15 exactly, so a longer one (an id
/// or phone number in an amount column) would be read as a different number.
pub(crate) const MAX_DIGITS: usize = 15;

/// Digits from the first non-zero one to the last non-zero one (`0012300.00` has 3).
fn significant_digits(s: &str) -> usize {
    let d: Vec<u8> = s.bytes().filter(u8::is_ascii_digit).collect();
    match (
        d.iter().position(|&b| b != b'0'),
        d.iter().rposition(|&b| b != b'0'),
    ) {
        (Some(a), Some(b)) => b - a + 1,
        _ => 0,
    }
}

/// Why a cell is no number, for the rejected row (called only when [`parse`] said None).
pub(crate) fn why_not(raw: &str, decimal_comma: bool) -> String {
    let s = raw.trim();
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.trim_start_matches(['-', '+']),
        "nan" | "inf" | "infinity"
    ) {
        return "not a number (NaN or infinity is no amount)".into();
    }
    if significant_digits(s) > MAX_DIGITS
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b",.-+ '".contains(&b))
    {
        return format!(
            "not a number: more than {MAX_DIGITS} significant digits (an id or phone number? it cannot be held exactly)"
        );
    }
    let signs = s.bytes().filter(|&b| b == b'-' || b == b'+').count();
    if signs > 1
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b",.-+ ".contains(&b))
    {
        return "not a number: more than one sign".into();
    }
    let body = s.trim_start_matches(['-', '+']);
    if !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
        && body.bytes().any(|b| b == b',' || b == b'.')
        && plain_number(body, decimal_comma).is_none()
    {
        return "not a number: its digit groups are not thousands (groups of three, or Indian 12,34,567)".into();
    }
    if s.parse::<f64>().is_ok_and(|v| !v.is_finite()) {
        return "not a number: too large for a number".into();
    }
    "not a number".into()
}

/// Digits with `,` `.` `'` and spaces as separators. The last of `,`/`.` is the decimal mark when
/// both occur; a lone `,` followed by exactly 3 digits is a thousands separator unless
/// `decimal_comma`; several of the same mark are thousands separators.
fn plain_number(s: &str, decimal_comma: bool) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    let mut digits = String::with_capacity(s.len());
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    let decimal = match (commas, dots) {
        (0, 0) => None,
        (0, 1) if decimal_comma && s.split('.').nth(1).is_some_and(|t| t.len() == 3) => None,
        (0, 1) => Some('.'),
        (1, 0) => {
            let after = s.split(',').nth(1).unwrap_or("");
            if after.len() == 3 && !decimal_comma {
                None
            } else {
                Some(',')
            }
        }
        (_, 0) | (0, _) => None,
        _ => {
            let lc = s.rfind(',').unwrap_or(0);
            let ld = s.rfind('.').unwrap_or(0);
            Some(if lc > ld { ',' } else { '.' })
        }
    };
    let dec_pos = decimal.and_then(|d| s.rfind(d));
    // Thousands groups must be groups: after the first (1-3 digits) every group has 3 digits,
    // or, Indian style, 2 digits with the last of 3 (`1,23,456`). `1,2,3` and `1.2.3` are no
    // number, not 123.
    let int_part = dec_pos.map_or(s, |p| &s[..p]);
    let groups: Vec<&str> = int_part
        .split([',', '.', '\'', ' ', '\u{a0}', '\u{202f}', '_'])
        .collect();
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        let rest = &groups[1..];
        let western = rest.iter().all(|g| g.len() == 3);
        let indian = rest.last().is_some_and(|g| g.len() == 3)
            && rest[..rest.len() - 1].iter().all(|g| g.len() == 2);
        if !first_ok || !(western || indian) {
            return None;
        }
    }
    for (i, c) in s.char_indices() {
        match c {
            '0'..='9' => digits.push(c),
            ',' | '.' if Some(i) == dec_pos => digits.push('.'),
            ',' | '.' | '\'' | ' ' | '\u{a0}' | '\u{202f}' | '_' => {}
            _ => return None,
        }
    }
    if !digits.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> f64 {
        parse(s, false).unwrap_or_else(|| panic!("{s}")).value
    }

    #[test]
    fn formats_from_the_issue() {
        assert_eq!(v("$22,700.00"), 22700.0);
        assert_eq!(v("¥12,500.00"), 12500.0);
        assert_eq!(v("￥12,500.00"), 12500.0);
        assert_eq!(v("1.234,50 €"), 1234.5);
        assert_eq!(v("(1,200.00)"), -1200.0);
        assert_eq!(v("-1200"), -1200.0);
        assert_eq!(v("12.5万"), 125000.0);
        assert_eq!(v("1.2亿"), 120000000.0);
        assert_eq!(v("1,234,567"), 1234567.0);
        assert_eq!(v("1.234.567"), 1234567.0);
        assert_eq!(v("1 234,5"), 1234.5);
        assert_eq!(v("1234,5"), 1234.5);
        assert_eq!(v("$-1,200.00"), -1200.0);
        assert_eq!(v("-$1,200.00"), -1200.0);
        assert_eq!(v("1'234.50"), 1234.5);
        // Indian grouping
        assert_eq!(v("1,23,456.50"), 123456.5);
    }

    #[test]
    fn broken_groups_and_double_signs_are_no_number() {
        for bad in ["1,2,3", "1.2.3", "--5", "+-5", "-(5)", "1,2345,678"] {
            assert!(parse(bad, false).is_none(), "{bad}");
        }
        assert_eq!(v("1,234"), 1234.0);
        assert_eq!(v("-5"), -5.0);
        assert_eq!(v("(5)"), -5.0);
    }

    #[test]
    fn currency_marks() {
        assert_eq!(parse("$22,700.00", false).unwrap().currency, Some("USD"));
        assert_eq!(parse("¥12,500.00", false).unwrap().currency, Some("CNY"));
        assert_eq!(parse("1.234,50 €", false).unwrap().currency, Some("EUR"));
        assert_eq!(parse("EUR 5", false).unwrap().currency, Some("EUR"));
        assert_eq!(parse("100元", false).unwrap().currency, Some("CNY"));
        assert_eq!(parse("100", false).unwrap().currency, None);
    }

    #[test]
    fn percent_flag() {
        let a = parse("30%", false).unwrap();
        assert_eq!((a.value, a.percent), (30.0, true));
        assert!(!parse("0.3", false).unwrap().percent);
    }

    #[test]
    fn decimal_comma_locale() {
        assert_eq!(parse("1.234", true).unwrap().value, 1234.0);
        assert_eq!(parse("1,234", true).unwrap().value, 1.234);
        assert_eq!(parse("1.234", false).unwrap().value, 1.234);
    }

    #[test]
    fn too_many_digits_and_reasons() {
        assert!(parse("12345678901234567", false).is_none());
        assert!(parse("$12,345,678,901,234,567", false).is_none());
        assert_eq!(v("123456789012345"), 123456789012345.0);
        assert_eq!(v("1000000000000000000"), 1e18);
        assert_eq!(v("0001234.500000000000"), 1234.5);
        assert!(why_not("12345678901234567", false).contains("15 significant"));
        assert!(why_not("NaN", false).contains("NaN"));
        assert!(why_not("-inf", false).contains("NaN or infinity"));
        assert!(why_not("--5", false).contains("more than one sign"));
        assert!(why_not("1,2,3", false).contains("groups"));
        assert!(why_not("1.2.3", false).contains("groups"));
        assert!(why_not("1e400", false).contains("too large"));
        assert_eq!(why_not("abc", false), "not a number");
    }

    #[test]
    fn not_numbers() {
        for bad in [
            "",
            "abc",
            "NaN",
            "inf",
            "1e5x",
            "$",
            "--",
            "12 apples",
            "()",
        ] {
            assert!(parse(bad, false).is_none(), "{bad}");
        }
    }
}
