//! Periodic tasks without an async runtime: one scheduler thread runs
//! every task registered with [`App::every`](crate::App::every), off the
//! request path.
//!
//! A task first runs one period after the server starts, then every
//! period (fixed rate; runs missed while a task overran are skipped, not
//! bunched up). Tasks run one at a time, so a slow one delays the others.
//! A panic is caught and logged at `ERROR` (target `mionex::tasks`) with
//! its backtrace, and the task stays scheduled. No task starts once
//! shutdown has begun; the thread ends when the workers have drained.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The shortest period: a zero period would spin.
const MIN_PERIOD: Duration = Duration::from_millis(1);

/// A task registered with `App::every`.
pub(crate) struct Task {
    name: &'static str,
    period: Duration,
    f: Box<dyn FnMut() + Send>,
}

impl Task {
    pub(crate) fn new<F: FnMut() + Send + 'static>(period: Duration, f: F) -> Task {
        Task {
            name: std::any::type_name::<F>(),
            period: period.max(MIN_PERIOD),
            f: Box::new(f),
        }
    }
}

/// The running scheduler thread.
pub(crate) struct Scheduler {
    thread: JoinHandle<()>,
    stop: Arc<(Mutex<bool>, Condvar)>,
}

impl Scheduler {
    /// Starts a thread running `tasks` until [`Scheduler::stop`]; no task
    /// starts while `stopping()` is true.
    pub(crate) fn start(
        mut tasks: Vec<Task>,
        stopping: impl Fn() -> bool + Send + 'static,
    ) -> std::io::Result<Scheduler> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("mionex-tasks".into())
            .spawn(move || {
                let start = Instant::now();
                let mut due: Vec<Instant> = tasks.iter().map(|t| start + t.period).collect();
                let (lock, cvar) = &*flag;
                loop {
                    let next = due.iter().min().copied().unwrap_or(start);
                    let mut stopped = lock.lock().unwrap_or_else(PoisonError::into_inner);
                    while !*stopped {
                        let now = Instant::now();
                        if now >= next {
                            break;
                        }
                        stopped = cvar
                            .wait_timeout(stopped, next - now)
                            .unwrap_or_else(PoisonError::into_inner)
                            .0;
                    }
                    if *stopped {
                        return;
                    }
                    drop(stopped);
                    for (task, due) in tasks.iter_mut().zip(due.iter_mut()) {
                        let now = Instant::now();
                        if *due > now || stopping() {
                            continue;
                        }
                        run(task);
                        *due += task.period;
                        let after = Instant::now();
                        if *due <= after {
                            *due = after + task.period;
                        }
                    }
                }
            })?;
        Ok(Scheduler { thread, stop })
    }

    /// Stops the thread (after the task running now, if any) and waits.
    pub(crate) fn stop(self) {
        let (lock, cvar) = &*self.stop;
        *lock.lock().unwrap_or_else(PoisonError::into_inner) = true;
        cvar.notify_all();
        let _ = self.thread.join();
    }
}

fn run(task: &mut Task) {
    if let Err(p) = crate::panic::catch(|| (task.f)()) {
        log::error!(target: "mionex::tasks",
            "periodic task {} panicked: {p}\nBacktrace:\n{}", task.name, p.backtrace);
    }
}
