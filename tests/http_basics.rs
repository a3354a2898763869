//! HTTP/1.1 behaviour over real sockets: routing, keep-alive, pipelining,
//! HEAD, bodies in both framings, 100-continue, streaming.

mod support;

use mionex::json::Value;
use mionex::{App, Request, Response};
use support::{Client, get, serve};

fn app() -> App {
    let mut app = App::new();
    app.workers(2);
    app.get("/plaintext", |_| Ok(Response::text("Hello, World!")));
    app.get("/json", |_| {
        Ok(Response::json(
            &Value::object().with("message", "Hello, World!"),
        ))
    });
    app.post("/echo", |req: &Request| {
        Ok(Response::bytes(req.body().to_vec()))
    });
    app.get("/users/{id}", |req: &Request| {
        Ok(Response::json(
            &Value::object().with("id", req.param("id").unwrap()),
        ))
    });
    app.get("/files/{*path}", |req: &Request| {
        Ok(Response::text(req.param("path").unwrap().to_owned()))
    });
    app.get("/inspect", |req: &Request| {
        let q = req.query_param("q").map(|q| q.into_owned());
        Ok(Response::json(
            &Value::object()
                .with("path", req.path())
                .with("q", q)
                .with("version", req.version())
                .with("route", req.route())
                .with("peer_is_loopback", req.peer_addr().ip().is_loopback()),
        ))
    });
    app.get("/stream", |_| {
        let data: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        Ok(Response::stream(std::io::Cursor::new(data)))
    });
    app
}

#[test]
fn serves_plaintext_json_and_path_parameters() {
    let server = serve(app());
    let r = get(server.local_addr(), "/plaintext");
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "Hello, World!");
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(r.header("server"), Some("mionex"));
    assert_eq!(r.header("date").map(str::len), Some(29));
    let r = get(server.local_addr(), "/json");
    assert_eq!(r.text(), r#"{"message":"Hello, World!"}"#);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        get(server.local_addr(), "/users/42").text(),
        r#"{"id":"42"}"#
    );
    assert_eq!(get(server.local_addr(), "/files/a/b.txt").text(), "a/b.txt");
    server.shutdown();
}

