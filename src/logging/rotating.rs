//! Size rotation with Python's `RotatingFileHandler` semantics.

use super::file::{FileHandler, FileOptions, file_options};
use super::sink::Policy;
use super::{Handler, LogError, LogStats, ShutdownReport};
use log::{LevelFilter, Record};
use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Writes to `app.log`, rolling it to `app.log.1` (newest) … `app.log.N`
/// before the write that would make it reach `max_bytes`.
///
/// Exactly Python's rules: a record is never split, so a file stays under
/// `max_bytes` unless one record alone is bigger (it then gets a file of
/// its own); an empty file never rolls; `max_bytes = 0` or
/// `backup_count = 0` never rolls. Missing directories are created, and
/// backups numbered above `backup_count` are deleted at open. Only files
/// named exactly `<file>.<number>` are ever renamed or deleted.
///
/// Lines are buffered (64 KiB) and flushed at `WARN` and above, about once
/// a second by the logger's flusher, on rotation and at shutdown. When the
/// file cannot be written, records go to the console (see
/// [`Fallback`](super::Fallback)) and the file is retried with backoff.
///
/// ```no_run
/// use mionex::logging::RotatingFileHandler;
/// let file = RotatingFileHandler::builder("logs/app.log")
///     .max_bytes(10 * 1024 * 1024)
///     .backup_count(5)
///     .open()?;
/// # Ok::<(), mionex::logging::LogError>(())
/// ```
pub struct RotatingFileHandler {
    inner: FileHandler,
}

/// Builds a [`RotatingFileHandler`]; [`open`](RotatingBuilder::open) creates it.
pub struct RotatingBuilder {
    opts: FileOptions,
    max_bytes: u64,
    backup_count: usize,
}

impl RotatingFileHandler {
    /// Starts building a handler for `path` (10 MiB × 5 backups by default).
    pub fn builder(path: impl Into<PathBuf>) -> RotatingBuilder {
        RotatingBuilder {
            opts: FileOptions::new(path.into()),
            max_bytes: super::DEFAULT_MAX_BYTES,
            backup_count: super::DEFAULT_BACKUP_COUNT,
        }
    }

    /// Opens `path` with the given limits and every other default.
    pub fn open(
        path: impl Into<PathBuf>,
        max_bytes: u64,
        backup_count: usize,
    ) -> Result<RotatingFileHandler, LogError> {
        RotatingFileHandler::builder(path)
            .max_bytes(max_bytes)
            .backup_count(backup_count)
            .open()
    }
}

impl RotatingBuilder {
    /// Roll before a write that would make the file reach this many bytes
    /// (0: never roll).
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Keep this many rolled files, `.1` newest (0: never roll).
    pub fn backup_count(mut self, backup_count: usize) -> Self {
        self.backup_count = backup_count;
        self
    }

    file_options!();

    /// Creates the directories, takes the lock file and opens the file.
    pub fn open(self) -> Result<RotatingFileHandler, LogError> {
        let policy = SizePolicy {
            max_bytes: self.max_bytes,
            backup_count: self.backup_count,
        };
        Ok(RotatingFileHandler {
            inner: FileHandler::open(self.opts, Box::new(policy))?,
        })
    }
}

impl Handler for RotatingFileHandler {
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

struct SizePolicy {
    max_bytes: u64,
    backup_count: usize,
}

impl SizePolicy {
    fn rolls(&self) -> bool {
        self.max_bytes > 0 && self.backup_count > 0
    }
}

/// `app.log` + `.n`.
fn numbered(path: &Path, n: usize) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".{n}"));
    PathBuf::from(s)
}

impl Policy for SizePolicy {
    fn should_roll(&mut self, size: u64, len: usize) -> bool {
        self.rolls() && size > 0 && size + len as u64 >= self.max_bytes
    }

    fn roll(&mut self, path: &Path) -> io::Result<()> {
        for i in (1..self.backup_count).rev() {
            let from = numbered(path, i);
            if from.exists() {
                fs::rename(&from, numbered(path, i + 1))?;
            }
        }
        fs::rename(path, numbered(path, 1))
    }

    fn opened(&mut self, path: &Path, _meta: &Metadata) {
        if !self.rolls() {
            return;
        }
        let (Some(dir), Some(base)) = (path.parent(), path.file_name()) else {
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
        let prefix = format!("{}.", base.to_string_lossy());
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
                continue;
            };
            let numeric =
                !rest.is_empty() && rest.len() <= 9 && rest.bytes().all(|b| b.is_ascii_digit());
            if numeric
                && rest.parse::<usize>().is_ok_and(|n| n > self.backup_count)
                && !rest.starts_with('0')
            {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}
