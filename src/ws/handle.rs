//! Sending to a socket from any thread.

use super::WsMessage;
use crate::server::Shared;
use std::sync::Arc;

/// A cloneable, `Send` handle to one WebSocket connection. Messages go to
/// the owning worker's inbox; a burst of them costs that worker one wake.
/// A message for a socket that has closed meanwhile is discarded.
#[derive(Clone)]
pub struct WsHandle {
    pub(crate) shared: Arc<Shared>,
    pub(crate) worker: usize,
    pub(crate) key: usize,
    pub(crate) id: u64,
}

/// What a handle asks the owning worker to do.
pub(crate) enum WsCmd {
    Send(WsMessage),
    Close(u16, String),
}

impl WsHandle {
    /// Queues `msg` for the socket.
    pub fn send(&self, msg: WsMessage) {
        self.shared
            .send_ws(self.worker, self.key, self.id, WsCmd::Send(msg));
    }

    /// Closes the socket with `code` and `reason`.
    pub fn close(&self, code: u16, reason: impl Into<String>) {
        self.shared.send_ws(
            self.worker,
            self.key,
            self.id,
            WsCmd::Close(code, reason.into()),
        );
    }

    /// Whether two handles point at the same connection.
    pub fn same_socket(&self, other: &WsHandle) -> bool {
        self.worker == other.worker && self.key == other.key && self.id == other.id
    }
}

impl std::fmt::Debug for WsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsHandle")
            .field("worker", &self.worker)
            .field("id", &self.id)
            .finish()
    }
}