#[test]
fn unknown_path_is_404_and_wrong_method_is_405_with_allow() {
    let server = serve(app());
    let r = get(server.local_addr(), "/nope");
    assert_eq!(r.status, 404);
    let v = Value::parse(&r.text()).unwrap();
    assert_eq!(v.get("error").unwrap().as_str(), Some("Not Found"));
    assert_eq!(v.get("id").unwrap().as_str().unwrap().len(), 36);
    let mut c = Client::connect(server.local_addr());
    c.send("DELETE /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
    let r = c.read_reply(false);
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
    // The route still works after a 405 (Nexios breaks it for good).
    assert_eq!(c.get("/plaintext").status, 200);
    server.shutdown();
}

#[test]
fn percent_decoded_path_and_query_and_absolute_form() {
    let server = serve(app());
    let r = get(server.local_addr(), "/insp%65ct?q=a%20b+c");
    let v = Value::parse(&r.text()).unwrap();
    assert_eq!(v.get("path").unwrap().as_str(), Some("/inspect"));
    assert_eq!(v.get("q").unwrap().as_str(), Some("a b c"));
    assert_eq!(v.get("route").unwrap().as_str(), Some("/inspect"));
    assert_eq!(v.get("peer_is_loopback"), Some(&Value::Bool(true)));
    let r = get(server.local_addr(), "http://example.com/inspect?q=1");
    let v = Value::parse(&r.text()).unwrap();
    assert_eq!(v.get("path").unwrap().as_str(), Some("/inspect"));
    assert_eq!(v.get("q").unwrap().as_str(), Some("1"));
    server.shutdown();
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let server = serve(app());
    let mut c = Client::connect(server.local_addr());
    for _ in 0..100 {
        let r = c.get("/plaintext");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("connection"), None);
    }
    server.shutdown();
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = serve(app());
    let mut c = Client::connect(server.local_addr());
    let mut batch = String::new();
    for i in 0..50 {
        batch.push_str(&format!("GET /users/{i} HTTP/1.1\r\nHost: t\r\n\r\n"));
    }
    batch.push_str("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
    batch.push_str("GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    c.send(batch);
    for i in 0..50 {
        assert_eq!(c.read_reply(false).text(), format!(r#"{{"id":"{i}"}}"#));
    }
    assert_eq!(c.read_reply(false).text(), "hello");
    let last = c.read_reply(false);
    assert_eq!(last.header("connection"), Some("close"));
    assert!(c.is_closed());
    server.shutdown();
}

#[test]
fn http10_closes_unless_keep_alive() {
    let server = serve(app());
    let mut c = Client::connect(server.local_addr());
    c.send("GET /plaintext HTTP/1.0\r\n\r\n");
    let r = c.read_reply(false);
    assert_eq!(r.text(), "Hello, World!");
    assert!(c.is_closed());
    let mut c = Client::connect(server.local_addr());
    c.send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(c.read_reply(false).header("connection"), Some("keep-alive"));
    c.send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(c.read_reply(false).status, 200);
    server.shutdown();
}

#[test]
fn head_sends_headers_only() {
    let server = serve(app());
    let mut c = Client::connect(server.local_addr());
    c.send("HEAD /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
    let r = c.read_reply(true);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("13"));
    // The next response starts right after the head: no body was sent.
    assert_eq!(c.get("/json").status, 200);
    server.shutdown();
}

#[test]
fn chunked_request_body_with_trailers_split_across_writes() {
    let server = serve(app());
    let mut c = Client::connect(server.local_addr());
    let req = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
               5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n";
    for piece in req.as_bytes().chunks(7) {
        c.send(piece);
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert_eq!(c.read_reply(false).text(), "hello world");
    assert_eq!(c.get("/plaintext").status, 200);
    server.shutdown();
}

#[test]
fn content_length_body_arriving_slowly() {
    let server = serve(app());
    let mut c = Client::connect(server.local_addr());
    let body = "x".repeat(100_000);
    c.send(format!(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n",
        body.len()
    ));
    for piece in body.as_bytes().chunks(30_000) {
        c.send(piece);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(c.read_reply(false).body.len(), 100_000);
    server.shutdown();
}

#[test]
fn expect_100_continue_gets_an_interim_response() {
    let server = serve(app());
    let mut c = Client::connect(server.local_addr());
    c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    let interim = c.read_reply(true);
    assert_eq!(interim.status, 100);
    c.send("ping");
    let r = c.read_reply(false);
    assert_eq!((r.status, r.text().as_str()), (200, "ping"));
    server.shutdown();
}

#[test]
fn streamed_body_is_chunked_and_complete() {
    let server = serve(app());
    let mut c = Client::connect(server.local_addr());
    let r = c.get("/stream");
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.body.len(), 400_000);
    assert!(r.body.chunks(4).enumerate().all(|(i, b)| b[0] == i as u8));
    // Still usable afterwards.
    assert_eq!(c.get("/plaintext").status, 200);
    // HTTP/1.0 gets the stream delimited by close.
    let mut c = Client::connect(server.local_addr());
    c.send("GET /stream HTTP/1.0\r\n\r\n");
    let r = c.read_reply(false);
    assert_eq!(r.header("transfer-encoding"), None);
    assert_eq!(r.body.len(), 400_000);
    server.shutdown();
}

#[test]
fn many_concurrent_clients() {
    let server = serve(app());
    let addr = server.local_addr();
    let threads: Vec<_> = (0..16)
        .map(|t| {
            std::thread::spawn(move || {
                let mut c = Client::connect(addr);
                for i in 0..200 {
                    let r = c.get(&format!("/users/{t}-{i}"));
                    assert_eq!(r.text(), format!(r#"{{"id":"{t}-{i}"}}"#));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(server.handle().stats().requests >= 3200);
    server.shutdown();
}
