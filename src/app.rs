//! The application: routes, middleware, hooks, exception handlers, state
//! and lifecycle, built up before the server starts and frozen into an
//! immutable, shared [`AppInner`] after.

use crate::config::{Config, Limits};
use crate::error::{HttpError, StartError};
use crate::exceptions::Exceptions;
use crate::handler::Handler;
use crate::hooks::{After, Before, Hook};
use crate::http::{Method, Request, Response};
use crate::lifecycle::Lifecycle;
use crate::middleware::{Endpoint as ChainEnd, HandlerEnd, Middleware, Next};
use crate::router::{Found, Pattern, Router};
use crate::scope::{Layers, Prefix, Scope};
use crate::server::Server;
use crate::state::AppState;
use crate::tasks::Task;
use crate::{Error, panic};
use std::error::Error as StdError;
use std::net::ToSocketAddrs;
use std::sync::Arc;
use std::time::Duration;

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
    global: Layers,
    scopes: Vec<(String, Layers)>,
    lifecycle: Lifecycle,
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
            global: Layers::default(),
            scopes: Vec::new(),
            lifecycle: Lifecycle::default(),
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

    /// Adds a middleware around every request, unmatched ones and
    /// WebSocket upgrades included. The first added is the outermost; see
    /// [`middleware`](crate::middleware).
    pub fn add_middleware(&mut self, middleware: impl Middleware) -> &mut App {
        self.root().add_middleware(middleware);
        self
    }

    /// A hook run before every request's route middleware and handler;
    /// `Ok(Some(response))` answers early. See [`hooks`](crate::hooks).
    ///
    /// ```
    /// use mionex::{App, Hook};
    /// use std::time::Instant;
    ///
    /// struct StartTime(Instant);
    ///
    /// let mut app = App::new();
    /// app.before_request(Hook::new().log_level(log::Level::Debug), |req| {
    ///     req.state().insert(StartTime(Instant::now()));
    ///     Ok(None)
    /// });
    /// app.after_request(Hook::new().log_level(log::Level::Debug), |req, res| {
    ///     if let Some(t) = req.state().get::<StartTime>() {
    ///         log::debug!("{} in {:?}", res.status(), t.0.elapsed());
    ///     }
    /// });
    /// ```
    pub fn before_request<F>(&mut self, hook: Hook, f: F) -> &mut App
    where
        F: Fn(&Request) -> Result<Option<Response>, Error> + Send + Sync + 'static,
    {
        self.root().before_request(hook, f);
        self
    }

    /// A hook run on every request's final response (errors, 404s and
    /// panics included). See [`hooks`](crate::hooks).
    pub fn after_request<F>(&mut self, hook: Hook, f: F) -> &mut App
    where
        F: Fn(&Request, &mut Response) + Send + Sync + 'static,
    {
        self.root().after_request(hook, f);
        self
    }

    /// Answers errors of type `E` (found with [`Error::downcast_ref`]) with
    /// `f`. See [`exceptions`](crate::exceptions) for which handler wins.
    ///
    /// ```
    /// use mionex::{App, Request, Response};
    /// use std::num::ParseIntError;
    ///
    /// let mut app = App::new();
    /// app.exception_handler(|_req: &Request, e: &ParseIntError| {
    ///     Ok(Response::text(format!("not a number: {e}")).with_status(400))
    /// });
    /// ```
    pub fn exception_handler<E, F>(&mut self, f: F) -> &mut App
    where
        E: StdError + 'static,
        F: Fn(&Request, &E) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.root().exception_handler(f);
        self
    }

    /// Answers errors whose status is `status` (an [`HttpError`]'s, or 500
    /// for other errors and panics) with `f`: a custom 404 page, say.
    pub fn status_handler<F>(&mut self, status: u16, f: F) -> &mut App
    where
        F: Fn(&Request, &Error) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.root().status_handler(status, f);
        self
    }

    /// Answers every error no more specific handler takes (the seed's
    /// `exception_handler(Exception)`).
    pub fn catch_all<F>(&mut self, f: F) -> &mut App
    where
        F: Fn(&Request, &Error) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.root().catch_all(f);
        self
    }

    /// The app's own layers, registered through the same code as a scope's.
    fn root(&mut self) -> Scope<'_> {
        Scope {
            layers: &mut self.global,
        }
    }

    /// The part of the app under `prefix` (`/api`, or one route's pattern
    /// such as `/users/{id}`), for middleware, hooks and exception handlers
    /// of its own. Calling it again with the same prefix adds to the same
    /// scope. A malformed prefix fails [`App::bind`].
    pub fn scope(&mut self, prefix: &str) -> Scope<'_> {
        let i = match self.scopes.iter().position(|(p, _)| p == prefix) {
            Some(i) => i,
            None => {
                self.scopes.push((prefix.to_owned(), Layers::default()));
                self.scopes.len() - 1
            }
        };
        Scope {
            layers: &mut self.scopes[i].1,
        }
    }

    /// Runs `f` when the server starts, after it has bound its address and
    /// before it accepts a connection. Handlers run in order; the first
    /// that fails (or panics) stops the start with
    /// [`StartError::Startup`], and the address is released.
    pub fn on_startup<F>(&mut self, f: F) -> &mut App
    where
        F: FnOnce() -> Result<(), Error> + Send + 'static,
    {
        self.lifecycle.startup.push(Box::new(f));
        self
    }

    /// Runs `f` at shutdown, after the requests in flight have drained and
    /// the periodic tasks have stopped, before [`Server::wait`] returns.
    /// Handlers run in order; a panic is logged and the next one runs.
    pub fn on_shutdown<F>(&mut self, f: F) -> &mut App
    where
        F: FnOnce() + Send + 'static,
    {
        self.lifecycle.shutdown.push(Box::new(f));
        self
    }

    /// Runs `task` every `period` on the scheduler thread, off the request
    /// path, from one period after the start until shutdown. See
    /// [`tasks`](crate::tasks).
    pub fn every<F>(&mut self, period: Duration, task: F) -> &mut App
    where
        F: FnMut() + Send + 'static,
    {
        self.lifecycle.tasks.push(Task::new(period, task));
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

    /// Runs the startup handlers, then starts serving on `addr` (port 0
    /// picks a free port) and returns at once; see [`Server`] to wait for
    /// it or stop it.
    pub fn bind(self, addr: impl ToSocketAddrs) -> Result<Server, StartError> {
        let (inner, lifecycle) = self.freeze()?;
        Server::start(inner, lifecycle, addr)
    }

    /// Serves on `addr` until the server is shut down.
    pub fn run(self, addr: impl ToSocketAddrs) -> Result<(), StartError> {
        self.bind(addr)?.wait();
        Ok(())
    }

    fn freeze(self) -> Result<(AppInner, Lifecycle), StartError> {
        let mut scopes = Vec::with_capacity(self.scopes.len());
        for (text, layers) in self.scopes {
            scopes.push((Prefix::parse(&text).map_err(StartError::Route)?, layers));
        }
        // Outer scopes wrap inner ones; equal depths keep their order.
        scopes.sort_by_key(|(p, _)| p.depth());
        let global = self.global;
        let mut router = Router::new();
        for (method, pattern, handler) in self.routes {
            let parsed = Pattern::parse(&pattern).map_err(|e| StartError::Route(e.to_string()))?;
            let mut chain: Vec<Arc<dyn Middleware>> = Vec::new();
            let mut before = global.before.clone();
            let mut after = global.after.clone();
            for (prefix, layers) in &scopes {
                if prefix.covers_pattern(&pattern) {
                    chain.extend(layers.middleware.iter().cloned());
                    before.extend(layers.before.iter().cloned());
                    after.extend(layers.after.iter().cloned());
                }
            }
            let endpoint = Endpoint {
                before: before.into(),
                after: after.into(),
                chain: chain.into(),
                handler,
            };
            router.add(method, parsed, endpoint);
        }
        let unmatched = Endpoint {
            before: global.before.into(),
            after: global.after.into(),
            chain: Box::new([]),
            handler: Arc::new(NotFound),
        };
        let scoped = scopes.into_iter().map(|(p, l)| (p, l.errors)).collect();
        let inner = AppInner {
            router,
            global: global.middleware.into(),
            unmatched,
            errors: Exceptions::new(global.errors, scoped),
            state: Arc::new(self.state),
            config: self.config,
        };
        Ok((inner, self.lifecycle))
    }
}

