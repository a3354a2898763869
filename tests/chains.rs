//! Middleware and hook chains over real sockets: their order, short
//! circuits, request state across the chain, per-scope layers, and what
//! after-hooks see of errors and 404s.

mod support;

use mionex::{App, Error, Hook, HttpError, Method, Next, Request, Response};
use std::sync::{Arc, Mutex};
use support::{Client, get, serve};

/// The order things ran in, per request (one request at a time here).
type Trail = Arc<Mutex<Vec<String>>>;

fn mark(trail: &Trail, what: impl Into<String>) {
    trail.lock().unwrap().push(what.into());
}

fn take(trail: &Trail) -> Vec<String> {
    std::mem::take(&mut *trail.lock().unwrap())
}

/// A middleware that records entering and leaving.
fn layer(
    trail: &Trail,
    name: &'static str,
) -> impl Fn(&mut Request, Next<'_>) -> Result<Response, Error> + Send + Sync + 'static {
    let trail = trail.clone();
    move |req: &mut Request, next: Next<'_>| {
        mark(&trail, format!("{name}>"));
        let res = next.run(req);
        mark(&trail, format!("<{name} {}", res.status()));
        Ok(res)
    }
}

fn ordered_app(trail: &Trail) -> App {
    let mut app = App::new();
    app.workers(1);
    app.add_middleware(layer(trail, "outer"));
    app.add_middleware(layer(trail, "inner"));
    let t = trail.clone();
    app.before_request(Hook::new(), move |_| {
        mark(&t, "before");
        Ok(None)
    });
    let t = trail.clone();
    app.after_request(Hook::new(), move |_, res| {
        mark(&t, format!("after {}", res.status()))
    });
    let t = trail.clone();
    app.get("/hi", move |_| {
        mark(&t, "handler");
        Ok(Response::text("hi"))
    });
    let t = trail.clone();
    app.get("/fail", move |_| {
        mark(&t, "handler");
        Err(HttpError::new(409, "taken").into())
    });
    let t = trail.clone();
    app.get("/api/v1/thing", move |_| {
        mark(&t, "handler");
        Ok(Response::text("thing"))
    });
    app.scope("/api").add_middleware(layer(trail, "api"));
    app.scope("/api/v1").add_middleware(layer(trail, "v1"));
    let t = trail.clone();
    app.scope("/api").before_request(Hook::new(), move |_| {
        mark(&t, "api-before");
        Ok(None)
    });
    app
}

#[test]
fn first_added_middleware_is_outermost_and_hooks_run_inside_it() {
    let trail = Trail::default();
    let server = serve(ordered_app(&trail));
    let addr = server.local_addr();

    assert_eq!(get(addr, "/hi").text(), "hi");
    assert_eq!(
        take(&trail),
        [
            "outer>",
            "inner>",
            "before",
            "handler",
            "after 200",
            "<inner 200",
            "<outer 200"
        ]
    );

    // Scope middleware wraps its routes inside the app's, outer scope
    // first; scope hooks run after the app's.
    assert_eq!(get(addr, "/api/v1/thing").text(), "thing");
    assert_eq!(
        take(&trail),
        [
            "outer>",
            "inner>",
            "before",
            "api-before",
            "api>",
            "v1>",
            "handler",
            "<v1 200",
            "<api 200",
            "after 200",
            "<inner 200",
            "<outer 200"
        ]
    );
    server.shutdown();
}

