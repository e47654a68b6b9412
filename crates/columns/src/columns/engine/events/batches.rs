//! Stage events in batches: their deal ids matched to deal rows, their stages and pipelines
//! coded, and the per-deal index built.

use super::*;

/// A text column given as row-group chunks, coded: each chunk's dictionary is coded once
/// (codes in order of first sight among the dictionaries, not among the rows), then each row
/// is a look-up by key.
pub(in crate::columns::engine) fn coded_chunks(
    chunks: &[crate::columns::source::TextChunk],
    col: &str,
) -> Result<Coded> {
    use crate::columns::source::TextChunk;
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut values: Vec<String> = Vec::new();
    let mut code_of = |t: &str| -> u32 {
        if let Some(&c) = index.get(t) {
            return c;
        }
        let c = values.len() as u32;
        values.push(t.to_string());
        index.insert(t.to_string(), c);
        c
    };
    let mut codes = Vec::with_capacity(chunks.iter().map(TextChunk::len).sum());
    for chunk in chunks {
        match chunk {
            TextChunk::Dict { keys, values } => {
                let map: Vec<u32> = values
                    .iter()
                    .map(|v| v.map_or(NONE, &mut code_of))
                    .collect();
                let validity = keys.validity();
                for (i, &k) in keys.values().iter().enumerate() {
                    if validity.is_some_and(|b| !b.get_bit(i)) {
                        codes.push(NONE);
                        continue;
                    }
                    codes.push(*map.get(k as usize).ok_or_else(|| {
                        let n = map.len();
                        Error::input(crate::tr!(
                            "{col}: dictionary key {k} of {n} values",
                            "{col}：字典键 {k} 超出 {n} 个值的范围"
                        ))
                    })?);
                }
            }
            TextChunk::Plain(a) => codes.extend(a.iter().map(|v| v.map_or(NONE, &mut code_of))),
        }
    }
    Ok(Coded { codes, values })
}

/// A deals table's ids -> row (a repeated id means its last row, as a map built in order).
pub(in crate::columns::engine) fn row_index(rows: &StringChunked) -> HashMap<&str, usize> {
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    for (i, v) in rows.iter().enumerate() {
        if let Some(v) = v {
            index.insert(v, i);
        }
    }
    index
}

/// Map the next id codes (their ids, in code order, continuing `map`) to deal indexes: the
/// deals table's row, or for an id not there the next index after the table's rows (its code
/// appended to `missing`).
pub(in crate::columns::engine) fn map_ids<'a>(
    index: &HashMap<&str, usize>,
    ids: impl Iterator<Item = Option<&'a str>>,
    n_rows: usize,
    map: &mut Vec<usize>,
    missing: &mut Vec<IdxSize>,
) {
    map.reserve(ids.size_hint().0);
    for v in ids {
        let c = map.len();
        map.push(match v.and_then(|v| index.get(v)) {
            Some(&d) => d,
            None => {
                missing.push(c as IdxSize);
                n_rows + missing.len() - 1
            }
        });
    }
}

/// The coder of [`index_events`]' batches: each batch's deal ids as deal indexes (the deals
/// table's row, or `n_rows` + the id's code for an id not there), sent on with the batch's
/// other columns. Returns the coder and the codes of the ids not in the deals table.
pub(in crate::columns::engine) fn code_batches(
    batches: Batches,
    rows: usize,
    index: Option<&HashMap<&str, usize>>,
    n_rows: usize,
    tx: std::sync::mpsc::SyncSender<(Vec<u32>, EventCols)>,
) -> Result<(IdCoder, Vec<IdxSize>)> {
    let mut coder = IdCoder::default();
    let mut map: Vec<usize> = Vec::new();
    let mut missing: Vec<IdxSize> = Vec::new();
    let mut first = true;
    for b in batches {
        let mut b = b?;
        // Coded on the reader's thread, or here.
        let cols = match b.cols.take() {
            Some(c) => c,
            None => EventCols::of_batch(&b)?,
        };
        let mut deals = match (&b.ids, batch_ids(&b.df)?) {
            (Some(chunks), _) => coder.code_chunks(chunks)?,
            (None, Some(ca)) => coder.code(&ca),
            (None, None) => vec![NONE; cols.height],
        };
        if deals.len() != cols.height {
            return Err(Error::Internal(format!(
                "stage events: a batch of {} deal ids for {} rows",
                deals.len(),
                cols.height
            )));
        }
        if first {
            coder.expect(deals.len(), rows);
            first = false;
        }
        drop(b);
        if let Some(index) = index {
            let new = (map.len()..coder.len()).map(|c| Some(coder.text(c)));
            map_ids(index, new, n_rows, &mut map, &mut missing);
        }
        let too_many = || {
            Error::input(crate::tr!(
                "stage events: more than 4 billion deals",
                "阶段事件：商机超过 40 亿个"
            ))
        };
        for c in deals.iter_mut().filter(|c| **c != NONE) {
            let d = match index {
                Some(_) => map[*c as usize],
                None => n_rows + *c as usize,
            };
            *c = u32::try_from(d)
                .ok()
                .filter(|&d| d != NONE)
                .ok_or_else(too_many)?;
        }
        // The consumer stopped (it only does so on its way out): nothing more to do.
        if tx.send((deals, cols)).is_err() {
            break;
        }
    }
    Ok((coder, missing))
}

