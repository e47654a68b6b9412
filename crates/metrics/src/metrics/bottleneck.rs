//! Where a funnel leaks (docs/metrics.md "Stage timing and bottlenecks"): each stage's step
//! conversion against a baseline, and its median time in stage against the pipeline's median
//! stage, ranked worst first per pipeline, group and rule. The worst is the bottleneck when it
//! is worse than its baseline.

use crate::metrics::funnel::Funnel;
use crate::metrics::timing::StageTime;

/// One stage of one pipeline / group: the figures the verdict and the stages table read.
#[derive(Debug, Clone)]
pub struct StageRow {
    pub pipeline: String,
    pub group: Option<String>,
    pub stage: String,
    /// The stage's place in its pipeline's order.
    pub k: usize,
    /// Step conversion into the next stage.
    pub step: Option<f64>,
    /// Open deals in the stage now.
    pub now: u64,
    pub time: StageTime,
    /// The stage's SLA in days, and the open deals over it.
    pub sla: Option<f64>,
    pub breaches: u64,
}

/// What a stage's step conversion is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    /// The same stage of the whole team (with `--by`).
    Team,
    /// The same stage in the previous period (with `--period`).
    PreviousPeriod,
    /// The mean step of the stage's own pipeline / group.
    MeanStep,
}

/// The rule names, as the verdict table prints them.
pub const VS_TEAM: &str = "conversion vs team";
pub const VS_PREVIOUS: &str = "conversion vs previous period";
pub const VS_MEAN_STEP: &str = "conversion vs pipeline mean step";
pub const TIME_VS_MEDIAN: &str = "time in stage vs median stage";

impl Baseline {
    pub(crate) fn rule(self) -> &'static str {
        match self {
            Baseline::Team => VS_TEAM,
            Baseline::PreviousPeriod => VS_PREVIOUS,
            Baseline::MeanStep => VS_MEAN_STEP,
        }
    }
}

/// One stage judged by one rule. `rank` counts from 1 within its pipeline, group and rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub pipeline: String,
    pub group: Option<String>,
    pub stage: String,
    pub rule: &'static str,
    pub value: f64,
    pub baseline: f64,
    pub difference: f64,
    pub rank: u32,
    pub bottleneck: bool,
}

impl Verdict {
    /// A conversion rule (a rate; lower is worse) rather than a time rule (days; higher is worse).
    pub fn is_conversion(&self) -> bool {
        self.rule != TIME_VS_MEDIAN
    }
}

/// The funnel of pipeline `p` among `fs`.
fn find<'a>(fs: &'a [Funnel], p: &str) -> Option<&'a Funnel> {
    fs.iter().find(|f| f.pipeline == p)
}