#[test]
fn middleware_and_after_hooks_see_the_final_status_of_errors_and_404s() {
    let trail = Trail::default();
    let server = serve(ordered_app(&trail));
    let addr = server.local_addr();

    let r = get(addr, "/fail");
    assert_eq!(r.status, 409);
    assert_eq!(
        take(&trail),
        [
            "outer>",
            "inner>",
            "before",
            "handler",
            "after 409",
            "<inner 409",
            "<outer 409"
        ]
    );

    // No route: the app's middleware and hooks still run, and see the 404.
    assert_eq!(get(addr, "/nowhere").status, 404);
    assert_eq!(
        take(&trail),
        [
            "outer>",
            "inner>",
            "before",
            "after 404",
            "<inner 404",
            "<outer 404"
        ]
    );

    // The scope's layers do not wrap a path no route of theirs matches.
    let mut c = Client::connect(addr);
    c.send("POST /api/v1/thing HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    let r = c.read_reply(false);
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
    assert_eq!(
        take(&trail),
        [
            "outer>",
            "inner>",
            "before",
            "after 405",
            "<inner 405",
            "<outer 405"
        ]
    );
    server.shutdown();
}

#[test]
fn middleware_short_circuits_and_rewrites_both_ways() {
    let mut app = App::new();
    app.workers(1);
    app.add_middleware(|req: &mut Request, next: Next<'_>| {
        if req.header("x-deny").is_some() {
            return Ok(Response::text("denied").with_status(403));
        }
        // Change the request on the way in, the response on the way out.
        req.headers_mut().insert("x-seen-by", "gate");
        let res = next.run(req);
        Ok(res.with_header("X-Gate", "passed"))
    });
    let reached = Arc::new(Mutex::new(0));
    let r2 = reached.clone();
    app.get("/who", move |req: &Request| {
        *r2.lock().unwrap() += 1;
        Ok(Response::text(
            req.header("x-seen-by").unwrap_or("nobody").to_owned(),
        ))
    });
    let server = serve(app);
    let addr = server.local_addr();

    let r = get(addr, "/who");
    assert_eq!(r.text(), "gate");
    assert_eq!(r.header("x-gate"), Some("passed"));

    let mut c = Client::connect(addr);
    c.send("GET /who HTTP/1.1\r\nHost: t\r\nX-Deny: 1\r\n\r\n");
    let r = c.read_reply(false);
    assert_eq!((r.status, r.text().as_str()), (403, "denied"));
    assert!(r.header("x-gate").is_none());
    assert_eq!(*reached.lock().unwrap(), 1, "the handler ran only once");
    server.shutdown();
}

#[test]
fn a_before_hook_answers_early_and_after_hooks_still_run() {
    let trail = Trail::default();
    let mut app = App::new();
    app.workers(1);
    app.before_request(Hook::new(), |req| {
        Ok((req.query_param("early").is_some()).then(|| Response::text("early").with_status(202)))
    });
    let t = trail.clone();
    app.before_request(Hook::new(), move |_| {
        mark(&t, "second before");
        Ok(None)
    });
    let t = trail.clone();
    app.after_request(Hook::new(), move |_, res| {
        mark(&t, format!("after {}", res.status()));
        res.set_header("X-After", "yes");
    });
    let t = trail.clone();
    app.get("/x", move |_| {
        mark(&t, "handler");
        Ok(Response::text("late"))
    });
    let server = serve(app);
    let addr = server.local_addr();

    let r = get(addr, "/x?early=1");
    assert_eq!((r.status, r.text().as_str()), (202, "early"));
    assert_eq!(r.header("x-after"), Some("yes"));
    assert_eq!(take(&trail), ["after 202"]);

    let r = get(addr, "/x");
    assert_eq!(r.text(), "late");
    assert_eq!(take(&trail), ["second before", "handler", "after 200"]);
    server.shutdown();
}