/// A batch's deal_id column as text (None when the batch has none).
pub(in crate::columns::engine) fn batch_ids(df: &DataFrame) -> Result<Option<StringChunked>> {
    let Ok(c) = df.column("deal_id") else {
        return Ok(None);
    };
    Ok(Some(
        c.as_materialized_series()
            .cast(&DataType::String)?
            .str()?
            .clone(),
    ))
}

/// Group stage events by deal. An event's deal id is looked up among the deals table's ids
/// (`row_ids`, `n_rows` rows); ids not there become deals `n_rows..`, their ids appended to
/// `extra_ids`. `deal_pipe` codes each known deal's pipeline, used when the events carry no
/// pipeline of their own.
pub fn index_events(
    ev: impl Into<EventRows>,
    row_ids: Option<&StringChunked>,
    n_rows: usize,
    extra_ids: &mut Ids,
    pipelines: &Pipelines,
    deal_pipe: &Coded,
) -> Result<EventIndex> {
    let index = match row_ids {
        Some(rows) if n_rows > 0 => Some(row_index(rows)),
        _ => None,
    };
    let acc = match ev.into() {
        EventRows::Frame(ev) => {
            let t_code = crate::timing::span("deal set: code events");
            // The deal ids (millions of distinct strings) on one thread, the rest on the other.
            let (ids, cols) = rayon::join(|| coded_ids_lazy(&ev, "deal_id"), || EventCols::of(&ev));
            let (id_codes, id_values) = ids?;
            let cols = cols?;
            drop(t_code);
            // Map each id code to a deal index once. Without a deals table the id codes are
            // the deal indexes (a history export of a million deals: no second map of a
            // million strings).
            let mut map = Vec::new();
            let to_deal = match &index {
                Some(index) => {
                    let mut missing: Vec<IdxSize> = Vec::new();
                    map_ids(
                        index,
                        id_values.column().iter(),
                        n_rows,
                        &mut map,
                        &mut missing,
                    );
                    *extra_ids = id_values.pick(&missing);
                    DealOfCode::Map(&map)
                }
                None => {
                    *extra_ids = id_values;
                    DealOfCode::Offset(n_rows)
                }
            };
            // The frame is coded: its texts are no longer needed (the ids' values share its
            // buffers).
            drop(ev);
            let mut acc = EventAcc::new(cols.height);
            acc.visit(&id_codes, &to_deal, &cols, pipelines, deal_pipe);
            acc
        }
        EventRows::Batches { rows, batches } => {
            let _t = crate::timing::span("deal set: code and place events by batch");
            // A pipeline of three threads: the reader decodes a batch (and codes its stages and
            // times), a coder turns its deal ids into deal indexes (in order: codes are given
            // by first appearance), and this thread places the events.
            let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<u32>, EventCols)>(1);
            let mut acc = EventAcc::new(rows);
            let coded = std::thread::scope(|scope| {
                let index = index.as_ref();
                let coder = scope.spawn(move || code_batches(batches, rows, index, n_rows, tx));
                let mut seen = 0usize;
                for (deals, cols) in rx {
                    acc.visit(&deals, &DealOfCode::Offset(0), &cols, pipelines, deal_pipe);
                    seen += cols.height;
                    if seen == cols.height && rows > seen {
                        // Room for every deal's start, judged from the first batch.
                        let want =
                            (acc.starts.len() as f64 * rows as f64 / seen as f64 * 1.05) as usize;
                        acc.starts.reserve(want.saturating_sub(acc.starts.len()));
                    }
                }
                coder.join().unwrap_or_else(|_| {
                    Err(Error::Internal("stage events: the id coder stopped".into()))
                })
            });
            let (coder, missing) = coded?;
            let ids = coder.into_ids();
            *extra_ids = if index.is_some() {
                ids.pick(&missing)
            } else {
                ids
            };
            acc
        }
    };
    Ok(acc.finish(n_rows + extra_ids.len()))
}
