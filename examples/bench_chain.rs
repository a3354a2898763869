//! What the middleware and hook chain costs: the demo's `/plaintext` and
//! `/json` behind `--middleware N` pass-through middleware and `--hooks N`
//! hooks (half before, half after). `benches/http.sh` runs it with none
//! (the bare routed app) and with 5 and 2, side by side.
//!
//!     cargo run --release --example bench_chain -- --addr 127.0.0.1:8001 --middleware 5 --hooks 2

use mionex::json::Value;
use mionex::server::signal::shutdown_on_signals;
use mionex::{App, Hook, Next, Request, Response};

fn main() {
    let mut addr = String::from("127.0.0.1:8001");
    let (mut middleware, mut hooks, mut workers) = (0usize, 0usize, 1usize);
    let mut argv = std::env::args().skip(1);
    while let Some(flag) = argv.next() {
        let value = argv.next().unwrap_or_default();
        let number = || -> usize {
            value.parse().unwrap_or_else(|_| {
                eprintln!("{flag} takes a number, not {value:?}");
                std::process::exit(2)
            })
        };
        match flag.as_str() {
            "--addr" => addr = value.clone(),
            "--middleware" => middleware = number(),
            "--hooks" => hooks = number(),
            "--workers" => workers = number(),
            _ => {
                eprintln!(
                    "usage: bench_chain [--addr HOST:PORT] [--middleware N] [--hooks N] [--workers N]"
                );
                std::process::exit(2);
            }
        }
    }

    let mut app = App::new();
    app.workers(workers);
    for _ in 0..middleware {
        app.add_middleware(|req: &mut Request, next: Next<'_>| Ok(next.run(req)));
    }
    for i in 0..hooks {
        if i % 2 == 0 {
            app.before_request(Hook::new().silent(), |_| Ok(None));
        } else {
            app.after_request(Hook::new().silent(), |_, _| {});
        }
    }
    app.get("/plaintext", |_| Ok(Response::text("Hello, World!")));
    app.get("/json", |_| {
        Ok(Response::json(
            &Value::object().with("message", "Hello, World!"),
        ))
    });
    let server = match app.bind(&addr) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bench_chain: {e}");
            std::process::exit(1);
        }
    };
    shutdown_on_signals(server.handle());
    println!("listening on http://{}", server.local_addr());
    server.wait();
}
