//! How well a column's sample values read as a field's kind (money, date, number...), and the
//! words that say why a column does not fit.

use super::*;

/// Share of a column's sample values that read as a field's kind: (fit, non-empty, first misfit).
#[derive(Debug, Clone, Default)]
pub(crate) struct Fit {
    pub(crate) ok: usize,
    pub(crate) n: usize,
    pub(crate) misfit: Option<String>,
    /// Non-date words that repeat in a date column (`Not set`, `TBD`): null markers of the file,
    /// with how often each was seen. Not counted in `n`.
    pub(crate) markers: Vec<(String, usize)>,
}

impl Fit {
    /// At least 90% of the non-empty sample values read. Under 5 values are too few to judge
    /// a share: such a column fails only when none of them reads.
    pub(crate) fn passes(&self) -> bool {
        if self.n < 5 {
            return self.n == 0 || self.ok > 0;
        }
        self.ok * 10 >= self.n * 9
    }
}

/// The first data rows of a file, for checking candidate columns against their values.
pub(crate) struct Sample<'a> {
    pub(crate) rows: &'a [StringRecord],
    s: &'a Settings,
    cache: RefCell<HashMap<(usize, u8), Fit>>,
}

/// The kinds whose values are checked, as cache keys.
pub(crate) fn kind_code(k: Kind) -> Option<u8> {
    match k {
        Kind::DateTime => Some(1),
        Kind::Money | Kind::Number | Kind::Fraction => Some(2),
        Kind::Bool => Some(3),
        _ => None,
    }
}

/// Values a boolean outcome or flag column holds.
pub(crate) fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "true" | "yes" | "1" | "y" | "t" | "是" | "si" | "sí" | "sim" | "oui" | "ja" | "да" => {
            Some(true)
        }
        "false" | "no" | "0" | "n" | "f" | "否" | "não" | "nao" | "non" | "nein" | "нет" => {
            Some(false)
        }
        _ => None,
    }
}

impl<'a> Sample<'a> {
    pub(crate) fn new(rows: &'a [StringRecord], s: &'a Settings) -> Sample<'a> {
        Sample {
            rows,
            s,
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// How the values of column `col` read as `kind`; None for kinds that are not checked.
    pub(crate) fn fit(&self, col: usize, kind: Kind) -> Option<Fit> {
        let code = kind_code(kind)?;
        if let Some(f) = self.cache.borrow().get(&(col, code)) {
            return Some(f.clone());
        }
        let mut fit = Fit::default();
        let mut ev = date::OrderEvidence::default();
        let mut misfits: HashMap<&str, usize> = HashMap::new();
        for r in self.rows {
            let v = r.get(col).unwrap_or("").trim();
            if self.s.is_null(v) || (code == 1 && date::is_zero_date(v)) {
                continue;
            }
            fit.n += 1;
            let ok = match code {
                1 => date::parse(v, &self.s.date_ctx, &mut ev).is_ok(),
                2 => money::parse(v, self.s.decimal_comma).is_some(),
                _ => parse_bool(v).is_some(),
            };
            if ok {
                fit.ok += 1;
            } else {
                if fit.misfit.is_none() {
                    fit.misfit = Some(v.chars().take(40).collect());
                }
                *misfits.entry(v).or_default() += 1;
            }
        }
        // In a date column, a word without digits that repeats is the export's null marker.
        if code == 1 && fit.ok > 0 {
            let mut markers: Vec<(String, usize)> = misfits
                .into_iter()
                .filter(|(v, k)| {
                    *k >= 2 && !v.chars().any(|c| c.is_ascii_digit()) && v.chars().count() <= 24
                })
                .map(|(v, k)| (v.to_string(), k))
                .collect();
            markers.sort();
            let taken: usize = markers.iter().map(|(_, k)| k).sum();
            fit.n -= taken;
            if taken > 0
                && fit
                    .misfit
                    .as_deref()
                    .is_some_and(|m| markers.iter().any(|(x, _)| x == m))
            {
                fit.misfit = None;
            }
            fit.markers = markers;
        }
        self.cache.borrow_mut().insert((col, code), fit.clone());
        Some(fit)
    }

    /// Share of distinct values among the non-empty values of a column, and how many there were.
    pub(crate) fn distinct_share(&self, col: usize) -> (f64, usize) {
        let mut seen = std::collections::HashSet::new();
        let mut n = 0;
        for r in self.rows {
            let v = r.get(col).unwrap_or("").trim();
            if v.is_empty() {
                continue;
            }
            n += 1;
            seen.insert(v);
        }
        if n == 0 {
            (1.0, 0)
        } else {
            (seen.len() as f64 / n as f64, n)
        }
    }
}

/// Why a column's values refuse a kind, in words.
pub(crate) fn misfit_words(kind: Kind, f: &Fit) -> Text {
    let (what, what_zh) = match kind {
        Kind::DateTime => ("dates", "日期"),
        Kind::Bool => ("true/false values", "真/假值"),
        _ => ("numbers", "数字"),
    };
    let (eg, eg_zh) = match &f.misfit {
        Some(m) => (
            format!(" (e.g. {m:?} is not)"),
            format!("（如 {m:?} 不是）"),
        ),
        None => (String::new(), String::new()),
    };
    let (ok, n) = (f.ok, f.n);
    crate::tr!(
        "{ok} of {n} sample values are {what}{eg}",
        "{n} 个样本值中有 {ok} 个是{what_zh}{eg_zh}"
    )
}
