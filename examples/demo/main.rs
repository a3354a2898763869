//! The seed tutorial ("Day 23: Logging & Monitoring") as one running
//! server. `cargo run --release --example demo -- --help` lists the flags;
//! the routes are in `routes.rs`, the logging setup in `logs.rs`, the
//! timing hooks in `timing.rs`, the audit log in `security.rs`, the
//! WebSocket consumers in `ws.rs`.

mod args;
mod logs;
mod routes;
mod security;
mod summary;
mod timing;
mod ws;

use args::Args;
use mionex::access_log::AccessLog;
use mionex::server::signal::shutdown_on_signals;
use mionex::{App, Config, Limits};
use std::time::Duration;

fn main() {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(help @ args::ArgError::Help) => {
            println!("{help}");
            return;
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if args.redis.is_some() {
        eprintln!("--redis is not supported yet: channel groups are per process");
        std::process::exit(2);
    }
    let logs = match logs::init(&args) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "demo: cannot set up logging in {}: {e}",
                args.log_dir.display()
            );
            std::process::exit(1);
        }
    };

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
    if args.access_log {
        // First added, so outermost: it times the whole chain.
        app.add_middleware(AccessLog::new().logger(logs.access.clone()));
    }
    timing::mount(&mut app);
    routes::mount(&mut app);
    let audit = match security::mount(&mut app, &args.log_dir) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("demo: cannot open the audit log: {e}");
            std::process::exit(1);
        }
    };
    ws::mount(&mut app);
    let summary = summary::mount(&mut app, args.summary_every);
    let dir = args.log_dir.clone();
    app.on_startup(move || {
        log::info!("mionex demo starting; logs in {}", dir.display());
        Ok(())
    });
    app.on_shutdown(|| log::info!("mionex demo stopped"));

    let server = match app.bind(args.addr) {
        Ok(s) => s,
        Err(e) => {
            log::error!("demo: {e}");
            logs.app.shutdown(Duration::from_secs(2));
            eprintln!("demo: {e}");
            std::process::exit(1);
        }
    };
    let _ = summary.set(server.handle());
    shutdown_on_signals(server.handle());
    println!("listening on http://{}", server.local_addr());
    server.wait();
    audit.logger().shutdown(Duration::from_secs(2));
    let report = logs.app.shutdown(Duration::from_secs(5));
    if report.dropped > 0 || report.abandoned > 0 || report.write_errors > 0 {
        eprintln!("demo: logs: {report:?}");
    }
}
