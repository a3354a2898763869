//! Graceful shutdown on SIGINT and SIGTERM.

use super::ServerHandle;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

static SIGNALS: AtomicUsize = AtomicUsize::new(0);

const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

unsafe extern "C" {
    fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
}

extern "C" fn on_signal(_: i32) {
    // Only an atomic store: nothing else is async-signal-safe here.
    SIGNALS.fetch_add(1, Ordering::SeqCst);
}

/// Shuts `handle`'s server down gracefully on the first SIGINT or SIGTERM;
/// a second signal exits the process at once (status 130), for when the
/// drain takes too long.
///
/// A watcher thread polls a flag the signal handler sets, because a signal
/// handler may do almost nothing itself.
pub fn shutdown_on_signals(handle: ServerHandle) {
    for sig in [SIGINT, SIGTERM] {
        // SAFETY: `signal` is the C library's; `on_signal` is an
        // `extern "C" fn(i32)` that only touches an atomic, which is
        // async-signal-safe.
        unsafe {
            signal(sig, on_signal);
        }
    }
    let spawned = std::thread::Builder::new()
        .name("mionex-signals".into())
        .spawn(move || {
            let mut seen = 0;
            loop {
                std::thread::sleep(Duration::from_millis(50));
                let n = SIGNALS.load(Ordering::SeqCst);
                if n > seen {
                    if seen == 0 {
                        log::info!(target: "mionex::server", "signal received: shutting down");
                        handle.shutdown();
                    } else {
                        log::warn!(target: "mionex::server", "second signal: exiting now");
                        std::process::exit(130);
                    }
                    seen = n;
                }
            }
        });
    if let Err(e) = spawned {
        log::error!(target: "mionex::server", "cannot watch for signals: {e}");
    }
}
