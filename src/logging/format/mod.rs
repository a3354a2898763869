//! Formatters turn a `log::Record` into one line of bytes.

mod json;
pub(crate) mod pattern;

pub use json::Json;
pub use pattern::Pattern;

use log::{Level, Record};
use std::cell::RefCell;

/// Turns a record into the bytes of one log line.
///
/// Implementations append to `out` and must not write the final newline:
/// handlers add it. [`Pattern`] and [`Json`] are the built-in ones; a
/// closure `Fn(&Record, &mut Vec<u8>)` is a formatter too.
pub trait Formatter: Send + Sync {
    /// Appends the formatted `record` to `out`, without a trailing newline.
    fn format(&self, record: &Record<'_>, out: &mut Vec<u8>);
}

impl<F> Formatter for F
where
    F: Fn(&Record<'_>, &mut Vec<u8>) + Send + Sync,
{
    fn format(&self, record: &Record<'_>, out: &mut Vec<u8>) {
        self(record, out)
    }
}

thread_local! {
    static LINE: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(512));
}

/// Formats `record` with `fmt` into this thread's reusable buffer, appends
/// the newline and hands the line to `then`. No lock is held while
/// formatting; a record whose arguments log again (re-entrancy) gets a
/// fresh buffer instead of a panic.
pub(crate) fn with_line<R>(
    fmt: &dyn Formatter,
    record: &Record<'_>,
    mut then: impl FnMut(&[u8]) -> R,
) -> R {
    let fill = |buf: &mut Vec<u8>| {
        buf.clear();
        fmt.format(record, buf);
        buf.push(b'\n');
    };
    let shared = LINE.try_with(|cell| {
        let mut buf = cell.try_borrow_mut().ok()?;
        fill(&mut buf);
        let r = then(&buf);
        if buf.capacity() > 64 * 1024 {
            *buf = Vec::with_capacity(512);
        }
        Some(r)
    });
    match shared {
        Ok(Some(r)) => r,
        _ => {
            let mut own = Vec::with_capacity(256);
            fill(&mut own);
            then(&own)
        }
    }
}

/// Formats one line (with newline) into a new vector: for rare lines such
/// as "records dropped" notices.
pub(crate) fn line_of(fmt: &dyn Formatter, record: &Record<'_>) -> Vec<u8> {
    let mut v = Vec::with_capacity(160);
    fmt.format(record, &mut v);
    v.push(b'\n');
    v
}

/// Appends the record's message.
pub(crate) fn push_message(out: &mut Vec<u8>, record: &Record<'_>) {
    match record.args().as_str() {
        Some(s) => out.extend_from_slice(s.as_bytes()),
        None => {
            let _ = std::fmt::write(&mut VecWriter(out), *record.args());
        }
    }
}

/// `fmt::Write` straight into a byte vector (no `io::Write` adapter).
struct VecWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Python's numeric level: DEBUG 10, INFO 20, WARNING 30, ERROR 40; TRACE 5.
pub(crate) fn level_number(level: Level) -> u32 {
    match level {
        Level::Error => 40,
        Level::Warn => 30,
        Level::Info => 20,
        Level::Debug => 10,
        Level::Trace => 5,
    }
}

/// The last path component of a source file path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

thread_local! {
    static THREAD: (String, String) = {
        let t = std::thread::current();
        let dbg = format!("{:?}", t.id());
        let id: String = dbg.chars().filter(char::is_ascii_digit).collect();
        let name = t.name().map(str::to_owned).unwrap_or_else(|| format!("Thread-{id}"));
        (id, name)
    };
}

/// Appends the current thread's numeric id (`thread == false`) or name.
pub(crate) fn push_thread(out: &mut Vec<u8>, name: bool) {
    let done = THREAD.try_with(|(id, n)| {
        out.extend_from_slice(if name { n } else { id }.as_bytes());
    });
    if done.is_err() {
        out.extend_from_slice(b"?");
    }
}
