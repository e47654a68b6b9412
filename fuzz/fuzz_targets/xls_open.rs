//! An OLE compound file (sniff::kind says Xls) through read.rs's workbook path:
//! limits::check_xls, then calamine's worksheet_range of the first sheet and its used cells.
#![no_main]

use libfuzzer_sys::fuzz_target;
use salesctl_fuzz::{sniff, workbook};

fuzz_target!(|data: &[u8]| {
    if sniff::kind(data) != Ok(sniff::FileKind::Xls) {
        return;
    }
    let _ = workbook::read_first_sheet(data);
});
