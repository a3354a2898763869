//! Security logging: an audit log of authentication attempts, and a
//! tracker that warns when one client collects too many 4xx answers.

use super::format::Json;
use super::{LogError, Logger, RotatingFileHandler};
use log::kv::Value;
use log::{Level, LevelFilter, Log, Record};
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The target of audit records.
pub const AUDIT_TARGET: &str = "audit";

/// The target of the suspicious-activity warnings.
pub const SECURITY_TARGET: &str = "mionex::security";

/// An audit trail, separate from the application log.
///
/// [`AuditLogger::open`] writes JSON lines to its own rotating file, each
/// record flushed at once; user names and reasons are client-controlled, so
/// they travel as JSON strings (escaped) and as key-values
/// (`event`, `outcome`, `user`, `client`, `reason`).
///
/// ```no_run
/// use mionex::logging::AuditLogger;
/// let audit = AuditLogger::open("logs/audit.log")?;
/// audit.auth_failure("10.0.0.7".parse().unwrap(), "admin", "bad password");
/// # Ok::<(), mionex::logging::LogError>(())
/// ```
#[derive(Clone, Debug)]
pub struct AuditLogger {
    logger: Logger,
}

impl AuditLogger {
    /// Audit records to `path` as JSON lines (rotating 10 MiB × 5), flushed
    /// per record.
    pub fn open(path: impl Into<PathBuf>) -> Result<AuditLogger, LogError> {
        let file = RotatingFileHandler::builder(path)
            .format(Json)
            .flush_level(Level::Trace)
            .open()?;
        let logger = Logger::direct(AUDIT_TARGET);
        logger.set_level(LevelFilter::Trace).add_handler(file);
        Ok(AuditLogger { logger })
    }

    /// Audit records to the handlers of `logger` (the application logger,
    /// a memory handler in tests).
    pub fn with_logger(logger: Logger) -> AuditLogger {
        AuditLogger { logger }
    }

    /// The logger audit records go through (to add handlers, read stats,
    /// shut down).
    pub fn logger(&self) -> &Logger {
        &self.logger
    }

    /// A successful login of `user` from `client`.
    pub fn auth_success(&self, client: IpAddr, user: &str) {
        let kvs = [
            ("event", Value::from("auth")),
            ("outcome", Value::from("success")),
            ("user", Value::from(user)),
            ("client", Value::from_display(&client)),
        ];
        // `{:?}` quotes the client's text and escapes every control
        // character and quote in it, so it cannot forge a line.
        self.emit(
            Level::Info,
            &kvs,
            format_args!("authentication succeeded for user {user:?} from {client}"),
        );
    }

    /// A failed login for `user` from `client`, and why.
    pub fn auth_failure(&self, client: IpAddr, user: &str, reason: &str) {
        let kvs = [
            ("event", Value::from("auth")),
            ("outcome", Value::from("failure")),
            ("user", Value::from(user)),
            ("client", Value::from_display(&client)),
            ("reason", Value::from(reason)),
        ];
        let reason = super::redact::escape(reason);
        self.emit(
            Level::Warn,
            &kvs,
            format_args!("authentication failed for user {user:?} from {client}: {reason}"),
        );
    }

    /// Any other security-relevant `event` (`"logout"`, `"password-change"`)
    /// with a free-form `detail`.
    pub fn event(&self, level: Level, event: &str, client: Option<IpAddr>, detail: &str) {
        let client_text = client.map(|c| c.to_string()).unwrap_or_default();
        let kvs = [
            ("event", Value::from(event)),
            ("client", Value::from(client_text.as_str())),
        ];
        let (event, detail) = (super::redact::escape(event), super::redact::escape(detail));
        self.emit(level, &kvs, format_args!("{event}: {detail}"));
    }

