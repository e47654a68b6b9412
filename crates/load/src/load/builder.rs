//! Column builders: typed, compact buffers that one pass over the rows fills, finished into
//! polars columns once every row is read (ambiguous dates resolved per column then).

use polars::prelude::*;

use super::parse::date::{self, DateCell, OrderEvidence};
use crate::error::{Error, Result};
use crate::model::Kind;
use crate::text::Text;

const NULL_DT: i64 = i64::MIN;
const PENDING_DT: i64 = i64::MIN + 1;

/// One value of one row, parsed but not yet stored.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Val<'a> {
    Null,
    Text(&'a str),
    Date(DateCell),
    Num(f64),
    Bool(bool),
}

/// What decides ambiguous slash dates when a column's own values do not.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DateOrder {
    /// The order the file's other date columns show (None when they show none, or both).
    pub(crate) file: Option<bool>,
    /// The config's `day_first` (or `--day-first` / `--month-first`).
    pub(crate) config: Option<bool>,
}

impl DateOrder {
    /// Combine the evidence of every date column of a file.
    pub(crate) fn of_file(
        evidence: impl IntoIterator<Item = OrderEvidence>,
        config: Option<bool>,
    ) -> DateOrder {
        let (mut d, mut m) = (false, false);
        for e in evidence {
            d |= e.day_first;
            m |= e.month_first;
        }
        let file = match (d, m) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        };
        DateOrder { file, config }
    }
}

/// A growing column.
pub(crate) enum Builder {
    Text(StringChunkedBuilder),
    Label(LabelBuilder),
    Date(DateBuilder),
    Num {
        vals: Vec<Option<f64>>,
        fraction: bool,
        any_percent: bool,
        max: f64,
    },
    Bool(Vec<Option<bool>>),
}

pub(crate) struct DateBuilder {
    vals: Vec<i64>,
    amb: Vec<(usize, DateCell)>,
    pub(crate) ev: OrderEvidence,
    sample: Option<String>,
}

impl Builder {
    pub(crate) fn new(name: &str, kind: Kind, cap: usize) -> Builder {
        match kind {
            Kind::Text | Kind::Period => Builder::Text(StringChunkedBuilder::new(name.into(), cap)),
            Kind::Label => Builder::Label(LabelBuilder::new(name, cap)),
            Kind::DateTime => Builder::Date(DateBuilder {
                vals: Vec::with_capacity(cap),
                amb: Vec::new(),
                ev: OrderEvidence::default(),
                sample: None,
            }),
            Kind::Money | Kind::Number => Builder::Num {
                vals: Vec::with_capacity(cap),
                fraction: false,
                any_percent: false,
                max: 0.0,
            },
            Kind::Fraction => Builder::Num {
                vals: Vec::with_capacity(cap),
                fraction: true,
                any_percent: false,
                max: 0.0,
            },
            Kind::Bool => Builder::Bool(Vec::with_capacity(cap)),
        }
    }

    /// Append one value. `raw` is the cell text, kept as a sample for error messages.
    pub(crate) fn push(&mut self, v: &Val<'_>, percent: bool, raw: &str) {
        match (self, v) {
            (Builder::Text(b), Val::Text(s)) => b.append_value(*s),
            (Builder::Text(b), _) => b.append_null(),
            (Builder::Label(b), Val::Text(s)) => b.append_value(s),
            (Builder::Label(b), _) => b.append_null(),
            (Builder::Date(d), Val::Date(DateCell::At(ms))) => d.vals.push(*ms),
            (Builder::Date(d), Val::Date(cell @ DateCell::Ambiguous { .. })) => {
                d.amb.push((d.vals.len(), *cell));
                d.vals.push(PENDING_DT);
                if d.sample.is_none() {
                    d.sample = Some(raw.to_string());
                }
            }
            (Builder::Date(d), _) => d.vals.push(NULL_DT),
            (
                Builder::Num {
                    vals,
                    any_percent,
                    max,
                    ..
                },
                Val::Num(x),
            ) => {
                vals.push(Some(*x));
                *any_percent |= percent;
                *max = max.max(*x);
            }
            (Builder::Num { vals, .. }, _) => vals.push(None),
            (Builder::Bool(b), Val::Bool(x)) => b.push(Some(*x)),
            (Builder::Bool(b), _) => b.push(None),
        }
    }

