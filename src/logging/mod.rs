//! Logging behind the `log` facade: Python's `logging` setup, in Rust.
//!
//! One [`Logger`] with several [`Handler`]s, each with its own level and
//! [`Formatter`]: a console [`StreamHandler`], a [`RotatingFileHandler`]
//! with exactly Python's `RotatingFileHandler` rules (`app.log`,
//! `app.log.1` newest … `app.log.N`, never split a record, never exceed
//! `max_bytes`), a [`TimedRotatingFileHandler`], [`Json`] lines, and your
//! own handlers. Installed, it receives every crate's `log` records.
//!
//! The trade-offs, stated up front: file output is buffered (64 KiB) and
//! flushed at `WARN` and above, about once a second, on rotation and at
//! [`Logger::shutdown`], which you should call before exiting. Timestamps
//! are UTC. A file that cannot be written never panics or blocks the
//! server: records go to the console while it is retried, and the
//! counters in [`LogStats`] say what happened.
//!
//! The seed's setup, in a few lines:
//!
//! ```
//! use mionex::logging::{create_logger, Pattern, StreamHandler};
//! use log::LevelFilter;
//! # let dir = std::env::temp_dir().join(format!("mionex-doc-{}", std::process::id()));
//! # let app_log = dir.join("app.log");
//!
//! // stderr + logs/app.log, rotating at 10 MiB with 5 backups
//! let logger = create_logger("myapp", LevelFilter::Debug, Some(&app_log), 10 * 1024 * 1024, 5)?;
//!
//! // one more console handler with a custom format, warnings only
//! logger.add_handler(
//!     StreamHandler::stdout()
//!         .format(Pattern::parse("%(asctime)s %(levelname)s %(name)s: %(message)s")?)
//!         .level(LevelFilter::Warn),
//! );
//!
//! logger.install()?; // now log::info! anywhere reaches both files and consoles
//! log::debug!("starting");
//!
//! let report = logger.shutdown(std::time::Duration::from_secs(2));
//! assert_eq!(report.dropped, 0);
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), mionex::logging::LogError>(())
//! ```
//!
//! Access logs call the helpers in [`redact`]; security events go to an
//! [`AuditLogger`] and a [`SuspicionTracker`].

mod audit;
mod error;
mod file;
mod format;
mod handler;
mod lockfile;
mod logger;
pub mod redact;
mod rotating;
mod sink;
mod stats;
mod stream;
mod time;
mod timed;
mod writer;

pub use audit::{AUDIT_TARGET, AuditLogger, SECURITY_TARGET, SuspicionTracker};
pub use error::LogError;
pub use format::pattern::SEED_FORMAT;
pub use format::{Formatter, Json, Pattern};
pub use handler::{FnHandler, Handler, MemoryHandler, handler_fn};
pub use log::{Level, LevelFilter};
pub use logger::{Logger, MAX_HANDLERS};
pub use rotating::{RotatingBuilder, RotatingFileHandler};
pub use sink::Fallback;
pub use stats::{LogStats, ShutdownReport};
pub use stream::StreamHandler;
pub use timed::{TimedBuilder, TimedRotatingFileHandler, When};
pub use writer::Overflow;

use std::path::Path;

/// The seed's `max_bytes` default: 10 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// The seed's `backup_count` default: 5.
pub const DEFAULT_BACKUP_COUNT: usize = 5;

/// The seed's `create_logger`: a logger named `logger_name` at `log_level`
/// with a stderr handler and, when `log_file` is given, a
/// [`RotatingFileHandler`] (`max_bytes`, `backup_count`; the seed's
/// defaults are [`DEFAULT_MAX_BYTES`] and [`DEFAULT_BACKUP_COUNT`]), both in
/// the seed's format `[%(asctime)s] %(levelname)s in %(module)s: %(message)s`.
///
/// The logger is not installed: call [`Logger::install`] to make it the
/// global `log` logger. Fails if the file cannot be opened or another
/// process holds it ([`LogError::Locked`]).
pub fn create_logger<P: AsRef<Path>>(
    logger_name: &str,
    log_level: LevelFilter,
    log_file: Option<P>,
    max_bytes: u64,
    backup_count: usize,
) -> Result<Logger, LogError> {
    let logger = Logger::new(logger_name);
    logger
        .set_level(log_level)
        .add_handler(StreamHandler::stderr());
    if let Some(path) = log_file {
        let file = RotatingFileHandler::builder(path.as_ref())
            .max_bytes(max_bytes)
            .backup_count(backup_count)
            .open()?;
        logger.add_handler(file);
    }
    Ok(logger)
}
