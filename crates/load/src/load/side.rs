//! Side files: targets, activities, feedback and spend, each read through the loader as its
//! canonical table with the command's config and as-of, and nothing else of the main input's
//! mapping.

use std::path::Path;

use polars::prelude::DataFrame;

use crate::columns::engine;
use crate::error::Result;
use crate::load::{self, LoaderArgs};
use crate::model::Table;

/// Loader flags for a side file read as `table`: the command's config and as-of, nothing else
/// of the main input's mapping.
pub(crate) fn loader(main: &LoaderArgs, table: Table) -> LoaderArgs {
    LoaderArgs {
        as_table: vec![table.name().into()],
        config: main.config.clone(),
        as_of: main.as_of.clone(),
        quiet: main.quiet,
        ..Default::default()
    }
}

/// The side file `f` as `table`'s columns `cols` (those it has); refused, naming the file,
/// when it lacks one of `need`.
pub fn read(
    f: &Path,
    main: &LoaderArgs,
    table: Table,
    cols: &[&str],
    need: &[&str],
) -> Result<DataFrame> {
    let t = load::load(&[f.to_path_buf()], &loader(main, table))?;
    let df = t.frame(table, cols)?.unwrap_or_default();
    engine::need(&df, &f.display().to_string(), need)?;
    Ok(df)
}
