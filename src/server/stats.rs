//! Per-worker counters: written only by their worker (no contended
//! cache line on the request path), summed when someone reads them.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Counters one worker keeps.
#[derive(Default, Debug)]
pub(crate) struct WorkerStats {
    accepted: AtomicU64,
    refused: AtomicU64,
    requests: AtomicU64,
    rejected: AtomicU64,
    timeouts: AtomicU64,
    open: AtomicU64,
    ws_opened: AtomicU64,
    ws_overflow_closes: AtomicU64,
    ws_dropped: AtomicU64,
}

/// Single-writer increment: a plain load and store, no locked instruction.
fn bump(c: &AtomicU64) {
    c.store(c.load(Relaxed) + 1, Relaxed);
}

impl WorkerStats {
    pub(crate) fn inc_accepted(&self) {
        bump(&self.accepted);
        bump(&self.open);
    }
    pub(crate) fn dec_open(&self) {
        self.open
            .store(self.open.load(Relaxed).saturating_sub(1), Relaxed);
    }
    pub(crate) fn inc_refused(&self) {
        bump(&self.refused);
    }
    pub(crate) fn inc_requests(&self) {
        bump(&self.requests);
    }
    pub(crate) fn inc_rejected(&self) {
        bump(&self.rejected);
    }
    pub(crate) fn inc_timeouts(&self) {
        bump(&self.timeouts);
    }
    pub(crate) fn inc_ws_opened(&self) {
        bump(&self.ws_opened);
    }
    /// What a WebSocket's slow-consumer policy did since the last report.
    pub(crate) fn add_ws_overflow(&self, dropped: u64, closed: bool) {
        if dropped > 0 {
            let d = &self.ws_dropped;
            d.store(d.load(Relaxed) + dropped, Relaxed);
        }
        if closed {
            bump(&self.ws_overflow_closes);
        }
    }
}

/// A snapshot of the server's counters, summed over its workers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerStats {
    /// Connections accepted.
    pub accepted: u64,
    /// Connections refused because the server was at its connection limit.
    pub refused: u64,
    /// Requests answered by the app.
    pub requests: u64,
    /// Requests refused by the HTTP parser (4xx/5xx before any handler).
    pub rejected: u64,
    /// Requests that timed out while arriving (408).
    pub timeouts: u64,
    /// Connections open now.
    pub open_connections: u64,
    /// Connections upgraded to WebSocket.
    pub ws_opened: u64,
    /// WebSockets closed with 1013 because their send queue was full
    /// ([`Overflow::Close`](crate::ws::Overflow::Close)).
    pub ws_overflow_closes: u64,
    /// Messages dropped from full send queues
    /// ([`Overflow::DropOldest`](crate::ws::Overflow::DropOldest)).
    pub ws_dropped: u64,
}

impl ServerStats {
    pub(crate) fn sum<'a>(workers: impl Iterator<Item = &'a WorkerStats>) -> ServerStats {
        let mut s = ServerStats::default();
        for w in workers {
            s.accepted += w.accepted.load(Relaxed);
            s.refused += w.refused.load(Relaxed);
            s.requests += w.requests.load(Relaxed);
            s.rejected += w.rejected.load(Relaxed);
            s.timeouts += w.timeouts.load(Relaxed);
            s.open_connections += w.open.load(Relaxed);
            s.ws_opened += w.ws_opened.load(Relaxed);
            s.ws_overflow_closes += w.ws_overflow_closes.load(Relaxed);
            s.ws_dropped += w.ws_dropped.load(Relaxed);
        }
        s
    }
}
