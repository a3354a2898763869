//! Time rotation with Python's `TimedRotatingFileHandler` semantics (UTC).

use super::file::{FileHandler, FileOptions, file_options};
use super::sink::Policy;
use super::time::{date_suffix, is_date_suffix, unix_parts};
use super::{Handler, LogError, LogStats, ShutdownReport};
use log::{LevelFilter, Record};
use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

/// When a [`TimedRotatingFileHandler`] rolls (Python's `when`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Every `interval` seconds; backups `app.log.2024-01-31_12-00-00`.
    Seconds,
    /// Every `interval` minutes; backups `app.log.2024-01-31_12-00`.
    Minutes,
    /// Every `interval` hours; backups `app.log.2024-01-31_12`.
    Hours,
    /// Every `interval` days; backups `app.log.2024-01-31`.
    Days,
    /// At midnight UTC (every `interval` days); backups `app.log.2024-01-31`.
    Midnight,
    /// At the midnight (UTC) that ends this weekday, 0 = Monday … 6 = Sunday
    /// (Python's `W0`–`W6`); backups `app.log.2024-01-31`.
    Weekday(u8),
}

impl When {
    fn unit(self) -> i64 {
        match self {
            When::Seconds => 1,
            When::Minutes => 60,
            When::Hours => 3600,
            When::Days | When::Midnight => 86_400,
            When::Weekday(_) => 7 * 86_400,
        }
    }

    fn suffix_parts(self) -> usize {
        match self {
            When::Seconds => 6,
            When::Minutes => 5,
            When::Hours => 4,
            _ => 3,
        }
    }
}

/// A clock for the rotation schedule: seconds since the epoch.
type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Writes to `app.log` and, when its period ends, renames it to
/// `app.log.<date of the period's start>`, keeping `backup_count` of them.
///
/// Python's rules in UTC: the first deadline counts from the file's
/// modification time (so a restart after midnight rolls yesterday's file
/// first), a backup of the same name is replaced, and only files named
/// `<file>.<date suffix of this When>` are deleted by retention (0 keeps
/// all). Buffering, failure handling and options are those of
/// [`RotatingFileHandler`](super::RotatingFileHandler).
///
/// ```no_run
/// use mionex::logging::{TimedRotatingFileHandler, When};
/// let daily = TimedRotatingFileHandler::builder("logs/app.log", When::Midnight)
///     .backup_count(7)
///     .open()?;
/// # Ok::<(), mionex::logging::LogError>(())
/// ```
pub struct TimedRotatingFileHandler {
    inner: FileHandler,
}

/// Builds a [`TimedRotatingFileHandler`].
pub struct TimedBuilder {
    opts: FileOptions,
    when: When,
    interval: u32,
    backup_count: usize,
    clock: Clock,
}

impl TimedRotatingFileHandler {
    /// Starts building a handler for `path` rolling at `when` (interval 1,
    /// 0 backups = keep all).
    pub fn builder(path: impl Into<PathBuf>, when: When) -> TimedBuilder {
        TimedBuilder {
            opts: FileOptions::new(path.into()),
            when,
            interval: 1,
            backup_count: 0,
            clock: Arc::new(SystemTime::now),
        }
    }
}

impl TimedBuilder {
    /// Roll every `interval` units of `when` (default 1; must be at least 1).
    pub fn interval(mut self, interval: u32) -> Self {
        self.interval = interval;
        self
    }

    /// Keep this many backups, deleting the oldest (0 = keep all).
    pub fn backup_count(mut self, backup_count: usize) -> Self {
        self.backup_count = backup_count;
        self
    }

    /// Reads the time for the rotation schedule from `clock` instead of the
    /// system clock (tests; the timestamps in lines still use the system clock).
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    file_options!();

