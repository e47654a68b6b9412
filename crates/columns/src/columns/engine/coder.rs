//! Text columns coded as u32: a categorical's own codes, sorted values, or hashing (in parallel
//! partitions when the column is large and has many distinct values).

use super::*;

/// Code a text column (any dtype is cast to text); a missing column gives all-null codes.
/// Codes number the values in order of first appearance.
pub fn coded(df: &DataFrame, name: &str) -> Result<Coded> {
    let Some((codes, vals, ca)) = code_column(df, name)? else {
        return Ok(Coded {
            codes: vec![NONE; df.height()],
            values: vec![],
        });
    };
    let values = match vals {
        Vals::Strings(v) => v,
        Vals::Rows(rows) => ca
            .take(&IdxCa::from_vec("rows".into(), rows))? // not a KPI: an index column name
            .iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect(),
    };
    Ok(Coded { codes, values })
}

/// Code a column (None when it is missing): codes, values, and the column as text.
pub(super) fn code_column(
    df: &DataFrame,
    name: &str,
) -> Result<Option<(Vec<u32>, Vals, StringChunked)>> {
    let Ok(c) = df.column(name) else {
        return Ok(None);
    };
    let t0 = std::time::Instant::now();
    if let Some((codes, values)) = code_categorical(c.as_materialized_series())? {
        crate::timing::note(|| {
            format!(
                "coded {name} (dictionary): {} rows, {} values, {:.1} ms",
                codes.len(),
                values.len(),
                t0.elapsed().as_secs_f64() * 1e3
            )
        });
        return Ok(Some((
            codes,
            Vals::Strings(values),
            StringChunked::from_iter(std::iter::empty::<Option<&str>>()),
        )));
    }
    let s = c.as_materialized_series().cast(&DataType::String)?;
    let ca = s.str()?.clone();
    let (codes, vals) = if let Some(c) = code_ascending(&ca) {
        c
    } else if ca.len() >= PAR_CODE_ROWS && expected_distinct(&ca) >= MANY_DISTINCT {
        code_partitioned(&ca)
    } else if ca.len() >= PAR_CODE_ROWS {
        // Two halves on two threads, then the second half's values looked up among the
        // first's: the same codes as one pass, in less time on a long column.
        let mid = ca.len() / 2;
        let (a, b) = (ca.slice(0, mid), ca.slice(mid as i64, ca.len() - mid));
        let (mut first, second) = rayon::join(|| code_part(&a), || code_part(&b));
        let mut index = KeyMap::with_capacity_and_hasher(first.values.len(), Default::default());
        for (i, v) in first.values.iter().enumerate() {
            index.insert(Key::new(v), i as u32);
        }
        let mut remap = Vec::with_capacity(second.values.len());
        let mut fresh = Vec::new();
        let base = first.values.len();
        for v in second.values {
            remap.push(match index.get(&Key::new(&v)) {
                Some(&c) => c,
                None => {
                    fresh.push(v);
                    (base + fresh.len() - 1) as u32
                }
            });
        }
        drop(index);
        first.values.extend(fresh);
        first.codes.extend(
            second
                .codes
                .iter()
                .map(|&c| if c == NONE { NONE } else { remap[c as usize] }),
        );
        (first.codes, Vals::Strings(first.values))
    } else {
        let c = code_part(&ca);
        (c.codes, Vals::Strings(c.values))
    };
    crate::timing::note(|| {
        format!(
            "coded {name}: {} rows, {} values, {:.1} ms",
            codes.len(),
            match &vals {
                Vals::Strings(v) => v.len(),
                Vals::Rows(r) => r.len(),
            },
            t0.elapsed().as_secs_f64() * 1e3
        )
    });
    Ok(Some((codes, vals, ca)))
}

/// Codes for a column of which only the rows where `keep` is true were read (`kept`, in row
/// order); the other rows get NONE (new customers need the accounts of won deals only, a tenth
/// of a million-row column). No column: every row NONE.
pub fn coded_rows(kept: Option<Series>, keep: &[bool]) -> Result<Coded> {
    let Some(sub) = kept else {
        return Ok(Coded {
            codes: vec![NONE; keep.len()],
            values: vec![],
        });
    };
    let n_kept = keep.iter().filter(|&&k| k).count();
    if sub.len() != n_kept {
        return Err(crate::error::Error::Internal(format!(
            "column {}: {} values read for {n_kept} rows",
            sub.name(),
            sub.len()
        )));
    }
    let name = sub.name().to_string();
    let part = coded(
        &DataFrame::new_infer_height(vec![sub.into_column()])?,
        &name,
    )?;
    let mut codes = vec![NONE; keep.len()];
    let mut j = 0;
    for (i, &k) in keep.iter().enumerate() {
        if k {
            codes[i] = part.codes[j];
            j += 1;
        }
    }
    Ok(Coded {
        codes,
        values: part.values,
    })
}

