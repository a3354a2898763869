//! Middleware: code that wraps handlers, onion-style.
//!
//! The first middleware added is the outermost: it sees the request first
//! and the response last. Each one decides whether to call the rest of the
//! chain ([`Next::run`]), may change the request before and the response
//! after, or answer on its own (short-circuit). App middleware
//! ([`App::add_middleware`](crate::App::add_middleware)) wraps every
//! request, unmatched ones and WebSocket upgrades included; scope
//! middleware ([`Scope::add_middleware`](crate::Scope::add_middleware))
//! wraps the routes under a prefix, inside the app's.
//!
//! [`Next::run`] returns the response the client would get from the inner
//! layers: an error returned inside has already been turned into a
//! response by the [exception handlers](crate::exceptions), so a
//! middleware sees the final status of 404s and errors alike. An `Err` a
//! middleware returns itself goes to the exception handlers too.
//!
//! The chains are slices built once at start: running one allocates
//! nothing and takes no lock.
//!
//! ```
//! use mionex::{App, Error, Next, Request, Response};
//!
//! let mut app = App::new();
//! app.add_middleware(|req: &mut Request, next: Next<'_>| -> Result<Response, Error> {
//!     let res = next.run(req);
//!     Ok(res.with_header("X-Served-By", "mionex"))
//! });
//! ```

use crate::exceptions::Exceptions;
use crate::handler::Handler;
use crate::{Error, Request, Response};
use std::sync::Arc;

/// Wraps the handlers of an app or of a scope.
pub trait Middleware: Send + Sync + 'static {
    /// Handles `req`, usually by calling `next.run(req)` somewhere inside.
    fn handle(&self, req: &mut Request, next: Next<'_>) -> Result<Response, Error>;
}

impl<F> Middleware for F
where
    F: Fn(&mut Request, Next<'_>) -> Result<Response, Error> + Send + Sync + 'static,
{
    fn handle(&self, req: &mut Request, next: Next<'_>) -> Result<Response, Error> {
        self(req, next)
    }
}

/// What a chain of middleware ends in.
pub(crate) trait Endpoint {
    fn call(&self, req: &mut Request, errors: &Exceptions) -> Result<Response, Error>;
}

/// A handler as the end of a chain.
pub(crate) struct HandlerEnd<'a>(pub(crate) &'a dyn Handler);

impl Endpoint for HandlerEnd<'_> {
    fn call(&self, req: &mut Request, _: &Exceptions) -> Result<Response, Error> {
        self.0.call(req)
    }
}

/// The rest of the chain, ending in the handler.
pub struct Next<'a> {
    chain: &'a [Arc<dyn Middleware>],
    end: &'a dyn Endpoint,
    errors: &'a Exceptions,
    /// Handed to a middleware (whose code must get a response even when
    /// something inside panics), not made by the framework.
    nested: bool,
}

impl<'a> Next<'a> {
    pub(crate) fn new(
        chain: &'a [Arc<dyn Middleware>],
        end: &'a dyn Endpoint,
        errors: &'a Exceptions,
    ) -> Next<'a> {
        Next {
            chain,
            end,
            errors,
            nested: false,
        }
    }

    /// Runs the remaining middleware and the handler, and returns their
    /// response, errors already answered by the exception handlers. A
    /// panic inside is caught here and answered like an error, so every
    /// middleware outside (an access log, say) sees its 500.
    pub fn run(self, req: &mut Request) -> Response {
        let errors = self.errors;
        let mut call = || match self.chain.split_first() {
            Some((first, rest)) => first.handle(
                req,
                Next {
                    chain: rest,
                    nested: true,
                    ..self
                },
            ),
            None => self.end.call(req, self.errors),
        };
        // The framework's own callers of an empty chain catch for
        // themselves (see `Routed`): one `catch_unwind` fewer per request.
        let result = if self.nested || !self.chain.is_empty() {
            crate::panic::catch(call).unwrap_or_else(|p| Err(Error::new(p)))
        } else {
            call()
        };
        match result {
            Ok(res) => res,
            Err(err) => errors.handle(req, &err),
        }
    }
}
