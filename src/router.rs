//! Path patterns with parameters, matched in registration order.
//!
//! A pattern is a path whose segments are literal (`users`), a parameter
//! (`{id}`, one non-empty segment) or, last only, a wildcard (`{*rest}`,
//! the remaining path, possibly empty).

use crate::http::Method;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(Box<str>),
    Param(&'static str),
    Wildcard(&'static str),
}

/// A parsed route pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    /// The pattern as written, kept for the life of the program because
    /// every request that matches it carries it (`Request::route`).
    pub template: &'static str,
    segments: Vec<Segment>,
    /// All segments are literal: matching is one string comparison.
    literal: bool,
}

/// Why a pattern is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PatternError {
    pattern: String,
    reason: &'static str,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.pattern, self.reason)
    }
}

impl Pattern {
    pub(crate) fn parse(pattern: &str) -> Result<Pattern, PatternError> {
        let err = |reason| PatternError {
            pattern: pattern.to_owned(),
            reason,
        };
        if !pattern.starts_with('/') {
            return Err(err("must start with '/'"));
        }
        // Leaked once per route at startup so requests can borrow it forever.
        let template: &'static str = Box::leak(pattern.to_owned().into_boxed_str());
        let mut segments = Vec::new();
        let parts: Vec<&'static str> = template[1..].split('/').collect();
        let count = parts.len();
        for (i, part) in parts.into_iter().enumerate() {
            let seg = if let Some(inner) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}'))
            {
                if let Some(name) = inner.strip_prefix('*') {
                    if i + 1 != count {
                        return Err(err("a wildcard must be the last segment"));
                    }
                    Segment::Wildcard(name)
                } else {
                    if inner.is_empty() || inner.contains(['{', '}']) {
                        return Err(err("a parameter needs a name, as in {id}"));
                    }
                    Segment::Param(inner)
                }
            } else if part.contains(['{', '}']) {
                return Err(err("braces must enclose a whole segment"));
            } else if part == "*" && i + 1 == count {
                Segment::Wildcard("")
            } else {
                Segment::Literal(part.into())
            };
            segments.push(seg);
        }
        let literal = segments.iter().all(|s| matches!(s, Segment::Literal(_)));
        Ok(Pattern {
            template,
            segments,
            literal,
        })
    }

    /// Matches `path`, pushing captured parameters onto `params`. On a
    /// failed match `params` is left as it was.
    pub(crate) fn matches(&self, path: &str, params: &mut Vec<(&'static str, String)>) -> bool {
        if self.literal {
            return self.template == path;
        }
        let Some(mut rest) = path.strip_prefix('/') else {
            return false;
        };
        let before = params.len();
        let n = self.segments.len();
        for (i, seg) in self.segments.iter().enumerate() {
            if let Segment::Wildcard(name) = seg {
                if !name.is_empty() {
                    params.push((name, rest.to_owned()));
                }
                return true;
            }
            let (part, tail) = match rest.find('/') {
                Some(j) => (&rest[..j], Some(&rest[j + 1..])),
                None => (rest, None),
            };
            let ok = match seg {
                Segment::Literal(lit) => **lit == *part,
                Segment::Param(name) => {
                    let ok = !part.is_empty();
                    if ok {
                        params.push((name, part.to_owned()));
                    }
                    ok
                }
                Segment::Wildcard(_) => unreachable!("handled above"),
            };
            let last = i + 1 == n;
            match (ok, tail) {
                (true, None) if last => return true,
                (true, Some(t)) if !last => rest = t,
                _ => {
                    params.truncate(before);
                    return false;
                }
            }
        }
        params.truncate(before);
        false
    }
}

/// What the router found for a request.
#[allow(clippy::enum_variant_names)] // `Found::NotFound` reads right at the call site
pub(crate) enum Found<'a, T> {
    /// The route's pattern text and its value.
    Route(&'static str, &'a T),
    /// The path exists for other methods; the list is for `Allow`.
    MethodNotAllowed(String),
    NotFound,
}

/// Routes by method and pattern. `HEAD` falls back to `GET` routes.
pub(crate) struct Router<T> {
    routes: Vec<(Method, Pattern, T)>,
}

