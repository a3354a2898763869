//! Exception handlers chosen by error type, by status and by scope; panics
//! in handlers, middleware, hooks and exception handlers all end as a 500
//! with an error id, and the server keeps serving.

mod support;

use mionex::json::Value;
use mionex::{App, Error, Hook, HttpError, Next, Request, Response};
use std::fmt;
use std::sync::{Arc, Mutex};
use support::{Client, get, serve};

/// An error type of the app's own.
#[derive(Debug)]
struct OutOfStock(&'static str);

impl fmt::Display for OutOfStock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is out of stock", self.0)
    }
}

impl std::error::Error for OutOfStock {}

fn json(r: &support::Reply) -> Value {
    Value::parse(&r.text()).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.text()))
}

fn is_uuid_v4(s: &str) -> bool {
    s.len() == 36 && &s[14..15] == "4" && s.chars().filter(|&c| c == '-').count() == 4
}

fn shop() -> App {
    let mut app = App::new();
    app.workers(1);
    app.get("/shop/{item}", |req: &Request| match req.param("item") {
        Some("tea") => Err(OutOfStock("tea").into()),
        Some("gone") => Err(HttpError::new(410, "gone for good").into()),
        _ => Err(Error::msg("database down")),
    });
    app.get("/api/{item}", |req: &Request| match req.param("item") {
        Some("tea") => Err(OutOfStock("tea").into()),
        Some("teapot") => Err(HttpError::new(418, "short and stout").into()),
        _ => Err(Error::msg("api broke")),
    });
    app.get("/api/v2/{item}", |_| Err(OutOfStock("v2 tea").into()));
    // By type, app-wide.
    app.exception_handler(|_req: &Request, e: &OutOfStock| {
        Ok(Response::text(format!("app: {e}")).with_status(409))
    });
    // By status, app-wide: a custom 404 page through the same mechanism.
    app.status_handler(404, |req: &Request, _e: &Error| {
        Ok(Response::text(format!("no page at {}", req.path())).with_status(404))
    });
    // Every other error, the seed's exception_handler(Exception).
    app.catch_all(|_req: &Request, e: &Error| {
        Ok(Response::text(format!("caught {}", e.status())).with_status(e.status()))
    });
    // A scope's own handlers win under its prefix.
    app.scope("/api")
        .exception_handler(|_req: &Request, e: &OutOfStock| {
            Ok(Response::text(format!("api: {e}")).with_status(409))
        })
        .status_handler(418, |_req: &Request, _e: &Error| {
            Ok(Response::text("api teapot").with_status(418))
        });
    app.scope("/api/v2")
        .exception_handler(|_req: &Request, e: &OutOfStock| {
            Ok(Response::text(format!("v2: {e}")).with_status(409))
        });
    app
}

#[test]
fn the_most_specific_exception_handler_wins() {
    let server = serve(shop());
    let addr = server.local_addr();
    let cases = [
        ("/shop/tea", 409, "app: tea is out of stock"),
        ("/shop/gone", 410, "caught 410"),
        ("/shop/milk", 500, "caught 500"),
        ("/nothing/here", 404, "no page at /nothing/here"),
        ("/api/tea", 409, "api: tea is out of stock"),
        ("/api/teapot", 418, "api teapot"),
        // No handler in the scope for this one: the app's catch-all.
        ("/api/milk", 500, "caught 500"),
        // The deepest scope first.
        ("/api/v2/x", 409, "v2: v2 tea is out of stock"),
        // A 404 under a scope without a 404 handler: the app's.
        ("/api/a/b/c", 404, "no page at /api/a/b/c"),
    ];
    for (path, status, body) in cases {
        let r = get(addr, path);
        assert_eq!((r.status, r.text().as_str()), (status, body), "{path}");
    }
    server.shutdown();
}

#[test]
fn default_handler_answers_json_with_an_id_and_never_the_cause() {
    let mut app = App::new();
    app.workers(1);
    app.get("/boom", |_| Err(Error::msg("password=hunter2 in the SQL")));
    app.get("/gone", |_| Err(HttpError::from_status(410).into()));
    let server = serve(app);
    let r = get(server.local_addr(), "/boom");
    assert_eq!(r.status, 500);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = json(&r);
    assert_eq!(
        v.get("error").unwrap().as_str(),
        Some("Internal Server Error")
    );
    assert!(is_uuid_v4(v.get("id").unwrap().as_str().unwrap()));
    assert!(!r.text().contains("hunter2"));
    let r = get(server.local_addr(), "/gone");
    assert_eq!(r.status, 410);
    assert_eq!(json(&r).get("error").unwrap().as_str(), Some("Gone"));
    server.shutdown();
}

#[test]
fn a_failing_or_panicking_exception_handler_falls_back_to_a_plain_500() {
    let mut app = App::new();
    app.workers(1);
    app.get("/a", |_| Err(OutOfStock("a").into()));
    app.get("/b", |_| Err(HttpError::new(400, "bad").into()));
    app.exception_handler(
        |_req: &Request, _e: &OutOfStock| -> Result<Response, Error> {
            panic!("the exception handler itself panics")
        },
    );
    app.status_handler(400, |_req: &Request, _e: &Error| {
        Err(Error::msg("handler failed"))
    });
    let server = serve(app);
    let addr = server.local_addr();
    let mut c = Client::connect(addr);
    for _ in 0..3 {
        let r = c.get("/a");
        assert_eq!(r.status, 500);
        assert!(is_uuid_v4(json(&r).get("id").unwrap().as_str().unwrap()));
        let r = c.get("/b");
        assert_eq!(r.status, 500);
        assert!(!r.text().contains("handler failed"));
    }
    server.shutdown();
}

#[test]
fn panics_in_middleware_and_hooks_are_500s_and_after_hooks_still_run() {
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let mut app = App::new();
    app.workers(1);
    app.add_middleware(|req: &mut Request, next: Next<'_>| {
        if req.query_param("mw").is_some() {
            panic!("middleware panics");
        }
        Ok(next.run(req))
    });
    app.before_request(Hook::new(), |req| {
        if req.query_param("hook").is_some() {
            panic!("before-hook panics");
        }
        Ok(None)
    });
    let s = statuses.clone();
    app.after_request(Hook::new(), move |req, res| {
        s.lock().unwrap().push(res.status());
        if req.query_param("after").is_some() {
            panic!("after-hook panics");
        }
    });
    app.get("/x", |req: &Request| {
        if req.query_param("handler").is_some() {
            panic!("handler panics");
        }
        Ok(Response::text("fine"))
    });
    let server = serve(app);
    let mut c = Client::connect(server.local_addr());
    for q in ["mw", "hook", "after", "handler"] {
        let r = c.get(&format!("/x?{q}=1"));
        assert_eq!(r.status, 500, "{q}");
        assert!(is_uuid_v4(json(&r).get("id").unwrap().as_str().unwrap()));
        assert!(!r.text().contains("panics"), "{q}");
        // The same connection goes on serving.
        assert_eq!(c.get("/x").text(), "fine", "after {q}");
    }
    // After-hooks saw every final response, a panic's 500 included; one
    // that panicked itself ran once (on the 200), not again on the 500.
    // App middleware wraps the hooks: when it panics, they never began.
    assert_eq!(
        *statuses.lock().unwrap(),
        [200, 500, 200, 200, 200, 500, 200]
    );
    server.shutdown();
}
