//! The loader's settings from its flags and the config: scoped maps, presets and tables per
//! input glob, the reject limit, outcome labels, null markers, the date context.

use super::*;

/// `*` any run of characters, `?` one character; the whole text must match.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

impl Settings {
    /// The settings for one input: the rules whose glob matches its file name or path applied
    /// over the global ones (later rules win).
    pub(crate) fn for_input(&self, path: &Path) -> Option<Settings> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let full = path.display().to_string();
        let rules: Vec<&InputRule> = self
            .inputs
            .iter()
            .filter(|r| glob_match(&r.glob, &name) || glob_match(&r.glob, &full))
            .collect();
        if rules.is_empty() {
            return None;
        }
        let mut s = self.clone();
        for r in rules {
            if let Some(p) = &r.preset {
                s.preset = Some(p.clone());
            }
            if let Some(t) = r.table {
                s.table = Some(t);
            }
            for (f, h) in &r.map {
                s.map.retain(|(k, _)| k != f);
                s.map.push((f.clone(), h.clone()));
            }
        }
        Some(s)
    }
}

pub(super) fn parse_table(t: &str, flag: &str) -> Result<Table> {
    Table::parse(t.trim()).ok_or_else(|| {
        let names = Table::ALL
            .iter()
            .map(|t| t.name())
            .collect::<Vec<&str>>()
            .join(", ");
        Error::usage(crate::tr!(
            "{flag} {t:?}: unknown table; tables: {names}",
            "{flag} {t:?}：未知的表；可用的表：{names}"
        ))
    })
}

pub(super) fn parse_map(m: &str) -> Result<(String, String)> {
    crate::flags::parse_map(m).map_err(Error::usage)
}

impl MaxRejects {
    /// `25` or `10%`.
    pub fn parse(v: &str) -> std::result::Result<MaxRejects, Text> {
        let t = v.trim();
        let expected = || {
            crate::tr!(
                "{v:?}: expected a count such as 25 or a share such as 10%",
                "{v:?}：应为数量（如 25）或比例（如 10%）"
            )
        };
        if let Some(p) = t.strip_suffix('%') {
            let x: f64 = p.trim().parse().map_err(|_| expected())?;
            if !(0.0..=100.0).contains(&x) {
                return Err(crate::tr!(
                    "{v:?}: a share is between 0% and 100%",
                    "{v:?}：比例应在 0% 到 100% 之间"
                ));
            }
            return Ok(MaxRejects::Share(x / 100.0));
        }
        t.parse::<usize>()
            .map(MaxRejects::Count)
            .map_err(|_| expected())
    }

    /// The rule in Chinese (`25 行`, `10%`), as [`Display`](std::fmt::Display) writes it in
    /// English.
    pub(super) fn zh(&self) -> String {
        match self {
            MaxRejects::Count(n) => format!("{n} 行"),
            MaxRejects::Share(_) => self.to_string(),
        }
    }

    /// Are `rejected` of `rows` data rows too many?
    pub(crate) fn exceeded(&self, rejected: usize, rows: usize) -> bool {
        match *self {
            MaxRejects::Count(n) => rejected > n,
            MaxRejects::Share(p) => rejected as f64 > p * rows as f64 + 1e-9,
        }
    }
}

