//! An OLE compound file (sniff::kind says Xls) through load/read's workbook path:
//! limits::check_xls, then calamine's worksheet_range of the first sheet and its used cells.

use crate::{sniff, workbook};

/// The `xls_open` target: one input.
pub fn xls_open(data: &[u8]) {
    if sniff::kind(data) != Ok(sniff::FileKind::Xls) {
        return;
    }
    let _ = workbook::read_first_sheet(data);
}
