//! Driving one WebSocket over the non-blocking socket: tungstenite keeps
//! the protocol state, we decide when to read (only after a readable edge,
//! since every tungstenite read zero-fills its buffer) and when to flush
//! (once per event-loop pass, whatever was queued).

use super::socket::{Core, truncate_utf8};
use super::{Consumer, Payload, PayloadType, WebSocket, WsMessage};
use crate::Error;
use crate::json::Value;
use crate::panic;
use mio::net::TcpStream;
use std::io;
use std::time::Instant;
use tungstenite::Message;
use tungstenite::error::{Error as WsError, ProtocolError};
use tungstenite::protocol::frame::CloseFrame;
use tungstenite::protocol::{Role, WebSocketConfig, WebSocketContext};

/// What the connection should do next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum WsNext {
    Keep,
    /// Drop the TCP connection now (closing handshake done, or dead peer).
    Close,
    /// We failed the connection: shut down our side, drain, then close.
    Linger,
}

pub(crate) struct WsConn {
    proto: WebSocketContext,
    consumer: Box<dyn Consumer>,
    pub(crate) core: Core,
    connected: bool,
    logging: bool,
    /// Our close frame went out at this time.
    closing_since: Option<Instant>,
    /// The code we closed with, or the peer's.
    close_code: Option<(u16, String)>,
    /// A failure closed the socket: don't wait for the client's answer.
    failed: bool,
    ping_sent: Option<Instant>,
    last_heard: Instant,
    write_blocked: bool,
    done: bool,
    /// `core.dropped` as last reported to the worker's stats.
    reported_dropped: u64,
}

impl WsConn {
    pub(crate) fn new(
        consumer: Box<dyn Consumer>,
        core: Core,
        leftover: Vec<u8>,
        now: Instant,
    ) -> WsConn {
        let cfg = &core.config;
        let config = WebSocketConfig::default()
            .read_buffer_size(cfg.read_buffer_size)
            // Our own outbox bounds what is queued; tungstenite only holds
            // one flush's worth.
            .write_buffer_size(usize::MAX / 2)
            .max_message_size(Some(cfg.max_message_size))
            .max_frame_size(Some(cfg.max_frame_size));
        let logging = consumer.logging_enabled();
        WsConn {
            proto: WebSocketContext::from_partially_read(leftover, Role::Server, Some(config)),
            consumer,
            core,
            connected: false,
            logging,
            closing_since: None,
            close_code: None,
            failed: false,
            ping_sent: None,
            last_heard: now,
            write_blocked: false,
            done: false,
            reported_dropped: 0,
        }
    }

    /// Messages dropped, and whether the queue overflowed into a close,
    /// since the last call: for the worker's counters.
    pub(crate) fn take_overflow(&mut self) -> (u64, bool) {
        let dropped = self.core.dropped - self.reported_dropped;
        self.reported_dropped = self.core.dropped;
        (dropped, std::mem::take(&mut self.core.overflowed))
    }

    /// Queues a message from another thread. A batch bigger than the
    /// queue is written out as it comes while the socket takes it; only a
    /// client that stops reading fills the queue (and meets the policy).
    pub(crate) fn enqueue(&mut self, msg: WsMessage, io: &mut TcpStream, now: Instant) {
        if self.backlogged() && !self.write_blocked && !self.done {
            // An ending connection is noticed by the next `drive`.
            let _ = self.pump(io, now);
        }
        let _ = self.core.enqueue(msg);
    }

    /// Asks for the closing handshake (it happens on the next drive).
    pub(crate) fn request_close(&mut self, code: u16, reason: &str) {
        if self.core.close_request.is_none() && !self.core.closing {
            let mut reason = reason.to_owned();
            truncate_utf8(&mut reason, 123);
            self.core.close_request = Some((code, reason));
        }
    }

    /// Runs a consumer callback with its panics caught; an error or panic
    /// closes the socket with 1011.
    fn call(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut dyn Consumer, &mut WebSocket<'_>) -> Result<(), Error>,
    ) {
        let consumer = &mut *self.consumer;
        let mut ws = WebSocket {
            core: &mut self.core,
        };
        let outcome = panic::catch(|| f(consumer, &mut ws));
        let err = match outcome {
            Ok(Ok(())) => return,
            Ok(Err(e)) => e,
            Err(p) => Error::new(p),
        };
        log::error!(
            target: "mionex::ws",
            "WebSocket {what} failed on channel {}: {err}",
            self.core.channel.uuid()
        );
        self.request_close(1011, "internal error");
    }

