//! crates/load/src/load/parse/date.rs: one cell's text under several contexts (timezone, forced order).

use crate::date::{self, DateCell, DateCtx, OrderEvidence};

const CTXS: [DateCtx; 5] = [
    DateCtx { tz_offset_secs: 0, day_first: None },
    DateCtx { tz_offset_secs: 8 * 3600, day_first: Some(true) },
    DateCtx { tz_offset_secs: -5 * 3600, day_first: Some(false) },
    DateCtx { tz_offset_secs: 14 * 3600, day_first: None },
    DateCtx { tz_offset_secs: -(14 * 3600 + 59 * 60), day_first: Some(true) },
];

/// The `dates` target: one input.
pub fn dates(data: &[u8]) {
    if data.len() > 256 {
        return;
    }
    let s = String::from_utf8_lossy(data);
    let _ = date::is_zero_date(&s);
    let _ = date::time_of_day(&s);
    for ctx in &CTXS {
        let mut ev = OrderEvidence::default();
        let Ok(cell) = date::parse(&s, ctx, &mut ev) else {
            continue;
        };
        let _ = date::dropped(&cell);
        let a = date::resolve(cell, true);
        let b = date::resolve(cell, false);
        match cell {
            DateCell::At(ms) => {
                assert_eq!(a, Some(ms));
                assert_eq!(b, Some(ms));
                let _ = date::ms_to_naive(ms);
            }
            // date.rs's contract: both parts <= 12 and different. (A zero part also passes as
            // ambiguous, `0/5/2026`: no date in either order; see fuzz/README.md findings.)
            DateCell::Ambiguous { a: x, b: y, .. } => {
                assert!(x <= 12 && y <= 12 && x != y, "{cell:?}");
            }
        }
        for ms in [a, b].into_iter().flatten() {
            let _ = date::ms_to_naive(ms);
            let _ = date::dropped(&DateCell::At(ms));
        }
    }
}
