//! Run the binary with stdin and stdout on a pseudo-terminal of a fixed size (libc's openpty),
//! stderr on a pipe: what a user at a terminal sees.

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;

use crate::workdir::Workdir;

/// What a terminal run printed: the exit code, the terminal's text (CR LF turned back into LF)
/// and stderr.
pub struct TtyRun {
    pub code: Option<i32>,
    pub screen: String,
    pub stderr: String,
}

/// Run `args` in `w` on a `cols` x `rows` terminal, stderr on a pipe.
pub fn run(w: &Workdir, args: &[&str], cols: u16, rows: u16) -> TtyRun {
    run_with(w, args, cols, rows, false)
}

/// Run `args` in `w` on a `cols` x `rows` terminal; with `merge`, stderr on the terminal too
/// (what a user sees, in the order it was written).
pub fn run_with(w: &Workdir, args: &[&str], cols: u16, rows: u16, merge: bool) -> TtyRun {
    let (mut master, mut slave) = (-1, -1);
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two descriptors into the out-parameters; the name pointer is
    // null (not wanted) and the termios pointer null (defaults); `size` outlives the call.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened by openpty and are owned here alone.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = w.cmd();
    let err = if merge {
        Stdio::from(slave.try_clone().expect("dup pty"))
    } else {
        Stdio::piped()
    };
    cmd.args(args)
        .stdin(Stdio::from(slave.try_clone().expect("dup pty")))
        .stdout(Stdio::from(slave))
        .stderr(err);
    let mut child = cmd.spawn().expect("spawn salesctl");
    // The parent's copies of the slave went into `cmd`; drop it so EOF (EIO) comes at exit.
    drop(cmd);
    let stderr = child.stderr.take();
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut e) = stderr {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let mut file = std::fs::File::from(master);
    let mut bytes = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match file.read(&mut buf) {
            Ok(0) | Err(_) => break, // EIO once the last slave descriptor is closed
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
        }
    }
    let status = child.wait().expect("wait salesctl");
    let stderr = err_thread.join().unwrap_or_default();
    TtyRun {
        code: status.code(),
        screen: String::from_utf8_lossy(&bytes).replace("\r\n", "\n"),
        stderr,
    }
}

/// What stays on the screen once the program is done: carriage returns go back to the line's
/// start and `ESC [ 2K` erases the line, as a terminal does, so a progress bar that was drawn
/// and cleared leaves nothing. Other escape sequences are dropped.
pub fn settle(screen: &str) -> String {
    let mut out = String::new();
    for line in screen.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let mut cells: Vec<char> = Vec::new();
        let mut col = 0usize;
        let mut chars = body.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => col = 0,
                '\u{1b}' => {
                    // CSI: ESC [ params final-byte
                    let mut seq = String::new();
                    if chars.peek() == Some(&'[') {
                        chars.next();
                        while let Some(&n) = chars.peek() {
                            chars.next();
                            if n.is_ascii_alphabetic() {
                                seq.push(n);
                                break;
                            }
                            seq.push(n);
                        }
                    }
                    if seq == "2K" {
                        cells.clear();
                        col = 0;
                    }
                }
                c => {
                    if col < cells.len() {
                        cells[col] = c;
                    } else {
                        cells.push(c);
                    }
                    col += 1;
                }
            }
        }
        let text: String = cells.into_iter().collect();
        out.push_str(text.trim_end());
        out.push_str(nl);
    }
    out
}
