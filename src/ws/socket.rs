//! What a consumer sees of its connection while a callback runs.

use super::config::{Overflow, WsConfig};
use super::{Channel, SendError, WsHandle, WsMessage};
use crate::json::Value;
use crate::state::State;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

/// The per-connection data a consumer may touch (the protocol state and the
/// consumer itself live beside it).
pub(crate) struct Core {
    pub channel: Channel,
    pub outbox: VecDeque<WsMessage>,
    pub outbox_bytes: usize,
    pub close_request: Option<(u16, String)>,
    pub closing: bool,
    pub params: Vec<(&'static str, String)>,
    pub state: State,
    pub peer: SocketAddr,
    pub protocol: Option<String>,
    pub handle: WsHandle,
    pub config: Arc<WsConfig>,
    /// Messages dropped by [`Overflow::DropOldest`].
    pub dropped: u64,
    /// Closed by [`Overflow::Close`], not reported to the stats yet.
    pub overflowed: bool,
}

impl Core {
    /// Queues a message, applying the overflow policy.
    pub(crate) fn enqueue(&mut self, msg: WsMessage) -> Result<(), SendError> {
        if self.closing || self.close_request.is_some() {
            return Err(SendError::Closed);
        }
        let len = msg.len();
        let cfg = &self.config;
        while !self.outbox.is_empty()
            && (self.outbox.len() >= cfg.max_queued_messages
                || self.outbox_bytes + len > cfg.max_queued_bytes)
        {
            match cfg.overflow {
                Overflow::Close => {
                    log::warn!(
                        target: "mionex::ws",
                        "slow client {} on channel {}: send queue full, closing with 1013",
                        self.peer,
                        self.channel.uuid()
                    );
                    self.close_request = Some((1013, "send queue full".into()));
                    self.overflowed = true;
                    return Err(SendError::QueueFull);
                }
                Overflow::DropOldest => {
                    if let Some(old) = self.outbox.pop_front() {
                        self.outbox_bytes -= old.len();
                        self.dropped += 1;
                    }
                }
            }
        }
        self.outbox_bytes += len;
        self.outbox.push_back(msg);
        Ok(())
    }
}

/// A WebSocket connection, as its [`Consumer`](super::Consumer) sees it.
pub struct WebSocket<'a> {
    pub(crate) core: &'a mut Core,
}

impl WebSocket<'_> {
    /// Queues a message (sent at the end of this event-loop pass, together
    /// with everything else queued for this socket).
    pub fn send(&mut self, msg: WsMessage) -> Result<(), SendError> {
        self.core.enqueue(msg)
    }

    /// Queues a text message.
    pub fn send_text(&mut self, text: impl Into<String>) -> Result<(), SendError> {
        self.send(WsMessage::text(text))
    }

    /// Queues a binary message.
    pub fn send_binary(&mut self, data: impl Into<Vec<u8>>) -> Result<(), SendError> {
        self.send(WsMessage::binary(data))
    }

    /// Queues a JSON message.
    pub fn send_json(&mut self, value: &Value) -> Result<(), SendError> {
        self.send(WsMessage::json(value))
    }

    /// Starts the closing handshake with `code` (1000 normal; 4000–4999
    /// are yours) and a reason of at most 123 bytes.
    pub fn close(&mut self, code: u16, reason: impl Into<String>) {
        if self.core.close_request.is_none() && !self.core.closing {
            let mut reason = reason.into();
            truncate_utf8(&mut reason, 123);
            self.core.close_request = Some((code, reason));
        }
    }

    /// The connection's channel.
    pub fn channel(&self) -> &Channel {
        &self.core.channel
    }

    /// A path parameter of the route (`/ws/chat/{group}`).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.core
            .params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The upgrade request's state, as middleware and hooks left it.
    pub fn state(&self) -> &State {
        &self.core.state
    }

    /// The client's address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.core.peer
    }

    /// The negotiated subprotocol, if any.
    pub fn protocol(&self) -> Option<&str> {
        self.core.protocol.as_deref()
    }

    /// A handle to send to this socket from any thread.
    pub fn handle(&self) -> WsHandle {
        self.core.handle.clone()
    }

    /// Messages queued and not yet written.
    pub fn queued(&self) -> usize {
        self.core.outbox.len()
    }
}

/// Cuts `s` to at most `max` bytes on a character boundary.
pub(crate) fn truncate_utf8(s: &mut String, max: usize) {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}
