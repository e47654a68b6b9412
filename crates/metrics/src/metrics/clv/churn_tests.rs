//! Unit tests (annual churn) of `metrics/clv/mod.rs`.

use super::*;

/// Issue 27: every eligible customer churned over the default 365 days gave 1.0007.
/// By hand: share 1 -> 1 - 0^(365.25/365) = 1; share 1/2 over 182.625 days (half a year)
/// -> 1 - (1/2)^2 = 0.75; share 1/2 over 1y -> 0.5.
#[test]
fn annual_churn_never_passes_one() {
    // (orders, revenue, first day, last day) with as-of day 1000.
    let gone: Vec<CustomerTotals> = vec![(1, 10.0, 0, 10), (1, 10.0, 0, 20)];
    let s = simple(&gone, 1000, 1000.0, 365.0, 1.0);
    assert_eq!(s.annual_churn, Some(1.0));
    assert_eq!(s.lifespan_years, Some(1.0));
    let half: Vec<CustomerTotals> = vec![(1, 10.0, 0, 10), (2, 20.0, 0, 990)];
    let s = simple(&half, 1000, 1000.0, 182.625, 1.0);
    assert!((s.annual_churn.unwrap_or(0.0) - 0.75).abs() < 1e-12);
    let s = simple(&half, 1000, 1000.0, 365.25, 1.0);
    assert!((s.annual_churn.unwrap_or(0.0) - 0.5).abs() < 1e-12);
}
