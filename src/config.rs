//! Server settings: threads and limits, each with a documented default.

use std::time::Duration;

/// Limits that protect the server from clients, slow or hostile.
///
/// Every field says its default and why.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Bytes of request line plus header fields before the server answers
    /// 431. Default 16 KiB: browsers send under 8 KiB; more is usually an
    /// attack or a cookie jar gone wrong.
    pub max_head_bytes: usize,
    /// Header fields per request before 431. Default 64 (at most 256).
    pub max_headers: usize,
    /// Request body bytes (after de-chunking) before 413. Default 8 MiB:
    /// bodies are held in memory, so this bounds memory per connection.
    pub max_body_bytes: usize,
    /// Time to receive a whole request head once its first byte came, and
    /// the longest a body may go without progress; then 408 and close.
    /// Default 30 s: slowloris clients hold a connection by trickling.
    pub header_timeout: Duration,
    /// An idle keep-alive connection is closed after this. Default 60 s.
    pub keep_alive_timeout: Duration,
    /// A response that cannot be written for this long (the client stopped
    /// reading) closes the connection. Default 30 s.
    pub write_timeout: Duration,
    /// Open connections across all workers; past it new connections get a
    /// 503 and are closed (and counted). Default 16,384.
    pub max_connections: usize,
    /// Unwritten response bytes per connection above which the server stops
    /// reading pipelined requests until the client catches up. Default
    /// 256 KiB.
    pub max_pending_output: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_head_bytes: 16 * 1024,
            max_headers: 64,
            max_body_bytes: 8 * 1024 * 1024,
            header_timeout: Duration::from_secs(30),
            keep_alive_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
            max_connections: 16_384,
            max_pending_output: 256 * 1024,
        }
    }
}

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Event-loop threads. Default: the number of cores. Handlers run on
    /// these threads, so a handler that blocks stalls its worker.
    pub workers: usize,
    /// Client limits.
    pub limits: Limits,
    /// On shutdown, how long in-flight requests may take to finish before
    /// their connections are closed anyway. Default 10 s.
    pub shutdown_timeout: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            limits: Limits::default(),
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}
