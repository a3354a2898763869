//! Startup and shutdown handlers, and periodic tasks.

mod support;

use mionex::{App, Error, Response, StartError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Client, get, serve};

/// Waits up to 5 s for `cond`.
fn eventually(cond: impl Fn() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    cond()
}

#[test]
fn a_failed_startup_aborts_the_start_and_releases_the_port() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let ran_after = Arc::new(AtomicUsize::new(0));
    let mut app = App::new();
    app.on_startup(|| Err(Error::msg("the database is not there")));
    let r = ran_after.clone();
    app.on_startup(move || {
        r.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    let err = match app.bind(&addr) {
        Ok(_) => panic!("the start should have failed"),
        Err(e) => e,
    };
    assert!(matches!(err, StartError::Startup(_)));
    assert_eq!(
        err.to_string(),
        "startup handler failed: the database is not there"
    );
    assert_eq!(
        ran_after.load(Ordering::SeqCst),
        0,
        "later handlers skipped"
    );

    // A panicking startup handler is a failed start too, not a crash.
    let mut app = App::new();
    app.on_startup(|| panic!("config missing"));
    let err = app.bind(&addr).err().expect("a failed start");
    assert!(err.to_string().contains("config missing"), "{err}");

    // The port was released: a good app binds it now.
    let mut app = App::new();
    app.get("/", |_| Ok(Response::text("up")));
    let started = Arc::new(AtomicUsize::new(0));
    let s = started.clone();
    app.on_startup(move || {
        s.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    let server = app.bind(&addr).expect("bind after failed starts");
    assert_eq!(started.load(Ordering::SeqCst), 1);
    assert_eq!(get(server.local_addr(), "/").text(), "up");
    server.shutdown();
}

#[test]
fn shutdown_handlers_run_after_in_flight_requests_drain() {
    let log = Arc::new(Mutex::new(Vec::<&'static str>::new()));
    let mut app = App::new();
    app.workers(1);
    let l = log.clone();
    let entered = Arc::new(AtomicUsize::new(0));
    let e = entered.clone();
    app.get("/slow", move |_| {
        e.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(300));
        l.lock().unwrap().push("slow request done");
        Ok(Response::text("done"))
    });
    let l = log.clone();
    app.on_shutdown(move || l.lock().unwrap().push("shutdown handler"));
    app.on_shutdown(|| panic!("a panicking shutdown handler is logged"));
    let l = log.clone();
    app.on_shutdown(move || l.lock().unwrap().push("next shutdown handler"));
    let server = serve(app);
    let addr = server.local_addr();

    let client = std::thread::spawn(move || Client::connect(addr).get("/slow"));
    assert!(eventually(|| entered.load(Ordering::SeqCst) == 1));
    server.shutdown();
    let r = client.join().unwrap();
    assert_eq!(r.text(), "done", "the in-flight request was finished");
    assert_eq!(
        *log.lock().unwrap(),
        [
            "slow request done",
            "shutdown handler",
            "next shutdown handler"
        ]
    );
}

#[test]
fn periodic_tasks_run_survive_panics_and_stop_at_shutdown() {
    let ticks = Arc::new(AtomicUsize::new(0));
    let panicky = Arc::new(AtomicUsize::new(0));
    let mut app = App::new();
    app.workers(1);
    app.get("/", |_| Ok(Response::text("ok")));
    let t = ticks.clone();
    app.every(Duration::from_millis(10), move || {
        t.fetch_add(1, Ordering::SeqCst);
    });
    let p = panicky.clone();
    app.every(Duration::from_millis(10), move || {
        p.fetch_add(1, Ordering::SeqCst);
        panic!("a task that always panics");
    });
    let server = serve(app);
    assert!(eventually(|| ticks.load(Ordering::SeqCst) >= 5));
    // Still scheduled after panicking, and the server still serves.
    assert!(eventually(|| panicky.load(Ordering::SeqCst) >= 3));
    assert_eq!(get(server.local_addr(), "/").text(), "ok");
    server.shutdown();
    let stopped_at = ticks.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        ticks.load(Ordering::SeqCst),
        stopped_at,
        "ran after shutdown"
    );
}
