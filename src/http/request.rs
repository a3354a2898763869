//! The request a handler reads.

use super::percent::{percent_decode, query_pairs};
use super::{Headers, Method};
use crate::state::{AppState, State};
use std::borrow::Cow;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// An HTTP request: method, path, query, headers, body, the client's
/// address, the route's path parameters and per-request [`State`].
///
/// The server reuses one `Request` per worker, so its buffers are allocated
/// once, not per request. Handlers read it through `&Request`; middleware
/// gets `&mut Request` and may change it before passing it on.
pub struct Request {
    pub(crate) method: Method,
    pub(crate) minor_version: u8,
    pub(crate) target: String,
    pub(crate) path: String,
    pub(crate) query_start: Option<usize>,
    pub(crate) headers: Headers,
    pub(crate) body: Vec<u8>,
    pub(crate) peer: SocketAddr,
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) route: Option<&'static str>,
    pub(crate) state: State,
    pub(crate) app_state: Option<Arc<AppState>>,
}

impl Request {
    pub(crate) fn empty() -> Request {
        Request {
            method: Method::Get,
            minor_version: 1,
            target: String::new(),
            path: String::new(),
            query_start: None,
            headers: Headers::new(),
            body: Vec::new(),
            peer: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            params: Vec::new(),
            route: None,
            state: State::default(),
            app_state: None,
        }
    }

    /// Empties the request for reuse, keeping its allocations.
    pub(crate) fn reset(&mut self) {
        self.target.clear();
        self.path.clear();
        self.query_start = None;
        self.headers.clear();
        self.body.clear();
        self.params.clear();
        self.route = None;
        self.state.clear();
        // A huge body must not stay allocated for the worker's lifetime.
        if self.body.capacity() > 64 * 1024 {
            self.body = Vec::new();
        }
    }

    /// Starts building a request without a socket, for tests of handlers,
    /// middleware and routing.
    pub fn builder(method: Method, target: &str) -> RequestBuilder {
        RequestBuilder::new(method, target)
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// `"HTTP/1.1"` or `"HTTP/1.0"`.
    pub fn version(&self) -> &'static str {
        if self.minor_version == 0 {
            "HTTP/1.0"
        } else {
            "HTTP/1.1"
        }
    }

    /// The request target as sent (origin-form or absolute-form).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The percent-decoded path, without the query.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The raw query string (after `?`), if any.
    pub fn query(&self) -> Option<&str> {
        self.query_start.map(|i| &self.target[i..])
    }

    /// The first value of query parameter `name`, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<Cow<'_, str>> {
        query_pairs(self.query()?)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The header fields.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The header fields, to change them in a middleware.
    pub fn headers_mut(&mut self) -> &mut Headers {
        &mut self.headers
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// The body, de-chunked.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text, if it is UTF-8.
    pub fn body_str(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.body)
    }

    /// Replaces the body (for middleware that rewrites it).
    pub fn set_body(&mut self, body: Vec<u8>) {
        self.body = body;
    }

    /// The client's address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// The value of path parameter `name` of the matched route, as in
    /// `/users/{id}`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// All path parameters of the matched route, in pattern order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (*n, v.as_str()))
    }

    /// The pattern of the matched route (`/users/{id}`), if one matched.
    /// Metrics and logs use it instead of the raw path to keep cardinality
    /// low.
    pub fn route(&self) -> Option<&'static str> {
        self.route
    }

    /// Per-request typed storage.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The application's state value of type `T`, registered with
    /// [`App::state`](crate::App::state).
    pub fn app_state<T: 'static>(&self) -> Option<&T> {
        self.app_state.as_ref()?.get::<T>()
    }

    /// Whether the connection stays open after this request (HTTP/1.1
    /// unless `Connection: close`; HTTP/1.0 only with
    /// `Connection: keep-alive`).
    pub fn keep_alive(&self) -> bool {
        let conn = self.headers.get_bytes("connection");
        match self.minor_version {
            0 => conn.is_some_and(|v| super::headers::has_token(v, "keep-alive")),
            _ => !conn.is_some_and(|v| super::headers::has_token(v, "close")),
        }
    }

    /// Sets path, query and target from a request target; `false` when
    /// the decoded path is not UTF-8.
    pub(crate) fn set_target(&mut self, target: &str) -> bool {
        self.target.clear();
        self.target.push_str(target);
        // absolute-form: drop scheme and authority (RFC 9112 §3.2.2). The
        // usual origin-form (`/…`) skips the search.
        let origin = match target.as_bytes().first() {
            Some(b'/') | None => target,
            _ => match target.find("://") {
                Some(i) if !target[..i].contains('/') => {
                    let rest = &target[i + 3..];
                    let cut = rest.find(['/', '?']).unwrap_or(rest.len());
                    &rest[cut..]
                }
                _ => target,
            },
        };
        let offset = target.len() - origin.len();
        let (raw_path, q) = match origin.bytes().position(|b| b == b'?') {
            Some(i) => (&origin[..i], Some(offset + i + 1)),
            None => (origin, None),
        };
        self.query_start = q;
        self.path.clear();
        match percent_decode(raw_path, false) {
            Some(p) if p.is_empty() => self.path.push('/'),
            Some(p) => self.path.push_str(&p),
            None => return false,
        }
        true
    }
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("peer", &self.peer)
            .field("headers", &self.headers.len())
            .field("body", &self.body.len())
            .finish()
    }
}

/// Builds a [`Request`] without a socket; see [`Request::builder`].
///
/// ```
/// use mionex::{Method, Request};
///
/// let req = Request::builder(Method::Post, "/echo?x=1")
///     .header("Content-Type", "text/plain")
///     .body("hi")
///     .build();
/// assert_eq!(req.path(), "/echo");
/// assert_eq!(req.query_param("x").as_deref(), Some("1"));
/// assert_eq!(req.body(), b"hi");
/// ```
pub struct RequestBuilder {
    req: Request,
}

impl RequestBuilder {
    fn new(method: Method, target: &str) -> RequestBuilder {
        let mut req = Request::empty();
        req.method = method;
        if !req.set_target(target) {
            req.path = "/".into();
        }
        RequestBuilder { req }
    }

    /// Adds a header field.
    pub fn header(mut self, name: &str, value: &str) -> RequestBuilder {
        self.req.headers.append(name, value);
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> RequestBuilder {
        self.req.body = body.into();
        self
    }

    /// Sets the client's address.
    pub fn peer(mut self, addr: SocketAddr) -> RequestBuilder {
        self.req.peer = addr;
        self
    }

    /// Sets a path parameter, as routing would.
    pub fn param(mut self, name: &'static str, value: &str) -> RequestBuilder {
        self.req.params.push((name, value.to_owned()));
        self
    }

    /// Makes it an HTTP/1.0 request.
    pub fn http10(mut self) -> RequestBuilder {
        self.req.minor_version = 0;
        self
    }

    /// The request.
    pub fn build(self) -> Request {
        self.req
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let r = Request::builder(Method::Get, "http://example.com:8080/a%20b?q=1").build();
        assert_eq!(r.path(), "/a b");
        assert_eq!(r.query(), Some("q=1"));
        let r = Request::builder(Method::Get, "http://example.com?x").build();
        assert_eq!(r.path(), "/");
        assert_eq!(r.query(), Some("x"));
        let r = Request::builder(Method::Options, "*").build();
        assert_eq!(r.path(), "*");
        let r = Request::builder(Method::Get, "/p?redirect=http://x/y").build();
        assert_eq!(r.path(), "/p");
        assert_eq!(r.query_param("redirect").as_deref(), Some("http://x/y"));
    }
}
