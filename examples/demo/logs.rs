//! The seed's "Logging Setup": `create_logger` with a rotating `app.log`,
//! the console in the seed's format, and the request id on every file line
//! ("include contextual information").

use crate::args::Args;
use mionex::logging::{LogError, Logger, Pattern, RotatingFileHandler, create_logger};
use mionex::request_id::WithRequestId;
use std::path::Path;
use std::sync::Arc;

/// The loggers the demo runs with.
pub struct Logs {
    /// `myapp`: the console and `app.log`; the global `log` logger.
    pub app: Logger,
    /// `access`: the access log's lines, to `app.log` only, so that a load
    /// test does not print two console lines per request.
    pub access: Logger,
}

/// Sets up the loggers from the flags and installs `myapp` globally.
pub fn init(args: &Args) -> Result<Logs, LogError> {
    // The console handler, in the seed's format, at --log-level.
    let app = create_logger("myapp", args.log_level, None::<&Path>, 0, 0)?;
    let file = Arc::new(
        RotatingFileHandler::builder(args.log_dir.join("app.log"))
            .max_bytes(args.max_bytes)
            .backup_count(args.backup_count)
            .format(WithRequestId::text(Pattern::seed()))
            .open()?,
    );
    app.add_handler(file.clone());
    let access = Logger::new("access");
    access.set_level(args.log_level).add_handler(file);
    app.install()?;
    Ok(Logs { app, access })
}
