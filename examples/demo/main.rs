//! The seed tutorial ("Day 23: Logging & Monitoring") as one running
//! server. `cargo run --release --example demo -- --help` lists the flags;
//! the routes are in `routes.rs`.

mod args;
mod routes;
mod ws;

use args::Args;
use mionex::server::signal::shutdown_on_signals;
use mionex::{App, Config, Limits};
use std::time::Duration;

fn main() {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if args.redis.is_some() {
        eprintln!("--redis is not supported yet: channel groups are per process");
        std::process::exit(2);
    }

    let mut app = App::new();
    let mut config = Config {
        limits: Limits {
            // The two limits the demo states (demo-contract.md).
            max_body_bytes: 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            ..Limits::default()
        },
        ..Config::default()
    };
    if let Some(n) = args.workers {
        config.workers = n;
    }
    app.config(config);
    routes::mount(&mut app);
    ws::mount(&mut app);

    let server = match app.bind(args.addr) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("demo: {e}");
            std::process::exit(1);
        }
    };
    shutdown_on_signals(server.handle());
    println!("listening on http://{}", server.local_addr());
    server.wait();
}
