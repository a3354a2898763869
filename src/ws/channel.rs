//! The channel a WebSocket connection gets: an id, a payload type and an
//! expiry, as in Nexios's `Channel`.

use std::fmt;
use std::time::{Duration, Instant};

/// How messages on a channel are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadType {
    /// UTF-8 text frames, given to the consumer as [`Payload::Text`].
    ///
    /// [`Payload::Text`]: super::Payload::Text
    Text,
    /// Binary frames, given as [`Payload::Binary`].
    ///
    /// [`Payload::Binary`]: super::Payload::Binary
    Bytes,
    /// JSON in text frames, parsed and given as [`Payload::Json`]; a
    /// message that is not JSON closes the socket with 1007.
    ///
    /// [`Payload::Json`]: super::Payload::Json
    Json,
}

impl fmt::Display for PayloadType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PayloadType::Text => "text",
            PayloadType::Bytes => "bytes",
            PayloadType::Json => "json",
        })
    }
}

/// One connection's channel.
///
/// Unlike Nexios, whose channel expiry slides only when the server sends,
/// any traffic in either direction counts as activity here.
#[derive(Clone, Debug)]
pub struct Channel {
    uuid: uuid::Uuid,
    payload_type: PayloadType,
    expires: Option<Duration>,
    created: Instant,
    pub(crate) last_active: Instant,
}

impl Channel {
    pub(crate) fn new(
        payload_type: PayloadType,
        expires: Option<Duration>,
        now: Instant,
    ) -> Channel {
        Channel {
            uuid: uuid::Uuid::new_v4(),
            payload_type,
            expires,
            created: now,
            last_active: now,
        }
    }

    /// The channel's id (uuid v4).
    pub fn uuid(&self) -> uuid::Uuid {
        self.uuid
    }

    /// How its messages are encoded.
    pub fn payload_type(&self) -> PayloadType {
        self.payload_type
    }

    /// Inactivity after which the channel expires (and its socket is
    /// closed with 1001), if any.
    pub fn expires(&self) -> Option<Duration> {
        self.expires
    }

    /// When the channel was created.
    pub fn created(&self) -> Instant {
        self.created
    }

    /// When the last message went either way.
    pub fn last_active(&self) -> Instant {
        self.last_active
    }

    /// Whether it has been inactive longer than `expires` at `now`.
    pub fn is_expired(&self, now: Instant) -> bool {
        self.expires
            .is_some_and(|e| now.saturating_duration_since(self.last_active) > e)
    }
}
