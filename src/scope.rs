//! Scopes: the part of an app under a path prefix, with its own
//! middleware, hooks and exception handlers (Nexios's router-level
//! handlers).
//!
//! A prefix covers itself and what lies below it at a segment boundary:
//! `/api` covers `/api`, `/api/` and `/api/users`, not `/apix`. A `{name}`
//! segment covers any one segment, so `/users/{id}` scopes a single
//! route's pattern (for every method).
//!
//! Middleware and hooks of a scope wrap the routes whose pattern lies under
//! the prefix (decided once, at start); exception handlers of a scope apply
//! to every request whose path lies under it, 404s included.

use crate::exceptions::Handlers;
use crate::hooks::{After, Before, Hook};
use crate::middleware::Middleware;
use crate::{Error, Request, Response};
use std::error::Error as StdError;
use std::sync::Arc;

/// Middleware, hooks and exception handlers of the app or of one scope.
#[derive(Default)]
pub(crate) struct Layers {
    pub(crate) middleware: Vec<Arc<dyn Middleware>>,
    pub(crate) before: Vec<Arc<Before>>,
    pub(crate) after: Vec<Arc<After>>,
    pub(crate) errors: Handlers,
}

/// The part of an [`App`](crate::App) under a path prefix; see
/// [`App::scope`](crate::App::scope).
///
/// ```
/// use mionex::{App, Error, HttpError, Hook, Next, Request, Response};
///
/// let mut app = App::new();
/// app.get("/admin/stats", |_| Ok(Response::text("42")));
/// app.scope("/admin")
///     .add_middleware(|req: &mut Request, next: Next<'_>| -> Result<Response, Error> {
///         if req.header("authorization").is_none() {
///             return Err(HttpError::new(401, "log in first").into());
///         }
///         Ok(next.run(req))
///     })
///     .status_handler(401, |_req, _err| {
///         Ok(Response::text("who are you?").with_status(401))
///     });
/// ```
pub struct Scope<'a> {
    pub(crate) layers: &'a mut Layers,
}

impl Scope<'_> {
    /// Wraps the scope's routes in `middleware`, inside the app's global
    /// middleware and the middleware of enclosing scopes. The first added
    /// is the outermost.
    pub fn add_middleware(&mut self, middleware: impl Middleware) -> &mut Self {
        self.layers.middleware.push(Arc::new(middleware));
        self
    }

    /// A before-hook for the scope's routes; see [`hooks`](crate::hooks).
    pub fn before_request<F>(&mut self, hook: Hook, f: F) -> &mut Self
    where
        F: Fn(&Request) -> Result<Option<Response>, Error> + Send + Sync + 'static,
    {
        self.layers.before.push(Arc::new(Before::new(hook, f)));
        self
    }

    /// An after-hook for the scope's routes; see [`hooks`](crate::hooks).
    pub fn after_request<F>(&mut self, hook: Hook, f: F) -> &mut Self
    where
        F: Fn(&Request, &mut Response) + Send + Sync + 'static,
    {
        self.layers.after.push(Arc::new(After::new(hook, f)));
        self
    }

    /// Handles errors of type `E` under the prefix; see
    /// [`exceptions`](crate::exceptions).
    pub fn exception_handler<E, F>(&mut self, f: F) -> &mut Self
    where
        E: StdError + 'static,
        F: Fn(&Request, &E) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.layers.errors.by_type(f);
        self
    }

    /// Handles errors answering `status` under the prefix.
    pub fn status_handler<F>(&mut self, status: u16, f: F) -> &mut Self
    where
        F: Fn(&Request, &Error) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.layers.errors.by_status(status, f);
        self
    }

    /// Handles every error under the prefix that no more specific handler
    /// takes.
    pub fn catch_all<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn(&Request, &Error) -> Result<Response, Error> + Send + Sync + 'static,
    {
        self.layers.errors.any(f);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Literal(String),
    Param,
}

/// A parsed scope prefix.
#[derive(Debug, Clone)]
pub(crate) struct Prefix {
    segs: Vec<Seg>,
}

/// Splits a path or pattern into segments, without the leading `/`.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

impl Prefix {
    /// Parses `/api`, `/users/{id}`; `/` or empty is the whole app.
    pub(crate) fn parse(prefix: &str) -> Result<Prefix, String> {
        let trimmed = prefix.trim_end_matches('/');
        if !prefix.starts_with('/') && !prefix.is_empty() {
            return Err(format!("scope {prefix:?}: must start with '/'"));
        }
        if trimmed.is_empty() {
            return Ok(Prefix { segs: Vec::new() });
        }
        let mut segs = Vec::new();
        for s in segments(trimmed) {
            let seg = match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if !name.is_empty() && !name.starts_with('*') => Seg::Param,
                Some(_) => {
                    return Err(format!(
                        "scope {prefix:?}: a scope segment is a literal or {{name}}"
                    ));
                }
                None if s.contains(['{', '}']) || s.is_empty() => {
                    return Err(format!("scope {prefix:?}: bad segment {s:?}"));
                }
                None => Seg::Literal(s.to_owned()),
            };
            segs.push(seg);
        }
        Ok(Prefix { segs })
    }

    /// Segments: deeper prefixes are more specific.
    pub(crate) fn depth(&self) -> usize {
        self.segs.len()
    }

    /// Whether a request path lies under the prefix.
    pub(crate) fn matches_path(&self, path: &str) -> bool {
        let mut parts = segments(path);
        self.segs.iter().all(|seg| match (seg, parts.next()) {
            (Seg::Literal(l), Some(p)) => l == p,
            (Seg::Param, Some(p)) => !p.is_empty(),
            (_, None) => false,
        })
    }

    /// Whether every path a route pattern matches lies under the prefix.
    pub(crate) fn covers_pattern(&self, pattern: &str) -> bool {
        let mut parts = segments(pattern);
        self.segs.iter().all(|seg| match (seg, parts.next()) {
            (_, Some(p)) if p == "*" || p.starts_with("{*") => false,
            (Seg::Literal(l), Some(p)) => l == p,
            (Seg::Param, Some(p)) => !p.is_empty(),
            (_, None) => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Prefix;

    #[test]
    fn prefixes_cover_paths_at_segment_boundaries() {
        let api = Prefix::parse("/api").unwrap();
        for p in ["/api", "/api/", "/api/users/1"] {
            assert!(api.matches_path(p), "{p}");
        }
        for p in ["/", "/apix", "/ap", "/x/api"] {
            assert!(!api.matches_path(p), "{p}");
        }
        let user = Prefix::parse("/users/{id}/").unwrap();
        assert!(user.matches_path("/users/7"));
        assert!(!user.matches_path("/users/"));
        assert!(user.covers_pattern("/users/{uid}"));
        assert!(user.covers_pattern("/users/me/posts"));
        assert!(!user.covers_pattern("/users/{*rest}"));
        assert!(!user.covers_pattern("/users"));
        assert!(Prefix::parse("/").unwrap().matches_path("/anything"));
        assert_eq!(Prefix::parse("/a/{id}").unwrap().depth(), 2);
        for bad in ["api", "/a/{*r}", "/a//b", "/a/x{y}"] {
            assert!(Prefix::parse(bad).is_err(), "{bad}");
        }
    }
}
