//! mionex: a synchronous web framework on a hand-written `mio` event loop.
//!
//! No async runtime: N worker threads each run an event loop, parse
//! HTTP/1.1 with `httparse` and call your handlers, plain functions from a
//! [`Request`] to a [`Response`].
//!
//! ```
//! use mionex::{App, Request, Response};
//! use std::io::{Read, Write};
//!
//! let mut app = App::new();
//! app.get("/hello/{name}", |req: &Request| {
//!     Ok(Response::text(format!("Hello, {}!", req.param("name").unwrap_or("?"))))
//! });
//! let server = app.bind("127.0.0.1:0").unwrap();
//!
//! let mut client = std::net::TcpStream::connect(server.local_addr()).unwrap();
//! client.write_all(b"GET /hello/world HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
//! let mut answer = String::new();
//! client.read_to_string(&mut answer).unwrap();
//! assert!(answer.starts_with("HTTP/1.1 200 OK"));
//! assert!(answer.ends_with("Hello, world!"));
//!
//! server.shutdown();
//! ```
//!
//! # Routing
//!
//! Patterns are paths whose segments are literal (`/users`), parameters
//! (`/users/{id}`, read with [`Request::param`]) or, last, a wildcard
//! (`/files/{*path}`). Routes are tried in the order they were added; a
//! path that matches no route answers 404, and one that matches only for
//! other methods answers 405 with `Allow`. `GET` routes answer `HEAD` too.
//!
//! # Errors
//!
//! Handlers return `Result<Response, Error>`. An [`HttpError`] chooses the
//! status; any other error, or a panic, answers 500. The body is JSON,
//! `{"error": "...", "id": "<uuid>"}`, and server errors are logged with
//! the same id, never sent to the client with internal detail. Handlers
//! by error type, by status and by path prefix replace that default: see
//! [`exceptions`].
//!
//! # The order of a request
//!
//! 1. The app's [`middleware`], first added outermost
//!    ([`App::add_middleware`]); every request passes, 404s and WebSocket
//!    upgrades included.
//! 2. The app's [before-hooks](hooks), then those of the [`Scope`]s around
//!    the route, outer first ([`App::before_request`]). One may answer
//!    early.
//! 3. The scopes' middleware, outer first ([`Scope::add_middleware`]).
//! 4. The handler.
//! 5. The after-hooks, in the same order as the before-hooks, on the final
//!    response ([`App::after_request`]).
//!
//! An error or a panic anywhere becomes a response through the
//! [exception handlers](exceptions) where it happens, so every layer
//! outside sees a status, never an unwinding panic. Logging
//! ([`logging`], [`access_log`]), WebSockets ([`ws`]) and request ids
//! ([`request_id`]) are modules of their own.
#![deny(missing_docs)]

pub mod access_log;
mod app;
mod config;
mod error;
pub mod exceptions;
mod handler;
pub mod hooks;
pub mod http;
mod ids;
pub mod json;
mod lifecycle;
pub mod logging;
pub mod middleware;
mod panic;
pub mod request_id;
mod router;
mod scope;
pub mod server;
mod state;
pub mod tasks;
pub mod ws;

pub use app::App;
pub use config::{Config, Limits};
pub use error::{Error, HttpError, PanicError, StartError};
pub use handler::Handler;
pub use hooks::Hook;
pub use http::{Body, Headers, Method, Request, RequestBuilder, Response};
pub use middleware::{Middleware, Next};
pub use scope::Scope;
pub use server::{Server, ServerHandle, ServerStats};
pub use state::{AppState, State};
