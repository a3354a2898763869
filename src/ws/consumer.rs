//! The consumer: what a WebSocket route does with its connections.

use super::{PayloadType, WebSocket};
use crate::Error;
use crate::json::Value;
use std::time::Duration;

/// A received message, decoded per the channel's [`PayloadType`].
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// A text message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
    /// A JSON message (on a [`PayloadType::Json`] channel).
    Json(Value),
}

impl Payload {
    /// The payload as text, when it is text or JSON (written compactly).
    pub fn to_text(&self) -> Option<String> {
        match self {
            Payload::Text(t) => Some(t.clone()),
            Payload::Json(v) => Some(v.to_string()),
            Payload::Binary(_) => None,
        }
    }
}

/// Handles the life of WebSocket connections on one route, as Nexios's
/// `WebSocketConsumer` does: [`on_connect`](Consumer::on_connect), then
/// [`on_receive`](Consumer::on_receive) for each message, then
/// [`on_disconnect`](Consumer::on_disconnect) once, whatever ended it.
///
/// A consumer value is made for each connection and lives on the worker
/// thread that owns it, so it needs neither `Send` nor locks for its own
/// fields. Its methods must not block: they run on the event loop.
///
/// An `Err` from a callback, or a panic in one, closes the socket with
/// 1011 and is logged with the channel id.
pub trait Consumer: 'static {
    /// How messages are decoded. Default: text.
    fn payload_type(&self) -> PayloadType {
        PayloadType::Text
    }

    /// Inactivity after which the channel expires. Default: never.
    fn expires(&self) -> Option<Duration> {
        None
    }

    /// Whether connect, receive (at DEBUG, first 100 characters) and
    /// disconnect are logged. Default: yes, as in the seed.
    fn logging_enabled(&self) -> bool {
        true
    }

    /// The socket is open. Refuse it with [`WebSocket::close`] and a code
    /// (e.g. 4403); anything sent here is delivered first.
    fn on_connect(&mut self, ws: &mut WebSocket<'_>) -> Result<(), Error> {
        let _ = ws;
        Ok(())
    }

    /// A message arrived.
    fn on_receive(&mut self, ws: &mut WebSocket<'_>, msg: Payload) -> Result<(), Error>;

    /// The socket closed: `code` is the close code (1005 when the client
    /// sent none, 1006 when the connection dropped without a close frame).
    fn on_disconnect(&mut self, ws: &mut WebSocket<'_>, code: u16, reason: &str) {
        let _ = (ws, code, reason);
    }
}
