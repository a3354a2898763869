//! The `Handler` trait, plus the in-memory and closure handlers.

use super::format::{Formatter, Pattern, with_line};
use super::{LogError, LogStats, ShutdownReport};
use log::{LevelFilter, Record};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Where records go: a file, a stream, memory, or anything you implement.
///
/// A [`Logger`](super::Logger) calls [`emit`](Handler::emit) for each record
/// at or above [`level`](Handler::level), on the thread that logged. Only
/// `emit` is required; the other methods have do-nothing defaults.
/// Implementations must never panic: a failing destination is the
/// handler's problem, not the application's.
///
/// ```
/// use mionex::logging::{Handler, Formatter, Json};
/// use log::Record;
///
/// /// Ships each record as JSON to some collector (here: stdout).
/// struct Ship;
///
/// impl Handler for Ship {
///     fn emit(&self, record: &Record<'_>) {
///         let mut line = Vec::new();
///         Json.format(record, &mut line);
///         println!("{}", String::from_utf8_lossy(&line));
///     }
/// }
/// ```
pub trait Handler: Send + Sync {
    /// Writes one record. Called only for records at or above `level()`.
    fn emit(&self, record: &Record<'_>);

    /// The most verbose level this handler wants (default: everything).
    fn level(&self) -> LevelFilter {
        LevelFilter::Trace
    }

    /// Pushes buffered records to their destination.
    fn flush(&self) {}

    /// Periodic housekeeping, about once a second: timed flush, noticing a
    /// log file deleted from outside, retrying a failed file.
    fn tick(&self) {}

    /// Closes and reopens the destination (for logrotate's `postrotate`).
    fn reopen(&self) -> Result<(), LogError> {
        Ok(())
    }

    /// Health counters so far.
    fn stats(&self) -> LogStats {
        LogStats::default()
    }

    /// Drains, flushes and closes before `deadline`, and says what happened.
    fn shutdown(&self, deadline: Instant) -> ShutdownReport {
        let _ = deadline;
        self.flush();
        ShutdownReport::from_stats(&self.stats())
    }
}

impl<H: Handler + ?Sized> Handler for Arc<H> {
    fn emit(&self, record: &Record<'_>) {
        (**self).emit(record)
    }
    fn level(&self) -> LevelFilter {
        (**self).level()
    }
    fn flush(&self) {
        (**self).flush()
    }
    fn tick(&self) {
        (**self).tick()
    }
    fn reopen(&self) -> Result<(), LogError> {
        (**self).reopen()
    }
    fn stats(&self) -> LogStats {
        (**self).stats()
    }
    fn shutdown(&self, deadline: Instant) -> ShutdownReport {
        (**self).shutdown(deadline)
    }
}

impl<H: Handler + ?Sized> Handler for Box<H> {
    fn emit(&self, record: &Record<'_>) {
        (**self).emit(record)
    }
    fn level(&self) -> LevelFilter {
        (**self).level()
    }
    fn flush(&self) {
        (**self).flush()
    }
    fn tick(&self) {
        (**self).tick()
    }
    fn reopen(&self) -> Result<(), LogError> {
        (**self).reopen()
    }
    fn stats(&self) -> LogStats {
        (**self).stats()
    }
    fn shutdown(&self, deadline: Instant) -> ShutdownReport {
        (**self).shutdown(deadline)
    }
}

/// A handler made of a level and a closure: `handler_fn(LevelFilter::Warn, |r| ...)`.
pub fn handler_fn<F>(level: LevelFilter, f: F) -> FnHandler<F>
where
    F: Fn(&Record<'_>) + Send + Sync,
{
    FnHandler { level, f }
}

/// The handler [`handler_fn`] returns.
pub struct FnHandler<F> {
    level: LevelFilter,
    f: F,
}

impl<F: Fn(&Record<'_>) + Send + Sync> Handler for FnHandler<F> {
    fn emit(&self, record: &Record<'_>) {
        (self.f)(record)
    }
    fn level(&self) -> LevelFilter {
        self.level
    }
}

/// Keeps formatted lines in memory: for tests and for "last N lines" pages.
///
/// Clones share the same lines, so keep one clone and add another to the
/// logger. At most `capacity` lines are kept (oldest dropped first).
///
/// ```
/// use mionex::logging::{Logger, MemoryHandler};
/// let memory = MemoryHandler::new();
/// let logger = Logger::new("app");
/// logger.add_handler(memory.clone());
/// log::info!(logger: logger, "hello");
/// assert!(memory.lines()[0].ends_with("hello"));
/// ```
#[derive(Clone)]
pub struct MemoryHandler {
    inner: Arc<Memory>,
}

struct Memory {
    lines: Mutex<std::collections::VecDeque<String>>,
    capacity: usize,
    level: LevelFilter,
    format: Box<dyn Formatter>,
    records: AtomicU64,
    bytes: AtomicU64,
}

impl MemoryHandler {
    /// Keeps up to 100,000 lines at every level, in the seed's format.
    pub fn new() -> MemoryHandler {
        MemoryHandler::with(LevelFilter::Trace, Pattern::seed(), 100_000)
    }

    /// Keeps up to `capacity` lines at `level` and above, formatted by `format`.
    pub fn with(
        level: LevelFilter,
        format: impl Formatter + 'static,
        capacity: usize,
    ) -> MemoryHandler {
        MemoryHandler {
            inner: Arc::new(Memory {
                lines: Mutex::new(Default::default()),
                capacity: capacity.max(1),
                level,
                format: Box::new(format),
                records: AtomicU64::new(0),
                bytes: AtomicU64::new(0),
            }),
        }
    }

    /// The lines kept so far, without their newlines.
    pub fn lines(&self) -> Vec<String> {
        let lines = self
            .inner
            .lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        lines.iter().cloned().collect()
    }

    /// Removes and returns the lines kept so far.
    pub fn take(&self) -> Vec<String> {
        let mut lines = self
            .inner
            .lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        lines.drain(..).collect()
    }
}

impl Default for MemoryHandler {
    fn default() -> Self {
        MemoryHandler::new()
    }
}

impl Handler for MemoryHandler {
    fn emit(&self, record: &Record<'_>) {
        let m = &*self.inner;
        let line = with_line(&*m.format, record, |l| {
            String::from_utf8_lossy(&l[..l.len() - 1]).into_owned()
        });
        m.records.fetch_add(1, Ordering::Relaxed);
        m.bytes.fetch_add(line.len() as u64 + 1, Ordering::Relaxed);
        let mut lines = m.lines.lock().unwrap_or_else(PoisonError::into_inner);
        if lines.len() >= m.capacity {
            lines.pop_front();
        }
        lines.push_back(line);
    }
    fn level(&self) -> LevelFilter {
        self.inner.level
    }
    fn stats(&self) -> LogStats {
        LogStats {
            records: self.inner.records.load(Ordering::Relaxed),
            bytes: self.inner.bytes.load(Ordering::Relaxed),
            ..LogStats::default()
        }
    }
}
