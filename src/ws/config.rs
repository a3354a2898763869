//! WebSocket settings, each with its default and the reason for it.

use std::time::Duration;

/// What happens when a socket's outgoing queue is full because the client
/// reads slower than the server sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// Close the socket with 1013 ("try again later"). The default: a
    /// client that cannot keep up gets a clear signal instead of silently
    /// missing messages.
    Close,
    /// Drop the oldest queued message to make room (for feeds where only
    /// recent data matters). Every drop is counted.
    DropOldest,
}

/// Settings for WebSocket routes.
#[derive(Clone, Debug)]
pub struct WsConfig {
    /// tungstenite's read buffer per socket. Default 4 KiB: tungstenite
    /// zero-fills this buffer on every read, and its 128 KiB default costs
    /// 130 KiB per idle socket and ~2.5 µs per message.
    pub read_buffer_size: usize,
    /// Largest message accepted; bigger closes with 1009. Default 1 MiB.
    pub max_message_size: usize,
    /// Largest single frame accepted; bigger closes with 1009. Default 1 MiB.
    pub max_frame_size: usize,
    /// Messages queued for one socket before [`WsConfig::overflow`]
    /// applies. Default 256.
    pub max_queued_messages: usize,
    /// Bytes queued for one socket before [`WsConfig::overflow`] applies.
    /// Default 1 MiB.
    pub max_queued_bytes: usize,
    /// The slow-consumer policy. Default [`Overflow::Close`].
    pub overflow: Overflow,
    /// A ping is sent after this long without hearing from the client.
    /// Default 30 s.
    pub ping_interval: Duration,
    /// A client that has not answered a ping within this time is dropped.
    /// Default 10 s.
    pub pong_timeout: Duration,
    /// A socket with no message either way for this long is closed with
    /// 1000. Default: none (pings keep a healthy socket open forever).
    pub idle_timeout: Option<Duration>,
    /// How long to wait for the client's answer to our close frame.
    /// Default 5 s.
    pub close_timeout: Duration,
    /// Subprotocols the server speaks, in order of preference; the first
    /// one the client also offers is chosen. Default: none.
    pub protocols: Vec<String>,
    /// When not empty, only these `Origin` values may connect (others get
    /// 403). Default: any origin.
    pub allowed_origins: Vec<String>,
}

impl Default for WsConfig {
    fn default() -> WsConfig {
        WsConfig {
            read_buffer_size: 4096,
            max_message_size: 1 << 20,
            max_frame_size: 1 << 20,
            max_queued_messages: 256,
            max_queued_bytes: 1 << 20,
            overflow: Overflow::Close,
            ping_interval: Duration::from_secs(30),
            pong_timeout: Duration::from_secs(10),
            idle_timeout: None,
            close_timeout: Duration::from_secs(5),
            protocols: Vec::new(),
            allowed_origins: Vec::new(),
        }
    }
}
