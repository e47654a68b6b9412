//! Warnings: what changes the meaning of a number (rejected rows, guesses, inputs that do not
//! line up). Each one is printed on stderr as `warning: ...` when it is found, whatever `-q`
//! says, and the run ends with a one-line count so a warning above a long table is not missed.
//! Notes (definitions, the as-of, the period) are not warnings: they go with the result and `-q`
//! turns them off.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::text::Lang;
use crate::text::Text;

static COUNT: AtomicUsize = AtomicUsize::new(0);
/// A progress bar on screen: warnings are printed above it, not glued to its line.
static BAR: Mutex<Option<indicatif::ProgressBar>> = Mutex::new(None);

/// Print warnings above `bar` while it is shown (None when it is gone).
pub fn set_bar(bar: Option<indicatif::ProgressBar>) {
    if let Ok(mut b) = BAR.lock() {
        *b = bar;
    }
}
/// Texts already printed: the same warning reached twice (a report section and its loader) is
/// printed once.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Print `w` on stderr as a warning in `lang` (once per run), and count it.
pub fn emit(w: &Text, lang: Lang) {
    let text = w.get(lang);
    let Ok(mut seen) = SEEN.lock() else { return };
    if seen.iter().any(|s| s == &w.en) {
        return;
    }
    seen.push(w.en.clone());
    COUNT.fetch_add(1, Ordering::Relaxed);
    crate::meta::add_warning(&w.en);
    let prefix = match lang {
        Lang::En => "warning: ",
        Lang::ZhCn => "警告：",
    };
    let bar = BAR.lock().ok().and_then(|b| b.clone());
    match bar {
        Some(b) => b.suspend(|| eprintln!("{prefix}{text}")),
        None => eprintln!("{prefix}{text}"),
    }
}

/// A warning in the run's language (`--lang` once known, else `LANG`).
pub fn emit_text(t: &Text) {
    emit(t, lang());
}

static LANG: Mutex<Option<Lang>> = Mutex::new(None);
static CONFIG_LANG: Mutex<Option<Lang>> = Mutex::new(None);

/// The config's `lang`: used when `--lang` was not given.
pub fn set_config_lang(lang: Lang) {
    if let Ok(mut l) = CONFIG_LANG.lock() {
        *l = Some(lang);
    }
}

/// The run's language, from `--lang` or the config, for messages written below the command
/// (the loader's warnings, errors).
pub fn set_lang(lang: Lang) {
    if let Ok(mut l) = LANG.lock() {
        *l = Some(lang);
    }
}

/// The run's language: what [`set_lang`] was given, else `LANG`/`LC_ALL`.
pub fn lang() -> Lang {
    LANG.lock()
        .ok()
        .and_then(|l| *l)
        .or_else(|| CONFIG_LANG.lock().ok().and_then(|l| *l))
        .unwrap_or_else(env_lang)
}

/// The language of `LANG`/`LC_ALL` (messages printed before a command's `--lang` is known).
pub(crate) fn env_lang() -> Lang {
    Lang::resolve(None, None).unwrap_or(Lang::En)
}

/// How many warnings this run printed.
pub(crate) fn count() -> usize {
    COUNT.load(Ordering::Relaxed)
}

/// The closing line: `salesctl: 2 warnings above` (nothing when there were none).
pub fn summary() -> Option<String> {
    let n = count();
    (n > 0).then(|| match lang() {
        Lang::En => format!(
            "salesctl: {n} warning{} above: read {} before using the numbers",
            if n == 1 { "" } else { "s" },
            if n == 1 { "it" } else { "them" }
        ),
        Lang::ZhCn => format!("salesctl：上方有 {n} 条警告，使用数字前请先阅读"),
    })
}
