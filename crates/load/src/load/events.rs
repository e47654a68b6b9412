//! Stage events: Salesforce history collapsing and exit times. Works on integer-coded deal ids
//! and one sort of row indexes (sorting and windowing over string ids is several times slower).

use rayon::prelude::*;

use polars::prelude::*;

use crate::error::Result;

/// Row order by (deal id, entered_at, file order), and each row's deal rank (ids in text
/// order, so an ingested DIR's deal ids ascend and are coded later without a hash table).
fn order(df: &DataFrame) -> Result<(Vec<IdxSize>, Vec<u32>)> {
    let t_code = crate::timing::span("events: code ids");
    let (id_codes, id_values) = crate::columns::engine::coded_ids(df, "deal_id")?;
    let texts: Vec<&str> = id_values.iter().map(|v| v.unwrap_or("")).collect();
    let at = df
        .column("entered_at")?
        .as_materialized_series()
        .cast(&DataType::Int64)?;
    let at = at.i64()?;
    let mut by_text: Vec<u32> = (0..texts.len() as u32).collect();
    by_text.par_sort_unstable_by(|&a, &b| texts[a as usize].cmp(texts[b as usize]));
    let mut rank = vec![0u32; by_text.len()];
    for (r, &c) in by_text.iter().enumerate() {
        rank[c as usize] = r as u32;
    }
    drop(t_code);
    let _t = crate::timing::span("events: sort");
    let mut keys: Vec<(u32, i64, IdxSize)> = at
        .iter()
        .zip(&id_codes)
        .enumerate()
        .map(|(i, (t, &c))| {
            let r = if c == u32::MAX {
                u32::MAX
            } else {
                rank[c as usize]
            };
            (r, t.unwrap_or(i64::MAX), i as IdxSize)
        })
        .collect();
    keys.par_sort_unstable();
    let idx: Vec<IdxSize> = keys.iter().map(|k| k.2).collect();
    let sorted_codes = keys.iter().map(|k| k.0).collect();
    Ok((idx, sorted_codes))
}

/// Order events per deal by time; consecutive rows with the same stage collapse into the first;
/// then exit times are added.
pub(crate) fn collapse_history(mut df: DataFrame) -> Result<DataFrame> {
    // One buffer per column: the row lookups and the gather below are faster from it.
    df.rechunk_mut_par();
    let (idx, codes) = order(&df)?;
    let stage = df
        .column("stage")?
        .as_materialized_series()
        .cast(&DataType::String)?;
    let stage = stage.str()?;
    let mut keep: Vec<IdxSize> = Vec::with_capacity(idx.len());
    let mut keep_codes: Vec<u32> = Vec::with_capacity(idx.len());
    let mut prev: Option<(u32, Option<&str>)> = None;
    for (j, &i) in idx.iter().enumerate() {
        let s = stage.get(i as usize);
        let c = codes[j];
        if prev != Some((c, s)) {
            keep.push(i);
            keep_codes.push(c);
        }
        prev = Some((c, s));
    }
    let df = df.take(&IdxCa::from_vec("idx".into(), keep))?;
    exits_in_order(df, &keep_codes)
}

/// exited_at = the next event's entered_at within the deal (null while still in the stage); an
/// exported exited_at is kept where present.
pub(crate) fn with_exits(df: DataFrame) -> Result<DataFrame> {
    let (idx, codes) = order(&df)?;
    let t = crate::timing::span("events: take");
    let df = gather(&df, idx)?;
    drop(t);
    let _t = crate::timing::span("events: exits");
    exits_in_order(df, &codes)
}

/// Rows `idx` of every column. A gather from one buffer is several times faster than from the
/// loader's parts, so each column is made one buffer first, a column at a time per thread
/// (not the whole table at once: that would hold a third copy of it).
fn gather(df: &DataFrame, idx: Vec<IdxSize>) -> Result<DataFrame> {
    let idx = IdxCa::from_vec("idx".into(), idx);
    let cols = df
        .columns()
        .par_iter()
        .map(|c| {
            let s = c.as_materialized_series().rechunk();
            s.take(&idx).map(Series::into_column)
        })
        .collect::<PolarsResult<Vec<Column>>>()?;
    Ok(DataFrame::new_infer_height(cols)?)
}

/// Rows already sorted by (deal, time); `codes` gives each row's deal.
fn exits_in_order(mut df: DataFrame, codes: &[u32]) -> Result<DataFrame> {
    let at = df
        .column("entered_at")?
        .as_materialized_series()
        .cast(&DataType::Int64)?;
    let at: Vec<Option<i64>> = at.i64()?.iter().collect();
    let given: Option<Vec<Option<i64>>> = match df.column("exited_at") {
        Ok(c) => Some(
            c.as_materialized_series()
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?
                .cast(&DataType::Int64)?
                .i64()?
                .iter()
                .collect(),
        ),
        Err(_) => None,
    };
    let exits: Vec<Option<i64>> = (0..at.len())
        .map(|i| {
            let own = given.as_ref().and_then(|g| g[i]);
            own.or_else(|| {
                if i + 1 < at.len() && codes[i + 1] == codes[i] && codes[i] != u32::MAX {
                    at[i + 1]
                } else {
                    None
                }
            })
        })
        .collect();
    let dtype = df.column("entered_at")?.dtype().clone();
    let col = Column::new("exited_at".into(), exits)
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?
        .cast(&dtype)?;
    df.with_column(col)?;
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(ids: &[&str], stages: &[&str], at: &[i64]) -> DataFrame {
        DataFrame::new_infer_height(vec![
            Column::new("deal_id".into(), ids),
            Column::new("stage".into(), stages),
            Column::new("entered_at".into(), at)
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap(),
        ])
        .unwrap()
    }

    #[test]
    fn same_stage_saves_collapse_and_exits_follow() {
        // b: A(1) A(2) B(3) A(4): the repeat save at 2 collapses; the move back to A at 4 stays.
        let df = frame(
            &["b", "a", "b", "b", "b"],
            &["A", "X", "A", "B", "A"],
            &[2, 5, 1, 3, 4],
        );
        let out = collapse_history(df).unwrap();
        let ids: Vec<&str> = out
            .column("deal_id")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|x| x.unwrap())
            .collect();
        let st: Vec<&str> = out
            .column("stage")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|x| x.unwrap())
            .collect();
        // Deals in id order, each deal's events in time order.
        assert_eq!(ids, vec!["a", "b", "b", "b"]);
        assert_eq!(st, vec!["X", "A", "B", "A"]);
        let ex: Vec<Option<i64>> = out
            .column("exited_at")
            .unwrap()
            .as_materialized_series()
            .cast(&DataType::Int64)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(ex, vec![None, Some(3), Some(4), None]);
    }
}
