//! crates/load/src/load/config.rs: salesctl.toml text through Config::parse, the calendar it gives
//! (crates/load/src/load/config.rs Config::calendar) and its timezone.

use crate::load::config::{self, Config};

/// The `config_toml` target: one input.
pub fn config_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        // The file is read with read_to_string: invalid UTF-8 never reaches the parser. The
        // timezone parser gets the lossy text instead.
        let _ = config::tz_offset_secs(&String::from_utf8_lossy(data));
        return;
    };
    let _ = config::tz_offset_secs(text);
    if let Ok(cfg) = Config::parse(text) {
        let cal = cfg.calendar();
        assert!((1..=12).contains(&cal.fiscal_year_start));
        if let Some(tz) = &cfg.timezone {
            let secs = config::tz_offset_secs(tz).expect("Config::parse accepted the timezone");
            assert!(secs.abs() <= 15 * 3600, "timezone {tz:?} -> {secs} s");
        }
    }
}
