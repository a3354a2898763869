//! One HTTP connection's state machine: read, parse every buffered
//! request, answer each into one output buffer, write it in one go.

use super::Shared;
use super::buf::{BufPool, ReadBuf};
use super::stats::WorkerStats;
use crate::app::AppInner;
use crate::http::chunked::ChunkedDecoder;
use crate::http::date::DateCache;
use crate::http::parse::{BodyKind, Head, Reject, parse_head};
use crate::http::write::{Framing, WriteParams, push_chunk, write_head};
use crate::http::{Body, Method, Request, Response, reason_phrase};
use crate::ws::conn::{WsConn, WsNext};
use crate::ws::socket::Core;
use crate::ws::{Channel, WsCmd, WsHandle};
use mio::net::TcpStream;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a closing connection waits for the client's EOF after the
/// last response, so unread request bytes do not turn the close into a
/// reset that destroys the response in flight.
const LINGER: Duration = Duration::from_secs(2);
/// Largest chunk pulled from a streamed body at a time.
const STREAM_CHUNK: usize = 16 * 1024;

/// What the worker lends a connection while it runs.
pub(crate) struct Ctx<'a> {
    pub app: &'a AppInner,
    pub req: &'a mut Request,
    pub pool: &'a mut BufPool,
    pub date: &'a DateCache,
    pub now: Instant,
    pub stats: &'a WorkerStats,
    pub shutting_down: bool,
    pub shared: &'a Arc<Shared>,
    pub worker: usize,
}

/// A streamed response body still being sent.
struct Streaming {
    reader: Box<dyn Read + Send>,
    chunked: bool,
}

/// A chunked request body decoded across reads.
struct PartialBody {
    decoder: ChunkedDecoder,
    body: Vec<u8>,
}

pub(crate) struct Conn {
    /// Slab key and a per-worker serial number, so a handle to a closed
    /// connection never reaches a new one in the same slot.
    key: usize,
    id: u64,
    /// Set once the connection has become a WebSocket.
    ws: Option<Box<WsConn>>,
    stream: TcpStream,
    peer: SocketAddr,
    rbuf: Option<ReadBuf>,
    wbuf: Vec<u8>,
    wpos: usize,
    streaming: Option<Streaming>,
    partial: Option<PartialBody>,
    sent_continue: bool,
    head_complete: bool,
    /// The socket may hold unread bytes (edge-triggered readiness).
    read_ready: bool,
    /// The poller said the peer shut down its side.
    eof_seen: bool,
    peer_closed: bool,
    close_after_flush: bool,
    linger_until: Option<Instant>,
    request_started: Instant,
    last_read: Instant,
    last_write: Instant,
}

/// Whether the connection stays.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    Keep,
    Close,
}

impl Conn {
    pub(crate) fn new(
        key: usize,
        id: u64,
        stream: TcpStream,
        peer: SocketAddr,
        now: Instant,
    ) -> Conn {
        Conn {
            key,
            id,
            ws: None,
            stream,
            peer,
            rbuf: None,
            wbuf: Vec::new(),
            wpos: 0,
            streaming: None,
            partial: None,
            sent_continue: false,
            head_complete: false,
            read_ready: true,
            eof_seen: false,
            peer_closed: false,
            close_after_flush: false,
            linger_until: None,
            request_started: now,
            last_read: now,
            last_write: now,
        }
    }

    pub(crate) fn stream_mut(&mut self) -> &mut TcpStream {
        &mut self.stream
    }

    /// A readable edge; `eof` when it says the peer has shut down its
    /// side (its FIN may come in the same edge as its last bytes).
    pub(crate) fn mark_readable(&mut self, eof: bool) {
        self.read_ready = true;
        self.eof_seen |= eof;
    }

