//! Thousands of panics, then normal service: no socket and no memory
//! growth. Its own test binary, so that the memory reading is this test's.

mod support;

use mionex::{App, Error, Response};
use support::{Client, get, serve};

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

fn panics(c: &mut Client, n: usize) {
    for _ in 0..n {
        let r = c.get("/panic");
        assert_eq!(r.status, 500);
        assert!(!r.text().contains("secret"));
    }
}

#[test]
fn thousands_of_panics_then_normal_service() {
    let mut app = App::new();
    app.workers(2);
    app.get("/ok", |_| Ok(Response::text("ok")));
    app.get("/panic", |_| -> Result<Response, Error> {
        panic!("secret internal detail")
    });
    let server = serve(app);
    let addr = server.local_addr();

    // Warm up: thread-locals, buffers and the backtrace resolver settle.
    let mut c = Client::connect(addr);
    panics(&mut c, 500);
    let before = rss_kib();
    panics(&mut c, 3000);
    // Fresh connections too, each dropped after its panic.
    for _ in 0..500 {
        panics(&mut Client::connect(addr), 1);
    }
    let grown = rss_kib().saturating_sub(before);
    eprintln!("RSS grew by {grown} KiB over 3,500 panics");
    assert!(grown < 2048, "RSS grew by {grown} KiB over 3,500 panics");

    // The same keep-alive connection still works, and fresh ones too.
    assert_eq!(c.get("/ok").text(), "ok");
    assert_eq!(get(addr, "/ok").text(), "ok");
    // The count sees the server's end of a live connection...
    assert!(support::server_side_sockets(addr) >= 1);
    drop(c);
    let mut left = usize::MAX;
    for _ in 0..100 {
        left = support::server_side_sockets(addr);
        if left == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // ...and none once the clients have gone.
    assert_eq!(left, 0, "sockets leaked");
    assert_eq!(server.handle().stats().open_connections, 0);
    server.shutdown();
}
