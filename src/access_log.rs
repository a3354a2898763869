//! The access log: the seed's `RequestLoggingMiddleware` as a ready
//! middleware.
//!
//! Two styles. [`Style::Seed`] writes the tutorial's two lines per request,
//! one when it arrives and one when its answer is ready:
//!
//! ```text
//! Request: GET /plaintext [127.0.0.1]
//! Response: 200 - 0.00s
//! ```
//!
//! [`Style::Combined`] writes one line per request with everything a log
//! search needs:
//!
//! ```text
//! GET /users/7?token=[REDACTED] 200 0.000214s 13B [127.0.0.1] request_id=5c0e…
//! ```
//!
//! Every request gets a request id (its valid `X-Request-Id`, else a new
//! UUID v4), returned in the response's `X-Request-Id` and set as the
//! thread's current id while the request is served, so every line logged
//! meanwhile can carry it ([`WithRequestId`](crate::request_id::WithRequestId)).
//! Paths and queries are escaped so a client cannot forge a log line, and
//! the query parameters named with [`AccessLog::redact_query`] are logged
//! as `[REDACTED]`. Headers are never logged.
//!
//! Lines go to the `log` facade under the target `mionex::access` at
//! `INFO`, or to a [`Logger`] of your own with [`AccessLog::logger`].
//!
//! ```
//! use mionex::App;
//! use mionex::access_log::{AccessLog, Style};
//!
//! let mut app = App::new();
//! app.add_middleware(AccessLog::new().style(Style::Combined).redact_query(["token"]));
//! ```

use crate::logging::Logger;
use crate::logging::redact::{escape, redact_query};
use crate::middleware::{Middleware, Next};
use crate::request_id::{self, HEADER};
use crate::{Error, Request, Response};
use log::Level;
use std::time::Instant;

/// The target access lines are logged under.
pub const TARGET: &str = "mionex::access";

/// How the access log writes a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// The seed's two lines: `Request: GET /path [client]` on arrival and
    /// `Response: 200 - 0.00s` when answered.
    #[default]
    Seed,
    /// One line: method, path and (redacted) query, status, duration,
    /// body bytes (`-` for a streamed body), client and request id.
    Combined,
}

/// Middleware that logs every request and its response; see the
/// [module](self) docs. Add it first, so that it is the outermost layer
/// and times the whole chain.
pub struct AccessLog {
    style: Style,
    level: Level,
    redact: Vec<String>,
    logger: Option<Logger>,
}

impl Default for AccessLog {
    fn default() -> AccessLog {
        AccessLog::new()
    }
}

impl AccessLog {
    /// The seed's style, at `INFO`, through the global logger.
    pub fn new() -> AccessLog {
        AccessLog {
            style: Style::Seed,
            level: Level::Info,
            redact: Vec::new(),
            logger: None,
        }
    }

    /// Chooses the line style.
    pub fn style(mut self, style: Style) -> AccessLog {
        self.style = style;
        self
    }

    /// Logs at `level` instead of `INFO`.
    pub fn level(mut self, level: Level) -> AccessLog {
        self.level = level;
        self
    }

    /// Logs the values of these query parameters (names compared ignoring
    /// ASCII case) as `[REDACTED]`.
    pub fn redact_query<I, S>(mut self, names: I) -> AccessLog
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.redact.extend(names.into_iter().map(Into::into));
        self
    }

    /// Writes to `logger` instead of the global `log` logger.
    pub fn logger(mut self, logger: Logger) -> AccessLog {
        self.logger = Some(logger);
        self
    }

    fn emit(&self, args: std::fmt::Arguments<'_>) {
        let record = log::Record::builder()
            .args(args)
            .level(self.level)
            .target(TARGET)
            .module_path_static(Some(module_path!()))
            .file_static(Some(file!()))
            .line(Some(line!()))
            .build();
        match &self.logger {
            Some(l) if log::Log::enabled(l, record.metadata()) => log::Log::log(l, &record),
            Some(_) => {}
            None => {
                let global = log::logger();
                if self.level <= log::max_level() && global.enabled(record.metadata()) {
                    global.log(&record);
                }
            }
        }
    }

    fn enabled(&self) -> bool {
        let meta = log::Metadata::builder()
            .level(self.level)
            .target(TARGET)
            .build();
        match &self.logger {
            Some(l) => log::Log::enabled(l, &meta),
            None => self.level <= log::max_level() && log::logger().enabled(&meta),
        }
    }
}

impl Middleware for AccessLog {
    fn handle(&self, req: &mut Request, next: Next<'_>) -> Result<Response, Error> {
        let assigned = request_id::assign(req);
        let start = Instant::now();
        let on = self.enabled();
        let client = req.peer_addr().ip();
        if on && self.style == Style::Seed {
            self.emit(format_args!(
                "Request: {} {} [{client}]",
                req.method(),
                escape(req.path())
            ));
        }
        let mut res = next.run(req);
        let took = start.elapsed().as_secs_f64();
        if assigned.fresh {
            res.set_header(HEADER, assigned.id.as_str().to_owned());
        }
        if !on {
            return Ok(res);
        }
        match self.style {
            Style::Seed => self.emit(format_args!("Response: {} - {took:.2}s", res.status())),
            Style::Combined => {
                let query = req.query().map(|q| redact_query(q, &self.redact));
                let (q_mark, query) = match &query {
                    Some(q) => ("?", escape(q)),
                    None => ("", "".into()),
                };
                let bytes = res.body().len();
                self.emit(format_args!(
                    "{} {}{q_mark}{query} {} {took:.6}s {}B [{client}] request_id={}",
                    req.method(),
                    escape(req.path()),
                    res.status(),
                    Bytes(bytes),
                    assigned.id.as_str()
                ));
            }
        }
        Ok(res)
    }
}

/// A body length, or `-` when it is streamed.
struct Bytes(Option<usize>);

impl std::fmt::Display for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(n) => write!(f, "{n}"),
            None => f.write_str("-"),
        }
    }
}
