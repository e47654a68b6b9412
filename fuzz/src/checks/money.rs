//! crates/load/src/load/parse/money.rs: one cell's text with and without a decimal comma.

use crate::money;

/// The `money` target: one input.
pub fn money(data: &[u8]) {
    if data.len() > 256 {
        return;
    }
    let s = String::from_utf8_lossy(data);
    for decimal_comma in [false, true] {
        match money::parse(&s, decimal_comma) {
            Some(a) => assert!(a.value.is_finite(), "{s:?} -> {a:?}"),
            None => {
                let why = money::why_not(&s, decimal_comma);
                assert!(!why.is_empty());
            }
        }
    }
}
