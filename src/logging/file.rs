//! What the rotating and the timed handler share: options, the lock file,
//! the sink behind a mutex, the optional writer thread.

use super::format::{Formatter, Pattern, line_of, with_line};
use super::lockfile::LockFile;
use super::sink::{Fallback, FileSink, Policy, SinkConfig};
use super::writer::{Overflow, Pushed, Writer};
use super::{LogError, LogStats, ShutdownReport};
use log::{Level, LevelFilter, Record};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Options common to file handlers, with their defaults.
pub(crate) struct FileOptions {
    pub path: PathBuf,
    pub level: LevelFilter,
    pub format: Arc<dyn Formatter>,
    pub buffer: usize,
    pub flush_level: Level,
    pub fallback: Fallback,
    pub writer: Option<(usize, Overflow)>,
    pub lock: bool,
}

impl FileOptions {
    pub(crate) fn new(path: PathBuf) -> FileOptions {
        FileOptions {
            path,
            level: LevelFilter::Trace,
            format: Arc::new(Pattern::seed()),
            buffer: 64 * 1024,
            flush_level: Level::Warn,
            fallback: Fallback::Stderr,
            writer: None,
            lock: true,
        }
    }
}

/// Generates the builder methods every file handler builder shares.
macro_rules! file_options {
    () => {
        /// Only records at `level` or more severe (default: all).
        pub fn level(mut self, level: log::LevelFilter) -> Self {
            self.opts.level = level;
            self
        }

        /// Formats lines with `format` (default: the seed's [`Pattern`](crate::logging::Pattern)).
        pub fn format(mut self, format: impl crate::logging::Formatter + 'static) -> Self {
            self.opts.format = std::sync::Arc::new(format);
            self
        }

        /// Bytes buffered before a write (default 64 KiB; 0 writes every line).
        pub fn buffer_size(mut self, bytes: usize) -> Self {
            self.opts.buffer = bytes;
            self
        }

        /// Records at this level or more severe are flushed at once
        /// (default `Warn`); the rest within about a second.
        pub fn flush_level(mut self, level: log::Level) -> Self {
            self.opts.flush_level = level;
            self
        }

        /// Where records go while the file cannot be written (default stderr).
        pub fn fallback(mut self, fallback: crate::logging::Fallback) -> Self {
            self.opts.fallback = fallback;
            self
        }

        /// Writes from a dedicated thread fed by a queue of `capacity`
        /// records: callers only format and enqueue. When the queue is full,
        /// `overflow` decides: wait (`Block`, default) or drop and count.
        pub fn writer_thread(
            mut self,
            capacity: usize,
            overflow: crate::logging::Overflow,
        ) -> Self {
            self.opts.writer = Some((capacity, overflow));
            self
        }

        /// Whether to take the `<file>.lock` lock file (default true): a
        /// second process opening the same file then gets
        /// [`LogError::Locked`](crate::logging::LogError::Locked).
        pub fn lock(mut self, lock: bool) -> Self {
            self.opts.lock = lock;
            self
        }
    };
}
pub(crate) use file_options;

/// A log file handler: level, formatter, sink, optional writer thread.
pub(crate) struct FileHandler {
    level: LevelFilter,
    format: Arc<dyn Formatter>,
    sink: Arc<Mutex<FileSink>>,
    writer: Option<Writer>,
    lock: Mutex<Option<LockFile>>,
    name: String,
    path: PathBuf,
}

impl FileHandler {
    pub(crate) fn open(
        opts: FileOptions,
        policy: Box<dyn Policy>,
    ) -> Result<FileHandler, LogError> {
        let path = opts.path;
        let open_err = |source| LogError::Open {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(open_err)?;
        }
        let special = std::fs::metadata(&path).is_ok_and(|m| !m.is_file());
        let lock = if opts.lock && !special {
            Some(LockFile::acquire(&path)?)
        } else {
            None
        };
        let name = path
            .file_name()
            .map_or_else(|| "log".to_owned(), |n| n.to_string_lossy().into_owned());
        let sink = FileSink::open(SinkConfig {
            path: path.clone(),
            policy,
            buffer: opts.buffer,
            flush_level: opts.flush_level,
            fallback: opts.fallback,
            format: Arc::clone(&opts.format),
            name: "mionex::logging".to_owned(),
        })
        .map_err(open_err)?;
        let sink = Arc::new(Mutex::new(sink));
        let writer = match opts.writer {
            Some((capacity, overflow)) => Some(
                Writer::start(Arc::clone(&sink), capacity, overflow, &name).map_err(open_err)?,
            ),
            None => None,
        };
        Ok(FileHandler {
            level: opts.level,
            format: opts.format,
            sink,
            writer,
            lock: Mutex::new(lock),
            name,
            path,
        })
    }

    fn sink(&self) -> MutexGuard<'_, FileSink> {
        self.sink.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn dropped_note(&self, n: u64) -> Vec<u8> {
        line_of(
            &*self.format,
            &Record::builder()
                .args(format_args!(
                    "{n} log records dropped: the writer queue of {} was full",
                    self.name
                ))
                .level(Level::Warn)
                .target("mionex::logging")
                .module_path_static(Some(module_path!()))
                .build(),
        )
    }

    pub(crate) fn emit(&self, record: &Record<'_>) {
        let level = record.level();
        with_line(&*self.format, record, |line| {
            if let Some(w) = &self.writer {
                match w.push(line, level, |n| self.dropped_note(n)) {
                    Pushed::Queued | Pushed::Dropped => return,
                    Pushed::Closed => {}
                }
            }
            self.sink().write(line, level);
        });
    }

    pub(crate) fn level(&self) -> LevelFilter {
        self.level
    }

    pub(crate) fn flush(&self) {
        self.sink().flush();
    }

    pub(crate) fn tick(&self) {
        self.sink().tick();
    }

    pub(crate) fn reopen(&self) -> Result<(), LogError> {
        let path = self.path.clone();
        self.sink()
            .reopen()
            .map_err(|source| LogError::Open { path, source })
    }

    pub(crate) fn stats(&self) -> LogStats {
        let mut s = self.sink().stats();
        if let Some(w) = &self.writer {
            s.dropped = w.dropped();
        }
        s
    }

    pub(crate) fn shutdown(&self, deadline: Instant) -> ShutdownReport {
        let mut abandoned = 0;
        if let Some(w) = &self.writer {
            abandoned = w.close(deadline);
            let n = w.take_pending_drops();
            if n > 0 {
                let note = self.dropped_note(n);
                self.sink().note(&note);
            }
        }
        {
            let mut sink = self.sink();
            sink.sync();
            sink.unbuffered();
        }
        let mut report = ShutdownReport::from_stats(&self.stats());
        report.abandoned = abandoned;
        if abandoned == 0 {
            // Drained: release the lock file so a successor may take over.
            self.lock
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
        }
        report
    }
}

impl Drop for FileHandler {
    fn drop(&mut self) {
        if let Some(w) = &self.writer {
            w.close(Instant::now() + Duration::from_secs(5));
        }
        self.sink().flush();
    }
}
