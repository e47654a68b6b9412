//! Mutation fuzzing of the whole loader: CSV bytes to canonical rows, through the real
//! `salesctl::load::load` (sniffer, decoder, scanner, csv reader, header mapping, cell parsers
//! and the polars column builders), which the cargo-fuzz crate cannot link (fuzz/README.md).
//!
//! `cargo run --release --example fuzz_loader -- SECONDS [SEED]`: mutates the delimited text
//! files of testdata/ (byte flips, stray quotes, NULs, cut and repeated lines, odd UTF-8 and
//! separators), loads each mutant in-process, and counts the outcomes. A panic is a finding: the
//! input is written to fuzz/findings/loader-N.csv and the run ends with exit 1.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// xorshift64*: the run is repeatable from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Seeds: the delimited text files under testdata/ (bad/ included), at most 256 KB each.
fn seeds(dir: &Path, out: &mut Vec<Vec<u8>>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            seeds(&p, out);
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| matches!(x, "csv" | "tsv" | "txt"))
        {
            if let Ok(b) = std::fs::read(&p) {
                if !b.is_empty() && b.len() <= 256 << 10 {
                    out.push(b);
                }
            }
        }
    }
}

const SPICE: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b";",
    b"\t",
    b"|",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"\\",
    b"=",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    "王芳".as_bytes(),
    b"9999-12-31",
    b"1,2,3",
    b"--5",
    b"NaN",
    b"1e308",
    b"00:00",
    "下午".as_bytes(),
    b"2026-13-45",
    b"\xe2\x80\xa8",
];

/// One to four mutations of `b`.
fn mutate(rng: &mut Rng, mut b: Vec<u8>) -> Vec<u8> {
    for _ in 0..=rng.below(4) {
        let n = b.len();
        match rng.below(8) {
            0 if n > 0 => {
                let i = rng.below(n);
                b[i] ^= 1 << rng.below(8);
            }
            1 => {
                let s = SPICE[rng.below(SPICE.len())];
                let i = rng.below(n + 1);
                b.splice(i..i, s.iter().copied());
            }
            2 if n > 0 => {
                let i = rng.below(n);
                let j = (i + rng.below(64)).min(n);
                b.drain(i..j);
            }
            3 if n > 0 => {
                // Repeat a line.
                let i = rng.below(n);
                let start = b[..i]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |p| p + 1);
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(n, |p| i + p + 1);
                let line = b[start..end].to_vec();
                b.splice(end..end, line);
            }
            4 if n > 0 => b.truncate(rng.below(n)),
            5 if n > 0 => {
                // Swap a separator for another.
                let i = rng.below(n);
                if matches!(b[i], b',' | b';' | b'\t' | b'|') {
                    b[i] = [b',', b';', b'\t', b'|'][rng.below(4)];
                }
            }
            6 if n > 0 => {
                let i = rng.below(n);
                b[i] = rng.next() as u8;
            }
            _ => {
                let s = SPICE[rng.below(SPICE.len())];
                b.extend_from_slice(s);
            }
        }
    }
    b
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let secs: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5a1e_5c71);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut corpus = Vec::new();
    seeds(&root.join("testdata"), &mut corpus);
    assert!(!corpus.is_empty(), "no seed files under testdata/");
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("mutant.csv");
    let mut rng = Rng(seed | 1);
    let (mut runs, mut ok, mut refused, mut panics) = (0u64, 0u64, 0u64, 0u64);
    let mut rows_out = 0u64;
    // Panics are counted, not printed twice.
    std::panic::set_hook(Box::new(|_| {}));
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        let base = corpus[rng.below(corpus.len())].clone();
        let input = mutate(&mut rng, base);
        if std::fs::write(&path, &input).is_err() {
            continue;
        }
        let la = salesctl::load::LoaderArgs {
            max_rejects: Some("100%".into()),
            quiet: true,
            ..Default::default()
        };
        runs += 1;
        match std::panic::catch_unwind(|| salesctl::load::load(std::slice::from_ref(&path), &la)) {
            Ok(Ok(ds)) => {
                ok += 1;
                rows_out += ds
                    .manifest
                    .sources
                    .iter()
                    .map(|s| s.rows_out.values().sum::<usize>() as u64)
                    .sum::<u64>();
            }
            Ok(Err(_)) => refused += 1,
            Err(_) => {
                panics += 1;
                let out = root.join(format!("fuzz/findings/loader-{panics}.csv"));
                let _ = std::fs::write(&out, &input);
                eprintln!("panic: input kept in {}", out.display());
            }
        }
    }
    println!(
        "fuzz_loader: {secs} s, seed {seed}, {} seed files: {runs} runs, {ok} loaded ({rows_out} canonical rows), {refused} refused with an error, {panics} panics",
        corpus.len()
    );
    if panics > 0 {
        std::process::exit(1);
    }
}
