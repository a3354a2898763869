//! Middleware: code that wraps every handler, onion-style.
//!
//! The first middleware added is the outermost: it sees the request first
//! and the response last. Each one decides whether to call the rest of the
//! chain ([`Next::run`]), may change the request before and the response
//! after, or answer on its own (short-circuit).
//!
//! ```
//! use mionex::{App, Error, Next, Request, Response};
//!
//! let mut app = App::new();
//! app.add_middleware(|req: &mut Request, next: Next<'_>| -> Result<Response, Error> {
//!     let res = next.run(req)?;
//!     Ok(res.with_header("X-Served-By", "mionex"))
//! });
//! ```

use crate::handler::Handler;
use crate::{Error, Request, Response};
use std::sync::Arc;

/// Wraps the handlers of an app or of a route.
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

/// The rest of the chain, ending in the handler.
pub struct Next<'a> {
    chain: &'a [Arc<dyn Middleware>],
    endpoint: &'a dyn Handler,
}

impl<'a> Next<'a> {
    pub(crate) fn new(chain: &'a [Arc<dyn Middleware>], endpoint: &'a dyn Handler) -> Next<'a> {
        Next { chain, endpoint }
    }

    /// Runs the remaining middleware and the handler.
    pub fn run(self, req: &mut Request) -> Result<Response, Error> {
        match self.chain.split_first() {
            Some((first, rest)) => first.handle(req, Next::new(rest, self.endpoint)),
            None => self.endpoint.call(req),
        }
    }
}
