//! The buffered log file behind a file handler's mutex, and its failure
//! state machine: healthy, failing (records go to the console, retries with
//! backoff), healthy again with a "resumed" line.

use super::LogStats;
use super::format::{Formatter, line_of};
use log::{Level, Record};
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// When and how a file rotates. Called with the sink's mutex held.
pub(crate) trait Policy: Send {
    /// Whether to roll before appending `len` bytes to a file of `size` bytes.
    fn should_roll(&mut self, size: u64, len: usize) -> bool;
    /// Moves the closed file at `path` out of the way (renames, retention).
    fn roll(&mut self, path: &Path) -> io::Result<()>;
    /// The file at `path` was just opened (startup, reopen, after a roll).
    fn opened(&mut self, path: &Path, meta: &Metadata);
}

/// Where records go while the file fails.
pub enum Fallback {
    /// Standard error (the default).
    Stderr,
    /// Any writer (a test buffer, a second file).
    Writer(Box<dyn Write + Send>),
    /// Nowhere: records written while the file fails are lost (and counted).
    Discard,
}

impl Fallback {
    fn write(&mut self, bytes: &[u8]) {
        // Errors ignored: the fallback is the last resort (and `eprintln!`
        // would panic on a broken stderr).
        let _ = match self {
            Fallback::Stderr => io::stderr().lock().write_all(bytes),
            Fallback::Writer(w) => w.write_all(bytes).and_then(|()| w.flush()),
            Fallback::Discard => Ok(()),
        };
    }
}

const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
const NOTICE_EVERY: Duration = Duration::from_secs(30);

enum Health {
    Ok,
    Failing {
        since: Instant,
        retry_at: Instant,
        backoff: Duration,
        last_notice: Instant,
        records: u64,
    },
}

/// Settings a sink is built with.
pub(crate) struct SinkConfig {
    pub path: PathBuf,
    pub policy: Box<dyn Policy>,
    pub buffer: usize,
    pub flush_level: Level,
    pub fallback: Fallback,
    pub format: Arc<dyn Formatter>,
    pub name: String,
}

pub(crate) struct FileSink {
    path: PathBuf,
    policy: Box<dyn Policy>,
    file: Option<File>,
    /// `false` for character devices and pipes: never rotated or watched.
    regular: bool,
    identity: Option<(u64, u64)>,
    buf: Vec<u8>,
    buf_records: u64,
    buffer: usize,
    size: u64,
    flush_level: Level,
    fallback: Fallback,
    format: Arc<dyn Formatter>,
    name: String,
    health: Health,
    pending_roll: bool,
    /// A failed write left a partial line in the file: end it on recovery.
    mid_line: bool,
    stats: LogStats,
}

impl FileSink {
    /// Opens (creating directories) the file; fails only at this first open.
    pub(crate) fn open(cfg: SinkConfig) -> io::Result<FileSink> {
        let mut sink = FileSink {
            path: cfg.path,
            policy: cfg.policy,
            file: None,
            regular: true,
            identity: None,
            buf: Vec::with_capacity(cfg.buffer),
            buf_records: 0,
            buffer: cfg.buffer,
            size: 0,
            flush_level: cfg.flush_level,
            fallback: cfg.fallback,
            format: cfg.format,
            name: cfg.name,
            health: Health::Ok,
            pending_roll: false,
            mid_line: false,
            stats: LogStats::default(),
        };
        sink.open_file()?;
        Ok(sink)
    }

