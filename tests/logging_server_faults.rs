//! A server whose log file cannot be written (`/dev/full`) keeps serving,
//! and every access line still reaches the console fallback. Its own test
//! binary: it installs the global logger.

#[path = "support/logging.rs"]
mod logsupport;
mod support;

use logsupport::SharedBuf;
use mionex::access_log::AccessLog;
use mionex::logging::{Fallback, Logger, Pattern, RotatingFileHandler};
use mionex::{App, Response};
use std::time::Duration;
use support::{Client, serve};

fn msg_only() -> Pattern {
    Pattern::parse("%(message)s").expect("pattern")
}

#[test]
fn a_full_disk_never_stops_the_server_or_loses_an_access_line() {
    let console = SharedBuf::default();
    let file = RotatingFileHandler::builder("/dev/full")
        .max_bytes(0)
        .format(msg_only())
        .fallback(Fallback::Writer(Box::new(console.clone())))
        // Flush every record, so each write meets the full disk.
        .flush_level(log::Level::Trace)
        .open()
        .expect("opening /dev/full works; writing fails");
    let logger = Logger::new("app");
    logger.add_handler(file);
    logger.install().unwrap();

    let mut app = App::new();
    app.workers(2);
    app.add_middleware(AccessLog::new());
    app.get("/plaintext", |_| Ok(Response::text("Hello, World!")));
    let server = serve(app);
    let mut c = Client::connect(server.local_addr());
    for _ in 0..500 {
        assert_eq!(c.get("/plaintext").status, 200);
    }
    let stats = logger.stats();
    assert!(stats.write_errors >= 1, "{stats:?}");
    server.shutdown();
    logger.shutdown(Duration::from_secs(2));
    let text = console.text();
    assert_eq!(
        text.matches("Response: 200 - ").count(),
        500,
        "{}",
        &text[..text.len().min(2000)]
    );
    assert_eq!(text.matches("Request: GET /plaintext").count(), 500);
}
