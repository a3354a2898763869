//! Outgoing messages, cheap to clone so one broadcast shares its bytes.

use crate::json::Value;
use tungstenite::Message;

/// A message to send. Cloning it shares the payload (a reference count),
/// so sending one message to many sockets encodes and copies it once.
#[derive(Clone, Debug, PartialEq)]
pub struct WsMessage(pub(crate) Message);

impl WsMessage {
    /// A text message.
    pub fn text(text: impl Into<String>) -> WsMessage {
        WsMessage(Message::text(text.into()))
    }

    /// A binary message.
    pub fn binary(data: impl Into<Vec<u8>>) -> WsMessage {
        WsMessage(Message::binary(data.into()))
    }

    /// A JSON value, written compactly in a text message.
    pub fn json(value: &Value) -> WsMessage {
        WsMessage::text(value.to_string())
    }

    /// Payload length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why a message could not be queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// The socket is closing or closed.
    Closed,
    /// The socket's queue is full and the overflow policy closed it
    /// (1013).
    QueueFull,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SendError::Closed => "the WebSocket is closed",
            SendError::QueueFull => "the WebSocket's send queue is full (slow client)",
        })
    }
}

impl std::error::Error for SendError {}
