//! One event-loop thread: its own `Poll`, connections, timers, waker and
//! inbox. Nothing here is shared with other workers except the listening
//! socket and the inbox's short lock.

use super::buf::BufPool;
use super::conn::{Conn, Ctx, Next};
use super::slab::Slab;
use super::{Msg, Shared};
use crate::app::AppInner;
use crate::http::Request;
use crate::http::date::DateCache;
use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

pub(crate) const LISTENER: Token = Token(0);
pub(crate) const WAKER: Token = Token(1);
const FIRST_CONN: usize = 2;
/// Timers are checked this often; it bounds how late a timeout fires.
const TICK: Duration = Duration::from_secs(1);

pub(crate) struct Worker {
    pub id: usize,
    pub poll: Poll,
    pub listener: Option<TcpListener>,
    pub app: Arc<AppInner>,
    pub shared: Arc<Shared>,
}

/// What the loop owns besides the poll: connections and the scratch
/// state every request reuses.
struct State {
    conns: Slab<Conn>,
    req: Request,
    pool: BufPool,
    date: DateCache,
    next_id: u64,
    shutdown_deadline: Option<Instant>,
}

fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

impl Worker {
    pub(crate) fn run(mut self) {
        let mut events = Events::with_capacity(1024);
        let mut st = State {
            conns: Slab::new(),
            req: Request::empty(),
            pool: BufPool::default(),
            date: DateCache::new(),
            next_id: 0,
            shutdown_deadline: None,
        };
        st.req.app_state = Some(self.app.state.clone());
        let mut now = Instant::now();
        let mut next_tick = now + TICK;
        let mut accept_paused = false;

        loop {
            // From the last pass's clock: a tick may come a pass late, and
            // the busy path reads the clock once per wake, not twice.
            let timeout = next_tick.saturating_duration_since(now);
            if let Err(e) = self.poll.poll(&mut events, Some(timeout))
                && e.kind() != io::ErrorKind::Interrupted
            {
                log::error!(target: "mionex::server", "worker {}: poll failed: {e}", self.id);
                break;
            }
            now = Instant::now();
            st.date.refresh(now);
            for event in events.iter() {
                match event.token() {
                    LISTENER => accept_paused = !self.accept(&mut st, now),
                    WAKER => self.drain_inbox(&mut st, now),
                    Token(t) => {
                        let key = t - FIRST_CONN;
                        let Some(conn) = st.conns.get_mut(key) else {
                            continue;
                        };
                        if event.is_readable() || event.is_read_closed() || event.is_error() {
                            conn.mark_readable(event.is_read_closed());
                        }
                        self.drive(&mut st, key, now);
                    }
                }
            }
            if now >= next_tick {
                next_tick = now + TICK;
                if accept_paused {
                    accept_paused = !self.accept(&mut st, now);
                }
                for key in st.conns.keys() {
                    self.with_conn(&mut st, key, now, Conn::check_timers);
                }
            }
            if let Some(deadline) = st.shutdown_deadline {
                // Idle connections go at once; busy ones finish first.
                for key in st.conns.keys() {
                    if st.conns.get_mut(key).is_some_and(|c| c.is_idle()) {
                        self.close(&mut st, key);
                    }
                }
                if st.conns.is_empty() || now >= deadline {
                    for key in st.conns.keys() {
                        self.close(&mut st, key);
                    }
                    break;
                }
            }
        }
    }