    fn emit(&self, level: Level, kvs: &[(&str, Value<'_>)], args: std::fmt::Arguments<'_>) {
        self.logger.log(
            &Record::builder()
                .args(args)
                .level(level)
                .target(AUDIT_TARGET)
                .module_path_static(Some(module_path!()))
                .key_values(&kvs)
                .build(),
        );
    }
}

/// Warns when one client gets more than `limit` 4xx answers (401 and 403
/// included) within `window`: credential stuffing, scanning, abuse.
///
/// Call [`record`](SuspicionTracker::record) with every answer; one warning
/// per client and window goes to the logger given to
/// [`log_to`](SuspicionTracker::log_to), or to the global `log` logger with
/// target `mionex::security`. Memory is bounded: at most `max_clients`
/// clients are tracked (default 10,000); when full, expired windows and
/// then the oldest tenth are forgotten.
///
/// ```
/// use mionex::logging::SuspicionTracker;
/// use std::time::Duration;
/// let tracker = SuspicionTracker::new(20, Duration::from_secs(60));
/// let client = "10.0.0.7".parse().unwrap();
/// for _ in 0..20 {
///     assert!(!tracker.record(client, 401));
/// }
/// assert!(tracker.record(client, 401)); // the 21st within a minute warns
/// ```
pub struct SuspicionTracker {
    limit: u32,
    window: Duration,
    max_clients: usize,
    clients: Mutex<HashMap<IpAddr, Window>>,
    logger: Option<Logger>,
    warnings: AtomicU64,
}

#[derive(Clone, Copy)]
struct Window {
    start: Instant,
    total: u32,
    unauthorized: u32,
    forbidden: u32,
    warned: bool,
}

impl SuspicionTracker {
    /// Warns past `limit` 4xx answers to one client within `window`.
    pub fn new(limit: u32, window: Duration) -> SuspicionTracker {
        SuspicionTracker {
            limit,
            window,
            max_clients: 10_000,
            clients: Mutex::new(HashMap::new()),
            logger: None,
            warnings: AtomicU64::new(0),
        }
    }

    /// Tracks at most `n` clients at once (default 10,000).
    pub fn max_clients(mut self, n: usize) -> SuspicionTracker {
        self.max_clients = n.max(1);
        self
    }

    /// Sends warnings to `logger` (for example an [`AuditLogger`]'s).
    pub fn log_to(mut self, logger: Logger) -> SuspicionTracker {
        self.logger = Some(logger);
        self
    }

    /// Counts one answer with `status` to `client`; true when this answer
    /// crossed the limit and a warning was logged.
    pub fn record(&self, client: IpAddr, status: u16) -> bool {
        // Most answers are not 4xx: no clock read for them.
        (400..500).contains(&status) && self.record_at(client, status, Instant::now())
    }

    /// [`record`](SuspicionTracker::record) at a given instant (tests, replays).
    pub fn record_at(&self, client: IpAddr, status: u16, now: Instant) -> bool {
        if !(400..500).contains(&status) {
            return false;
        }
        let snapshot = {
            let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
            if !clients.contains_key(&client) && clients.len() >= self.max_clients {
                self.evict(&mut clients, now);
            }
            let w = clients.entry(client).or_insert(Window {
                start: now,
                total: 0,
                unauthorized: 0,
                forbidden: 0,
                warned: false,
            });
            if now.saturating_duration_since(w.start) >= self.window {
                *w = Window {
                    start: now,
                    total: 0,
                    unauthorized: 0,
                    forbidden: 0,
                    warned: false,
                };
            }
            w.total += 1;
            w.unauthorized += u32::from(status == 401);
            w.forbidden += u32::from(status == 403);
            if w.total > self.limit && !w.warned {
                w.warned = true;
                Some(*w)
            } else {
                None
            }
        };
        let Some(w) = snapshot else { return false };
        self.warnings.fetch_add(1, Ordering::Relaxed);
        let client_text = client.to_string();
        let kvs = [
            ("event", Value::from("suspicious")),
            ("client", Value::from(client_text.as_str())),
            ("count", Value::from(w.total)),
            ("unauthorized", Value::from(w.unauthorized)),
            ("forbidden", Value::from(w.forbidden)),
        ];
        let secs = self.window.as_secs_f64();
        let args = format_args!(
            "suspicious activity: client {client} got {} 4xx answers (401: {}, 403: {}) within {secs} s",
            w.total, w.unauthorized, w.forbidden
        );
        let record = Record::builder()
            .args(args)
            .level(Level::Warn)
            .target(SECURITY_TARGET)
            .module_path_static(Some(module_path!()))
            .key_values(&kvs)
            .build();
        match &self.logger {
            Some(l) => l.log(&record),
            None => log::logger().log(&record),
        }
        true
    }

    fn evict(&self, clients: &mut HashMap<IpAddr, Window>, now: Instant) {
        clients.retain(|_, w| now.saturating_duration_since(w.start) < self.window);
        if clients.len() < self.max_clients {
            return;
        }
        let mut starts: Vec<Instant> = clients.values().map(|w| w.start).collect();
        let cut = (starts.len() / 10).max(1);
        let (_, &mut newest_dropped, _) = starts.select_nth_unstable(cut - 1);
        clients.retain(|_, w| w.start > newest_dropped);
        if clients.len() >= self.max_clients {
            clients.clear();
        }
    }

    /// Clients tracked right now.
    pub fn tracked_clients(&self) -> usize {
        self.clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Warnings logged so far.
    pub fn warnings(&self) -> u64 {
        self.warnings.load(Ordering::Relaxed)
    }
}

impl Default for SuspicionTracker {
    /// 20 client errors per minute.
    fn default() -> Self {
        SuspicionTracker::new(20, Duration::from_secs(60))
    }
}