    fn has_output(&self) -> bool {
        self.wpos < self.wbuf.len()
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Whether nothing is in flight: no partial request, no output, not a
    /// WebSocket (those close with their own handshake).
    pub(crate) fn is_idle(&self) -> bool {
        self.ws.is_none()
            && self.rbuf.as_ref().is_none_or(ReadBuf::is_empty)
            && !self.has_output()
            && self.streaming.is_none()
    }

    /// Makes progress on everything readiness allows.
    pub(crate) fn drive(&mut self, ctx: &mut Ctx<'_>) -> Next {
        loop {
            if self.flush(ctx).is_err() {
                return Next::Close;
            }
            if self.has_output() {
                return Next::Keep; // wait until writable
            }
            if self.linger_until.is_some() {
                return self.linger_read();
            }
            if self.ws.is_some() && self.wbuf.capacity() > 0 {
                // The 101 answer has gone: the socket writes through
                // tungstenite from now on, so the buffer goes back.
                self.release(ctx.pool);
            }
            if let Some(ws) = self.ws.as_mut() {
                let next = ws.drive(&mut self.stream, &mut self.read_ready, ctx.now);
                let (dropped, closed) = ws.take_overflow();
                ctx.stats.add_ws_overflow(dropped, closed);
                return match next {
                    WsNext::Keep => Next::Keep,
                    WsNext::Close => Next::Close,
                    WsNext::Linger => {
                        self.close_after_flush = true;
                        continue;
                    }
                };
            }
            if self.close_after_flush {
                let _ = self.stream.shutdown(Shutdown::Write);
                self.linger_until = Some(ctx.now + LINGER);
                self.release(ctx.pool);
                continue;
            }
            let mut progressed = false;
            if self.read_ready && !self.peer_closed {
                match self.fill(ctx) {
                    Ok(n) => progressed |= n > 0,
                    Err(_) => return Next::Close,
                }
            }
            progressed |= self.process(ctx);
            if !progressed {
                if self.peer_closed && !self.has_output() {
                    return Next::Close;
                }
                self.release(ctx.pool);
                return Next::Keep;
            }
        }
    }

    /// Gives idle buffers back to the worker.
    fn release(&mut self, pool: &mut BufPool) {
        if self.rbuf.as_ref().is_some_and(ReadBuf::is_empty)
            && let Some(b) = self.rbuf.take()
        {
            pool.give_read(b);
        }
        if !self.has_output() && self.wbuf.capacity() > 0 {
            self.wpos = 0;
            pool.give_write(std::mem::take(&mut self.wbuf));
        }
    }

    /// Reads until the socket is drained or the buffer is at its limit.
    fn fill(&mut self, ctx: &mut Ctx<'_>) -> io::Result<usize> {
        let limits = &ctx.app.config.limits;
        let max = limits.max_head_bytes + limits.max_body_bytes + 1024;
        let buf = self.rbuf.get_or_insert_with(|| ctx.pool.take_read());
        if buf.is_empty() {
            self.request_started = ctx.now;
        }
        let mut total = 0;
        loop {
            if !buf.make_room(max) {
                return Ok(total); // full: process() answers 413/431
            }
            match self.stream.read(&mut buf.data[buf.end..]) {
                Ok(0) => {
                    self.peer_closed = true;
                    self.read_ready = false;
                    break;
                }
                Ok(n) => {
                    buf.end += n;
                    total += n;
                    // A short read means the socket is drained: skip the
                    // read that would only say WouldBlock (a new edge will
                    // come with new bytes). Not after a FIN edge: then the
                    // next read says 0, and no edge would come for it.
                    if buf.end < buf.data.len() && !self.eof_seen {
                        self.read_ready = false;
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.read_ready = false;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if total > 0 {
            self.last_read = ctx.now;
        }
        Ok(total)
    }

    /// Answers every complete request in the read buffer. Returns whether
    /// anything was produced.
    fn process(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let mut produced = false;
        let limits = &ctx.app.config.limits;
        while let Some(buf) = self.rbuf.as_mut() {
            if buf.is_empty()
                || self.ws.is_some()
                || self.streaming.is_some()
                || self.close_after_flush
                || self.wbuf.len() - self.wpos > limits.max_pending_output
            {
                break;
            }
            ctx.req.reset();
            let data = buf.pending();
            let head = match parse_head(data, limits.max_headers, limits.max_body_bytes, ctx.req) {
                Ok(Some(head)) => head,
                Ok(None) => {
                    if data.len() > limits.max_head_bytes {
                        self.reject(
                            ctx,
                            Reject {
                                status: 431,
                                reason: "request head over the size limit",
                            },
                        );
                        produced = true;
                    }
                    break;
                }
                Err(r) => {
                    self.reject(ctx, r);
                    produced = true;
                    break;
                }
            };
            if head.len > limits.max_head_bytes {
                self.reject(
                    ctx,
                    Reject {
                        status: 431,
                        reason: "request head over the size limit",
                    },
                );
                produced = true;
                break;
            }
            self.head_complete = true;
            let total = match self.take_body(&head, ctx) {
                Ok(Some(total)) => total,
                Ok(None) => {
                    if head.expect_continue && !self.sent_continue {
                        self.sent_continue = true;
                        self.output(ctx.pool)
                            .extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
                        produced = true;
                    }
                    break;
                }
                Err(r) => {
                    self.reject(ctx, r);
                    produced = true;
                    break;
                }
            };
            if let Some(buf) = self.rbuf.as_mut() {
                buf.start += total;
            }
            self.sent_continue = false;
            self.head_complete = false;
            self.request_started = ctx.now;
            self.answer(ctx, head.keep_alive);
            produced = true;
        }
        produced
    }

    /// Moves a complete body into the request; `Ok(None)` while it is still
    /// arriving. Returns the bytes the request took in the buffer.
    fn take_body(&mut self, head: &Head, ctx: &mut Ctx<'_>) -> Result<Option<usize>, Reject> {
        let Some(buf) = self.rbuf.as_ref() else {
            return Ok(None);
        };
        let data = buf.pending();
        match head.body {
            BodyKind::Length(n) => {
                if data.len() < head.len + n {
                    return Ok(None);
                }
                ctx.req
                    .body
                    .extend_from_slice(&data[head.len..head.len + n]);
                Ok(Some(head.len + n))
            }
            BodyKind::Chunked => {
                let p = self.partial.get_or_insert_with(|| PartialBody {
                    decoder: ChunkedDecoder::new(),
                    body: Vec::new(),
                });
                let input = &data[head.len..];
                let max = ctx.app.config.limits.max_body_bytes;
                let decoded = p.decoder.decode(input, &mut p.body, max);
                match decoded {
                    Ok((used, true)) => {
                        let p = self.partial.take().map(|p| p.body).unwrap_or_default();
                        ctx.req.body = p;
                        Ok(Some(head.len + used))
                    }
                    Ok((used, false)) => {
                        // The decoded part lives in the body now; drop its
                        // raw bytes, keeping the head (parsed again on the
                        // next read) and what is not decoded yet.
                        if let Some(buf) = self.rbuf.as_mut() {
                            buf.cut(head.len, used);
                        }
                        Ok(None)
                    }
                    Err(e) => {
                        self.partial = None;
                        let status = match e {
                            crate::http::chunked::ChunkError::TooLarge => 413,
                            _ => 400,
                        };
                        Err(Reject {
                            status,
                            reason: e.reason(),
                        })
                    }
                }
            }
        }
    }

    fn output(&mut self, pool: &mut BufPool) -> &mut Vec<u8> {
        if self.wbuf.capacity() == 0 {
            self.wbuf = pool.take_write();
        }
        &mut self.wbuf
    }

    /// Runs the app for the parsed request and queues its response.
    fn answer(&mut self, ctx: &mut Ctx<'_>, keep_alive: bool) {
        ctx.req.peer = self.peer;
        ctx.stats.inc_requests();
        let mut res = ctx.app.dispatch(ctx.req);
        let upgrade = res.upgrade.take().filter(|_| res.status() == 101);
        if upgrade.is_some() && ctx.shutting_down {
            res = Response::new(503);
        }
        let keep_alive = keep_alive && !ctx.shutting_down;
        let head_only = *ctx.req.method() == Method::Head;
        let http10 = ctx.req.minor_version == 0;
        self.queue_response(ctx, res, keep_alive, http10, head_only);
        if let Some(up) = upgrade.filter(|_| !ctx.shutting_down) {
            self.become_websocket(ctx, *up);
        }
    }

    /// Switches to WebSocket mode after a 101. Bytes the client sent after
    /// the upgrade request are handed to the protocol as already read.
    fn become_websocket(&mut self, ctx: &mut Ctx<'_>, up: crate::ws::Upgrade) {
        let leftover = match self.rbuf.take() {
            Some(buf) => {
                let rest = buf.pending().to_vec();
                ctx.pool.give_read(buf);
                rest
            }
            None => Vec::new(),
        };
        let channel = Channel::new(up.consumer.payload_type(), up.consumer.expires(), ctx.now);
        let core = Core {
            channel,
            outbox: VecDeque::new(),
            outbox_bytes: 0,
            close_request: None,
            closing: false,
            params: up.params,
            state: std::mem::take(&mut ctx.req.state),
            peer: self.peer,
            protocol: up.protocol,
            handle: WsHandle {
                shared: ctx.shared.clone(),
                worker: ctx.worker,
                key: self.key,
                id: self.id,
            },
            config: up.config,
            dropped: 0,
            overflowed: false,
        };
        ctx.stats.inc_ws_opened();
        // The client may already have sent frames: make sure they are read.
        self.read_ready = true;
        self.ws = Some(Box::new(WsConn::new(up.consumer, core, leftover, ctx.now)));
    }

    /// A command for this connection's WebSocket from another thread.
    pub(crate) fn ws_command(&mut self, cmd: WsCmd, now: Instant) {
        if let Some(ws) = self.ws.as_mut() {
            match cmd {
                WsCmd::Send(msg) => ws.enqueue(msg, &mut self.stream, now),
                WsCmd::Close(code, reason) => ws.request_close(code, &reason),
            }
        }
    }

    /// Starts closing a WebSocket for server shutdown (1001).
    pub(crate) fn ws_shutdown(&mut self) {
        if let Some(ws) = self.ws.as_mut() {
            ws.request_close(1001, "server shutting down");
        }
    }

    pub(crate) fn is_ws(&self) -> bool {
        self.ws.is_some()
    }

    fn queue_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        mut res: Response,
        keep_alive: bool,
        http10: bool,
        head_only: bool,
    ) {
        let params = WriteParams {
            date: ctx.date.get(),
            keep_alive,
            http10,
            head_only,
        };
        let out = self.output(ctx.pool);
        let framing = write_head(out, &res, &params);
        if !head_only {
            match (framing, res.take_body()) {
                (Framing::Length(_), body) => {
                    if let Some(bytes) = body.as_bytes() {
                        out.extend_from_slice(bytes);
                    }
                }
                (Framing::Chunked, Body::Stream(reader)) => {
                    self.streaming = Some(Streaming {
                        reader,
                        chunked: true,
                    });
                }
                (Framing::UntilClose, Body::Stream(reader)) => {
                    self.streaming = Some(Streaming {
                        reader,
                        chunked: false,
                    });
                }
                _ => {}
            }
        }
        if !keep_alive || framing == Framing::UntilClose && !head_only {
            self.close_after_flush = true;
        }
    }

    /// Answers a request the parser refused, then closes.
    fn reject(&mut self, ctx: &mut Ctx<'_>, r: Reject) {
        log::warn!(
            target: "mionex::http",
            "{} {} from {}: {}",
            r.status,
            reason_phrase(r.status),
            self.peer,
            r.reason
        );
        ctx.stats.inc_rejected();
        self.partial = None;
        if let Some(buf) = self.rbuf.as_mut() {
            buf.start = buf.end;
        }
        let body = crate::json::Value::object()
            .with("error", reason_phrase(r.status))
            .with("reason", r.reason);
        let res = Response::json(&body).with_status(r.status);
        self.queue_response(ctx, res, false, false, false);
    }

    /// Answers 408 to a request that took too long to arrive.
    fn timeout(&mut self, ctx: &mut Ctx<'_>) {
        ctx.stats.inc_timeouts();
        self.reject(
            ctx,
            Reject {
                status: 408,
                reason: "request not received in time",
            },
        );
    }

    /// Writes as much output as the socket takes, pulling more from a
    /// streamed body as it drains.
    fn flush(&mut self, ctx: &mut Ctx<'_>) -> io::Result<()> {
        loop {
            while self.wpos < self.wbuf.len() {
                match self.stream.write(&self.wbuf[self.wpos..]) {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => {
                        self.wpos += n;
                        self.last_write = ctx.now;
                        if self.wpos < self.wbuf.len() {
                            return Ok(()); // short write: the socket is full
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            self.wbuf.clear();
            self.wpos = 0;
            if !self.pull_stream(ctx)? {
                return Ok(());
            }
        }
    }

    /// Moves the next piece of a streamed body into the output buffer.
    /// Returns whether there is something new to write.
    fn pull_stream(&mut self, ctx: &mut Ctx<'_>) -> io::Result<bool> {
        let Some(s) = self.streaming.as_mut() else {
            return Ok(false);
        };
        let mut chunk = [0u8; STREAM_CHUNK];
        let n = loop {
            match s.reader.read(&mut chunk) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    log::warn!(target: "mionex::http", "streamed body to {} failed: {e}", self.peer);
                    self.streaming = None;
                    return Err(e);
                }
            }
        };
        let chunked = s.chunked;
        if n == 0 {
            self.streaming = None;
        }
        let out = self.output(ctx.pool);
        match (chunked, n) {
            (true, 0) => out.extend_from_slice(b"0\r\n\r\n"),
            (true, _) => push_chunk(out, &chunk[..n]),
            (false, 0) => return Ok(false),
            (false, _) => out.extend_from_slice(&chunk[..n]),
        }
        Ok(true)
    }

    /// After our last response: discard what the client still sends until
    /// it closes (or the linger time ends).
    fn linger_read(&mut self) -> Next {
        let mut scratch = [0u8; 4096];
        loop {
            match self.stream.read(&mut scratch) {
                Ok(0) => return Next::Close,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Next::Keep,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Next::Close,
            }
        }
    }

    /// Applies the time limits; called about once a second.
    pub(crate) fn check_timers(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let limits = &ctx.app.config.limits;
        let now = ctx.now;
        if let Some(until) = self.linger_until {
            return if now >= until {
                Next::Close
            } else {
                Next::Keep
            };
        }
        if let Some(ws) = self.ws.as_mut() {
            if self.wpos < self.wbuf.len() {
                return Next::Keep;
            }
            let next = ws.check_timers(&mut self.stream, now);
            let (dropped, closed) = ws.take_overflow();
            ctx.stats.add_ws_overflow(dropped, closed);
            return match next {
                WsNext::Keep => Next::Keep,
                WsNext::Close => Next::Close,
                WsNext::Linger => {
                    self.close_after_flush = true;
                    self.drive(ctx)
                }
            };
        }
        if self.has_output() || self.streaming.is_some() {
            let stalled = now.saturating_duration_since(self.last_write);
            return if stalled > limits.write_timeout {
                Next::Close
            } else {
                Next::Keep
            };
        }
        let pending = self.rbuf.as_ref().is_some_and(|b| !b.is_empty());
        if pending {
            let late = if self.head_complete {
                now.saturating_duration_since(self.last_read) > limits.header_timeout
            } else {
                now.saturating_duration_since(self.request_started) > limits.header_timeout
            };
            if late {
                self.timeout(ctx);
                return self.drive(ctx);
            }
            return Next::Keep;
        }
        let idle = now.saturating_duration_since(self.last_read.max(self.last_write));
        if idle > limits.keep_alive_timeout || ctx.shutting_down {
            return Next::Close;
        }
        Next::Keep
    }
}
