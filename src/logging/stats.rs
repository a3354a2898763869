//! Logger health: what the handlers did, as a plain snapshot.

use std::time::Duration;

/// A snapshot of a handler's (or a whole logger's) health counters.
///
/// Read it with [`Logger::stats`](super::Logger::stats) or
/// [`Handler::stats`](super::Handler::stats); the monitoring module can show
/// it as is. Counters only grow; snapshots of several handlers add up with
/// [`LogStats::merge`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogStats {
    /// Records handed to the handler's output (file, stream or memory).
    pub records: u64,
    /// Bytes of formatted records, newlines included.
    pub bytes: u64,
    /// Completed rotations (size or time).
    pub rotations: u64,
    /// Failed writes, opens, renames and flushes.
    pub write_errors: u64,
    /// Records dropped because a bounded queue was full (`Overflow::Drop`).
    pub dropped: u64,
    /// Records written to the console fallback while the file was failing.
    pub fallback_records: u64,
    /// Times the file was reopened (external deletion or rename, `reopen()`,
    /// recovery after a failure).
    pub reopens: u64,
    /// Buffer flushes (each is one or more `write` calls).
    pub flushes: u64,
    /// The longest time a rotation held the file (flush, renames, reopen).
    pub max_rotation_pause: Duration,
}

impl LogStats {
    /// Adds `other`'s counters to these (the pause takes the maximum).
    pub fn merge(&mut self, other: &LogStats) {
        self.records += other.records;
        self.bytes += other.bytes;
        self.rotations += other.rotations;
        self.write_errors += other.write_errors;
        self.dropped += other.dropped;
        self.fallback_records += other.fallback_records;
        self.reopens += other.reopens;
        self.flushes += other.flushes;
        self.max_rotation_pause = self.max_rotation_pause.max(other.max_rotation_pause);
    }
}

/// What [`Logger::shutdown`](super::Logger::shutdown) achieved before its deadline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Records written over the handlers' lifetime (sum over handlers).
    pub written: u64,
    /// Records dropped by full queues over the handlers' lifetime.
    pub dropped: u64,
    /// Records still queued when the deadline passed (0 when drained).
    pub abandoned: u64,
    /// Write errors over the handlers' lifetime.
    pub write_errors: u64,
}

impl ShutdownReport {
    /// A report carrying the counters of `stats`, nothing abandoned.
    pub fn from_stats(stats: &LogStats) -> Self {
        ShutdownReport {
            written: stats.records,
            dropped: stats.dropped,
            abandoned: 0,
            write_errors: stats.write_errors,
        }
    }

    /// Adds `other` to this report.
    pub fn merge(&mut self, other: &ShutdownReport) {
        self.written += other.written;
        self.dropped += other.dropped;
        self.abandoned += other.abandoned;
        self.write_errors += other.write_errors;
    }
}