    /// Make the parts of one column (read in parallel) agree on what the whole column decides:
    /// slash-date evidence and the sample an error quotes; percent scaling of fractions.
    pub(crate) fn unify<'a>(parts: impl Iterator<Item = &'a mut Builder>) {
        let mut parts: Vec<&mut Builder> = parts.collect();
        if parts.len() < 2 {
            return;
        }
        let (mut ev, mut sample, mut pct, mut mx) = (
            OrderEvidence::default(),
            None::<String>,
            false,
            f64::NEG_INFINITY,
        );
        for b in parts.iter() {
            match &**b {
                Builder::Date(d) => {
                    ev.day_first |= d.ev.day_first;
                    ev.month_first |= d.ev.month_first;
                    if sample.is_none() {
                        sample.clone_from(&d.sample);
                    }
                }
                Builder::Num {
                    any_percent, max, ..
                } => {
                    pct |= *any_percent;
                    mx = mx.max(*max);
                }
                _ => {}
            }
        }
        for b in parts.iter_mut() {
            match &mut **b {
                Builder::Date(d) => {
                    d.ev = ev;
                    d.sample.clone_from(&sample);
                }
                Builder::Num {
                    any_percent, max, ..
                } => {
                    *any_percent = pct;
                    *max = mx;
                }
                _ => {}
            }
        }
    }

    /// Evidence about slash-date order seen so far (dates only).
    pub(crate) fn evidence(&mut self) -> Option<&mut OrderEvidence> {
        match self {
            Builder::Date(d) => Some(&mut d.ev),
            _ => None,
        }
    }

    /// The slash-date evidence this column has gathered (dates only).
    pub(crate) fn seen(&self) -> Option<OrderEvidence> {
        match self {
            Builder::Date(d) => Some(d.ev),
            _ => None,
        }
    }

    /// Finish into a polars column. Dates: ambiguous cells are resolved with the column's own
    /// evidence, else the file's (another date column of the same export settles the order:
    /// one export has one locale), else the config's `day_first`, else an error; returns the
    /// order used when it mattered.
    pub(crate) fn finish(
        self,
        name: &str,
        order: DateOrder,
        file: &str,
        header: &str,
    ) -> Result<(Column, Option<Text>)> {
        let mut note = None;
        let col = match self {
            Builder::Text(b) => b.finish().into_series().into_column(),
            Builder::Label(b) => b.finish()?,
            Builder::Bool(v) => BooleanChunked::from_iter_options(name.into(), v.into_iter())
                .into_series()
                .into_column(),
            Builder::Num {
                vals,
                fraction,
                any_percent,
                max,
            } => {
                let scale = fraction && (any_percent || max > 1.0);
                if scale {
                    note = Some(crate::tr!(
                        "{header}: read as percent (values divided by 100)",
                        "{header}：按百分比读取（值除以 100）"
                    ));
                }
                let it = vals
                    .into_iter()
                    .map(|v| v.map(|x| if scale { x / 100.0 } else { x }));
                Float64Chunked::from_iter_options(name.into(), it)
                    .into_series()
                    .into_column()
            }
            Builder::Date(mut d) => {
                if !d.amb.is_empty() || d.ev.day_first || d.ev.month_first {
                    let order = match (d.ev.day_first, d.ev.month_first) {
                        (true, true) => {
                            return Err(Error::input(crate::tr!(
                                "{file}: column {header:?} mixes day-first and month-first dates (some first parts and some second parts are over 12)",
                                "{file}：列 {header:?} 中日在前和月在前的日期混在一起（有的第一部分大于 12，有的第二部分大于 12）"
                            )));
                        }
                        (true, false) => {
                            Some((true, "a day over 12 comes first", "有大于 12 的日在前"))
                        }
                        (false, true) => {
                            Some((false, "a day over 12 comes second", "有大于 12 的日在后"))
                        }
                        (false, false) => order
                            .file
                            .map(|df| {
                                (
                                    df,
                                    "another date column of this file has a day over 12",
                                    "此文件的另一个日期列中有大于 12 的日",
                                )
                            })
                            .or_else(|| {
                                order
                                    .config
                                    .map(|df| (df, "the config's day_first", "配置中的 day_first"))
                            }),
                    };
                    match order {
                        Some((df, why, why_zh)) => {
                            for (i, cell) in d.amb.drain(..) {
                                d.vals[i] = date::resolve(cell, df).unwrap_or(NULL_DT);
                            }
                            let (read, read_zh) = if df {
                                ("day/month/year", "日/月/年")
                            } else {
                                ("month/day/year", "月/日/年")
                            };
                            note = Some(crate::tr!(
                                "{header}: dates read {read} ({why})",
                                "{header}：日期按{read_zh}读取（{why_zh}）"
                            ));
                        }
                        None => {
                            return Err(Error::AmbiguousDates {
                                file: file.into(),
                                column: header.into(),
                                sample: d.sample.unwrap_or_default(),
                            });
                        }
                    }
                }
                let it = d
                    .vals
                    .into_iter()
                    .map(|v| (v != NULL_DT && v != PENDING_DT).then_some(v));
                Int64Chunked::from_iter_options(name.into(), it)
                    .into_datetime(TimeUnit::Milliseconds, None)
                    .into_series()
                    .into_column()
            }
        };
        Ok((col, note))
    }
}

