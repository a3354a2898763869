//! The response a handler returns.

use crate::json::Value;
use std::borrow::Cow;
use std::io::Read;

/// A response body.
pub enum Body {
    /// No body.
    Empty,
    /// Bytes that live for the whole program, sent without a copy.
    Static(&'static [u8]),
    /// Owned bytes.
    Bytes(Vec<u8>),
    /// A body produced as it is sent, with chunked transfer coding (or,
    /// to an HTTP/1.0 client, until the connection closes). The reader is
    /// called on the worker thread whenever the socket can take more, so it
    /// must not block for long (a file is fine, a network call is not).
    Stream(Box<dyn Read + Send>),
}

impl Body {
    /// The length, when known in advance.
    pub fn len(&self) -> Option<usize> {
        match self {
            Body::Empty => Some(0),
            Body::Static(b) => Some(b.len()),
            Body::Bytes(b) => Some(b.len()),
            Body::Stream(_) => None,
        }
    }

    /// Whether the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The bytes, unless the body is a stream.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Body::Empty => Some(b""),
            Body::Static(b) => Some(b),
            Body::Bytes(b) => Some(b),
            Body::Stream(_) => None,
        }
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.len() {
            Some(n) => write!(f, "Body({n} bytes)"),
            None => f.write_str("Body(stream)"),
        }
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Body {
        Body::Static(s.as_bytes())
    }
}
impl From<&'static [u8]> for Body {
    fn from(b: &'static [u8]) -> Body {
        Body::Static(b)
    }
}
impl From<String> for Body {
    fn from(s: String) -> Body {
        Body::Bytes(s.into_bytes())
    }
}
impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Body {
        Body::Bytes(b)
    }
}

/// An HTTP response, built by value:
///
/// ```
/// use mionex::Response;
///
/// let res = Response::text("Hello, World!")
///     .with_status(201)
///     .with_header("X-Trace", "abc");
/// assert_eq!(res.status(), 201);
/// assert_eq!(res.header("x-trace"), Some("abc"));
/// ```
///
/// `Content-Length`, `Date`, `Server` and `Connection` are written by the
/// server; setting them here has no effect (except `Server`, which
/// replaces the default).
#[derive(Debug)]
pub struct Response {
    status: u16,
    content_type: Option<Cow<'static, str>>,
    headers: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    body: Body,
    pub(crate) upgrade: Option<Box<crate::ws::Upgrade>>,
}

impl Response {
    /// An empty response with `status`.
    pub fn new(status: u16) -> Response {
        Response {
            status,
            content_type: None,
            headers: Vec::new(),
            body: Body::Empty,
            upgrade: None,
        }
    }

    /// 200 `text/plain; charset=utf-8`.
    pub fn text(body: impl Into<Body>) -> Response {
        Response::new(200)
            .with_content_type("text/plain; charset=utf-8")
            .with_body(body)
    }

    /// 200 `text/html; charset=utf-8`.
    pub fn html(body: impl Into<Body>) -> Response {
        Response::new(200)
            .with_content_type("text/html; charset=utf-8")
            .with_body(body)
    }

    /// 200 `application/json` with `value` written compactly.
    pub fn json(value: &Value) -> Response {
        Response::json_text(value.to_string())
    }

    /// 200 `application/json` with an already-serialized body.
    pub fn json_text(body: impl Into<Body>) -> Response {
        Response::new(200)
            .with_content_type("application/json")
            .with_body(body)
    }

    /// 200 `application/octet-stream`.
    pub fn bytes(body: impl Into<Body>) -> Response {
        Response::new(200)
            .with_content_type("application/octet-stream")
            .with_body(body)
    }

    /// 200 with a body streamed from `reader` (chunked transfer coding).
    pub fn stream(reader: impl Read + Send + 'static) -> Response {
        Response::new(200).with_body(Body::Stream(Box::new(reader)))
    }

    /// Sets the status code.
    pub fn with_status(mut self, status: u16) -> Response {
        self.status = status;
        self
    }

    /// Sets the `Content-Type`.
    pub fn with_content_type(mut self, value: impl Into<Cow<'static, str>>) -> Response {
        self.content_type = Some(value.into());
        self
    }

    /// Adds a header field (fields with CR, LF or NUL are dropped when the
    /// response is written, so a header value can never split the response).
    pub fn with_header(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) -> Response {
        self.add_header(name, value);
        self
    }

    /// Replaces the body.
    pub fn with_body(mut self, body: impl Into<Body>) -> Response {
        self.body = body.into();
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Changes the status code.
    pub fn set_status(&mut self, status: u16) {
        self.status = status;
    }

    /// The `Content-Type`, if set.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// Adds a header field.
    pub fn add_header(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) {
        let name = name.into();
        if name.eq_ignore_ascii_case("content-type") {
            self.content_type = Some(value.into());
        } else {
            self.headers.push((name, value.into()));
        }
    }

    /// Replaces every field named `name` with one field.
    pub fn set_header(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) {
        let name = name.into();
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.add_header(name, value);
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        if name.eq_ignore_ascii_case("content-type") {
            return self.content_type();
        }
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }

    pub(crate) fn raw_headers(&self) -> &[(Cow<'static, str>, Cow<'static, str>)] {
        &self.headers
    }

    pub(crate) fn raw_content_type(&self) -> Option<&Cow<'static, str>> {
        self.content_type.as_ref()
    }

    /// The header fields set on the response (`Content-Type` apart).
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_ref(), v.as_ref()))
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// Takes the body out, leaving it empty.
    pub fn take_body(&mut self) -> Body {
        std::mem::replace(&mut self.body, Body::Empty)
    }

    /// The body as text, when it is bytes and valid UTF-8 (for tests).
    pub fn body_str(&self) -> Option<&str> {
        self.body
            .as_bytes()
            .and_then(|b| std::str::from_utf8(b).ok())
    }
}