    pub(crate) fn drive(
        &mut self,
        io: &mut TcpStream,
        read_ready: &mut bool,
        now: Instant,
    ) -> WsNext {
        if self.done {
            return WsNext::Close;
        }
        if !self.connected {
            self.connected = true;
            if self.logging {
                log::info!(
                    target: "mionex::ws",
                    "WebSocket connected: {} [channel={} payload={} expires={}]",
                    self.core.peer.ip(),
                    self.core.channel.uuid(),
                    self.core.channel.payload_type(),
                    self.core
                        .channel
                        .expires()
                        .map_or("never".to_owned(), |e| format!("{}s", e.as_secs()))
                );
            }
            self.call("on_connect", |c, ws| c.on_connect(ws));
        }
        while *read_ready {
            // Answers pile up when the client sends faster than it reads:
            // write them out first, and stop reading (TCP pushes back on
            // the client) until they have gone. The slow-consumer policy is
            // for what other threads send, not for our own answers.
            if self.backlogged() {
                let next = self.pump(io, now);
                if next != WsNext::Keep {
                    return next;
                }
                if self.backlogged() {
                    return WsNext::Keep; // resumed on the next writable edge
                }
            }
            match self.proto.read(io) {
                Ok(msg) => {
                    self.last_heard = now;
                    self.ping_sent = None;
                    self.on_message(msg, now);
                }
                Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => *read_ready = false,
                Err(WsError::Io(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => return self.finish(),
                Err(e) => {
                    *read_ready = false;
                    if let Some(next) = self.fail(e) {
                        return next;
                    }
                }
            }
        }
        self.pump(io, now)
    }

    /// Whether the outbox is over half its limits.
    fn backlogged(&self) -> bool {
        let cfg = &self.core.config;
        self.core.outbox.len() * 2 >= cfg.max_queued_messages
            || self.core.outbox_bytes * 2 >= cfg.max_queued_bytes
    }

    fn on_message(&mut self, msg: Message, now: Instant) {
        let payload = match msg {
            Message::Text(t) => match self.core.channel.payload_type() {
                PayloadType::Json => self.parse_json(t.as_str()),
                _ => Some(Payload::Text(t.as_str().to_owned())),
            },
            Message::Binary(b) => match self.core.channel.payload_type() {
                PayloadType::Json => match std::str::from_utf8(&b) {
                    Ok(text) => self.parse_json(text),
                    Err(_) => {
                        self.refuse(1007, "JSON message is not UTF-8");
                        None
                    }
                },
                _ => Some(Payload::Binary(b.to_vec())),
            },
            // tungstenite queues the pong; the pump flushes it.
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => None,
            Message::Close(frame) => {
                let (code, reason) = frame.map_or((1005, String::new()), |f| {
                    (u16::from(f.code), f.reason.as_str().to_owned())
                });
                self.close_code.get_or_insert((code, reason));
                self.core.closing = true;
                None
            }
        };
        let Some(payload) = payload else { return };
        self.core.channel.last_active = now;
        if self.core.closing || self.core.close_request.is_some() {
            return;
        }
        if self.logging && log::log_enabled!(target: "mionex::ws", log::Level::Debug) {
            let text = payload.to_text().unwrap_or_else(|| match &payload {
                Payload::Binary(b) => format!("<{} bytes>", b.len()),
                _ => String::new(),
            });
            let short: String = text.chars().take(100).collect();
            log::debug!(
                target: "mionex::ws",
                "Message received on channel {}: {}{}",
                self.core.channel.uuid(),
                short.escape_debug(),
                if short.len() < text.len() { "..." } else { "" }
            );
        }
        self.call("on_receive", |c, ws| c.on_receive(ws, payload));
    }

    fn parse_json(&mut self, text: &str) -> Option<Payload> {
        match Value::parse(text) {
            Ok(v) => Some(Payload::Json(v)),
            Err(e) => {
                self.refuse(1007, &format!("{e}"));
                None
            }
        }
    }

    /// Closes because the client sent something we cannot take.
    fn refuse(&mut self, code: u16, reason: &str) {
        log::warn!(
            target: "mionex::ws",
            "closing channel {} from {} with {code}: {reason}",
            self.core.channel.uuid(),
            self.core.peer
        );
        self.request_close(code, reason);
    }

    /// A protocol-level failure: answer with the code RFC 6455 names, and
    /// don't wait for the client's close. `None` means carry on.
    fn fail(&mut self, e: WsError) -> Option<WsNext> {
        let (code, reason) = match &e {
            // A client that vanished (closed its tab, lost its network)
            // is ordinary, not a protocol failure to warn about.
            WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
                log::debug!(target: "mionex::ws", "channel {} dropped by the client without a close", self.core.channel.uuid());
                self.close_code.get_or_insert((1006, String::new()));
                return Some(self.finish());
            }
            WsError::Capacity(_) => (1009, "message too big"),
            WsError::Utf8(_) => (1007, "invalid UTF-8 in text message"),
            WsError::Protocol(_) => (1002, "protocol error"),
            WsError::Io(_) => {
                log::debug!(target: "mionex::ws", "socket error on channel {}: {e}", self.core.channel.uuid());
                self.close_code.get_or_insert((1006, String::new()));
                return Some(self.finish());
            }
            _ => (1011, "internal error"),
        };
        log::warn!(
            target: "mionex::ws",
            "failing channel {} from {}: {e} (close {code})",
            self.core.channel.uuid(),
            self.core.peer
        );
        self.failed = true;
        self.request_close(code, reason);
        None
    }

    /// Starts a requested close, moves queued messages into tungstenite
    /// (unless the last flush blocked) and flushes once.
    fn pump(&mut self, io: &mut TcpStream, now: Instant) -> WsNext {
        if let Some((code, reason)) = self.core.close_request.take() {
            self.core.closing = true;
            if code == 1013 {
                // Too slow to keep up: what is queued would only delay
                // the close frame.
                self.core.outbox.clear();
                self.core.outbox_bytes = 0;
            } else {
                // Everything sent before the close goes out before it.
                while let Some(msg) = self.core.outbox.pop_front() {
                    self.core.outbox_bytes -= msg.len();
                    match self.proto.write(io, msg.0) {
                        Ok(()) => {}
                        Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
                        Err(_) => break,
                    }
                }
            }
            if self.closing_since.is_none() && self.proto.can_write() {
                self.closing_since = Some(now);
                self.close_code.get_or_insert((code, reason.clone()));
                let frame = CloseFrame {
                    code: code.into(),
                    reason: reason.into(),
                };
                match self.proto.close(io, Some(frame)) {
                    Ok(()) => {}
                    Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(_) => return self.finish(),
                }
            }
        }
        loop {
            if !self.write_blocked {
                while let Some(msg) = self.core.outbox.pop_front() {
                    self.core.outbox_bytes -= msg.len();
                    self.core.channel.last_active = now;
                    match self.proto.write(io, msg.0) {
                        Ok(()) => {}
                        Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
                        Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => {
                            return self.finish();
                        }
                        Err(WsError::Protocol(_)) => break, // closing: drop the rest
                        Err(_) => return self.finish(),
                    }
                }
            }
            match self.proto.flush(io) {
                Ok(()) => {
                    self.write_blocked = false;
                    if self.core.outbox.is_empty() {
                        break;
                    }
                }
                Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.write_blocked = true;
                    break;
                }
                Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => return self.finish(),
                Err(_) => return self.finish(),
            }
        }
        if self.failed && !self.write_blocked {
            self.finish();
            return WsNext::Linger;
        }
        WsNext::Keep
    }

