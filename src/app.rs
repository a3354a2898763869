//! The application: routes, middleware and state, built up before the
//! server starts and frozen into an immutable, shared [`AppInner`] after.

use crate::config::{Config, Limits};
use crate::error::{HttpError, StartError};
use crate::handler::Handler;
use crate::http::{Method, Request, Response};
use crate::json::Value;
use crate::middleware::{Middleware, Next};
use crate::router::{Found, Pattern, Router};
use crate::server::Server;
use crate::state::AppState;
use crate::{Error, panic};
use std::net::ToSocketAddrs;
use std::sync::Arc;

/// A web application: what to answer, and how to serve it.
///
/// ```no_run
/// use mionex::{App, Request, Response};
///
/// let mut app = App::new();
/// app.get("/hello/{name}", |req: &Request| {
///     Ok(Response::text(format!("Hello, {}!", req.param("name").unwrap_or("you"))))
/// });
/// app.run("127.0.0.1:8000").unwrap();
/// ```
pub struct App {
    routes: Vec<(Method, String, Arc<dyn Handler>)>,
    middleware: Vec<Arc<dyn Middleware>>,
    state: AppState,
    config: Config,
}

impl Default for App {
    fn default() -> App {
        App::new()
    }
}

impl App {
    /// An app with no routes and the default [`Config`].
    pub fn new() -> App {
        App {
            routes: Vec::new(),
            middleware: Vec::new(),
            state: AppState::default(),
            config: Config::default(),
        }
    }

    /// Answers `method` requests whose path matches `pattern` (see the
    /// [`router`](crate#routing) docs) with `handler`. Routes are tried in
    /// the order they were added.
    pub fn route<F>(&mut self, method: Method, pattern: &str, handler: F) -> &mut App
    where
        F: Fn(&Request) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.route_handler(method, pattern, handler)
    }

    /// Like [`App::route`], for any [`Handler`] value.
    pub fn route_handler(
        &mut self,
        method: Method,
        pattern: &str,
        handler: impl Handler,
    ) -> &mut App {
        self.routes
            .push((method, pattern.to_owned(), Arc::new(handler)));
        self
    }

    /// A `GET` route (also answers `HEAD`, without the body).
    pub fn get<F>(&mut self, pattern: &str, handler: F) -> &mut App
    where
        F: Fn(&Request) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.route(Method::Get, pattern, handler)
    }

    /// A `POST` route.
    pub fn post<F>(&mut self, pattern: &str, handler: F) -> &mut App
    where
        F: Fn(&Request) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.route(Method::Post, pattern, handler)
    }

    /// A `PUT` route.
    pub fn put<F>(&mut self, pattern: &str, handler: F) -> &mut App
    where
        F: Fn(&Request) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.route(Method::Put, pattern, handler)
    }

    /// A `DELETE` route.
    pub fn delete<F>(&mut self, pattern: &str, handler: F) -> &mut App
    where
        F: Fn(&Request) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.route(Method::Delete, pattern, handler)
    }

    /// A `PATCH` route.
    pub fn patch<F>(&mut self, pattern: &str, handler: F) -> &mut App
    where
        F: Fn(&Request) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.route(Method::Patch, pattern, handler)
    }

    /// Adds a middleware around every request, unmatched ones included.
    /// The first added is the outermost.
    pub fn add_middleware(&mut self, middleware: impl Middleware) -> &mut App {
        self.middleware.push(Arc::new(middleware));
        self
    }

    /// Registers a value shared by all requests, read with
    /// [`Request::app_state`]. One value per type.
    pub fn state<T: Send + Sync + 'static>(&mut self, value: T) -> &mut App {
        self.state.insert(value);
        self
    }

    /// Replaces the whole configuration.
    pub fn config(&mut self, config: Config) -> &mut App {
        self.config = config;
        self
    }

    /// Sets the number of worker threads.
    pub fn workers(&mut self, workers: usize) -> &mut App {
        self.config.workers = workers.max(1);
        self
    }

    /// Replaces the client limits.
    pub fn limits(&mut self, limits: Limits) -> &mut App {
        self.config.limits = limits;
        self
    }

    /// Starts serving on `addr` (port 0 picks a free port) and returns at
    /// once; see [`Server`] to wait for it or stop it.
    pub fn bind(self, addr: impl ToSocketAddrs) -> Result<Server, StartError> {
        let inner = self.freeze()?;
        Server::start(inner, addr)
    }

    /// Serves on `addr` until the server is shut down.
    pub fn run(self, addr: impl ToSocketAddrs) -> Result<(), StartError> {
        self.bind(addr)?.wait();
        Ok(())
    }

    fn freeze(self) -> Result<AppInner, StartError> {
        let global: Box<[Arc<dyn Middleware>]> = self.middleware.into();
        let mut router = Router::new();
        for (method, pattern, handler) in self.routes {
            let pattern = Pattern::parse(&pattern).map_err(|e| StartError::Route(e.to_string()))?;
            router.add(
                method,
                pattern,
                Endpoint {
                    chain: global.clone(),
                    handler,
                },
            );
        }
        Ok(AppInner {
            router,
            global,
            state: Arc::new(self.state),
            config: self.config,
        })
    }
}

