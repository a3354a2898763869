//! The demo's WebSocket consumers (demo-contract.md, "Routes"; the seed's
//! "WebSocket Logging" section).

use mionex::ws::{Consumer, Payload, PayloadType, WebSocket, WsConfig};
use mionex::{App, Error};
use std::time::Duration;

/// `/ws/echo`: every text and binary message back, unchanged. Logging is
/// off so conformance and load runs measure the socket, not the log.
struct Echo;

impl Consumer for Echo {
    fn logging_enabled(&self) -> bool {
        false
    }

    fn on_receive(&mut self, ws: &mut WebSocket<'_>, msg: Payload) -> Result<(), Error> {
        match msg {
            Payload::Text(t) => ws.send_text(t)?,
            Payload::Binary(b) => ws.send_binary(b)?,
            Payload::Json(v) => ws.send_json(&v)?,
        }
        Ok(())
    }
}

/// `/ws`: the seed's `LoggedWebSocketConsumer`, a JSON channel that
/// expires after an hour without traffic. Connect, receive (at debug) and
/// disconnect are logged with the channel's uuid by the framework; the
/// consumer answers each message with what it understood.
struct Logged;

impl Consumer for Logged {
    fn payload_type(&self) -> PayloadType {
        PayloadType::Json
    }

    fn expires(&self) -> Option<Duration> {
        Some(Duration::from_secs(3600))
    }

    fn on_receive(&mut self, ws: &mut WebSocket<'_>, msg: Payload) -> Result<(), Error> {
        let Payload::Json(value) = msg else {
            return Ok(());
        };
        let reply = mionex::json::Value::object()
            .with("echo", value)
            .with("channel", ws.channel().uuid().to_string());
        ws.send_json(&reply)?;
        Ok(())
    }
}

pub fn mount(app: &mut App) {
    // Conformance runs (Autobahn 9.*) send messages of up to 16 MiB.
    let echo = WsConfig {
        max_message_size: 16 << 20,
        max_frame_size: 16 << 20,
        max_queued_bytes: 32 << 20,
        ..WsConfig::default()
    };
    app.ws_with("/ws/echo", echo, |_| Echo);
    app.ws("/ws", |_| Logged);
}
