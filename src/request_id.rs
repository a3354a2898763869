//! Request ids: taken from the client's `X-Request-Id` or generated (UUID
//! v4), returned in the response, and kept as this thread's *current
//! request id* while the request is served, so that every log line made
//! meanwhile, by any code, can carry it ([`WithRequestId`]).
//!
//! A worker serves one request at a time on its thread, so a thread-local
//! is exactly "the request being served here".
//!
//! ```
//! use mionex::logging::{MemoryHandler, Pattern};
//! use mionex::request_id::{self, WithRequestId};
//! use log::LevelFilter;
//!
//! let memory = MemoryHandler::with(
//!     LevelFilter::Info,
//!     WithRequestId::text(Pattern::parse("%(message)s")?),
//!     10,
//! );
//! let logger = mionex::logging::Logger::new("app");
//! logger.add_handler(memory.clone());
//! {
//!     let _serving = request_id::enter("abc-123");
//!     assert_eq!(request_id::current().as_deref(), Some("abc-123"));
//!     log::info!(logger: logger, "inside");
//! }
//! log::info!(logger: logger, "outside");
//! assert_eq!(memory.lines(), ["inside request_id=abc-123", "outside"]);
//! # Ok::<(), mionex::logging::LogError>(())
//! ```

use crate::logging::Formatter;
use crate::middleware::{Middleware, Next};
use crate::{Error, Request, Response};
use std::cell::Cell;

/// The header a request id is read from and returned in.
pub const HEADER: &str = "X-Request-Id";

/// The longest client-sent id that is accepted (longer ones are replaced
/// by a generated id).
pub const MAX_LEN: usize = 64;

/// An id held inline, so setting it costs no allocation.
#[derive(Clone, Copy)]
pub(crate) struct IdBuf {
    len: u8,
    bytes: [u8; MAX_LEN],
}

impl IdBuf {
    const EMPTY: IdBuf = IdBuf {
        len: 0,
        bytes: [0; MAX_LEN],
    };

    /// `id` must pass [`is_valid`] (ASCII, at most `MAX_LEN` bytes).
    fn new(id: &str) -> IdBuf {
        let mut b = IdBuf::EMPTY;
        let n = id.len().min(MAX_LEN);
        b.bytes[..n].copy_from_slice(&id.as_bytes()[..n]);
        b.len = n as u8;
        b
    }

    fn generated() -> IdBuf {
        let mut b = IdBuf::EMPTY;
        let n = crate::ids::new_v4()
            .hyphenated()
            .encode_lower(&mut b.bytes)
            .len();
        b.len = n as u8;
        b
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII ever goes in (see `is_valid` and the UUID encoder).
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }
}

thread_local! {
    static CURRENT: Cell<IdBuf> = const { Cell::new(IdBuf::EMPTY) };
}

/// Whether a client-sent request id is used as is: 1 to [`MAX_LEN`]
/// characters among ASCII letters, digits and `-_.:+/=@`. Anything else
/// (spaces, quotes, control characters that could forge log lines) gets a
/// generated id instead.
pub fn is_valid(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:+/=@".contains(&b))
}

/// Runs `f` with the id of the request this thread is serving, if any.
/// Allocation-free; [`current`] is the owned convenience.
pub fn with_current<R>(f: impl FnOnce(Option<&str>) -> R) -> R {
    let buf = CURRENT.try_with(Cell::get).unwrap_or(IdBuf::EMPTY);
    f(Some(buf.as_str()).filter(|s| !s.is_empty()))
}

/// The id of the request this thread is serving, if any.
pub fn current() -> Option<String> {
    with_current(|id| id.map(str::to_owned))
}

/// Marks this thread as serving the request `id` until the guard drops
/// (the previous id, if any, comes back then). An `id` that fails
/// [`is_valid`] is replaced by a generated one.
pub fn enter(id: &str) -> Serving {
    let buf = if is_valid(id) {
        IdBuf::new(id)
    } else {
        IdBuf::generated()
    };
    enter_buf(buf)
}

fn enter_buf(buf: IdBuf) -> Serving {
    let previous = CURRENT.try_with(|c| c.replace(buf)).unwrap_or(IdBuf::EMPTY);
    Serving { previous }
}

/// While alive, this thread's current request id is set; see [`enter`].
#[must_use = "the id is cleared when the guard drops"]
pub struct Serving {
    previous: IdBuf,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|c| c.set(self.previous));
    }
}