/// How many distinct values a text column holds (null counting as one), without keeping them:
/// runs that ascend are counted without a table (a deals export's ids in order).
pub fn n_distinct(ca: &StringChunked) -> usize {
    let nulls = usize::from(ca.null_count() > 0);
    let mut runs = 0;
    let mut prev: Option<&str> = None;
    let mut ascending = true;
    for t in ca.iter().flatten() {
        match prev {
            Some(p) if p == t => {}
            Some(p) if p > t => {
                ascending = false;
                break;
            }
            _ => {
                runs += 1;
                prev = Some(t);
            }
        }
    }
    if ascending {
        return runs + nulls;
    }
    let mut seen: KeyMap =
        KeyMap::with_capacity_and_hasher(expected_distinct(ca), Default::default());
    for t in ca.iter().flatten() {
        seen.insert(Key::new(t), 0);
    }
    seen.len() + nulls
}

/// Code a long column of many distinct values by radix partitioning: every value is hashed
/// and copied, in row order, into the partition its hash picks (one partition per 2^8); the
/// partitions, small enough to stay in cache, are coded in parallel; a last pass in row order
/// renumbers the values in order of first appearance, so the codes are those of one plain pass.
pub(super) fn code_partitioned(ca: &StringChunked) -> (Vec<u32>, Vals) {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    const P: usize = 1 << PART_BITS;
    const NULL: u16 = u16::MAX;
    let hasher = foldhash::fast::FixedState::with_seed(HASH_SEED);
    let n = ca.len();
    let n_chunks = (rayon::current_num_threads() * 2).clamp(1, 64);
    let step = n.div_ceil(n_chunks).max(1);
    let chunks: Vec<StringChunked> = (0..n)
        .step_by(step)
        .map(|o| ca.slice(o as i64, step.min(n - o)))
        .collect();
    // Pass 1: each row's partition, and each (chunk, partition)'s rows and bytes.
    let counted: Vec<(Vec<u16>, Vec<u32>, Vec<usize>)> = chunks
        .par_iter()
        .map(|c| {
            let mut pids = Vec::with_capacity(c.len());
            let mut rows = vec![0u32; P];
            let mut bytes = vec![0usize; P];
            for v in c.iter() {
                match v {
                    None => pids.push(NULL),
                    Some(t) => {
                        let p = (hasher.hash_one(t.as_bytes()) >> (64 - PART_BITS)) as usize;
                        pids.push(p as u16);
                        rows[p] += 1;
                        bytes[p] += t.len();
                    }
                }
            }
            (pids, rows, bytes)
        })
        .collect();
    // Pass 2: each chunk copies its values into its own buffers per partition (exact sizes).
    let copied: Vec<Vec<(Vec<u32>, Vec<u8>)>> = chunks
        .par_iter()
        .zip(counted.par_iter())
        .map(|(c, (pids, rows, bytes))| {
            let mut out: Vec<(Vec<u32>, Vec<u8>)> = (0..P)
                .map(|p| {
                    (
                        Vec::with_capacity(rows[p] as usize),
                        Vec::with_capacity(bytes[p]),
                    )
                })
                .collect();
            for (v, &p) in c.iter().zip(pids.iter()) {
                if let Some(t) = v {
                    let (lens, buf) = &mut out[p as usize];
                    lens.push(t.len() as u32);
                    buf.extend_from_slice(t.as_bytes());
                }
            }
            out
        })
        .collect();
    drop(chunks);
    // Pass 3: each partition coded on its own, in row order: local codes per row, and where
    // each distinct value's bytes are (chunk, offset, length).
    let coded: Vec<(Vec<u32>, Vec<Rep>)> = (0..P)
        .into_par_iter()
        .map(|p| code_partition(&copied, p, &hasher))
        .collect();
    // Pass 4: global codes renumbered in order of first appearance.
    let pids = counted.iter().map(|c| c.0.as_slice());
    let (codes, first_rows) = renumber(pids, n, &coded);
    (codes, Vals::Rows(first_rows))
}