    /// The connection is over: tell the consumer once.
    fn finish(&mut self) -> WsNext {
        if !self.done {
            self.done = true;
            let (code, reason) = self.close_code.take().unwrap_or((1006, String::new()));
            if self.logging {
                log::info!(
                    target: "mionex::ws",
                    "WebSocket disconnected: {code} [channel={}]",
                    self.core.channel.uuid()
                );
            }
            self.call("on_disconnect", |c, ws| {
                c.on_disconnect(ws, code, &reason);
                Ok(())
            });
        }
        WsNext::Close
    }

    /// Pings, pong and close timeouts, idle and channel expiry; called about
    /// once a second.
    pub(crate) fn check_timers(&mut self, io: &mut TcpStream, now: Instant) -> WsNext {
        let cfg = self.core.config.clone();
        if let Some(since) = self.closing_since {
            if now.saturating_duration_since(since) > cfg.close_timeout {
                return self.finish();
            }
            return WsNext::Keep;
        }
        if let Some(sent) = self.ping_sent {
            if now.saturating_duration_since(sent) > cfg.pong_timeout {
                log::warn!(
                    target: "mionex::ws",
                    "no pong from {} on channel {} in {:?}: dropping",
                    self.core.peer,
                    self.core.channel.uuid(),
                    cfg.pong_timeout
                );
                self.close_code.get_or_insert((1006, "pong timeout".into()));
                return self.finish();
            }
        } else if now.saturating_duration_since(self.last_heard) > cfg.ping_interval
            && self.proto.can_write()
        {
            self.ping_sent = Some(now);
            let _ = self.proto.write(io, Message::Ping(Default::default()));
        }
        if let Some(idle) = cfg.idle_timeout
            && now.saturating_duration_since(self.core.channel.last_active) > idle
        {
            self.request_close(1000, "idle timeout");
        }
        if self.core.channel.is_expired(now) {
            self.request_close(1001, "channel expired");
        }
        self.pump(io, now)
    }
}
