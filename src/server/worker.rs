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
use std::time::{Duration, Instant, SystemTime};

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

fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

impl Worker {
    pub(crate) fn run(mut self) {
        let mut conns: Slab<Conn> = Slab::new();
        let mut events = Events::with_capacity(1024);
        let mut req = Request::empty();
        req.app_state = Some(self.app.state.clone());
        let mut pool = BufPool::default();
        let mut date = DateCache::new();
        let shared = self.shared.clone();
        let stats = &shared.stats[self.id];
        let mut next_tick = Instant::now() + TICK;
        let mut shutdown_deadline: Option<Instant> = None;
        let mut accept_paused = false;

        loop {
            let now = Instant::now();
            let timeout = next_tick.saturating_duration_since(now);
            if let Err(e) = self.poll.poll(&mut events, Some(timeout))
                && e.kind() != io::ErrorKind::Interrupted
            {
                log::error!(target: "mionex::server", "worker {}: poll failed: {e}", self.id);
                break;
            }
            let now = Instant::now();
            date.refresh(SystemTime::now());
            let shutting_down = shutdown_deadline.is_some();
            for event in events.iter() {
                match event.token() {
                    LISTENER => {
                        accept_paused = !self.accept(&mut conns, now);
                    }
                    WAKER => {
                        if self.drain_inbox() && shutdown_deadline.is_none() {
                            shutdown_deadline = Some(now + self.app.config.shutdown_timeout);
                            self.stop_accepting();
                        }
                    }
                    Token(t) => {
                        let key = t - FIRST_CONN;
                        let Some(conn) = conns.get_mut(key) else {
                            continue;
                        };
                        if event.is_readable() || event.is_read_closed() || event.is_error() {
                            conn.mark_readable();
                        }
                        let mut ctx = Ctx {
                            app: &self.app,
                            req: &mut req,
                            pool: &mut pool,
                            date: &date,
                            now,
                            stats,
                            shutting_down,
                        };
                        if conn.drive(&mut ctx) == Next::Close {
                            self.close(&mut conns, key);
                        }
                    }
                }
            }
            let shutting_down = shutdown_deadline.is_some();
            if now >= next_tick {
                next_tick = now + TICK;
                if accept_paused {
                    accept_paused = !self.accept(&mut conns, now);
                }
                for key in conns.keys() {
                    let Some(conn) = conns.get_mut(key) else {
                        continue;
                    };
                    let mut ctx = Ctx {
                        app: &self.app,
                        req: &mut req,
                        pool: &mut pool,
                        date: &date,
                        now,
                        stats,
                        shutting_down,
                    };
                    if conn.check_timers(&mut ctx) == Next::Close {
                        self.close(&mut conns, key);
                    }
                }
            }
            if shutting_down {
                // Idle connections go at once; busy ones finish first.
                for key in conns.keys() {
                    if conns.get_mut(key).is_some_and(|c| c.is_idle()) {
                        self.close(&mut conns, key);
                    }
                }
            }
            if let Some(deadline) = shutdown_deadline
                && (conns.is_empty() || now >= deadline)
            {
                for key in conns.keys() {
                    self.close(&mut conns, key);
                }
                break;
            }
        }
    }

    /// Accepts until the backlog is empty. Returns false when it had to
    /// stop early (out of file descriptors) and should retry on the tick.
    fn accept(&mut self, conns: &mut Slab<Conn>, now: Instant) -> bool {
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
            let key = conns.vacant_key();
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
            conns.insert(Conn::new(stream, peer, now));
        }
    }

    fn close(&self, conns: &mut Slab<Conn>, key: usize) {
        if let Some(mut conn) = conns.remove(key) {
            let _ = self.poll.registry().deregister(conn.stream_mut());
            self.shared.open.fetch_sub(1, Ordering::Relaxed);
            self.shared.stats[self.id].dec_open();
        }
    }

    fn stop_accepting(&mut self) {
        if let Some(mut l) = self.listener.take() {
            let _ = self.poll.registry().deregister(&mut l);
        }
    }

    /// Handles the messages other threads left; returns true on shutdown.
    fn drain_inbox(&mut self) -> bool {
        let remote = &self.shared.workers[self.id];
        remote.woken.store(false, Ordering::SeqCst);
        let msgs = std::mem::take(&mut *remote.lock_inbox());
        let mut shutdown = false;
        for msg in msgs {
            match msg {
                Msg::Shutdown => shutdown = true,
            }
        }
        shutdown
    }
}
