//! The event loop: sockets and readiness, not HTTP meaning.
//!
//! [`Server`] starts N worker threads. Each owns a `mio::Poll`, its
//! connections, its timers and a [`mio::Waker`] with an inbox, through
//! which other threads reach it (shutdown now; WebSocket sends later). All
//! workers accept from one listening socket.

mod buf;
mod conn;
pub mod signal;
mod slab;
mod stats;
mod worker;

pub use stats::ServerStats;

use crate::app::AppInner;
use crate::error::StartError;
use crate::lifecycle::Lifecycle;
use mio::{Poll, Waker};
use stats::WorkerStats;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use worker::Worker;

/// A message for a worker from another thread.
pub(crate) enum Msg {
    Shutdown,
    /// For the WebSocket on connection `key` if its id is still `id`.
    Ws {
        key: usize,
        id: u64,
        cmd: crate::ws::WsCmd,
    },
}

/// How other threads reach one worker: its inbox and its waker.
pub(crate) struct Remote {
    inbox: Mutex<Vec<Msg>>,
    waker: Waker,
    /// Set while a wake is pending, so a burst of messages costs one wake.
    woken: AtomicBool,
}

impl Remote {
    pub(crate) fn send(&self, msg: Msg) {
        self.lock_inbox().push(msg);
        if !self.woken.swap(true, Ordering::SeqCst)
            && let Err(e) = self.waker.wake()
        {
            log::error!(target: "mionex::server", "cannot wake worker: {e}");
        }
    }

    fn lock_inbox(&self) -> MutexGuard<'_, Vec<Msg>> {
        // A panic while holding this lock cannot leave the Vec invalid.
        self.inbox.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What the workers and handles share.
pub struct Shared {
    workers: Vec<Remote>,
    stats: Vec<WorkerStats>,
    /// Open connections across workers, for the connection limit. Touched
    /// on accept and close only.
    open: AtomicUsize,
    stopping: AtomicBool,
}

impl Shared {
    pub(crate) fn send_ws(&self, worker: usize, key: usize, id: u64, cmd: crate::ws::WsCmd) {
        if let Some(w) = self.workers.get(worker) {
            w.send(Msg::Ws { key, id, cmd });
        }
    }
}

/// A running server.
///
/// ```
/// use mionex::{App, Response};
///
/// let mut app = App::new();
/// app.get("/", |_| Ok(Response::text("hi")));
/// let server = app.bind("127.0.0.1:0").unwrap();
/// println!("listening on http://{}", server.local_addr());
/// server.handle().shutdown();
/// server.wait();
/// ```
pub struct Server {
    addr: SocketAddr,
    handle: ServerHandle,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    pub(crate) fn start(
        app: AppInner,
        mut lifecycle: Lifecycle,
        addr: impl ToSocketAddrs,
    ) -> Result<Server, StartError> {
        let listener = std::net::TcpListener::bind(addr).map_err(StartError::Bind)?;
        listener.set_nonblocking(true).map_err(StartError::Bind)?;
        let addr = listener.local_addr().map_err(StartError::Bind)?;
        // Bound but not accepting yet: a failed startup releases the port.
        lifecycle.run_startup()?;
        let app = Arc::new(app);
        let n = app.config.workers.max(1);
        let mut polls = Vec::with_capacity(n);
        let mut remotes = Vec::with_capacity(n);
        for _ in 0..n {
            let poll = Poll::new().map_err(StartError::Io)?;
            let waker = Waker::new(poll.registry(), worker::WAKER).map_err(StartError::Io)?;
            remotes.push(Remote {
                inbox: Mutex::new(Vec::new()),
                waker,
                woken: AtomicBool::new(false),
            });
            polls.push(poll);
        }
        let shared = Arc::new(Shared {
            workers: remotes,
            stats: (0..n).map(|_| WorkerStats::default()).collect(),
            open: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
        });
        let mut threads = Vec::with_capacity(n);
        for (id, poll) in polls.into_iter().enumerate() {
            let std_listener = listener.try_clone().map_err(StartError::Io)?;
            let mut l = mio::net::TcpListener::from_std(std_listener);
            poll.registry()
                .register(&mut l, worker::LISTENER, mio::Interest::READABLE)
                .map_err(StartError::Io)?;
            let w = Worker {
                id,
                poll,
                listener: Some(l),
                app: app.clone(),
                shared: shared.clone(),
            };
            let t = std::thread::Builder::new()
                .name(format!("mionex-worker-{id}"))
                .spawn(move || w.run())
                .map_err(StartError::Io)?;
            threads.push(t);
        }
        let handle = ServerHandle { shared };
        let threads = lifecycle.supervise(threads, handle.clone())?;
        Ok(Server {
            addr,
            handle,
            threads,
        })
    }

    /// The address the server listens on (with the real port when bound
    /// to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle to stop the server or read its counters from any thread.
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Blocks until every worker has stopped (after
    /// [`ServerHandle::shutdown`]).
    pub fn wait(self) {
        for t in self.threads {
            let _ = t.join();
        }
    }

    /// Shuts down and waits.
    pub fn shutdown(self) {
        self.handle.shutdown();
        self.wait();
    }
}

/// Stops a server or reads its counters, from any thread.
#[derive(Clone)]
pub struct ServerHandle {
    shared: Arc<Shared>,
}

impl ServerHandle {
    /// Starts a graceful shutdown: stop accepting, finish the requests in
    /// flight (up to [`Config::shutdown_timeout`](crate::Config)), close
    /// idle connections, end the workers. Returns at once; calling it
    /// again does nothing.
    pub fn shutdown(&self) {
        if self.shared.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        for w in &self.shared.workers {
            w.send(Msg::Shutdown);
        }
    }

    /// Whether shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.shared.stopping.load(Ordering::SeqCst)
    }

    /// The server's counters, summed over its workers.
    pub fn stats(&self) -> ServerStats {
        ServerStats::sum(self.shared.stats.iter())
    }
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("workers", &self.shared.workers.len())
            .finish()
    }
}