/// Pass 3 of [`code_partitioned`]: partition `p` coded on its own, in row order: each row's
/// local code, and each distinct value's bytes ([`Rep`]).
pub(super) fn code_partition(
    copied: &[Vec<(Vec<u32>, Vec<u8>)>],
    p: usize,
    hasher: &foldhash::fast::FixedState,
) -> (Vec<u32>, Vec<Rep>) {
    use std::hash::BuildHasher;
    let rows: usize = copied.iter().map(|c| c[p].0.len()).sum();
    let mut locals = Vec::with_capacity(rows);
    let mut reps: Vec<Rep> = Vec::new();
    let slots = (rows * 2).next_power_of_two().max(16);
    let mask = slots - 1;
    let mut table = vec![u32::MAX; slots];
    let bytes_of = |r: &Rep| {
        let buf = &copied[r.0 as usize][p].1;
        &buf[r.1 as usize..(r.1 + r.2) as usize]
    };
    for (ci, c) in copied.iter().enumerate() {
        let (lens, buf) = &c[p];
        let mut off = 0usize;
        for &len in lens {
            let b = &buf[off..off + len as usize];
            let mut i = hasher.hash_one(b) as usize & mask;
            let code = loop {
                let e = table[i];
                if e == u32::MAX {
                    table[i] = reps.len() as u32;
                    reps.push((ci as u32, off as u32, len));
                    break reps.len() as u32 - 1;
                }
                if bytes_of(&reps[e as usize]) == b {
                    break e;
                }
                i = (i + 1) & mask;
            };
            locals.push(code);
            off += len as usize;
        }
    }
    (locals, reps)
}

/// Pass 4 of [`code_partitioned`]: the partitions' local codes turned into global codes
/// numbered in order of first appearance, walking the rows' partitions (`pids`, chunk by
/// chunk); and each code's first row.
pub(super) fn renumber<'a>(
    pids: impl Iterator<Item = &'a [u16]>,
    n: usize,
    coded: &[(Vec<u32>, Vec<Rep>)],
) -> (Vec<u32>, Vec<IdxSize>) {
    const P: usize = 1 << PART_BITS;
    const NULL: u16 = u16::MAX;
    let mut base = Vec::with_capacity(P + 1);
    base.push(0usize);
    for (_, reps) in coded {
        base.push(base.last().copied().unwrap_or(0) + reps.len());
    }
    let total = base[P];
    let mut remap = vec![NONE; total];
    let mut cursor = vec![0usize; P];
    let mut first_rows: Vec<IdxSize> = Vec::with_capacity(total);
    let mut codes = Vec::with_capacity(n);
    for pids in pids {
        for &p in pids {
            if p == NULL {
                codes.push(NONE);
                continue;
            }
            let p = p as usize;
            let local = coded[p].0[cursor[p]];
            cursor[p] += 1;
            let g = base[p] + local as usize;
            if remap[g] == NONE {
                remap[g] = first_rows.len() as u32;
                first_rows.push(codes.len() as IdxSize);
            }
            codes.push(remap[g]);
        }
    }
    (codes, first_rows)
}

/// A Categorical column (a label column: owner, stage, status...) coded from its category
/// ids, renumbered in order of first appearance (the codes a text column of the same values
/// gets). None for any other type.
pub(super) fn code_categorical(s: &Series) -> Result<Option<(Vec<u32>, Vec<String>)>> {
    let mapping = match s.dtype() {
        DataType::Categorical(_, m) | DataType::Enum(_, m) => m.clone(),
        _ => return Ok(None),
    };
    let ids = s.to_physical_repr().cast(&DataType::UInt32)?;
    let ids = ids.u32()?;
    let mut remap: Vec<u32> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut codes: Vec<u32> = Vec::with_capacity(ids.len());
    for arr in ids.downcast_iter() {
        let validity = arr.validity();
        for (i, &id) in arr.values().iter().enumerate() {
            if validity.is_some_and(|b| !b.get_bit(i)) {
                codes.push(NONE);
                continue;
            }
            let id = id as usize;
            if id >= remap.len() {
                remap.resize(id + 1, NONE);
            }
            if remap[id] == NONE {
                let Some(text) = mapping.cat_to_str(id as u32) else {
                    return Err(Error::Internal(format!(
                        "category {id} of column {} has no text",
                        s.name()
                    )));
                };
                remap[id] = values.len() as u32;
                values.push(text.to_string());
            }
            codes.push(remap[id]);
        }
    }
    Ok(Some((codes, values)))
}

