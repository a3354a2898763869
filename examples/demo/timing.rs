//! The seed's "Performance Monitoring": a before-hook starts a timer in
//! the request state, an after-hook logs the duration and the mean of the
//! last 100 requests at debug.
//!
//! The seed keeps every timing in one growing list; here each worker keeps
//! its own last 100 in a fixed ring, so memory is bounded and no lock is
//! shared between workers.

use log::Level;
use mionex::{App, Hook};
use std::cell::RefCell;
use std::time::Instant;

/// When the request's before-hook ran.
struct StartTime(Instant);

/// The last `N` durations of one worker, in nanoseconds, and their sum
/// (integers, so the running sum never drifts).
struct Ring {
    values: [u64; Ring::N],
    len: usize,
    next: usize,
    sum: u64,
}

impl Ring {
    const N: usize = 100;

    /// Adds a duration; the mean of the last `N`, in seconds.
    fn push(&mut self, nanos: u64) -> f64 {
        self.sum = self.sum - self.values[self.next] + nanos;
        self.values[self.next] = nanos;
        self.next = (self.next + 1) % Ring::N;
        self.len = (self.len + 1).min(Ring::N);
        self.sum as f64 / self.len as f64 / 1e9
    }
}

thread_local! {
    static TIMINGS: RefCell<Ring> = const {
        RefCell::new(Ring { values: [0; Ring::N], len: 0, next: 0, sum: 0 })
    };
}

pub fn mount(app: &mut App) {
    app.before_request(
        Hook::new().log_level(Level::Debug).name("start_timer"),
        |req| {
            req.state().insert(StartTime(Instant::now()));
            Ok(None)
        },
    );
    app.after_request(
        Hook::new().log_level(Level::Debug).name("log_timing"),
        |req, _res| {
            let Some(start) = req.state().get::<StartTime>().map(|s| s.0) else {
                return; // a before-hook answered before ours ran
            };
            let elapsed = start.elapsed();
            let avg = TIMINGS.with(|t| t.borrow_mut().push(elapsed.as_nanos() as u64));
            let duration = elapsed.as_secs_f64();
            log::debug!("Request completed in {duration:.3}s [avg={avg:.3}s]");
        },
    );
}