/// A route's handler with the middleware that wraps it, assembled once.
struct Endpoint {
    chain: Box<[Arc<dyn Middleware>]>,
    handler: Arc<dyn Handler>,
}

/// The frozen app the workers share.
pub(crate) struct AppInner {
    router: Router<Endpoint>,
    global: Box<[Arc<dyn Middleware>]>,
    pub(crate) state: Arc<AppState>,
    pub(crate) config: Config,
}

impl AppInner {
    /// Routes `req` and runs its chain; errors and panics become responses.
    pub(crate) fn dispatch(&self, req: &mut Request) -> Response {
        match panic::catch(|| self.run_chain(req)) {
            Ok(Ok(res)) => res,
            Ok(Err(err)) => self.error_response(req, err),
            Err(panicked) => self.error_response(req, Error::new(panicked)),
        }
    }

    fn run_chain(&self, req: &mut Request) -> Result<Response, Error> {
        let mut params = std::mem::take(&mut req.params);
        let found = self.router.find(&req.method, &req.path, &mut params);
        req.params = params;
        match found {
            Found::Route(template, endpoint) => {
                req.route = Some(template);
                Next::new(&endpoint.chain, &*endpoint.handler).run(req)
            }
            Found::MethodNotAllowed(allow) => {
                let refuse = move |_: &Request| -> Result<Response, Error> {
                    Err(HttpError::from_status(405)
                        .with_header("Allow", allow.clone())
                        .into())
                };
                Next::new(&self.global, &refuse).run(req)
            }
            Found::NotFound => {
                let refuse = |_: &Request| -> Result<Response, Error> {
                    Err(HttpError::from_status(404).into())
                };
                Next::new(&self.global, &refuse).run(req)
            }
        }
    }

    /// The default answer to an error: JSON `{"error", "id"}` with the
    /// error's status; never internal detail. Server errors are logged at
    /// ERROR with the id, request and cause chain.
    pub(crate) fn error_response(&self, req: &Request, err: Error) -> Response {
        let id = uuid::Uuid::new_v4();
        let status = err.status();
        let http = err.downcast_ref::<HttpError>();
        let message = match http {
            Some(h) => h.message(),
            None => "Internal Server Error",
        };
        if status >= 500 {
            let backtrace = err
                .downcast_ref::<crate::PanicError>()
                .map(|p| format!("\nBacktrace:\n{}", p.backtrace))
                .unwrap_or_default();
            log::error!(
                "Unhandled error [{id}]: {err} | {} {} [{}]{backtrace}",
                req.method(),
                req.path(),
                req.peer_addr().ip()
            );
        } else {
            log::debug!(
                "{status} [{id}]: {err} | {} {} [{}]",
                req.method(),
                req.path(),
                req.peer_addr().ip()
            );
        }
        let body = Value::object()
            .with("error", message)
            .with("id", id.to_string());
        let mut res = Response::json(&body).with_status(status);
        if let Some(h) = http {
            for (n, v) in h.headers() {
                res.add_header(n.to_owned(), v.to_owned());
            }
        }
        res
    }
}
