//! Errors a handler returns, and the errors of starting a server.

use crate::http::reason_phrase;
use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

/// An error returned by a handler, middleware or hook.
///
/// Anything that implements [`std::error::Error`] converts into it, so `?`
/// works on I/O errors, parse errors and your own types. An [`HttpError`]
/// inside chooses the status; anything else answers 500. Exception handlers
/// find your type again with [`Error::downcast_ref`].
///
/// ```
/// use mionex::{Error, HttpError};
///
/// fn parse(s: &str) -> Result<u32, Error> {
///     Ok(s.parse::<u32>()?)
/// }
/// assert_eq!(parse("x").unwrap_err().status(), 500);
/// assert_eq!(Error::from(HttpError::new(404, "no such user")).status(), 404);
/// ```
pub struct Error {
    inner: Box<dyn StdError + Send + Sync + 'static>,
}

impl Error {
    /// Wraps any error.
    pub fn new(err: impl StdError + Send + Sync + 'static) -> Error {
        Error {
            inner: Box::new(err),
        }
    }

    /// An error from a message (answered with 500).
    pub fn msg(message: impl Into<String>) -> Error {
        Error::new(Message(message.into()))
    }

    /// Wraps an already boxed error.
    pub fn boxed(err: Box<dyn StdError + Send + Sync + 'static>) -> Error {
        Error { inner: err }
    }

    /// The status this error answers with: an [`HttpError`]'s, else 500.
    pub fn status(&self) -> u16 {
        self.downcast_ref::<HttpError>().map_or(500, |h| h.status)
    }

    /// The error as type `T`, if it is one.
    pub fn downcast_ref<T: StdError + 'static>(&self) -> Option<&T> {
        self.inner.downcast_ref::<T>()
    }

    /// Whether the error is of type `T`.
    pub fn is<T: StdError + 'static>(&self) -> bool {
        self.inner.is::<T>()
    }

    /// The wrapped error.
    pub fn get_ref(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.inner
    }

    /// The error and its sources, outermost first.
    pub fn chain(&self) -> impl Iterator<Item = &(dyn StdError + 'static)> {
        let mut next: Option<&(dyn StdError + 'static)> = Some(&*self.inner);
        std::iter::from_fn(move || {
            let current = next?;
            next = current.source();
            Some(current)
        })
    }
}

impl<E: StdError + Send + Sync + 'static> From<E> for Error {
    fn from(err: E) -> Error {
        Error::new(err)
    }
}

impl fmt::Display for Error {
    /// The error followed by its causes: `a: b: c`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.chain().enumerate() {
            if i > 0 {
                f.write_str(": ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Message {}

/// An error that answers with a chosen status.
///
/// The message goes to the client in the JSON error body, so keep it free
/// of internal detail.
#[derive(Debug, Clone)]
pub struct HttpError {
    status: u16,
    message: Cow<'static, str>,
    headers: Vec<(Cow<'static, str>, Cow<'static, str>)>,
}

impl HttpError {
    /// An error with `status` and a client-facing message.
    pub fn new(status: u16, message: impl Into<Cow<'static, str>>) -> HttpError {
        HttpError {
            status,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    /// An error whose message is the status's reason phrase (`404` →
    /// `Not Found`).
    pub fn from_status(status: u16) -> HttpError {
        let reason = reason_phrase(status);
        HttpError::new(status, if reason.is_empty() { "Error" } else { reason })
    }

    /// Adds a header to the error response (as `Allow` on a 405).
    pub fn with_header(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) -> HttpError {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The client-facing message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Headers for the error response.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_ref(), v.as_ref()))
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}

impl StdError for HttpError {}

/// A handler, middleware or hook panicked; the server turned the panic into
/// this error (and a 500) and kept serving.
#[derive(Debug, Clone)]
pub struct PanicError {
    /// The panic message.
    pub message: String,
    /// Where it panicked (`file:line:column`), when known.
    pub location: Option<String>,
    /// The backtrace, captured when the panic happened.
    pub backtrace: String,
}

impl fmt::Display for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "panic: {}", self.message)?;
        if let Some(loc) = &self.location {
            write!(f, " at {loc}")?;
        }
        Ok(())
    }
}

impl StdError for PanicError {}

/// Why a server could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The address could not be bound or set up.
    Bind(std::io::Error),
    /// A route pattern is malformed (the text says which and why).
    Route(String),
    /// An `on_startup` handler failed; the server did not start.
    Startup(Error),
    /// The event loop could not be created (out of file descriptors?).
    Io(std::io::Error),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Bind(e) => write!(f, "cannot listen: {e}"),
            StartError::Route(e) => write!(f, "bad route: {e}"),
            StartError::Startup(e) => write!(f, "startup handler failed: {e}"),
            StartError::Io(e) => write!(f, "cannot start the event loop: {e}"),
        }
    }
}

impl StdError for StartError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            StartError::Bind(e) | StartError::Io(e) => Some(e),
            StartError::Startup(e) => Some(e.get_ref()),
            StartError::Route(_) => None,
        }
    }
}
