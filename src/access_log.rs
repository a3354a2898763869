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

    /// Logs one line; only called once [`AccessLog::enabled`] said yes.
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
            Some(l) => log::Log::log(l, &record),
            None => log::logger().log(&record),
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
        let client = IpText::new(req.peer_addr().ip());
        if on && self.style == Style::Seed {
            self.emit(format_args!(
                "Request: {} {} [{client}]",
                req.method(),
                escape(req.path())
            ));
        }
        let mut res = next.run(req);
        let took = start.elapsed();
        if assigned.fresh {
            res.set_header(HEADER, assigned.id.as_str().to_owned());
        }
        if !on {
            return Ok(res);
        }
        match self.style {
            Style::Seed => self.emit(format_args!(
                "Response: {} - {}s",
                res.status(),
                Seconds::new(took, 2)
            )),
            Style::Combined => {
                let query = req.query().map(|q| redact_query(q, &self.redact));
                let (q_mark, query) = match &query {
                    Some(q) => ("?", escape(q)),
                    None => ("", "".into()),
                };
                let bytes = res.body().len();
                self.emit(format_args!(
                    "{} {}{q_mark}{query} {} {}s {}B [{client}] request_id={}",
                    req.method(),
                    escape(req.path()),
                    res.status(),
                    Seconds::new(took, 6),
                    Bytes(bytes),
                    assigned.id.as_str()
                ));
            }
        }
        Ok(res)
    }
}

/// An IP address as text, formatted by hand once per request (`core`'s
/// `Display` for addresses is several times slower than the log line's
/// other fields together).
struct IpText {
    buf: [u8; 39],
    len: usize,
}

impl IpText {
    fn new(ip: std::net::IpAddr) -> IpText {
        let mut t = IpText {
            buf: [0; 39],
            len: 0,
        };
        match ip {
            std::net::IpAddr::V4(v4) => {
                for (i, octet) in v4.octets().into_iter().enumerate() {
                    if i > 0 {
                        t.push(b'.');
                    }
                    if octet >= 100 {
                        t.push(b'0' + octet / 100);
                    }
                    if octet >= 10 {
                        t.push(b'0' + octet / 10 % 10);
                    }
                    t.push(b'0' + octet % 10);
                }
            }
            std::net::IpAddr::V6(v6) => {
                use std::io::Write;
                let mut cursor = std::io::Cursor::new(&mut t.buf[..]);
                let _ = write!(cursor, "{v6}");
                t.len = cursor.position() as usize;
            }
        }
        t
    }

    fn push(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }
}

impl std::fmt::Display for IpText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only ASCII digits, dots, colons and hex letters go in.
        f.write_str(std::str::from_utf8(&self.buf[..self.len]).unwrap_or("?"))
    }
}

/// A duration in seconds with a fixed number of decimals, by integer
/// arithmetic (rounded half up), without float formatting.
struct Seconds {
    whole: u64,
    frac: u64,
    digits: u32,
}

impl Seconds {
    fn new(d: std::time::Duration, digits: u32) -> Seconds {
        let unit = 10u64.pow(9 - digits);
        let scaled = (d.as_nanos() as u64 + unit / 2) / unit;
        let scale = 10u64.pow(digits);
        Seconds {
            whole: scaled / scale,
            frac: scaled % scale,
            digits,
        }
    }
}

impl std::fmt::Display for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = [0u8; 32];
        let mut i = buf.len();
        let mut frac = self.frac;
        for _ in 0..self.digits {
            i -= 1;
            buf[i] = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        i -= 1;
        buf[i] = b'.';
        let mut whole = self.whole;
        loop {
            i -= 1;
            buf[i] = b'0' + (whole % 10) as u8;
            whole /= 10;
            if whole == 0 {
                break;
            }
        }
        f.write_str(std::str::from_utf8(&buf[i..]).unwrap_or("?"))
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

#[cfg(test)]
mod tests {
    use super::{IpText, Seconds};
    use std::time::Duration;

    #[test]
    fn addresses_and_seconds_format_like_std() {
        for ip in [
            "127.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "10.20.3.104",
            "::1",
            "2001:db8::ff00:42:8329",
        ] {
            let parsed: std::net::IpAddr = ip.parse().unwrap();
            assert_eq!(IpText::new(parsed).to_string(), parsed.to_string());
        }
        let s = |nanos: u64, digits| Seconds::new(Duration::from_nanos(nanos), digits).to_string();
        assert_eq!(s(0, 2), "0.00");
        assert_eq!(s(4_999_999, 2), "0.00");
        assert_eq!(s(5_000_000, 2), "0.01");
        assert_eq!(s(1_234_000_000, 2), "1.23");
        assert_eq!(s(12_345_678_901, 6), "12.345679");
        assert_eq!(s(999_999_999, 2), "1.00");
    }
}