/// Judge every stage of `rows` (grouped by consecutive pipeline / group) by conversion against
/// `baseline` (`team` and `prev` are the funnels it reads for [`Baseline::Team`] and
/// [`Baseline::PreviousPeriod`]) and by median time against the median of the stage medians.
pub fn verdicts(
    rows: &[StageRow],
    baseline: Baseline,
    team: &[Funnel],
    prev: &[Funnel],
) -> Vec<Verdict> {
    let mut out: Vec<Verdict> = Vec::new();
    let mut keys: Vec<(String, Option<String>)> = rows
        .iter()
        .map(|r| (r.pipeline.clone(), r.group.clone()))
        .collect();
    keys.dedup();
    let verdict = |r: &StageRow, rule, value: f64, base: f64| Verdict {
        pipeline: r.pipeline.clone(),
        group: r.group.clone(),
        stage: r.stage.clone(),
        rule,
        value,
        baseline: base,
        difference: value - base,
        rank: 0,
        bottleneck: false,
    };
    for (p, g) in &keys {
        let rs: Vec<&StageRow> = rows
            .iter()
            .filter(|r| &r.pipeline == p && &r.group == g)
            .collect();
        let steps: Vec<f64> = rs.iter().filter_map(|r| r.step).collect();
        let mean_step = if steps.is_empty() {
            None
        } else {
            Some(steps.iter().sum::<f64>() / steps.len() as f64)
        };
        for r in &rs {
            let Some(step) = r.step else { continue };
            let base = match baseline {
                Baseline::Team => find(team, p).and_then(|f| f.step(r.k)),
                Baseline::PreviousPeriod => find(prev, p).and_then(|f| f.step(r.k)),
                Baseline::MeanStep => mean_step,
            };
            if let Some(b) = base {
                out.push(verdict(r, baseline.rule(), step, b));
            }
        }
        let meds: Vec<f64> = rs.iter().filter_map(|r| r.time.median).collect();
        if let Some(m) = crate::metrics::stats::quantile(&meds, 0.5) {
            for r in &rs {
                if let Some(med) = r.time.median {
                    out.push(verdict(r, TIME_VS_MEDIAN, med, m));
                }
            }
        }
    }
    // Within each pipeline / group and rule, worst first (conversion: most below baseline;
    // time: most above).
    out.sort_by(|a, b| {
        (&a.pipeline, &a.group, a.rule)
            .cmp(&(&b.pipeline, &b.group, b.rule))
            .then_with(|| {
                if a.is_conversion() {
                    a.difference.total_cmp(&b.difference)
                } else {
                    b.difference.total_cmp(&a.difference)
                }
            })
    });
    let mut rank = 0;
    for i in 0..out.len() {
        let same = i > 0
            && (&out[i - 1].pipeline, &out[i - 1].group, out[i - 1].rule)
                == (&out[i].pipeline, &out[i].group, out[i].rule);
        rank = if same { rank + 1 } else { 1 };
        let v = &mut out[i];
        v.rank = rank;
        let worse = if v.is_conversion() {
            v.difference < 0.0
        } else {
            v.difference > 0.0
        };
        v.bottleneck = rank == 1 && worse;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(stage: &str, k: usize, step: Option<f64>, median: Option<f64>) -> StageRow {
        StageRow {
            pipeline: "p".into(),
            group: None,
            stage: stage.into(),
            k,
            step,
            now: 0,
            time: StageTime {
                median,
                ..StageTime::default()
            },
            sla: None,
            breaches: 0,
        }
    }

    /// Worked by hand. Steps 0.8, 0.5, 0.6: mean 0.6333; differences +0.1667, -0.1333,
    /// -0.0333, so "B" ranks first and is the bottleneck. Medians 2, 10, 4 days: the median
    /// stage is 4; differences -2, +6, 0, so "B" is first by time too and a bottleneck.
    #[test]
    fn mean_step_and_time_rules_rank_worst_first() {
        let rows = [
            row("A", 0, Some(0.8), Some(2.0)),
            row("B", 1, Some(0.5), Some(10.0)),
            row("C", 2, Some(0.6), Some(4.0)),
        ];
        let v = verdicts(&rows, Baseline::MeanStep, &[], &[]);
        let got: Vec<(&str, &str, u32, bool, f64)> = v
            .iter()
            .map(|x| {
                (
                    x.rule,
                    x.stage.as_str(),
                    x.rank,
                    x.bottleneck,
                    (x.difference * 1e4).round() / 1e4,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (VS_MEAN_STEP, "B", 1, true, -0.1333),
                (VS_MEAN_STEP, "C", 2, false, -0.0333),
                (VS_MEAN_STEP, "A", 3, false, 0.1667),
                (TIME_VS_MEDIAN, "B", 1, true, 6.0),
                (TIME_VS_MEDIAN, "C", 2, false, 0.0),
                (TIME_VS_MEDIAN, "A", 3, false, -2.0),
            ]
        );
    }

    /// The worst stage is no bottleneck when it is no worse than its baseline: every step
    /// equal to the mean, every median equal to the median stage.
    #[test]
    fn no_bottleneck_when_nothing_is_worse_than_its_baseline() {
        let rows = [
            row("A", 0, Some(0.5), Some(3.0)),
            row("B", 1, Some(0.5), Some(3.0)),
        ];
        let v = verdicts(&rows, Baseline::MeanStep, &[], &[]);
        assert_eq!(v.len(), 4);
        assert!(v.iter().all(|x| !x.bottleneck));
    }

    /// Without a previous period's funnel there is no conversion baseline: only time rules.
    #[test]
    fn a_missing_baseline_funnel_leaves_only_the_time_rule() {
        let rows = [row("A", 0, Some(0.5), Some(3.0))];
        let v = verdicts(&rows, Baseline::PreviousPeriod, &[], &[]);
        assert!(v.iter().all(|x| x.rule == TIME_VS_MEDIAN));
    }
}