    /// Runs `f` on connection `key` with a context, closing it if asked.
    fn with_conn(
        &self,
        st: &mut State,
        key: usize,
        now: Instant,
        f: impl FnOnce(&mut Conn, &mut Ctx<'_>) -> Next,
    ) {
        let Some(conn) = st.conns.get_mut(key) else {
            return;
        };
        let mut ctx = Ctx {
            app: &self.app,
            req: &mut st.req,
            pool: &mut st.pool,
            date: &st.date,
            now,
            stats: &self.shared.stats[self.id],
            shutting_down: st.shutdown_deadline.is_some(),
            shared: &self.shared,
            worker: self.id,
        };
        // User code is caught closer to it; this keeps the worker (and its
        // other connections) alive if the framework itself has a bug.
        let next = crate::panic::catch(|| f(conn, &mut ctx)).unwrap_or_else(|p| {
            log::error!(target: "mionex::server", "connection dropped after an internal error: {p}\n{}", p.backtrace);
            Next::Close
        });
        if next == Next::Close {
            self.close(st, key);
        }
    }

    fn drive(&self, st: &mut State, key: usize, now: Instant) {
        self.with_conn(st, key, now, Conn::drive);
    }

    /// Accepts until the backlog is empty. Returns false when it had to
    /// stop early (out of file descriptors) and should retry on the tick.
    fn accept(&mut self, st: &mut State, now: Instant) -> bool {
        let Some(listener) = self.listener.as_ref() else {
            return true;
        };
        let stats = &self.shared.stats[self.id];
        let max = self.app.config.limits.max_connections;
        loop {
            let (mut stream, peer) = match listener.accept() {
                Ok(pair) => pair,
                Err(e) if would_block(&e) => return true,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
                Err(e) => {
                    log::warn!(target: "mionex::server", "accept failed: {e}; retrying in 1 s");
                    return false;
                }
            };
            let open = self.shared.open.fetch_add(1, Ordering::Relaxed);
            if open >= max {
                self.shared.open.fetch_sub(1, Ordering::Relaxed);
                stats.inc_refused();
                // Best effort: the socket is fresh, so this small write fits.
                let _ = stream.write_all(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n",
                );
                log::warn!(target: "mionex::server", "refused {peer}: {max} connections open");
                continue;
            }
            let _ = stream.set_nodelay(true);
            let key = st.conns.vacant_key();
            if let Err(e) = self.poll.registry().register(
                &mut stream,
                Token(key + FIRST_CONN),
                Interest::READABLE | Interest::WRITABLE,
            ) {
                log::warn!(target: "mionex::server", "cannot register {peer}: {e}");
                self.shared.open.fetch_sub(1, Ordering::Relaxed);
                continue;
            }
            stats.inc_accepted();
            st.next_id += 1;
            st.conns
                .insert(Conn::new(key, st.next_id, stream, peer, now));
        }
    }

    fn close(&self, st: &mut State, key: usize) {
        if let Some(mut conn) = st.conns.remove(key) {
            let _ = self.poll.registry().deregister(conn.stream_mut());
            self.shared.open.fetch_sub(1, Ordering::Relaxed);
            self.shared.stats[self.id].dec_open();
        }
    }

    /// Handles what other threads left in the inbox. Messages for one
    /// socket are queued first and its socket driven once, so a burst is
    /// written with one flush.
    fn drain_inbox(&mut self, st: &mut State, now: Instant) {
        let remote = &self.shared.workers[self.id];
        remote.woken.store(false, Ordering::SeqCst);
        let msgs = std::mem::take(&mut *remote.lock_inbox());
        let mut touched: Vec<usize> = Vec::new();
        for msg in msgs {
            match msg {
                Msg::Shutdown => self.begin_shutdown(st, now, &mut touched),
                Msg::Ws { key, id, cmd } => {
                    if let Some(conn) = st.conns.get_mut(key).filter(|c| c.id() == id) {
                        conn.ws_command(cmd, now);
                        touched.push(key);
                    }
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for key in touched {
            self.drive(st, key, now);
        }
    }

    /// Stops accepting and starts closing WebSockets with 1001; HTTP
    /// requests in flight finish (see the shutdown check in `run`).
    fn begin_shutdown(&mut self, st: &mut State, now: Instant, touched: &mut Vec<usize>) {
        if st.shutdown_deadline.is_some() {
            return;
        }
        st.shutdown_deadline = Some(now + self.app.config.shutdown_timeout);
        if let Some(mut l) = self.listener.take() {
            let _ = self.poll.registry().deregister(&mut l);
        }
        for key in st.conns.keys() {
            if let Some(conn) = st.conns.get_mut(key)
                && conn.is_ws()
            {
                conn.ws_shutdown();
                touched.push(key);
            }
        }
    }
}