/// A route's hooks, scope middleware and handler, assembled once.
struct Endpoint {
    before: Box<[Arc<Before>]>,
    after: Box<[Arc<After>]>,
    chain: Box<[Arc<dyn Middleware>]>,
    handler: Arc<dyn Handler>,
}

/// The handler of paths no route matches.
struct NotFound;

impl Handler for NotFound {
    fn call(&self, _: &Request) -> Result<Response, Error> {
        Err(HttpError::from_status(404).into())
    }
}

/// The handler of paths that exist only for other methods.
struct MethodNotAllowed(String);

impl Handler for MethodNotAllowed {
    fn call(&self, _: &Request) -> Result<Response, Error> {
        Err(HttpError::from_status(405)
            .with_header("Allow", self.0.clone())
            .into())
    }
}

/// The innermost part of the app's global chain for one request: the
/// before-hooks, the route's chain and handler, the after-hooks.
struct Routed<'a> {
    endpoint: &'a Endpoint,
    handler: &'a dyn Handler,
}

impl Routed<'_> {
    fn before_and_route(&self, req: &mut Request, errors: &Exceptions) -> Response {
        for hook in &self.endpoint.before {
            match hook.run(req) {
                Ok(None) => {}
                Ok(Some(early)) => return early,
                Err(e) => return errors.handle(req, &e),
            }
        }
        Next::new(&self.endpoint.chain, &HandlerEnd(self.handler), errors).run(req)
    }
}