    fn open_file(&mut self) -> io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        let meta = file.metadata()?;
        self.regular = meta.is_file();
        self.size = if self.regular { meta.len() } else { 0 };
        self.identity = identity(&meta);
        if self.regular {
            self.policy.opened(&self.path, &meta);
        }
        self.file = Some(file);
        Ok(())
    }

    /// Appends one formatted line (with its newline).
    pub(crate) fn write(&mut self, line: &[u8], level: Level) {
        if let Health::Failing { retry_at, .. } = self.health {
            let now = Instant::now();
            if now < retry_at || !self.recover(now) {
                self.divert(line, now);
                return;
            }
        }
        if self.regular
            && (self.pending_roll || self.policy.should_roll(self.size, line.len()))
            && let Err(e) = self.rotate()
        {
            self.fail(&e, "rotate");
            self.divert(line, Instant::now());
            return;
        }
        self.buf.extend_from_slice(line);
        self.buf_records += 1;
        self.size += line.len() as u64;
        self.stats.bytes += line.len() as u64;
        if self.buf.len() >= self.buffer || level <= self.flush_level {
            self.flush();
        }
    }

    /// Writes out the buffer; on failure the unwritten lines go to the
    /// fallback and the sink starts failing.
    pub(crate) fn flush(&mut self) {
        if let Err(e) = self.try_flush() {
            self.fail(&e, "write");
        }
    }

    fn try_flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let mut written = 0;
        let result = match self.file.as_mut() {
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "log file is not open",
            )),
            Some(file) => loop {
                if written == self.buf.len() {
                    break Ok(());
                }
                match file.write(&self.buf[written..]) {
                    Ok(0) => break Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => written += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
            },
        };
        self.stats.flushes += 1;
        if result.is_ok() {
            self.stats.records += self.buf_records;
        } else {
            // Whole lines that reached the file count as written; the rest
            // (including a line cut in the middle) goes to the fallback.
            let line_start = self.buf[..written]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            self.mid_line = line_start < written;
            let rest = &self.buf[line_start..];
            let rest_lines = rest.iter().filter(|&&b| b == b'\n').count() as u64;
            self.fallback.write(rest);
            self.stats.fallback_records += rest_lines;
            self.stats.records += self.buf_records.saturating_sub(rest_lines);
            self.size = self.size.saturating_sub((self.buf.len() - written) as u64);
        }
        self.buf.clear();
        self.buf_records = 0;
        result
    }

    fn rotate(&mut self) -> io::Result<()> {
        let start = Instant::now();
        self.try_flush()?;
        self.pending_roll = true;
        self.file = None;
        if let Err(e) = self.policy.roll(&self.path) {
            // The current file is untouched: keep appending to it later.
            let _ = self.open_file();
            return Err(e);
        }
        self.open_file()?;
        self.pending_roll = false;
        self.stats.rotations += 1;
        self.stats.max_rotation_pause = self.stats.max_rotation_pause.max(start.elapsed());
        Ok(())
    }

    fn fail(&mut self, e: &io::Error, what: &str) {
        self.stats.write_errors += 1;
        let now = Instant::now();
        match &mut self.health {
            Health::Ok => {
                self.health = Health::Failing {
                    since: now,
                    retry_at: now + FIRST_BACKOFF,
                    backoff: FIRST_BACKOFF,
                    last_notice: now,
                    records: 0,
                };
                let msg = format!(
                    "mionex logging: cannot {what} {}: {e}; logging to the console until the file works again\n",
                    self.path.display()
                );
                self.fallback.write(msg.as_bytes());
            }
            Health::Failing {
                retry_at, backoff, ..
            } => {
                *backoff = (*backoff * 2).min(MAX_BACKOFF);
                *retry_at = now + *backoff;
            }
        }
    }

    fn divert(&mut self, line: &[u8], now: Instant) {
        self.fallback.write(line);
        self.stats.fallback_records += 1;
        if let Health::Failing {
            records,
            last_notice,
            since,
            ..
        } = &mut self.health
        {
            *records += 1;
            if now.duration_since(*last_notice) >= NOTICE_EVERY {
                *last_notice = now;
                let msg = format!(
                    "mionex logging: {} still failing after {} s; {} records went to the console\n",
                    self.path.display(),
                    now.duration_since(*since).as_secs(),
                    records
                );
                self.fallback.write(msg.as_bytes());
            }
        }
    }

    /// Tries to get the file working again: reopen, finish a pending
    /// rotation, and write the "resumed" line straight to the file; only a
    /// successful write counts as recovered. True on success.
    fn recover(&mut self, now: Instant) -> bool {
        let (since, records) = match self.health {
            Health::Failing { since, records, .. } => (since, records),
            Health::Ok => return true,
        };
        let secs = now.duration_since(since).as_secs_f64();
        let mut note = Vec::new();
        if self.mid_line {
            note.push(b'\n');
        }
        note.extend_from_slice(&line_of(
            &*self.format,
            &Record::builder()
                .args(format_args!(
                    "file logging resumed after {secs:.1} s; {records} records went to the console meanwhile"
                ))
                .level(Level::Warn)
                .target(&self.name)
                .module_path_static(Some(module_path!()))
                .build(),
        ));
        self.file = None;
        let attempt = self.open_file().and_then(|()| {
            if self.pending_roll && self.regular {
                self.rotate()?;
            }
            match self.file.as_mut() {
                Some(f) => f.write_all(&note),
                None => Err(io::ErrorKind::NotFound.into()),
            }
        });
        if let Err(e) = attempt {
            self.fail(&e, "reopen");
            return false;
        }
        self.mid_line = false;
        self.pending_roll = false;
        self.health = Health::Ok;
        self.stats.reopens += 1;
        self.stats.records += 1;
        self.stats.bytes += note.len() as u64;
        self.size += note.len() as u64;
        self.fallback.write(&note);
        true
    }

    /// Housekeeping: flush, notice an external delete/rename, retry a failure.
    pub(crate) fn tick(&mut self) {
        if let Health::Failing { retry_at, .. } = self.health {
            let now = Instant::now();
            if now >= retry_at && self.recover(now) {
                self.flush();
            }
            return;
        }
        if self.regular && self.moved() {
            // Keep the buffer: it lands in the new file rather than in a
            // deleted one.
            self.file = None;
            match self.open_file() {
                Ok(()) => self.stats.reopens += 1,
                Err(e) => self.fail(&e, "reopen"),
            }
        }
        self.flush();
    }

    /// Whether the path no longer names the open file.
    fn moved(&self) -> bool {
        let Some(file) = &self.file else { return false };
        match (fs::metadata(&self.path), file.metadata()) {
            (Ok(p), Ok(f)) => identity(&p) != identity(&f) || nlink(&f) == 0,
            (Err(_), _) => true,
            _ => false,
        }
    }

    /// Closes and reopens the file now (also retries a failing file at once).
    pub(crate) fn reopen(&mut self) -> io::Result<()> {
        if let Health::Failing { .. } = self.health {
            return if self.recover(Instant::now()) {
                self.flush();
                Ok(())
            } else {
                Err(io::Error::other(format!(
                    "{} still cannot be opened",
                    self.path.display()
                )))
            };
        }
        self.flush();
        self.file = None;
        match self.open_file() {
            Ok(()) => {
                self.stats.reopens += 1;
                Ok(())
            }
            Err(e) => {
                self.fail(&e, "reopen");
                Err(e)
            }
        }
    }

    /// Flushes and asks the OS to put the data on disk.
    pub(crate) fn sync(&mut self) {
        self.flush();
        if let Some(f) = &self.file {
            let _ = f.sync_data();
        }
    }

    /// Appends a line the sink makes itself (a "records dropped" notice).
    pub(crate) fn note(&mut self, line: &[u8]) {
        self.write(line, Level::Warn);
    }

    /// Writes every later line at once (after shutdown: no flusher left).
    pub(crate) fn unbuffered(&mut self) {
        self.buffer = 0;
    }

    pub(crate) fn stats(&self) -> LogStats {
        self.stats
    }
}

impl Drop for FileSink {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(unix)]
fn identity(m: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_: &Metadata) -> Option<(u64, u64)> {
    None
}

#[cfg(unix)]
fn nlink(m: &Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    m.nlink()
}

#[cfg(not(unix))]
fn nlink(_: &Metadata) -> u64 {
    1
}
