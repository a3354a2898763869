//! Bad input gets a clear answer, the connection is closed where the
//! framing can no longer be trusted, and the server keeps serving.

mod support;

use mionex::json::Value;
use mionex::{App, Limits, Request, Response};
use std::time::Duration;
use support::{Client, get, serve};

fn app(limits: Limits) -> App {
    let mut app = App::new();
    app.workers(1).limits(limits);
    app.get("/plaintext", |_| Ok(Response::text("Hello, World!")));
    app.post("/echo", |req: &Request| {
        Ok(Response::bytes(req.body().to_vec()))
    });
    app
}

fn small_limits() -> Limits {
    Limits {
        max_head_bytes: 1024,
        max_headers: 16,
        max_body_bytes: 1000,
        header_timeout: Duration::from_secs(1),
        keep_alive_timeout: Duration::from_secs(1),
        ..Limits::default()
    }
}

/// Sends `raw` on a fresh connection; returns the reply and whether the
/// server closed the connection afterwards.
fn exchange(addr: std::net::SocketAddr, raw: &[u8]) -> (u16, String, bool) {
    let mut c = Client::connect(addr);
    c.send(raw);
    let r = c.read_reply(false);
    let reason = Value::parse(&r.text())
        .ok()
        .and_then(|v| v.get("reason").and_then(|r| r.as_str().map(str::to_owned)))
        .unwrap_or_default();
    (r.status, reason, c.is_closed())
}

#[test]
fn framing_errors_get_400_and_close() {
    let server = serve(app(small_limits()));
    let addr = server.local_addr();
    let cases: &[(&str, u16, &str)] = &[
        ("GET / HTTP/1.1\r\n\r\n", 400, "Host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "Host"),
        ("GET /plaintext HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF"),
        (
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
            "Content-Length with Transfer-Encoding",
        ),
        (
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
            400,
            "conflicting Content-Length",
        ),
        (
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n",
            400,
            "Content-Length",
        ),
        (
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            400,
            "chunk size",
        ),
        (
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX",
            400,
            "CRLF",
        ),
        (
            "GET /plaintext HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
            501,
            "transfer coding",
        ),
        (
            "GET /plaintext HTTP/2.0\r\nHost: a\r\n\r\n",
            505,
            "HTTP/1.0 and HTTP/1.1",
        ),
        (
            "GET /plaintext HTTP/1.1\r\nHo st: a\r\n\r\n",
            400,
            "header name",
        ),
        ("GET /%ff HTTP/1.1\r\nHost: a\r\n\r\n", 400, "UTF-8"),
    ];
    for (raw, status, reason) in cases {
        let (got, why, closed) = exchange(addr, raw.as_bytes());
        assert_eq!(got, *status, "{raw:?}");
        assert!(why.contains(reason), "{raw:?}: reason {why:?}");
        assert!(closed, "{raw:?}: connection left open");
    }
    // Still serving.
    assert_eq!(get(addr, "/plaintext").status, 200);
    assert!(server.handle().stats().rejected >= cases.len() as u64);
    server.shutdown();
}

#[test]
fn oversized_heads_and_bodies() {
    let server = serve(app(small_limits()));
    let addr = server.local_addr();
    let long = format!(
        "GET /plaintext HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
        "a".repeat(2000)
    );
    assert_eq!(exchange(addr, long.as_bytes()).0, 431);
    // A head that never ends but keeps growing is cut off too.
    let endless = format!(
        "GET /plaintext HTTP/1.1\r\nHost: a\r\nX-Big: {}",
        "a".repeat(5000)
    );
    assert_eq!(exchange(addr, endless.as_bytes()).0, 431);
    let many: String = (0..20).map(|i| format!("X-{i}: v\r\n")).collect();
    let (status, reason, _) = exchange(
        addr,
        format!("GET / HTTP/1.1\r\nHost: a\r\n{many}\r\n").as_bytes(),
    );
    assert_eq!((status, reason.as_str()), (431, "too many header fields"));
    let big = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n";
    assert_eq!(exchange(addr, big.as_bytes()).0, 413);
    let chunks = format!(
        "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n{0}\r\n200\r\n{0}\r\n0\r\n\r\n",
        "b".repeat(512)
    );
    assert_eq!(exchange(addr, chunks.as_bytes()).0, 413);
    // At the limit is fine.
    let ok = format!(
        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n{}",
        "c".repeat(1000)
    );
    let mut c = Client::connect(addr);
    c.send(ok);
    assert_eq!(c.read_reply(false).body.len(), 1000);
    server.shutdown();
}

#[test]
fn slow_head_gets_408_and_idle_keep_alive_is_closed() {
    let server = serve(app(small_limits()));
    let addr = server.local_addr();
    let mut c = Client::connect(addr);
    c.send("GET /plaintext HTTP/1.1\r\nHost: a\r\n");
    let r = c.read_reply(false);
    assert_eq!(r.status, 408);
    assert!(c.is_closed());
    assert!(server.handle().stats().timeouts >= 1);
    // Idle after a request: closed without a response.
    let mut c = Client::connect(addr);
    assert_eq!(c.get("/plaintext").status, 200);
    assert!(c.is_closed());
    server.shutdown();
}

#[test]
fn over_the_connection_limit_is_refused_and_counted() {
    let limits = Limits {
        max_connections: 2,
        ..Limits::default()
    };
    let server = serve(app(limits));
    let addr = server.local_addr();
    let mut a = Client::connect(addr);
    let mut b = Client::connect(addr);
    assert_eq!(a.get("/plaintext").status, 200);
    assert_eq!(b.get("/plaintext").status, 200);
    let mut c = Client::connect(addr);
    let r = c.read_reply(false);
    assert_eq!(r.status, 503);
    assert!(c.is_closed());
    assert_eq!(server.handle().stats().refused, 1);
    drop(a);
    // Once one closes, a new connection is served again.
    let mut ok = None;
    for _ in 0..100 {
        let mut d = Client::connect(addr);
        d.send("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n");
        let r = d.read_reply(false);
        if r.status == 200 {
            ok = Some(r);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(ok.is_some());
    server.shutdown();
}

#[test]
fn garbage_and_abrupt_disconnects_leave_the_server_serving() {
    let server = serve(app(small_limits()));
    let addr = server.local_addr();
    for i in 0..200u32 {
        let mut c = Client::connect(addr);
        let junk: Vec<u8> = (0..(i % 97) * 13).map(|j| (j * 31 + i) as u8).collect();
        c.send(&junk);
        drop(c);
    }
    assert_eq!(get(addr, "/plaintext").status, 200);
    // The server side of those connections is gone too (give it a moment).
    for _ in 0..50 {
        if server.handle().stats().open_connections == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.handle().stats().open_connections, 0);
    assert_eq!(support::server_side_sockets(addr), 0, "sockets leaked");
    server.shutdown();
}
