//! A loaded dataset: its tables (frames, or a DIR's parquet files read on demand), columns
//! by name, the rows of chosen deals, the stage lists and calendar.

use super::*;

/// Label columns (Categorical) cast to text.
pub(super) fn as_text(mut lf: LazyFrame) -> Result<LazyFrame> {
    let schema = lf.collect_schema()?;
    let casts: Vec<Expr> = schema
        .iter()
        .filter(|(_, dt)| matches!(dt, DataType::Categorical(..) | DataType::Enum(..)))
        .map(|(n, _)| col(n.clone()).cast(DataType::String))
        .collect();
    Ok(if casts.is_empty() {
        lf
    } else {
        lf.with_columns(casts)
    })
}

impl Source {
    /// The rows in memory, if they are.
    pub(super) fn rows(&self) -> Option<&DataFrame> {
        match self {
            Source::Frame(df) | Source::Events(df) => Some(df),
            Source::Parquet(_) => None,
        }
    }
}

impl Dataset {
    pub fn has(&self, t: Table) -> bool {
        self.tables.contains_key(&t)
    }

    /// The tables present.
    pub fn tables(&self) -> Vec<Table> {
        self.tables.keys().copied().collect()
    }

    /// A lazy scan of a table; projections push down to the parquet reader of a DIR. Label
    /// columns (dictionary-coded: owner, stage, status...) come as plain text.
    pub fn scan(&self, t: Table) -> Result<LazyFrame> {
        as_text(self.scan_coded(t)?)
    }

    /// [`Dataset::scan`] with label columns left Categorical.
    pub(super) fn scan_coded(&self, t: Table) -> Result<LazyFrame> {
        match self.tables.get(&t) {
            Some(Source::Frame(df)) => Ok(df.clone().lazy()),
            Some(Source::Events(df)) => Ok(events::with_exits(df.clone())?.lazy()),
            Some(Source::Parquet(p)) => pq::scan(p),
            None => {
                let held = self
                    .tables
                    .keys()
                    .map(|t| t.name())
                    .collect::<Vec<_>>()
                    .join(", ");
                Err(Error::input(crate::tr!(
                    "the input holds no {t} table (it holds: {held})",
                    "输入中没有 {t} 表（现有的表：{held}）"
                )))
            }
        }
    }

    /// Put a table in (commands that build canonical rows, such as `history`).
    pub fn set_table(&mut self, t: Table, df: DataFrame) {
        self.manifest
            .tables
            .insert(t.name().to_string(), df.height());
        self.tables.insert(t, Source::Frame(df));
    }

    /// Collect the columns of `t` among `cols` that exist (None when the input lacks the table).
    /// Only these columns are read from a DIR's parquet.
    pub fn frame(&self, t: Table, cols: &[&str]) -> Result<Option<DataFrame>> {
        match self.frame_coded(t, cols)? {
            Some(df) => Ok(Some(as_text(df.lazy())?.collect()?)),
            None => Ok(None),
        }
    }

    /// [`Dataset::frame`] with label columns left Categorical, for code that reads them through
    /// `engine::coded` (the codes are then taken as they are, without hashing a text per row).
    pub fn frame_coded(&self, t: Table, cols: &[&str]) -> Result<Option<DataFrame>> {
        if !self.has(t) {
            return Ok(None);
        }
        if let Some(Source::Events(df)) = self.tables.get(&t) {
            if !cols.contains(&"exited_at") {
                let names: Vec<&str> = cols
                    .iter()
                    .copied()
                    .filter(|c| df.column(c).is_ok())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                return Ok(Some(df.select(names)?));
            }
        }
        if let Some(Source::Parquet(p)) = self.tables.get(&t) {
            let f = pq::PqFile::open(p)?;
            return Ok(Some(f.read(cols, 0..f.group_rows().len())?));
        }
        let mut lf = self.scan_coded(t)?;
        let schema = lf.collect_schema()?;
        let mut seen = std::collections::HashSet::new();
        let present: Vec<Expr> = cols
            .iter()
            .filter(|c| schema.get(c).is_some() && seen.insert(**c))
            .map(|c| col(*c))
            .collect();
        Ok(Some(lf.select(present).collect()?))
    }

    /// Table `t` as an open DIR parquet file (None when it is not one: a raw export, or a
    /// DIR filtered by `--pipeline`, is held as a frame).
    pub fn parquet_file(&self, t: Table) -> Result<Option<pq::PqFile>> {
        match self.tables.get(&t) {
            Some(Source::Parquet(p)) => Ok(Some(pq::PqFile::open(p)?)),
            _ => Ok(None),
        }
    }

