//! User-facing text in both languages. Every message the tool writes (error, warning, note,
//! loader assumption) is a [`Text`]: English and Simplified Chinese side by side, chosen when it
//! is printed (`--lang`, `lang` in salesctl.toml, or `LANG`). Build one with [`tr!`](crate::tr):
//! `tr!("{n} row(s) skipped", "跳过 {n} 行")`. A `String` converts into a `Text` with no
//! translation; that is only for text that quotes something the tool did not write (a library's
//! message, a cell), and a test in `tests/cli/zh.rs` keeps untranslated constructors out of `src/`.

use serde::{Deserialize, Serialize};

/// Output language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    /// `--lang`, else the config's `lang`, else LANG / LC_ALL starting with `zh`.
    pub fn resolve(flag: Option<&str>, config: Option<&str>) -> Result<Lang, Text> {
        let pick = |s: &str| match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "en" | "en-us" | "en-gb" => Ok(Lang::En),
            "zh" | "zh-cn" | "zh-hans" => Ok(Lang::ZhCn),
            other => Err(crate::tr!(
                "--lang {other:?}: expected en or zh-CN",
                "--lang {other:?}：应为 en 或 zh-CN"
            )),
        };
        if let Some(f) = flag {
            return pick(f);
        }
        if let Some(c) = config {
            return pick(c);
        }
        let env = std::env::var("LC_ALL")
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| std::env::var("LANG").ok())
            .unwrap_or_default();
        Ok(if env.to_ascii_lowercase().starts_with("zh") {
            Lang::ZhCn
        } else {
            Lang::En
        })
    }
}

/// A message in English and Chinese. `zh` is `None` only for text from outside the tool.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub en: String,
    pub zh: Option<String>,
}

impl Text {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Text {
            en: en.into(),
            zh: Some(zh.into()),
        }
    }

    /// The text in `lang` (English when there is no translation).
    pub fn get(&self, lang: Lang) -> &str {
        match (lang, &self.zh) {
            (Lang::ZhCn, Some(z)) => z,
            _ => &self.en,
        }
    }

    /// Both languages with `f` applied (a prefix, a file name...).
    pub fn map(self, f: impl Fn(String) -> String) -> Self {
        Text {
            en: f(self.en),
            zh: self.zh.map(f),
        }
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

impl From<String> for Text {
    fn from(en: String) -> Self {
        Text { en, zh: None }
    }
}

impl From<&str> for Text {
    fn from(en: &str) -> Self {
        Text {
            en: en.to_string(),
            zh: None,
        }
    }
}

/// A message in both languages from two format strings that use the same arguments:
/// `tr!("{n} blank row(s) skipped", "跳过 {n} 个空行")`.
#[macro_export]
macro_rules! tr {
    ($en:literal, $zh:literal $(,)?) => {
        $crate::text::Text::new(format!($en), format!($zh))
    };
    ($en:literal, $zh:literal, $($arg:tt)+) => {
        $crate::text::Text::new(format!($en, $($arg)+), format!($zh, $($arg)+))
    };
}

/// On disk (a DIR's manifest) a text is a plain string when it has no translation, else
/// `{"en": ..., "zh": ...}`; manifests written before translations read as plain strings.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Stored {
    Plain(String),
    Both { en: String, zh: String },
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.zh {
            None => Stored::Plain(self.en.clone()),
            Some(zh) => Stored::Both {
                en: self.en.clone(),
                zh: zh.clone(),
            },
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Stored::deserialize(d)? {
            Stored::Plain(en) => Text { en, zh: None },
            Stored::Both { en, zh } => Text { en, zh: Some(zh) },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tr_formats_both_languages_and_round_trips_on_disk() {
        let n = 3;
        let t = crate::tr!("{n} blank row(s) skipped", "跳过 {n} 个空行");
        assert_eq!(t.get(Lang::En), "3 blank row(s) skipped");
        assert_eq!(t.get(Lang::ZhCn), "跳过 3 个空行");
        let t2 = crate::tr!("{} of {}", "{1} 中的 {0}", 1, 2);
        assert_eq!(t2.get(Lang::ZhCn), "2 中的 1");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Text>(&json).unwrap(), t);
        let old: Text = serde_json::from_str("\"plain\"").unwrap();
        assert_eq!(old.get(Lang::ZhCn), "plain");
        assert_eq!(serde_json::to_string(&old).unwrap(), "\"plain\"");
    }
}
