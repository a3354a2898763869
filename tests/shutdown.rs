//! Graceful shutdown: stop accepting, finish in-flight work, close idle
//! connections, join the workers.

mod support;

use mionex::{App, Response};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use support::{Client, serve};

#[test]
fn in_flight_request_finishes_and_idle_connections_close() {
    let mut app = App::new();
    app.workers(2);
    app.get("/slow", |_| {
        std::thread::sleep(Duration::from_millis(400));
        Ok(Response::text("done"))
    });
    app.get("/fast", |_| Ok(Response::text("fast")));
    let server = serve(app);
    let addr = server.local_addr();
    let handle = server.handle();

    let mut idle = Client::connect(addr);
    assert_eq!(idle.get("/fast").text(), "fast");

    let slow = std::thread::spawn(move || {
        let mut c = Client::connect(addr);
        c.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
        let r = c.read_reply(false);
        // The worker was busy in the handler when shutdown came, so the
        // answer went out normally; the now idle connection is then closed.
        (r.text(), c.is_closed())
    });
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    handle.shutdown();
    assert!(handle.is_shutting_down());
    server.wait();
    let (text, closed) = slow.join().unwrap();
    assert_eq!(text, "done");
    assert!(closed);
    assert!(idle.is_closed());
    assert!(started.elapsed() < Duration::from_secs(5));
    // Nothing listens any more.
    assert!(TcpStream::connect(addr).is_err());
}