impl ChainEnd for Routed<'_> {
    fn call(&self, req: &mut Request, errors: &Exceptions) -> Result<Response, Error> {
        // A panicking before-hook still gets its 500 through the after-hooks.
        let mut res = panic::catch(|| self.before_and_route(req, errors))
            .unwrap_or_else(|p| errors.handle(req, &Error::new(p)));
        if self.endpoint.after.is_empty() {
            return Ok(res);
        }
        let ran = panic::catch(|| {
            for hook in &self.endpoint.after {
                hook.run(req, &mut res);
            }
        });
        // A panicking after-hook is not run again on its own 500.
        if let Err(p) = ran {
            res = errors.handle(req, &Error::new(p));
        }
        Ok(res)
    }
}

/// The frozen app the workers share.
pub(crate) struct AppInner {
    router: Router<Endpoint>,
    global: Box<[Arc<dyn Middleware>]>,
    unmatched: Endpoint,
    errors: Exceptions,
    pub(crate) state: Arc<AppState>,
    pub(crate) config: Config,
}

impl AppInner {
    /// Routes `req` and runs its chain; errors and panics become responses.
    pub(crate) fn dispatch(&self, req: &mut Request) -> Response {
        let mut params = std::mem::take(&mut req.params);
        let found = self.router.find(&req.method, &req.path, &mut params);
        req.params = params;
        let refuse;
        let (endpoint, handler): (&Endpoint, &dyn Handler) = match found {
            Found::Route(template, endpoint) => {
                req.route = Some(template);
                (endpoint, &*endpoint.handler)
            }
            Found::MethodNotAllowed(allow) => {
                refuse = MethodNotAllowed(allow);
                (&self.unmatched, &refuse)
            }
            Found::NotFound => (&self.unmatched, &NotFound),
        };
        let routed = Routed { endpoint, handler };
        // Each layer of the chain catches the panics of those inside it
        // (see `Next::run`), and `Routed` those of hooks and handler.
        Next::new(&self.global, &routed, &self.errors).run(req)
    }
}