    /// Creates the directories, takes the lock file and opens the file.
    pub fn open(self) -> Result<TimedRotatingFileHandler, LogError> {
        if self.interval == 0 {
            return Err(LogError::Config(
                "TimedRotatingFileHandler interval must be at least 1".into(),
            ));
        }
        if let When::Weekday(d) = self.when
            && d > 6
        {
            return Err(LogError::Config(format!(
                "weekday {d} is not in 0 (Monday) ..= 6 (Sunday)"
            )));
        }
        let policy = TimePolicy {
            when: self.when,
            interval: self.when.unit() * i64::from(self.interval),
            backup_count: self.backup_count,
            clock: self.clock,
            rollover_at: None,
        };
        Ok(TimedRotatingFileHandler {
            inner: FileHandler::open(self.opts, Box::new(policy))?,
        })
    }
}

impl Handler for TimedRotatingFileHandler {
    fn emit(&self, record: &Record<'_>) {
        self.inner.emit(record)
    }
    fn level(&self) -> LevelFilter {
        self.inner.level()
    }
    fn flush(&self) {
        self.inner.flush()
    }
    fn tick(&self) {
        self.inner.tick()
    }
    fn reopen(&self) -> Result<(), LogError> {
        self.inner.reopen()
    }
    fn stats(&self) -> LogStats {
        self.inner.stats()
    }
    fn shutdown(&self, deadline: Instant) -> ShutdownReport {
        self.inner.shutdown(deadline)
    }
}

struct TimePolicy {
    when: When,
    interval: i64,
    backup_count: usize,
    clock: Clock,
    rollover_at: Option<i64>,
}

impl TimePolicy {
    fn now(&self) -> i64 {
        unix_parts((self.clock)()).0
    }

    /// Python's `computeRollover`.
    fn compute(&self, t: i64) -> i64 {
        let next_midnight = (t.div_euclid(86_400) + 1) * 86_400;
        match self.when {
            When::Midnight => next_midnight + (self.interval / 86_400 - 1).max(0) * 86_400,
            When::Weekday(d) => {
                // The day ending at `next_midnight` is today; wait until the
                // day that ends is weekday `d` (1970-01-01 was a Thursday, 3).
                let today = (t.div_euclid(86_400) + 3).rem_euclid(7);
                next_midnight + (i64::from(d) - today).rem_euclid(7) * 86_400
            }
            _ => t + self.interval,
        }
    }

    fn suffix_of(&self, name: &str, base: &str) -> bool {
        name.strip_prefix(base)
            .and_then(|r| r.strip_prefix('.'))
            .is_some_and(|s| is_date_suffix(s, self.when.suffix_parts()))
    }

    fn prune(&self, path: &Path) {
        if self.backup_count == 0 {
            return;
        }
        let (Some(dir), Some(base)) = (path.parent(), path.file_name().and_then(|b| b.to_str()))
        else {
            return;
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        let mut backups: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| self.suffix_of(n, base))
            })
            .map(|e| e.path())
            .collect();
        if backups.len() > self.backup_count {
            backups.sort();
            for old in &backups[..backups.len() - self.backup_count] {
                let _ = fs::remove_file(old);
            }
        }
    }
}

impl Policy for TimePolicy {
    fn should_roll(&mut self, _size: u64, _len: usize) -> bool {
        self.rollover_at.is_some_and(|at| self.now() >= at)
    }

    fn roll(&mut self, path: &Path) -> io::Result<()> {
        let at = self.rollover_at.unwrap_or_else(|| self.now());
        // Python names a backup after the start of its period.
        let start = at - self.interval;
        let mut dest = path.as_os_str().to_owned();
        dest.push(".");
        dest.push(date_suffix(start, self.when.suffix_parts()));
        fs::rename(path, PathBuf::from(dest))?;
        self.prune(path);
        let now = self.now();
        let mut next = self.compute(now);
        while next <= now {
            next += self.interval;
        }
        self.rollover_at = Some(next);
        Ok(())
    }

    fn opened(&mut self, path: &Path, meta: &Metadata) {
        if self.rollover_at.is_none() {
            let base = match meta.modified() {
                Ok(m) if meta.len() > 0 => unix_parts(m).0,
                _ => self.now(),
            };
            self.rollover_at = Some(self.compute(base));
            self.prune(path);
        }
    }
}
