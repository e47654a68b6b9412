//! The export's SHA-256 for the manifest, taken from the bytes as they are read (one pass).

use super::*;

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Feed a file to `f` in 64 KB pieces (hashes and checksums of whole files).
pub(crate) fn each_piece(path: &Path, mut f: impl FnMut(&[u8])) -> Result<()> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            return Ok(());
        }
        f(&buf[..n]);
    }
}

/// A file's sha256, in hex.
pub(crate) fn file_sha256(path: &Path) -> Result<String> {
    let mut h = Sha256::new();
    each_piece(path, |b| h.update(b))?;
    Ok(hex(&h.finalize()))
}

/// A reader that feeds every byte it passes on into a hasher.
pub(crate) struct HashingReader<R> {
    pub(super) inner: R,
    pub(super) hasher: Rc<RefCell<Sha256>>,
    pub(super) progress: Option<indicatif::ProgressBar>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.borrow_mut().update(&buf[..n]);
        if let Some(p) = &self.progress {
            p.inc(n as u64);
        }
        Ok(n)
    }
}

impl<R> Drop for HashingReader<R> {
    fn drop(&mut self) {
        if let Some(p) = &self.progress {
            p.finish_and_clear();
        }
    }
}
