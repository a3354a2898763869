//! Handlers: what answers a request.

use crate::{Error, Request, Response};

/// Answers a request. Plain functions and closures
/// `Fn(&Request) -> Result<Response, Error>` are handlers already.
///
/// Handlers run on the worker thread that owns the connection: one that
/// blocks (a slow query, a `sleep`) stalls every connection of that worker.
pub trait Handler: Send + Sync + 'static {
    /// Produces the response for `req`.
    fn call(&self, req: &Request) -> Result<Response, Error>;
}

impl<F> Handler for F
where
    F: Fn(&Request) -> Result<Response, Error> + Send + Sync + 'static,
{
    fn call(&self, req: &Request) -> Result<Response, Error> {
        self(req)
    }
}
