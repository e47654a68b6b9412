//! Integration tests: the real binary on the files in testdata/.

mod bottleneck;
mod charts;
mod exit_codes;
mod funnel;
mod ingest;
mod output;
mod props;
mod scorecard;
mod workdir;
