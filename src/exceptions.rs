//! Exception handlers: turning an [`Error`] into the response the client
//! gets, chosen by the error's type, its status, and the path prefix
//! ([`Scope`](crate::Scope)) of the request.
//!
//! For an error, the handler is the first found in this order:
//!
//! 1. the scopes whose prefix covers the request's path, deepest first
//!    (`/api/v1` before `/api`), then the app itself;
//! 2. within one of those, a handler for the error's own type (found with
//!    [`Error::downcast_ref`]), then one for its status (`404`, `500`),
//!    then one for [`HttpError`] (every HTTP error), then the catch-all.
//!
//! No handler: [`default_response`]. A handler that returns `Err` or
//! panics is not retried with another: the client gets the default 500
//! for that failure, and it is logged.

use crate::scope::Prefix;
use crate::{Error, HttpError, Request, Response};
use std::any::TypeId;
use std::error::Error as StdError;

type TryFn = dyn Fn(&Request, &Error) -> Option<Result<Response, Error>> + Send + Sync;
type StatusFn = dyn Fn(&Request, &Error) -> Result<Response, Error> + Send + Sync;

/// The exception handlers of the app or of one scope.
#[derive(Default)]
pub(crate) struct Handlers {
    typed: Vec<Box<TryFn>>,
    http: Option<Box<TryFn>>,
    status: Vec<(u16, Box<StatusFn>)>,
    any: Option<Box<StatusFn>>,
}

impl Handlers {
    pub(crate) fn by_type<E, F>(&mut self, f: F)
    where
        E: StdError + 'static,
        F: Fn(&Request, &E) -> Result<Response, Error> + Send + Sync + 'static,
    {
        let boxed: Box<TryFn> =
            Box::new(move |req, err| err.downcast_ref::<E>().map(|e| f(req, e)));
        if TypeId::of::<E>() == TypeId::of::<HttpError>() {
            self.http = Some(boxed);
        } else {
            self.typed.push(boxed);
        }
    }

    pub(crate) fn by_status<F>(&mut self, status: u16, f: F)
    where
        F: Fn(&Request, &Error) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.status.retain(|(s, _)| *s != status);
        self.status.push((status, Box::new(f)));
    }

    pub(crate) fn any<F>(&mut self, f: F)
    where
        F: Fn(&Request, &Error) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.any = Some(Box::new(f));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.typed.is_empty() && self.http.is_none() && self.status.is_empty() && self.any.is_none()
    }

    fn try_handle(&self, req: &Request, err: &Error) -> Option<Result<Response, Error>> {
        if let Some(r) = self.typed.iter().find_map(|h| h(req, err)) {
            return Some(r);
        }
        let status = err.status();
        if let Some((_, h)) = self.status.iter().find(|(s, _)| *s == status) {
            return Some(h(req, err));
        }
        if let Some(r) = self.http.as_ref().and_then(|h| h(req, err)) {
            return Some(r);
        }
        self.any.as_ref().map(|h| h(req, err))
    }
}

/// Every exception handler of a frozen app.
#[derive(Default)]
pub(crate) struct Exceptions {
    /// Deepest prefix first.
    scoped: Vec<(Prefix, Handlers)>,
    app: Handlers,
}

impl Exceptions {
    pub(crate) fn new(app: Handlers, mut scoped: Vec<(Prefix, Handlers)>) -> Exceptions {
        scoped.retain(|(_, h)| !h.is_empty());
        // Stable: equal depths keep registration order.
        scoped.sort_by_key(|(p, _)| std::cmp::Reverse(p.depth()));
        Exceptions { scoped, app }
    }

    /// The response for `err`: the most specific handler's, or the default.
    pub(crate) fn handle(&self, req: &Request, err: &Error) -> Response {
        let found = crate::panic::catch(|| {
            self.scoped
                .iter()
                .filter(|(p, _)| p.matches_path(req.path()))
                .find_map(|(_, h)| h.try_handle(req, err))
                .or_else(|| self.app.try_handle(req, err))
        });
        match found {
            Ok(None) => default_response(req, err),
            Ok(Some(Ok(res))) => res,
            Ok(Some(Err(failed))) => {
                log::error!(target: "mionex::exceptions",
                    "exception handler for {err} failed: {failed}");
                default_response(req, &failed)
            }
            Err(panicked) => {
                log::error!(target: "mionex::exceptions",
                    "exception handler for {err} panicked");
                default_response(req, &Error::new(panicked))
            }
        }
    }
}

/// The default answer to an error: JSON `{"error": "<message>", "id":
/// "<uuid v4>"}` with the error's status and an [`HttpError`]'s headers.
/// The message is an [`HttpError`]'s own, else `Internal Server Error`:
/// never internal detail, never a backtrace. Server errors (5xx) are
/// logged at `ERROR` with the id, method, path, client and cause chain
/// (and a panic's backtrace); other statuses at `DEBUG`.
///
/// Custom handlers can log their own way and still answer with this.
pub fn default_response(req: &Request, err: &Error) -> Response {
    let id = crate::ids::new_v4();
    let status = err.status();
    let http = err.downcast_ref::<HttpError>();
    let message = match http {
        Some(h) => h.message(),
        None => "Internal Server Error",
    };
    let path = crate::logging::redact::escape(req.path());
    if status >= 500 {
        let backtrace = err
            .downcast_ref::<crate::PanicError>()
            .map(|p| format!("\nBacktrace:\n{}", p.backtrace))
            .unwrap_or_default();
        log::error!(target: "mionex::exceptions",
            "Unhandled error [{id}]: {err} | {} {path} [{}]{backtrace}",
            req.method(),
            req.peer_addr().ip()
        );
    } else {
        log::debug!(target: "mionex::exceptions",
            "{status} [{id}]: {err} | {} {path} [{}]",
            req.method(),
            req.peer_addr().ip()
        );
    }
    let mut body = String::with_capacity(72 + message.len());
    body.push_str("{\"error\":");
    crate::json::escape_into(&mut body, message);
    body.push_str(",\"id\":\"");
    let mut buf = [0u8; 36];
    body.push_str(id.hyphenated().encode_lower(&mut buf));
    body.push_str("\"}");
    let mut res = Response::json_text(body).with_status(status);
    if let Some(h) = http {
        for (n, v) in h.headers() {
            res.add_header(n.to_owned(), v.to_owned());
        }
    }
    res
}
