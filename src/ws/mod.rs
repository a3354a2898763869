//! WebSockets on the event loop: consumers, channels, sending from
//! anywhere.
//!
//! After a valid upgrade the worker that owns the connection drives
//! `tungstenite`'s protocol state over the same non-blocking socket: no
//! thread per socket. A [`Consumer`] gets `on_connect`, `on_receive` and
//! `on_disconnect`; it sends through its [`WebSocket`], and any thread
//! sends through a [`WsHandle`]. Each socket has a bounded queue with a
//! stated [`Overflow`] policy, pings keep it honest, and server shutdown
//! closes every socket with 1001.

mod channel;
mod config;
pub(crate) mod conn;
mod consumer;
mod handle;
mod handshake;
mod message;
mod route;
pub(crate) mod socket;

pub use channel::{Channel, PayloadType};
pub use config::{Overflow, WsConfig};
pub use consumer::{Consumer, Payload};
pub(crate) use handle::WsCmd;
pub use handle::WsHandle;
pub use message::{SendError, WsMessage};
pub(crate) use route::Upgrade;
pub use socket::WebSocket;
