//! Integration tests: the real binary on the files in testdata/.

mod badinputs;
mod bottleneck;
mod charts;
mod check;
mod cltv;
mod corpus;
mod diff;
mod docs;
mod examples;
mod exit_codes;
mod forecast;
mod funnel;
mod golden;
mod history;
mod ingest;
mod kpi;
mod layers;
mod output;
mod props;
mod pty;
mod readme;
mod report;
mod safety;
mod scorecard;
mod workdir;
mod zh;
