//! The scorecard's side files, read through `load::side` and counted by `metrics::engagement`:
//! activities and feedback (targets are read by `analysis::load_targets`).

use std::collections::HashMap;

use super::{Args, TEAM};
use crate::columns::deals::DealSet;
use crate::columns::engine;
use crate::error::{Error, Result};
use crate::load::{self, side};
use crate::metrics::engagement::{self, ActivityCounts, Feedback};
use crate::model::Table;
use crate::period::Period;

pub(super) fn load_activities(
    f: &std::path::Path,
    a: &Args,
    period: Option<&Period>,
) -> Result<HashMap<String, ActivityCounts>> {
    let df = side::read(
        f,
        &a.load,
        Table::Activities,
        &["owner", "at", "kind"],
        &["owner", "at"],
    )?;
    Ok(engagement::count_activities(
        &engine::coded(&df, "owner")?,
        &engine::coded(&df, "kind")?,
        &engine::millis(&df, "at")?,
        period.map(Period::millis),
    ))
}

/// Feedback scores per group key: (score, scale).
pub(super) fn load_feedback(
    f: &std::path::Path,
    a: &Args,
    ds: &load::Dataset,
    set: &DealSet,
    (group, names): (&[u32], &[String]),
    account: &engine::Coded,
) -> Result<HashMap<String, Vec<(f64, String)>>> {
    let df = side::read(
        f,
        &a.load,
        Table::Feedback,
        &["deal_id", "customer_id", "at", "score", "scale"],
        &["score"],
    )?;
    let range = a
        .period
        .resolve(ds.as_of, ds.calendar())
        .map_err(Error::usage)
        .and_then(|p| crate::analysis::period_in_data(p, ds))?
        .map(|p| p.millis());
    let (deal, customer, scale) = (
        engine::coded(&df, "deal_id")?,
        engine::coded(&df, "customer_id")?,
        engine::coded(&df, "scale")?,
    );
    let (score, at) = (engine::floats(&df, "score")?, engine::millis(&df, "at")?);
    let fb = Feedback {
        deal: &deal,
        customer: &customer,
        score: &score,
        scale: &scale,
        at: &at,
    };
    Ok(engagement::feedback_by_group(
        &fb, set, account, group, names, range, TEAM,
    ))
}
