//! A periodic task (`App::every`): once a minute, what the server did in
//! that minute, off the request path, from the workers' own counters.

use mionex::{App, ServerHandle, ServerStats};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Mounts the task; it starts reporting once `handle` is set (after the
/// server is bound).
pub fn mount(app: &mut App, period: Duration) -> Arc<OnceLock<ServerHandle>> {
    let handle: Arc<OnceLock<ServerHandle>> = Arc::default();
    let h = handle.clone();
    let mut last = ServerStats::default();
    app.every(period, move || {
        let Some(server) = h.get() else { return };
        let now = server.stats();
        let requests = now.requests - last.requests;
        log::info!(
            "Last {}s: {requests} requests ({:.1}/s), {} refused, {} timeouts, {} open connections",
            period.as_secs(),
            requests as f64 / period.as_secs_f64(),
            now.refused - last.refused,
            now.timeouts - last.timeouts,
            now.open_connections
        );
        last = now;
    });
    handle
}