pub(super) fn split_list(v: Option<&str>) -> Vec<String> {
    v.map(|x| {
        x.split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

impl Settings {
    pub(crate) fn is_null(&self, v: &str) -> bool {
        let t = v.trim();
        if t.is_empty() {
            return true;
        }
        // The built-in markers are at most 7 bytes and start with one of these: most cells
        // are ruled out without comparing.
        if self.null_markers.is_empty()
            && (t.len() > 7
                || !matches!(
                    t.as_bytes()[0],
                    b'n' | b'N' | b'-' | b's' | b'S' | b'#' | b'(' | b'\\' | b'<'
                ))
        {
            return false;
        }
        config::NULL_MARKERS
            .iter()
            .any(|m| t.eq_ignore_ascii_case(m))
            || self
                .null_markers
                .iter()
                .any(|m| t.eq_ignore_ascii_case(m.trim()))
    }

    /// Flags over config over defaults.
    pub fn from_args(a: &LoaderArgs) -> Result<Settings> {
        let (cfg, cfg_path) = Config::load(a.config.as_deref())?;
        // The config's `lang` reaches the loader's warnings and errors (unless --lang says).
        if let Some(Ok(lang)) = cfg.lang.as_deref().map(|l| Lang::resolve(Some(l), None)) {
            crate::warn::set_config_lang(lang);
        }
        let Scoped {
            inputs,
            map,
            preset,
            table,
        } = scoped_settings(a, &cfg)?;
        if let Some(d) = &a.dedupe {
            if d != "last" {
                return Err(Error::usage(crate::tr!(
                    "--dedupe {d:?}: only `last` is supported",
                    "--dedupe {d:?}：只支持 `last`"
                )));
            }
        }
        let tz = cfg.timezone.clone().unwrap_or_else(|| "UTC".into());
        let offset = config::tz_offset_secs(&tz).map_err(Error::input)?;
        let day_first = if a.day_first {
            Some(true)
        } else if a.month_first {
            Some(false)
        } else {
            cfg.day_first
        };
        let mut stage_lists = cfg.stages.clone();
        if let Some(st) = &a.stages {
            let list = split_list(Some(st));
            let key = a.pipeline.clone().unwrap_or_else(|| "default".into());
            stage_lists.insert(key, list);
        }
        let (max_rejects, max_rejects_from) = max_rejects_of(a, &cfg)?;
        let mut null_markers = cfg.null_markers.clone();
        null_markers.extend(split_list(a.null.as_deref()));
        let mut won = cfg.won_labels.clone();
        won.extend(split_list(a.won.as_deref()));
        let mut lost = cfg.lost_labels.clone();
        lost.extend(split_list(a.lost.as_deref()));
        Ok(Settings {
            max_rejects,
            max_rejects_from,
            rejects_to: a.rejects.clone(),
            revenue: a.revenue,
            stages_flag: a.stages.as_deref().map(|st| split_list(Some(st))),
            preset,
            inputs,
            table,
            map,
            no_header: a.no_header,
            columns: a
                .columns
                .as_deref()
                .map(|c| c.split(',').map(|x| x.trim().to_string()).collect())
                .unwrap_or_default(),
            null_markers,
            date_ctx: DateCtx {
                tz_offset_secs: offset,
                day_first,
            },
            decimal_comma: cfg.decimal_comma.unwrap_or(false),
            currency: cfg.currency.as_ref().map(|c| c.trim().to_uppercase()),
            outcomes: Outcomes {
                won,
                lost,
                invalid: cfg.invalid_labels.clone(),
            },
            stage_lists,
            timezone: tz,
            config: cfg,
            config_path: cfg_path,
            only: if a.fx.is_some() { None } else { a.only.clone() },
        })
    }
}

pub(super) fn scoped_settings(a: &LoaderArgs, cfg: &Config) -> Result<Scoped> {
    let mut map: Vec<(String, String)> = cfg
        .map
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // Scoped settings: the config's [[input]] sections, then GLOB:: flags.
    let mut inputs: Vec<InputRule> = Vec::new();
    for sec in &cfg.input {
        inputs.push(InputRule {
            glob: sec.path.clone(),
            preset: sec.preset.clone(),
            table: sec
                .table
                .as_deref()
                .map(|t| parse_table(t, "[[input]] as"))
                .transpose()?,
            map: sec
                .map
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        });
    }
    let scoped =
        |v: &str| crate::flags::split_scope(v).map(|(g, r)| (g.to_string(), r.to_string()));
    for m in &a.map {
        match scoped(m) {
            Some((g, rest)) => inputs.push(InputRule {
                glob: g,
                map: vec![parse_map(&rest)?],
                ..Default::default()
            }),
            None => {
                let (f, h) = parse_map(m)?;
                map.retain(|(k, _)| *k != f);
                map.push((f, h));
            }
        }
    }
    let mut preset = cfg.preset.clone();
    for p in &a.preset {
        match scoped(p) {
            Some((g, name)) => inputs.push(InputRule {
                glob: g,
                preset: Some(name),
                ..Default::default()
            }),
            None => preset = Some(p.clone()),
        }
    }
    let mut table = None;
    for t in &a.as_table {
        match scoped(t) {
            Some((g, name)) => inputs.push(InputRule {
                glob: g,
                table: Some(parse_table(&name, "--as")?),
                ..Default::default()
            }),
            None => table = Some(parse_table(t, "--as")?),
        }
    }
    Ok(Scoped {
        inputs,
        map,
        preset,
        table,
    })
}

/// `--strict`, `--max-rejects` or the config's `max_rejects`, and which of them said it.
pub(super) fn max_rejects_of(a: &LoaderArgs, cfg: &Config) -> Result<(MaxRejects, &'static str)> {
    Ok(if a.strict {
        (MaxRejects::Count(0), "--strict")
    } else if let Some(v) = &a.max_rejects {
        (
            MaxRejects::parse(v).map_err(|e| {
                let (en, zh) = (&e.en, e.get(Lang::ZhCn));
                Error::usage(crate::tr!("--max-rejects {en}", "--max-rejects {zh}"))
            })?,
            "--max-rejects",
        )
    } else if let Some(v) = &cfg.max_rejects {
        let text = match v {
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        (
            MaxRejects::parse(&text).map_err(|e| {
                let (en, zh) = (&e.en, e.get(Lang::ZhCn));
                Error::input(crate::tr!(
                    "salesctl.toml: max_rejects {en}",
                    "salesctl.toml：max_rejects {zh}"
                ))
            })?,
            "max_rejects in the config",
        )
    } else {
        (MaxRejects::default(), "the default")
    })
}
