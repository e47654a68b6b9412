//! Integration tests: the real binary on the files in testdata/.

mod charts;
mod exit_codes;
mod ingest;
mod output;
mod props;
mod workdir;
