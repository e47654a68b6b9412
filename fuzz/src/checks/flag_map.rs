//! crates/base/src/flags.rs `split_scope` and `parse_map`: `--map [GLOB::]FIELD=HEADER` as typed.

use crate::flags;

/// The `flag_map` target: one input.
pub fn flag_map(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let value = match flags::split_scope(&text) {
        Some((glob, rest)) => {
            assert_eq!(glob.len() + 2 + rest.len(), text.len());
            rest
        }
        None => &text[..],
    };
    if let Ok((field, header)) = flags::parse_map(value) {
        assert!(field.len() + header.len() < value.len(), "{field:?} {header:?}");
    }
}