/// A text column of few distinct values (owner, stage, status, currency...): one code a row
/// and the distinct texts, finished into a Categorical column. Four bytes a row instead of a
/// 16-byte text view (ingest holds a whole table), and an ingested DIR stores the column
/// dictionary-coded, so a command reading it gets the codes without hashing a text per row.
pub(crate) struct LabelBuilder {
    name: PlSmallStr,
    codes: Vec<u32>,
    values: Vec<Box<str>>,
    /// Texts of at most 12 bytes packed into one integer: a short list, then a map.
    few: Vec<(u128, u32)>,
    short: foldhash::HashMap<u128, u32>,
    long: foldhash::HashMap<Box<str>, u32>,
    nulls: usize,
}

const NULL_CODE: u32 = u32::MAX;

impl LabelBuilder {
    pub(crate) fn new(name: &str, cap: usize) -> LabelBuilder {
        LabelBuilder {
            name: name.into(),
            codes: Vec::with_capacity(cap),
            values: Vec::new(),
            few: Vec::new(),
            short: Default::default(),
            long: Default::default(),
            nulls: 0,
        }
    }

    fn fresh(&mut self, s: &str) -> u32 {
        self.values.push(s.into());
        (self.values.len() - 1) as u32
    }

    pub(crate) fn append_value(&mut self, s: &str) {
        let c = match crate::columns::engine::packed(s) {
            Some(k) if self.short.is_empty() => match self.few.iter().find(|(kk, _)| *kk == k) {
                Some(&(_, c)) => c,
                None => {
                    let c = self.fresh(s);
                    if self.few.len() < 16 {
                        self.few.push((k, c));
                    } else {
                        self.short.extend(self.few.drain(..));
                        self.short.insert(k, c);
                    }
                    c
                }
            },
            Some(k) => match self.short.get(&k) {
                Some(&c) => c,
                None => {
                    let c = self.fresh(s);
                    self.short.insert(k, c);
                    c
                }
            },
            None => match self.long.get(s) {
                Some(&c) => c,
                None => {
                    let c = self.fresh(s);
                    self.long.insert(s.into(), c);
                    c
                }
            },
        };
        self.codes.push(c);
    }

    pub(crate) fn append_null(&mut self) {
        self.codes.push(NULL_CODE);
        self.nulls += 1;
    }

    /// The Categorical column (polars' global categories, so the parts of a file and the
    /// files of one load append and concatenate).
    pub(crate) fn finish(self) -> Result<Column> {
        let dtype = DataType::from_categories(Categories::global());
        let mapping = dtype.cat_mapping()?.clone();
        if dtype.cat_physical()? != CategoricalPhysical::U32 {
            // Not expected (the global categories are 32-bit): build it from the texts.
            let texts = self
                .codes
                .iter()
                .map(|&c| (c != NULL_CODE).then(|| &*self.values[c as usize]));
            return Ok(StringChunked::from_iter_options(self.name.clone(), texts)
                .into_series()
                .cast(&dtype)?
                .into_column());
        }
        let ids: Vec<u32> = self
            .values
            .iter()
            .map(|v| mapping.insert_cat(v))
            .collect::<PolarsResult<_>>()?;
        let mut codes = self.codes;
        let phys = if self.nulls == 0 {
            for c in &mut codes {
                *c = ids[*c as usize];
            }
            UInt32Chunked::from_vec(self.name, codes)
        } else {
            let it = codes
                .iter()
                .map(|&c| (c != NULL_CODE).then(|| ids[c as usize]));
            UInt32Chunked::from_iter_options(self.name, it)
        };
        // SAFETY: every id came from `insert_cat` of this mapping; the dtype is 32-bit.
        let cat = unsafe { Categorical32Chunked::from_cats_and_dtype_unchecked(phys, dtype) };
        Ok(cat.into_series().into_column())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_finish_as_categorical_with_the_texts_written() {
        // Nulls, the empty text, a label longer than 12 bytes, and more than 16 distinct short
        // labels (the short list gives way to the map).
        let mut want: Vec<Option<String>> = vec![
            Some("Closed Won".into()),
            None,
            Some(String::new()),
            Some("Qualification".into()),
            Some("Closed Won".into()),
        ];
        want.extend((0..40).map(|i| Some(format!("Rep {:02}", i % 20))));
        want.push(Some("Qualification".into()));
        let mut b = LabelBuilder::new("stage", 0);
        for v in &want {
            match v {
                Some(s) => b.append_value(s),
                None => b.append_null(),
            }
        }
        let col = b.finish().unwrap();
        assert!(matches!(col.dtype(), DataType::Categorical(..)));
        let text = col.cast(&DataType::String).unwrap();
        let got: Vec<Option<String>> = text
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect();
        assert_eq!(got, want);
        assert_eq!(col.null_count(), 1);
    }
}
