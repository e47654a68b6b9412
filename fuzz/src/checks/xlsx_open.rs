//! A zip container (sniff::kind says Zip) through load/read's workbook path: limits::check_xlsx,
//! then calamine, the first sheet read cell by cell (crates/load/src/load/read/sheet.rs read_workbook_inner).

use crate::{sniff, workbook};

/// The `xlsx_open` target: one input.
pub fn xlsx_open(data: &[u8]) {
    if sniff::kind(data) != Ok(sniff::FileKind::Zip) {
        return;
    }
    let _ = workbook::read_first_sheet(data);
}