#[test]
fn hooks_can_be_limited_to_a_method_and_a_scope() {
    let trail = Trail::default();
    let mut app = App::new();
    app.workers(1);
    app.get("/items", |_| Ok(Response::text("list")));
    app.post("/items", |_| Ok(Response::text("made").with_status(201)));
    app.get("/other", |_| Ok(Response::text("other")));
    let t = trail.clone();
    app.scope("/items")
        .before_request(Hook::new().method(Method::Post), move |req| {
            mark(&t, format!("post-hook {}", req.method()));
            Ok(None)
        });
    let server = serve(app);
    let addr = server.local_addr();

    assert_eq!(get(addr, "/items").text(), "list");
    assert_eq!(get(addr, "/other").text(), "other");
    assert!(take(&trail).is_empty());
    let mut c = Client::connect(addr);
    c.send("POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(c.read_reply(false).status, 201);
    assert_eq!(take(&trail), ["post-hook POST"]);
    server.shutdown();
}

/// A value middleware puts in the request state for those inside.
struct User(&'static str);
/// A value the before-hook adds.
struct Seen(u32);

#[test]
fn request_state_is_shared_by_middleware_hooks_handler_and_exception_handler() {
    let mut app = App::new();
    app.workers(1);
    app.state(String::from("app-wide"));
    app.add_middleware(|req: &mut Request, next: Next<'_>| {
        req.state().insert(User("ada"));
        let res = next.run(req);
        // What the inner layers left behind is visible on the way out.
        let seen = req.state().get::<Seen>().map_or(0, |s| s.0);
        Ok(res.with_header("X-Seen", seen.to_string()))
    });
    app.before_request(Hook::new(), |req| {
        let user = req.state().get::<User>().map(|u| u.0);
        assert_eq!(user, Some("ada"));
        req.state().insert(Seen(1));
        Ok(None)
    });
    app.get("/me", |req: &Request| {
        req.state().get_mut::<Seen>().unwrap().0 += 1;
        let user = req.state().get::<User>().unwrap().0;
        let global = req.app_state::<String>().unwrap();
        Ok(Response::text(format!("{user} {global}")))
    });
    app.get("/me/fail", |req: &Request| {
        req.state().get_mut::<Seen>().unwrap().0 += 10;
        Err(HttpError::new(418, "teapot").into())
    });
    app.status_handler(418, |req: &Request, _e: &Error| {
        let user = req.state().get::<User>().unwrap().0;
        Ok(Response::text(format!("sorry {user}")).with_status(418))
    });
    let server = serve(app);
    let addr = server.local_addr();

    let r = get(addr, "/me");
    assert_eq!(r.text(), "ada app-wide");
    assert_eq!(r.header("x-seen"), Some("2"));
    let r = get(addr, "/me/fail");
    assert_eq!((r.status, r.text().as_str()), (418, "sorry ada"));
    assert_eq!(r.header("x-seen"), Some("11"));

    // State is per request: a second request on the same connection
    // starts empty.
    let mut c = Client::connect(addr);
    assert_eq!(c.get("/me").header("x-seen"), Some("2"));
    assert_eq!(c.get("/me").header("x-seen"), Some("2"));
    server.shutdown();
}

#[test]
fn middleware_sees_websocket_upgrades_and_may_refuse_them() {
    use mionex::ws::{Consumer, Payload, WebSocket};
    struct Echo;
    impl Consumer for Echo {
        fn on_receive(&mut self, ws: &mut WebSocket<'_>, msg: Payload) -> Result<(), Error> {
            ws.send_text(msg.to_text().unwrap_or_default())?;
            Ok(())
        }
    }
    let upgrades = Arc::new(Mutex::new(Vec::new()));
    let mut app = App::new();
    app.workers(1);
    let u = upgrades.clone();
    app.add_middleware(move |req: &mut Request, next: Next<'_>| {
        let is_upgrade = req
            .header("upgrade")
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
        if is_upgrade {
            u.lock().unwrap().push(req.path().to_owned());
            if req.query_param("token").as_deref() != Some("ok") {
                return Err(HttpError::new(403, "no token").into());
            }
        }
        Ok(next.run(req))
    });
    app.ws("/ws", |_| Echo);
    let server = serve(app);
    let addr = server.local_addr();

    let refused = tungstenite::connect(format!("ws://{addr}/ws?token=bad"));
    match refused {
        Err(tungstenite::Error::Http(res)) => assert_eq!(res.status().as_u16(), 403),
        other => panic!("expected a 403, got {other:?}"),
    }
    let (mut ws, res) = tungstenite::connect(format!("ws://{addr}/ws?token=ok")).unwrap();
    assert_eq!(res.status().as_u16(), 101);
    ws.send(tungstenite::Message::text("ping?")).unwrap();
    assert_eq!(ws.read().unwrap().into_text().unwrap().as_str(), "ping?");
    ws.close(None).unwrap();
    assert_eq!(*upgrades.lock().unwrap(), ["/ws", "/ws"]);
    server.shutdown();
}