/// What [`assign`] did: the guard and whether it set a new id.
pub(crate) struct Assigned {
    pub(crate) _serving: Option<Serving>,
    pub(crate) id: IdBuf,
    pub(crate) fresh: bool,
}

/// Gives `req` an id unless an outer layer already did: its valid
/// `X-Request-Id`, else a generated one.
pub(crate) fn assign(req: &Request) -> Assigned {
    let existing = CURRENT.try_with(Cell::get).unwrap_or(IdBuf::EMPTY);
    if existing.len > 0 {
        return Assigned {
            _serving: None,
            id: existing,
            fresh: false,
        };
    }
    let id = match req.header(HEADER) {
        Some(v) if is_valid(v) => IdBuf::new(v),
        _ => IdBuf::generated(),
    };
    Assigned {
        _serving: Some(enter_buf(id)),
        id,
        fresh: true,
    }
}

/// Middleware that gives every request an id (see the [module](self)
/// docs) and returns it in the `X-Request-Id` response header.
///
/// [`AccessLog`](crate::access_log::AccessLog) does the same on its own;
/// add `RequestId` first (outermost) when other middleware outside the
/// access log should log with the id too.
#[derive(Debug, Default, Clone, Copy)]
pub struct RequestId;

impl Middleware for RequestId {
    fn handle(&self, req: &mut Request, next: Next<'_>) -> Result<Response, Error> {
        let a = assign(req);
        let mut res = next.run(req);
        if a.fresh {
            res.set_header(HEADER, a.id.as_str().to_owned());
        }
        Ok(res)
    }
}

/// Wraps a log [`Formatter`] to add the current request id to every line
/// made while a request is served: ` request_id=<id>` at the end of a
/// text line, or a `"request_id"` member of a JSON object line.
pub struct WithRequestId<F> {
    inner: F,
    json: bool,
}

impl<F: Formatter> WithRequestId<F> {
    /// For text formats ([`Pattern`](crate::logging::Pattern)): appends
    /// ` request_id=<id>`.
    pub fn text(inner: F) -> WithRequestId<F> {
        WithRequestId { inner, json: false }
    }

    /// For [`Json`](crate::logging::Json) lines: adds
    /// `"request_id":"<id>"` as the object's last member.
    pub fn json(inner: F) -> WithRequestId<F> {
        WithRequestId { inner, json: true }
    }
}

impl<F: Formatter> Formatter for WithRequestId<F> {
    fn format(&self, record: &log::Record<'_>, out: &mut Vec<u8>) {
        let start = out.len();
        self.inner.format(record, out);
        with_current(|id| {
            let Some(id) = id else { return };
            // Ids are restricted to characters that need no JSON escaping.
            if self.json {
                if out.len() > start && out.last() == Some(&b'}') {
                    out.pop();
                    let empty = out.len() == start + 1;
                    if !empty {
                        out.push(b',');
                    }
                    out.extend_from_slice(b"\"request_id\":\"");
                    out.extend_from_slice(id.as_bytes());
                    out.extend_from_slice(b"\"}");
                }
            } else {
                out.extend_from_slice(b" request_id=");
                out.extend_from_slice(id.as_bytes());
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        for ok in ["abc", "3f2c-11", "a.b_c:d+e/f=g@h", &"x".repeat(64)] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in ["", "a b", "a\nb", "a\"b", "é", &"x".repeat(65), "a\\b"] {
            assert!(!is_valid(bad), "{bad:?}");
        }
    }

    #[test]
    fn nesting_restores_and_invalid_ids_are_replaced() {
        assert_eq!(current(), None);
        {
            let _a = enter("outer");
            {
                let _b = enter("bad id\r\n");
                let id = current().unwrap();
                assert_eq!(id.len(), 36, "{id}");
            }
            assert_eq!(current().as_deref(), Some("outer"));
        }
        assert_eq!(current(), None);
    }

    #[test]
    fn json_member_is_added() {
        let f = WithRequestId::json(|_: &log::Record<'_>, out: &mut Vec<u8>| {
            out.extend_from_slice(br#"{"msg":"x"}"#)
        });
        let rec = log::Record::builder().args(format_args!("x")).build();
        let mut out = Vec::new();
        let _g = enter("r1");
        f.format(&rec, &mut out);
        assert_eq!(out, br#"{"msg":"x","request_id":"r1"}"#);
    }
}
