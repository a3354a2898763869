//! Console (and any `Write`) output.

use super::format::{Formatter, Pattern, with_line};
use super::{Handler, LogStats};
use log::{LevelFilter, Record};
use std::io::{self, Write};
use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes each record to stderr, stdout or any writer, one `write` per line.
///
/// Python's `logging.StreamHandler(sys.stderr)`:
///
/// ```
/// use mionex::logging::{StreamHandler, Pattern};
/// let console = StreamHandler::stderr()
///     .format(Pattern::parse("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")?)
///     .level(log::LevelFilter::Info);
/// # Ok::<(), mionex::logging::LogError>(())
/// ```
///
/// Write errors (a closed or full stderr) are counted and otherwise
/// ignored: the console is the last resort, there is nowhere to report to.
pub struct StreamHandler {
    target: Target,
    level: LevelFilter,
    format: Box<dyn Formatter>,
    records: AtomicU64,
    bytes: AtomicU64,
    errors: AtomicU64,
}

enum Target {
    Stderr,
    Stdout,
    Writer(Mutex<Box<dyn Write + Send>>),
}

impl StreamHandler {
    fn new(target: Target) -> StreamHandler {
        StreamHandler {
            target,
            level: LevelFilter::Trace,
            format: Box::new(Pattern::seed()),
            records: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            errors: AtomicU64::new(0),
        }
    }

    /// Writes to standard error, in the seed's format, at every level.
    pub fn stderr() -> StreamHandler {
        StreamHandler::new(Target::Stderr)
    }

    /// Writes to standard output, in the seed's format, at every level.
    pub fn stdout() -> StreamHandler {
        StreamHandler::new(Target::Stdout)
    }

    /// Writes to `w` (a socket, a pipe, a test buffer), flushing per line.
    pub fn writer(w: impl Write + Send + 'static) -> StreamHandler {
        StreamHandler::new(Target::Writer(Mutex::new(Box::new(w))))
    }

    /// Only records at `level` or more severe.
    pub fn level(mut self, level: LevelFilter) -> StreamHandler {
        self.level = level;
        self
    }

    /// Formats lines with `format` (a [`Pattern`], [`Json`](super::Json), ...).
    pub fn format(mut self, format: impl Formatter + 'static) -> StreamHandler {
        self.format = Box::new(format);
        self
    }

    fn write_line(&self, line: &[u8]) -> io::Result<()> {
        match &self.target {
            Target::Stderr => io::stderr().lock().write_all(line),
            Target::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(line)?;
                out.flush()
            }
            Target::Writer(w) => {
                let mut w = w.lock().unwrap_or_else(PoisonError::into_inner);
                w.write_all(line)?;
                w.flush()
            }
        }
    }
}

impl Handler for StreamHandler {
    fn emit(&self, record: &Record<'_>) {
        let result = with_line(&*self.format, record, |line| {
            self.bytes.fetch_add(line.len() as u64, Ordering::Relaxed);
            self.write_line(line)
        });
        match result {
            Ok(()) => self.records.fetch_add(1, Ordering::Relaxed),
            Err(_) => self.errors.fetch_add(1, Ordering::Relaxed),
        };
    }
    fn level(&self) -> LevelFilter {
        self.level
    }
    fn flush(&self) {
        let _ = match &self.target {
            Target::Stderr => io::stderr().flush(),
            Target::Stdout => io::stdout().flush(),
            Target::Writer(w) => w.lock().unwrap_or_else(PoisonError::into_inner).flush(),
        };
    }
    fn stats(&self) -> LogStats {
        LogStats {
            records: self.records.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            write_errors: self.errors.load(Ordering::Relaxed),
            ..LogStats::default()
        }
    }
}