    /// Column `col` of table `t` at the rows where `keep` is true, in row order (None when
    /// the table or the column is missing). From a DIR only those rows are decoded.
    pub fn rows_of(&self, t: Table, col: &str, keep: &[bool]) -> Result<Option<Series>> {
        if let Some(Source::Parquet(p)) = self.tables.get(&t) {
            return pq::PqFile::open(p)?.read_rows(col, keep);
        }
        let Some(df) = self.frame_coded(t, &[col])? else {
            return Ok(None);
        };
        let Ok(c) = df.column(col) else {
            return Ok(None);
        };
        let mask = BooleanChunked::from_slice("keep".into(), keep);
        Ok(Some(c.as_materialized_series().filter(&mask)?))
    }

    /// [`Dataset::frame_coded`], and the table is then out of the dataset (its memory freed
    /// once the caller drops the frame).
    pub(crate) fn take_coded(&mut self, t: Table, cols: &[&str]) -> Result<Option<DataFrame>> {
        let f = self.frame_coded(t, cols)?;
        self.tables.remove(&t);
        Ok(f)
    }

    /// The rows of `t` (columns `cols` that exist) for indexing, taken out of the dataset: a
    /// DIR's parquet of several row groups comes in batches of row groups, read on a thread of
    /// their own while the previous batch is used (a history of millions of rows is never held
    /// whole); anything else as one frame.
    pub fn take_event_rows(
        &mut self,
        t: Table,
        cols: &[&str],
    ) -> Result<Option<crate::columns::engine::EventRows>> {
        if let Some(Source::Parquet(p)) = self.tables.get(&t) {
            if let Some((rows, batches)) = dir::parquet_batches(p, cols)? {
                self.tables.remove(&t);
                return Ok(Some(crate::columns::engine::EventRows::Batches {
                    rows,
                    batches,
                }));
            }
        }
        Ok(self.take_coded(t, cols)?.map(Into::into))
    }

    /// [`Dataset::take_event_rows`] that leaves the table in the dataset (a report's sections
    /// share one): a DIR's parquet still comes in batches of row groups.
    pub fn event_rows(
        &self,
        t: Table,
        cols: &[&str],
    ) -> Result<Option<crate::columns::engine::EventRows>> {
        if let Some(Source::Parquet(p)) = self.tables.get(&t) {
            if let Some((rows, batches)) = dir::parquet_batches(p, cols)? {
                return Ok(Some(crate::columns::engine::EventRows::Batches {
                    rows,
                    batches,
                }));
            }
        }
        Ok(self.frame_coded(t, cols)?.map(Into::into))
    }

    /// Column names of a table (with those of a raw export the command left unread).
    pub fn columns_of(&self, t: Table) -> Result<Vec<String>> {
        let mut lf = self.scan(t)?;
        let mut names: Vec<String> = lf
            .collect_schema()?
            .iter_names()
            .map(|n| n.to_string())
            .collect();
        for u in self.unread.get(&t).into_iter().flatten() {
            if !names.contains(u) {
                names.push(u.clone());
            }
        }
        Ok(names)
    }

    /// Stage lists per pipeline: `--stages` and the config over what the export or preset gave.
    pub fn pipelines(&self) -> crate::columns::engine::Pipelines {
        let mut lists = self.manifest.pipelines.clone();
        if !self.settings.stage_lists.is_empty() {
            if self.settings.stage_lists.contains_key("default")
                && self.settings.stage_lists.len() == 1
                && lists.len() > 1
            {
                // One list from --stages / config applies to every pipeline.
                for v in lists.values_mut() {
                    v.clone_from(&self.settings.stage_lists["default"]);
                }
            }
            for (k, v) in &self.settings.stage_lists {
                lists.insert(k.clone(), v.clone());
            }
        }
        crate::columns::engine::Pipelines {
            lists,
            outcomes: self.settings.outcomes.clone(),
        }
    }

    /// The calendar of the config (fiscal year start, week start).
    pub fn calendar(&self) -> crate::period::Calendar {
        self.settings.config.calendar()
    }

    /// The input files, comma-separated (for messages).
    pub fn source_paths(&self) -> String {
        self.manifest
            .sources
            .iter()
            .map(|s| s.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
