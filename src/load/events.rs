//! Stage events: Salesforce history collapsing and exit times.

use polars::prelude::*;

use crate::error::Result;

/// Order events per deal by time; consecutive rows with the same stage collapse into the first;
/// then exit times are added.
pub fn collapse_history(df: DataFrame) -> Result<DataFrame> {
    let prev = col("stage").shift(lit(1)).over([col("deal_id")])?;
    let out = df
        .lazy()
        .sort(["deal_id", "entered_at"], SortMultipleOptions::default().with_maintain_order(true))
        .filter(col("stage").neq(prev.clone()).or(prev.is_null()))
        .collect()?;
    with_exits(out)
}

/// exited_at = the next event's entered_at within the deal (null while still in the stage).
pub fn with_exits(df: DataFrame) -> Result<DataFrame> {
    let has_exit = df.get_column_names().iter().any(|c| c.as_str() == "exited_at");
    let lf = df.lazy().sort(["deal_id", "entered_at"], SortMultipleOptions::default().with_maintain_order(true));
    let next = col("entered_at").shift(lit(-1)).over([col("deal_id")])?;
    let lf = if has_exit {
        lf.with_column(col("exited_at").fill_null(next).alias("exited_at"))
    } else {
        lf.with_column(next.alias("exited_at"))
    };
    Ok(lf.collect()?)
}
