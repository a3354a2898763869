//! Errors and panics become JSON answers with an id; the server survives.

mod support;

use mionex::json::Value;
use mionex::{App, HttpError, Request, Response};
use support::{get, serve};

fn app() -> App {
    let mut app = App::new();
    app.workers(2);
    app.get("/ok", |_| Ok(Response::text("ok")));
    app.get("/error", |_| {
        let n: u32 = "x".parse()?;
        Ok(Response::text(n.to_string()))
    });
    app.get("/teapot", |_| {
        Err(HttpError::new(418, "short and stout").into())
    });
    // Echoes a client-controlled value into a header: the classic
    // response-splitting mistake.
    app.get("/bad-header", |req: &Request| {
        let v = req.query_param("v").unwrap_or_default().into_owned();
        Ok(Response::text("x").with_header("X-Echo", v))
    });
    app.get("/param/{n}", |req: &Request| {
        let n: i64 = req
            .param("n")
            .unwrap()
            .parse()
            .map_err(|_| HttpError::new(400, "n must be a number"))?;
        Ok(Response::text((n * 2).to_string()))
    });
    app
}

fn body(r: &support::Reply) -> Value {
    Value::parse(&r.text()).expect("JSON body")
}

#[test]
fn handler_error_is_500_with_id_and_no_detail() {
    let server = serve(app());
    let r = get(server.local_addr(), "/error");
    assert_eq!(r.status, 500);
    let v = body(&r);
    assert_eq!(
        v.get("error").unwrap().as_str(),
        Some("Internal Server Error")
    );
    let id = v.get("id").unwrap().as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4", "uuid v4");
    assert!(!r.text().contains("invalid digit"));
    server.shutdown();
}

#[test]
fn http_error_keeps_its_status_and_message() {
    let server = serve(app());
    let r = get(server.local_addr(), "/teapot");
    assert_eq!(r.status, 418);
    assert_eq!(
        body(&r).get("error").unwrap().as_str(),
        Some("short and stout")
    );
    let r = get(server.local_addr(), "/param/abc");
    assert_eq!(r.status, 400);
    assert_eq!(get(server.local_addr(), "/param/21").text(), "42");
    server.shutdown();
}

#[test]
fn header_injection_from_a_handler_is_dropped() {
    let server = serve(app());
    let r = get(
        server.local_addr(),
        "/bad-header?v=a%0D%0ASet-Cookie:%20pwned=1",
    );
    assert_eq!(r.status, 200);
    assert!(r.header("set-cookie").is_none());
    assert!(r.header("x-echo").is_none());
    let r = get(server.local_addr(), "/bad-header?v=fine");
    assert_eq!(r.header("x-echo"), Some("fine"));
    server.shutdown();
}
