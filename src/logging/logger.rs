//! The `Logger`: levels, handlers, the flusher thread, install, shutdown.

use super::{Handler, LogError, LogStats, ShutdownReport};
use log::{LevelFilter, Log, Metadata, Record};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How many handlers one logger can hold.
pub const MAX_HANDLERS: usize = 64;

/// The most verbose level any logger that is not installed was set to.
static SIDE_MAX: AtomicUsize = AtomicUsize::new(0);

fn side_max() -> LevelFilter {
    match SIDE_MAX.load(Ordering::Relaxed) {
        0 => LevelFilter::Off,
        1 => LevelFilter::Error,
        2 => LevelFilter::Warn,
        3 => LevelFilter::Info,
        4 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    }
}

/// How often the flusher thread ticks the handlers.
const TICK: Duration = Duration::from_secs(1);

/// A named logger: a level, per-target levels and a list of handlers.
///
/// Cloning is cheap and shares everything. [`install`](Logger::install)
/// makes it the `log` crate's global logger, so `log::info!` anywhere
/// (tungstenite's records too) reaches its handlers; a logger that is not
/// installed is used with `log::info!(logger: my_logger, ...)`.
///
/// Each record is checked against the logger's level (or the level of the
/// longest matching target prefix), then handed to every handler whose own
/// level admits it. Handlers are added, never removed; reading the list
/// takes no lock. A background thread ticks the handlers once a second
/// (timed flush, noticing deleted files, retrying failed ones); it is
/// stopped by [`shutdown`](Logger::shutdown) or when the last clone drops.
#[derive(Clone)]
pub struct Logger {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    level: AtomicUsize,
    /// (target prefix, level), longest prefix first.
    targets: RwLock<Vec<(String, LevelFilter)>>,
    has_targets: AtomicBool,
    handlers: Vec<OnceLock<Box<dyn Handler>>>,
    count: AtomicUsize,
    add: Mutex<()>,
    flusher: Mutex<Option<JoinHandle<()>>>,
    stopped: AtomicBool,
    installed: AtomicBool,
    /// Only ever called through `Log::log` (the audit log): its level must
    /// not raise the global one that every `log!` call site checks.
    direct: AtomicBool,
}

fn to_filter(n: usize) -> LevelFilter {
    LevelFilter::iter().nth(n).unwrap_or(LevelFilter::Trace)
}

/// Whether `target` is `prefix` or inside it (`prefix::...`).
fn under(target: &str, prefix: &str) -> bool {
    target
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
}

impl Logger {
    /// A logger at level `Info` with no handlers.
    pub fn new(name: impl Into<String>) -> Logger {
        let logger = Logger {
            inner: Arc::new(Inner {
                name: name.into(),
                level: AtomicUsize::new(LevelFilter::Info as usize),
                targets: RwLock::new(Vec::new()),
                has_targets: AtomicBool::new(false),
                handlers: (0..MAX_HANDLERS).map(|_| OnceLock::new()).collect(),
                count: AtomicUsize::new(0),
                add: Mutex::new(()),
                flusher: Mutex::new(None),
                stopped: AtomicBool::new(false),
                installed: AtomicBool::new(false),
                direct: AtomicBool::new(false),
            }),
        };
        logger.update_max_level();
        logger
    }

    /// A logger that is only called directly (`Log::log` with a built
    /// record), never through the `log!` macros: however verbose, it does
    /// not raise `log::max_level`, which every macro call site checks.
    pub(crate) fn direct(name: impl Into<String>) -> Logger {
        let logger = Logger::new(name);
        logger.inner.direct.store(true, Ordering::Relaxed);
        logger
    }

    /// The name given at creation.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Sets the level for targets without a level of their own.
    pub fn set_level(&self, level: LevelFilter) -> &Logger {
        self.inner.level.store(level as usize, Ordering::Relaxed);
        self.update_max_level();
        self
    }

    /// The level for targets without a level of their own.
    pub fn level(&self) -> LevelFilter {
        to_filter(self.inner.level.load(Ordering::Relaxed))
    }

    /// Sets the level of `target` and everything under it
    /// (`"tungstenite"` covers `"tungstenite::protocol"`).
    pub fn set_target_level(&self, target: &str, level: LevelFilter) -> &Logger {
        {
            let mut t = self
                .inner
                .targets
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            t.retain(|(p, _)| p != target);
            t.push((target.to_owned(), level));
            t.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
            self.inner.has_targets.store(true, Ordering::Release);
        }
        self.update_max_level();
        self
    }

    /// The level that applies to records of `target`.
    pub fn level_for(&self, target: &str) -> LevelFilter {
        if self.inner.has_targets.load(Ordering::Acquire) {
            let t = self
                .inner
                .targets
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some((_, l)) = t.iter().find(|(p, _)| under(target, p)) {
                return *l;
            }
        }
        self.level()
    }

    fn max_level(&self) -> LevelFilter {
        let t = self
            .inner
            .targets
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        t.iter().map(|(_, l)| *l).fold(self.level(), Ord::max)
    }

