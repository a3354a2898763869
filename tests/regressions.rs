//! Bugs found and fixed, each pinned by the test named after it.

mod support;

use mionex::{App, Limits, Request, Response};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};
use support::{Client, serve};

fn echo_app(max_body: usize) -> App {
    let mut app = App::new();
    app.workers(1).limits(Limits {
        max_body_bytes: max_body,
        ..Limits::default()
    });
    app.post("/echo", |req: &Request| {
        Ok(Response::bytes(req.body().to_vec()))
    });
    app.get("/plaintext", |_| Ok(Response::text("Hello, World!")));
    app
}

/// A chunked body under the limit, in chunks so small that its raw bytes
/// were over it, stalled until the 408: the limit counted framing too.
#[test]
fn small_chunks_under_the_body_limit_are_not_refused_for_their_framing() {
    let server = serve(echo_app(100_000));
    let chunks = |n: usize| {
        let mut raw = b"a\r\n0123456789\r\n".repeat(n); // 15 raw bytes per 10
        raw.extend_from_slice(b"0\r\n\r\n");
        raw
    };
    let raw = chunks(9_000);
    assert!(raw.len() > 100_000 + 16 * 1024 + 1024);
    let mut c = Client::connect(server.local_addr());
    c.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    c.send(&raw);
    let r = c.read_reply(false);
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), 90_000);
    // Past the limit (decoded) it is still a 413.
    let mut c = Client::connect(server.local_addr());
    c.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    let _ = c.reader.get_mut().write_all(&chunks(18_000));
    assert_eq!(c.read_reply(false).status, 413);
    server.shutdown();
}

/// A client that sent its request and shut down its side (`nc -N`) got
/// its answer, but the connection stayed open until the keep-alive
/// timeout: the FIN came in the same edge as the request.
#[test]
fn a_half_closed_client_is_answered_and_closed_at_once() {
    let server = serve(echo_app(1000));
    for _ in 0..20 {
        let mut s = TcpStream::connect(server.local_addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(b"GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        let start = Instant::now();
        let mut out = Vec::new();
        s.read_to_end(&mut out)
            .expect("closed by the server, not timed out");
        assert!(start.elapsed() < Duration::from_secs(4));
        assert!(String::from_utf8_lossy(&out).ends_with("Hello, World!"));
    }
    server.shutdown();
}
