//! A zip container (sniff::kind says Zip) through read.rs's workbook path: limits::check_xlsx,
//! then calamine, the first sheet read cell by cell (crates/load/src/load/read.rs read_workbook_inner).
#![no_main]

use libfuzzer_sys::fuzz_target;
use salesctl_fuzz::{sniff, workbook};

fuzz_target!(|data: &[u8]| {
    if sniff::kind(data) != Ok(sniff::FileKind::Zip) {
        return;
    }
    let _ = workbook::read_first_sheet(data);
});