    /// Keeps `log::max_level` in step: the installed logger's level, but
    /// never below the level of another logger used directly
    /// (`log::info!(logger: other, ...)`), which the macros would filter
    /// out otherwise (the global level defaults to `Off`).
    fn update_max_level(&self) {
        let ours = self.max_level();
        if self.inner.installed.load(Ordering::Relaxed) {
            log::set_max_level(ours.max(side_max()));
        } else if self.handler_count() > 0 && !self.inner.direct.load(Ordering::Relaxed) {
            SIDE_MAX.fetch_max(ours as usize, Ordering::Relaxed);
            if ours > log::max_level() {
                log::set_max_level(ours);
            }
        }
    }

    /// Adds a handler; every later record at its level reaches it.
    ///
    /// Pass a clone (`Arc`, [`MemoryHandler`](super::MemoryHandler)) to keep
    /// access to it. Beyond [`MAX_HANDLERS`] the handler is refused with a
    /// line on stderr.
    pub fn add_handler(&self, handler: impl Handler + 'static) -> &Logger {
        let boxed: Box<dyn Handler> = Box::new(handler);
        {
            let _guard = self
                .inner
                .add
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let n = self.inner.count.load(Ordering::Relaxed);
            match self.inner.handlers.get(n) {
                Some(slot) if slot.set(boxed).is_ok() => {
                    self.inner.count.store(n + 1, Ordering::Release)
                }
                _ => {
                    use std::io::Write;
                    let _ = writeln!(
                        std::io::stderr(),
                        "mionex logging: logger {:?} already has {MAX_HANDLERS} handlers; handler ignored",
                        self.inner.name
                    );
                }
            }
        }
        self.update_max_level();
        self.start_flusher();
        self
    }

    /// The number of handlers.
    pub fn handler_count(&self) -> usize {
        self.inner.count.load(Ordering::Acquire)
    }

    fn handlers(&self) -> impl Iterator<Item = &dyn Handler> {
        let n = self.handler_count();
        self.inner.handlers[..n]
            .iter()
            .filter_map(|s| s.get().map(|b| &**b))
    }

    fn start_flusher(&self) {
        let mut slot = self
            .inner
            .flusher
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if slot.is_some() || self.inner.stopped.load(Ordering::Relaxed) {
            return;
        }
        let weak = Arc::downgrade(&self.inner);
        let spawned = std::thread::Builder::new()
            .name(format!("log-flush-{}", self.inner.name))
            .spawn(move || {
                loop {
                    std::thread::park_timeout(TICK);
                    let Some(inner) = weak.upgrade() else { return };
                    if inner.stopped.load(Ordering::Relaxed) {
                        return;
                    }
                    Logger { inner }.tick();
                }
            });
        // Without a thread the handlers still flush at WARN, when full, on
        // `tick()` and at shutdown.
        *slot = spawned.ok();
    }

    /// Makes this logger the `log` crate's global logger and sets
    /// `log::max_level` from its levels.
    pub fn install(&self) -> Result<(), LogError> {
        log::set_boxed_logger(Box::new(self.clone())).map_err(|_| LogError::AlreadyInstalled)?;
        self.inner.installed.store(true, Ordering::Relaxed);
        log::set_max_level(self.max_level().max(side_max()));
        Ok(())
    }

    /// Writes out every handler's buffered records now.
    pub fn flush(&self) {
        Log::flush(self)
    }

    /// Housekeeping for every handler (the flusher thread does this each
    /// second; call it yourself from an event loop if you like).
    pub fn tick(&self) {
        for h in self.handlers() {
            h.tick();
        }
    }

    /// Closes and reopens every handler's file, for logrotate's
    /// `postrotate`. Returns the first error; the others still reopen.
    pub fn reopen(&self) -> Result<(), LogError> {
        let mut first = Ok(());
        for h in self.handlers() {
            if let Err(e) = h.reopen()
                && first.is_ok()
            {
                first = Err(e);
            }
        }
        first
    }

    /// Health of all handlers, added up.
    pub fn stats(&self) -> LogStats {
        let mut total = LogStats::default();
        for h in self.handlers() {
            total.merge(&h.stats());
        }
        total
    }

    /// Health of each handler, in the order they were added.
    pub fn handler_stats(&self) -> Vec<LogStats> {
        self.handlers().map(|h| h.stats()).collect()
    }

    /// Stops the flusher, drains queues, flushes and syncs every handler,
    /// waiting at most `timeout` in all, and reports what was written and
    /// dropped. Records logged afterwards are still written, unbuffered.
    pub fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        let deadline = Instant::now() + timeout;
        self.inner.stopped.store(true, Ordering::Relaxed);
        let flusher = self
            .inner
            .flusher
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(t) = flusher {
            t.thread().unpark();
            if t.thread().id() != std::thread::current().id() {
                let _ = t.join();
            }
        }
        let mut report = ShutdownReport::default();
        for h in self.handlers() {
            report.merge(&h.shutdown(deadline));
        }
        report
    }
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level_for(metadata.target())
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        for h in self.handlers() {
            if record.level() <= h.level() {
                h.emit(record);
            }
        }
    }

    fn flush(&self) {
        for h in self.handlers() {
            h.flush();
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Relaxed);
        if let Some(t) = self
            .flusher
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            t.thread().unpark();
        }
    }
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logger")
            .field("name", &self.inner.name)
            .field("level", &self.level())
            .field("handlers", &self.handler_count())
            .finish()
    }
}
