//! Reading a DIR's table back in batches of rows, with each batch's rows counted as it passes.

use super::*;

/// Rows per batch of [`parquet_batches`] (whole row groups are added until a batch has this
/// many): big enough that each read's fixed cost is small, small enough to stay out of the way
/// (up to five batches are in flight: read, queued, coded, queued, placed). One of ingest's
/// row groups.
pub(crate) const BATCH_ROWS: usize = ROW_GROUP;

/// The columns `cols` (those present) of a DIR table in batches of whole row groups, read on a
/// thread of their own (decoding on polars' pool) one batch ahead of the consumer, and its
/// row count. Text columns `deal_id` and `stage` come as their row groups' dictionaries and
/// keys, and each batch's columns other than the deal ids are coded on the reading thread. None when the file has at most one batch's rows (then one plain read is as good).
/// A read error names the file; a reader that stops short (it panicked) is an error too, never
/// a silently shorter table.
pub(crate) fn parquet_batches(
    path: &Path,
    cols: &[&str],
) -> Result<Option<(usize, crate::columns::engine::Batches)>> {
    parquet_batches_of(path, cols, BATCH_ROWS)
}

pub(crate) fn parquet_batches_of(
    path: &Path,
    cols: &[&str],
    batch_rows: usize,
) -> Result<Option<(usize, crate::columns::engine::Batches)>> {
    let file = crate::load::pq::PqFile::open(path)?;
    let rows = file.rows();
    if rows <= batch_rows {
        return Ok(None);
    }
    let names: Vec<String> = file.present(cols).iter().map(|c| c.to_string()).collect();
    let mut batches: Vec<std::ops::Range<usize>> = Vec::new();
    let (mut start, mut len) = (0usize, 0usize);
    for (g, n) in file.group_rows().into_iter().enumerate() {
        len += n;
        if len >= batch_rows {
            batches.push(start..g + 1);
            start = g + 1;
            len = 0;
        }
    }
    if start < file.group_rows().len() {
        batches.push(start..file.group_rows().len());
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<EventBatch>>(1);
    std::thread::spawn(move || {
        // The deal ids come as their row groups' dictionaries and keys (a text per distinct
        // id): the frame holds the other columns.
        let apart = |c: &str| names.iter().any(|n| n == c) && file.is_text(c);
        let (ids, stage) = (apart("deal_id"), apart("stage"));
        let names: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|&n| !(ids && n == "deal_id" || stage && n == "stage"))
            .collect();
        let chunks = |c: &str, on: bool, g: &std::ops::Range<usize>| {
            if on {
                file.text_chunks(c, g.clone())
            } else {
                Ok(None)
            }
        };
        for groups in batches {
            let (df, (ids, stage)) = rayon::join(
                || file.read(&names, groups.clone()),
                || {
                    rayon::join(
                        || chunks("deal_id", ids, &groups),
                        || chunks("stage", stage, &groups),
                    )
                },
            );
            let batch = (|| EventBatch::new(df?, ids?, stage?).coded_ahead())();
            let failed = batch.is_err();
            // The reader stopped early (an error on its side): nothing more to do.
            if tx.send(batch).is_err() || failed {
                break;
            }
        }
    });
    Ok(Some((
        rows,
        Box::new(Counted {
            rx,
            want: rows,
            got: 0,
            path: path.to_path_buf(),
            done: false,
        }),
    )))
}

/// The batches a reader thread sends, checked to add up to the table's rows.
pub(crate) struct Counted {
    rx: std::sync::mpsc::Receiver<Result<EventBatch>>,
    want: usize,
    got: usize,
    path: PathBuf,
    done: bool,
}

impl Iterator for Counted {
    type Item = Result<EventBatch>;

    fn next(&mut self) -> Option<Result<EventBatch>> {
        if self.done {
            return None;
        }
        match self.rx.recv() {
            Ok(Ok(b)) => {
                self.got += b.height();
                Some(Ok(b))
            }
            Ok(Err(e)) => {
                self.done = true;
                Some(Err(e))
            }
            Err(_) => {
                self.done = true;
                (self.got != self.want).then(|| {
                    Err(Error::Internal(format!(
                        "{}: the reader stopped after {} of {} rows",
                        self.path.display(),
                        self.got,
                        self.want
                    )))
                })
            }
        }
    }
}
