//! Before- and after-request hooks: plain functions run around the
//! route's middleware and handler, each logged at its own level.
//!
//! Where they run, for every request (the whole order is in the
//! [crate docs](crate#the-order-of-a-request)):
//!
//! - **before-hooks** run after routing and after the app's global
//!   middleware, before the route's (scope) middleware and handler: app
//!   hooks first, then those of the scopes around the route, outer to
//!   inner, each group in registration order. A before-hook answers early
//!   by returning `Ok(Some(response))`: the remaining before-hooks, the
//!   route middleware and the handler are skipped. An `Err` goes to the
//!   exception handlers.
//! - **after-hooks** run once the response is final: after the handler
//!   and the route middleware, after exception handlers turned an error,
//!   a 404 or a 405 into a response, after a panic became a 500. Same
//!   order as before-hooks. They may change the response. They run
//!   inside the app's middleware: a request that a middleware answers (or
//!   panics in) before calling `next` runs no hooks at all.
//!
//! Requests that match no route (404, 405) run only the app's hooks.

use crate::{Error, Method, Request, Response};
use log::Level;
use std::borrow::Cow;

/// How a hook is registered: for which methods, logged at which level,
/// under which name.
///
/// ```
/// use mionex::{App, Hook, Method};
/// use log::Level;
///
/// let mut app = App::new();
/// app.before_request(Hook::new().log_level(Level::Debug).name("audit"), |req| {
///     log::info!("about to serve {}", req.path());
///     Ok(None) // go on
/// });
/// app.after_request(Hook::new().method(Method::Post), |_req, res| {
///     res.set_header("X-Posted", "yes");
/// });
/// ```
#[derive(Debug, Clone)]
pub struct Hook {
    level: Option<Level>,
    methods: Vec<Method>,
    name: Option<Cow<'static, str>>,
}

impl Default for Hook {
    fn default() -> Hook {
        Hook::new()
    }
}

impl Hook {
    /// Every method, each run logged at `TRACE` (target `mionex::hooks`),
    /// named after the function's type.
    pub fn new() -> Hook {
        Hook {
            level: Some(Level::Trace),
            methods: Vec::new(),
            name: None,
        }
    }

    /// Logs each run of the hook at `level` (the seed's `log_level`).
    pub fn log_level(mut self, level: Level) -> Hook {
        self.level = Some(level);
        self
    }

    /// Never logs the hook's runs.
    pub fn silent(mut self) -> Hook {
        self.level = None;
        self
    }

    /// Runs only for `method` (call again to add more). `GET` covers the
    /// `HEAD` requests a `GET` route answers.
    pub fn method(mut self, method: Method) -> Hook {
        self.methods.push(method);
        self
    }

    /// The name the hook's log lines use.
    pub fn name(mut self, name: impl Into<Cow<'static, str>>) -> Hook {
        self.name = Some(name.into());
        self
    }

    fn applies(&self, method: &Method) -> bool {
        self.methods.is_empty()
            || self
                .methods
                .iter()
                .any(|m| m == method || (*m == Method::Get && *method == Method::Head))
    }
}

type BeforeFn = dyn Fn(&Request) -> Result<Option<Response>, Error> + Send + Sync;
type AfterFn = dyn Fn(&Request, &mut Response) + Send + Sync;

/// A registered before-hook.
pub(crate) struct Before {
    hook: Hook,
    name: Cow<'static, str>,
    f: Box<BeforeFn>,
}

/// A registered after-hook.
pub(crate) struct After {
    hook: Hook,
    name: Cow<'static, str>,
    f: Box<AfterFn>,
}

fn name_of<F>(hook: &Hook) -> Cow<'static, str> {
    hook.name
        .clone()
        .unwrap_or(Cow::Borrowed(std::any::type_name::<F>()))
}

impl Before {
    pub(crate) fn new<F>(hook: Hook, f: F) -> Before
    where
        F: Fn(&Request) -> Result<Option<Response>, Error> + Send + Sync + 'static,
    {
        Before {
            name: name_of::<F>(&hook),
            hook,
            f: Box::new(f),
        }
    }

    /// Runs the hook if it applies to `req`'s method.
    pub(crate) fn run(&self, req: &Request) -> Result<Option<Response>, Error> {
        if !self.hook.applies(req.method()) {
            return Ok(None);
        }
        if let Some(level) = self.hook.level {
            log::log!(target: "mionex::hooks", level, "before_request {}: {} {}",
                self.name, req.method(), crate::logging::redact::escape(req.path()));
        }
        (self.f)(req)
    }
}

impl After {
    pub(crate) fn new<F>(hook: Hook, f: F) -> After
    where
        F: Fn(&Request, &mut Response) + Send + Sync + 'static,
    {
        After {
            name: name_of::<F>(&hook),
            hook,
            f: Box::new(f),
        }
    }

    /// Runs the hook if it applies to `req`'s method.
    pub(crate) fn run(&self, req: &Request, res: &mut Response) {
        if !self.hook.applies(req.method()) {
            return;
        }
        if let Some(level) = self.hook.level {
            log::log!(target: "mionex::hooks", level, "after_request {}: {} {} -> {}",
                self.name, req.method(), crate::logging::redact::escape(req.path()), res.status());
        }
        (self.f)(req, res)
    }
}