impl<T> Router<T> {
    pub(crate) fn new() -> Router<T> {
        Router { routes: Vec::new() }
    }

    pub(crate) fn add(&mut self, method: Method, pattern: Pattern, value: T) {
        self.routes.push((method, pattern, value));
    }

    pub(crate) fn find(
        &self,
        method: &Method,
        path: &str,
        params: &mut Vec<(&'static str, String)>,
    ) -> Found<'_, T> {
        let mut head_fallback = None;
        let mut path_matched = false;
        for (m, pattern, value) in &self.routes {
            if m == method {
                if pattern.matches(path, params) {
                    return Found::Route(pattern.template, value);
                }
            } else if *method == Method::Head && *m == Method::Get && head_fallback.is_none() {
                if pattern.matches(path, params) {
                    head_fallback = Some((pattern.template, value));
                }
            } else if !path_matched {
                let mut scratch = Vec::new();
                path_matched = pattern.matches(path, &mut scratch);
            }
        }
        if let Some((template, v)) = head_fallback {
            return Found::Route(template, v);
        }
        if !path_matched {
            return Found::NotFound;
        }
        let mut allow: Vec<&str> = Vec::new();
        let mut scratch = Vec::new();
        for (m, pattern, _) in &self.routes {
            if pattern.matches(path, &mut scratch) && !allow.contains(&m.as_str()) {
                allow.push(m.as_str());
                if *m == Method::Get && !allow.contains(&"HEAD") {
                    allow.push("HEAD");
                }
            }
            scratch.clear();
        }
        Found::MethodNotAllowed(allow.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router() -> Router<u8> {
        let mut r = Router::new();
        for (i, (m, p)) in [
            (Method::Get, "/"),
            (Method::Get, "/users/{id}"),
            (Method::Post, "/users/{id}"),
            (Method::Get, "/files/{*path}"),
            (Method::Get, "/a/{x}/b/{y}"),
        ]
        .into_iter()
        .enumerate()
        {
            r.add(m, Pattern::parse(p).unwrap(), i as u8);
        }
        r
    }

    fn find(r: &Router<u8>, m: Method, path: &str) -> (Option<u8>, Vec<(&'static str, String)>) {
        let mut params = Vec::new();
        let v = match r.find(&m, path, &mut params) {
            Found::Route(_, v) => Some(*v),
            Found::MethodNotAllowed(a) => {
                params.push(("allow", a));
                None
            }
            Found::NotFound => None,
        };
        (v, params)
    }

    #[test]
    fn matches_patterns() {
        let r = router();
        assert_eq!(find(&r, Method::Get, "/").0, Some(0));
        let (v, p) = find(&r, Method::Get, "/users/42");
        assert_eq!((v, p), (Some(1), vec![("id", "42".to_string())]));
        assert_eq!(find(&r, Method::Post, "/users/7").0, Some(2));
        assert_eq!(find(&r, Method::Head, "/users/7").0, Some(1));
        let (v, p) = find(&r, Method::Get, "/files/a/b.txt");
        assert_eq!((v, p), (Some(3), vec![("path", "a/b.txt".to_string())]));
        let (v, p) = find(&r, Method::Get, "/a/1/b/2");
        assert_eq!((v, p.len()), (Some(4), 2));
        for miss in ["/users", "/users/", "/users/1/x", "/nope", "/a/1/b", "//"] {
            let (v, p) = find(&r, Method::Get, miss);
            assert_eq!(v, None, "{miss}");
            assert!(p.is_empty(), "{miss}: {p:?}");
        }
    }

    #[test]
    fn method_not_allowed_lists_methods() {
        let r = router();
        let (v, p) = find(&r, Method::Delete, "/users/1");
        assert_eq!(v, None);
        assert_eq!(p, vec![("allow", "GET, HEAD, POST".to_string())]);
    }

    #[test]
    fn rejects_bad_patterns() {
        for bad in ["users", "/a/{", "/a/{}", "/a/{*r}/b", "/a/x{y}"] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }
}
