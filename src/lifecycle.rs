//! Lifecycle events: `on_startup` handlers run before the server accepts
//! (a failure aborts the start), `on_shutdown` handlers run after the
//! in-flight requests have drained, and the periodic tasks run in between.

use crate::error::{Error, StartError};
use crate::panic;
use crate::server::ServerHandle;
use crate::tasks::{Scheduler, Task};
use std::thread::JoinHandle;

type Startup = Box<dyn FnOnce() -> Result<(), Error> + Send>;
type Shutdown = Box<dyn FnOnce() + Send>;

/// What runs around the serving: registered on the app, consumed by the
/// server's start.
#[derive(Default)]
pub(crate) struct Lifecycle {
    pub(crate) startup: Vec<Startup>,
    pub(crate) shutdown: Vec<Shutdown>,
    pub(crate) tasks: Vec<Task>,
}

impl Lifecycle {
    /// Runs the startup handlers in order; the first failure or panic
    /// stops there and is returned as [`StartError::Startup`].
    pub(crate) fn run_startup(&mut self) -> Result<(), StartError> {
        for f in self.startup.drain(..) {
            match panic::catch(f) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(StartError::Startup(e)),
                Err(p) => return Err(StartError::Startup(Error::new(p))),
            }
        }
        Ok(())
    }

    /// Starts the periodic tasks and returns the threads `Server::wait`
    /// joins: the workers themselves when there is nothing else to do,
    /// else one thread that joins the workers, stops the tasks and runs
    /// the shutdown handlers.
    pub(crate) fn supervise(
        self,
        workers: Vec<JoinHandle<()>>,
        handle: ServerHandle,
    ) -> Result<Vec<JoinHandle<()>>, StartError> {
        if self.shutdown.is_empty() && self.tasks.is_empty() {
            return Ok(workers);
        }
        let scheduler = if self.tasks.is_empty() {
            None
        } else {
            let h = handle.clone();
            let s = Scheduler::start(self.tasks, move || h.is_shutting_down());
            match s {
                Ok(s) => Some(s),
                Err(e) => {
                    handle.shutdown();
                    return Err(StartError::Io(e));
                }
            }
        };
        let shutdown = self.shutdown;
        let spawned = std::thread::Builder::new()
            .name("mionex-lifecycle".into())
            .spawn(move || {
                for w in workers {
                    let _ = w.join();
                }
                if let Some(s) = scheduler {
                    s.stop();
                }
                for f in shutdown {
                    if let Err(p) = panic::catch(f) {
                        log::error!(target: "mionex::lifecycle",
                            "shutdown handler panicked: {p}\nBacktrace:\n{}", p.backtrace);
                    }
                }
            });
        match spawned {
            Ok(t) => Ok(vec![t]),
            Err(e) => {
                handle.shutdown();
                Err(StartError::Io(e))
            }
        }
    }
}