/// A column whose runs of equal values ascend strictly (an ingested DIR's stage events,
/// sorted by deal id) is coded without a hash table: each run is a new value. None at the
/// first run that does not ascend (on an unsorted column that is within the first rows).
pub(super) fn code_ascending(ca: &StringChunked) -> Option<(Vec<u32>, Vals)> {
    let mut codes = Vec::with_capacity(ca.len());
    let mut rows: Vec<IdxSize> = Vec::new();
    let mut prev: Option<&str> = None;
    let mut row = 0usize;
    for (arr, chunk) in ca.downcast_iter().zip(ca.chunks()) {
        let validity = chunk.validity();
        // Within one array equal 16-byte views are equal texts (same bytes inline, or the same
        // place in the same buffer): most rows of a run are settled without reading the text.
        let mut prev_view: Option<u128> = None;
        for (i, view) in arr.views().iter().enumerate() {
            row += 1;
            if validity.is_some_and(|b| !b.get_bit(i)) {
                codes.push(NONE);
                continue;
            }
            let key = view.as_u128();
            if prev_view != Some(key) {
                let t = arr.value(i);
                match prev {
                    Some(p) if p == t => {}
                    Some(p) if p > t => return None,
                    _ => {
                        rows.push((row - 1) as IdxSize);
                        prev = Some(t);
                    }
                }
                prev_view = Some(key);
            }
            codes.push((rows.len() - 1) as u32);
        }
    }
    Some((codes, Vals::Rows(rows)))
}

impl<'a> Key<'a> {
    pub(super) fn new(s: &'a str) -> Key<'a> {
        use std::hash::BuildHasher;
        Key {
            h: foldhash::fast::FixedState::with_seed(HASH_SEED).hash_one(s),
            s,
        }
    }
}

/// Room for the distinct values a column will likely hold, from its first rows: a table that
/// grows twenty times over a million ids costs more than one that is a little too big.
pub(super) fn expected_distinct(ca: &StringChunked) -> usize {
    let n = ca.len().min(4096);
    if n == 0 {
        return 0;
    }
    let head = ca.slice(0, n);
    let mut seen: HashMap<&str, ()> = HashMap::with_capacity(n);
    for v in head.iter().flatten() {
        seen.insert(v, ());
    }
    let r = seen.len() as f64 / n as f64;
    if r < 0.5 {
        seen.len() * 2
    } else {
        (ca.len() as f64 * r) as usize
    }
}

pub(super) fn code_part(ca: &StringChunked) -> Coded {
    let mut map: KeyMap =
        KeyMap::with_capacity_and_hasher(expected_distinct(ca), Default::default());
    // A text of at most 12 bytes is held whole in its 16-byte view (length, then the bytes,
    // zero-padded): the view is the key, compared as one integer. The few labels of a column
    // such as stage or status are searched in a short list, more in a hash map.
    let mut few: Vec<(u128, u32)> = Vec::new();
    let mut many: foldhash::HashMap<u128, u32> = Default::default();
    let mut values: Vec<String> = Vec::new();
    let mut codes = Vec::with_capacity(ca.len());
    // Equal values often come in runs (an ingested DIR keeps each deal's events together): a
    // value equal to the previous one takes its code without a lookup.
    let mut last_short: Option<(u128, u32)> = None;
    let mut last: Option<(&str, u32)> = None;
    for (arr, chunk) in ca.downcast_iter().zip(ca.chunks()) {
        let validity = chunk.validity();
        for (i, view) in arr.views().iter().enumerate() {
            if validity.is_some_and(|b| !b.get_bit(i)) {
                codes.push(NONE);
                continue;
            }
            if view.length <= 12 {
                let mut key = view.as_u128();
                if view.length < 12 && key >> (32 + 8 * view.length) != 0 {
                    // Not zero-padded (a writer outside the Arrow spec): pack the text.
                    key = packed(arr.value(i)).unwrap_or(key);
                }
                let c = match last_short {
                    Some((k, c)) if k == key => c,
                    _ => {
                        let found = if many.is_empty() {
                            few.iter().find(|(k, _)| *k == key).map(|&(_, c)| c)
                        } else {
                            many.get(&key).copied()
                        };
                        let c = found.unwrap_or_else(|| {
                            values.push(arr.value(i).to_string());
                            let c = (values.len() - 1) as u32;
                            if many.is_empty() && few.len() < 16 {
                                few.push((key, c));
                            } else {
                                many.extend(few.drain(..));
                                many.insert(key, c);
                            }
                            c
                        });
                        last_short = Some((key, c));
                        c
                    }
                };
                codes.push(c);
                continue;
            }
            let t = arr.value(i);
            codes.push(match last {
                Some((l, c)) if l == t => c,
                _ => {
                    let c = *map.entry(Key::new(t)).or_insert_with(|| {
                        values.push(t.to_string());
                        (values.len() - 1) as u32
                    });
                    last = Some((t, c));
                    c
                }
            });
        }
    }
    Coded { codes, values }
}

/// A text of at most 12 bytes as one integer: its length, then its bytes, zero-padded.
pub fn packed(t: &str) -> Option<u128> {
    let b = t.as_bytes();
    if b.len() > 12 {
        return None;
    }
    let mut k = [0u8; 16];
    k[..4].copy_from_slice(&(b.len() as u32).to_le_bytes());
    k[4..4 + b.len()].copy_from_slice(b);
    Some(u128::from_le_bytes(k))
}
