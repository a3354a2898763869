//! Mounting a consumer on a route.

use super::handshake;
use super::{Consumer, WsConfig};
use crate::http::{Method, Request, Response};
use crate::{App, Error};
use std::sync::Arc;

/// What a WebSocket route hands the connection after a valid handshake.
pub(crate) struct Upgrade {
    pub consumer: Box<dyn Consumer>,
    pub protocol: Option<String>,
    pub params: Vec<(&'static str, String)>,
    pub config: Arc<WsConfig>,
}

impl std::fmt::Debug for Upgrade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upgrade")
            .field("protocol", &self.protocol)
            .finish()
    }
}

impl App {
    /// Mounts a WebSocket consumer on `pattern` with the default
    /// [`WsConfig`]. `make` builds a consumer for each connection from the
    /// upgrade request (path parameters, headers, state).
    ///
    /// The upgrade request passes through middleware and hooks like any
    /// other, which may refuse it. A request that is not a valid upgrade
    /// gets 400, or 426 with the header the client is missing.
    ///
    /// ```no_run
    /// use mionex::ws::{Consumer, Payload, WebSocket};
    /// use mionex::{App, Error};
    ///
    /// struct Echo;
    /// impl Consumer for Echo {
    ///     fn on_receive(&mut self, ws: &mut WebSocket<'_>, msg: Payload) -> Result<(), Error> {
    ///         match msg {
    ///             Payload::Binary(b) => ws.send_binary(b)?,
    ///             other => ws.send_text(other.to_text().unwrap_or_default())?,
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let mut app = App::new();
    /// app.ws("/ws/echo", |_req| Echo);
    /// app.run("127.0.0.1:8000").unwrap();
    /// ```
    pub fn ws<C, F>(&mut self, pattern: &str, make: F) -> &mut App
    where
        C: Consumer,
        F: Fn(&Request) -> C + Send + Sync + 'static,
    {
        self.ws_with(pattern, WsConfig::default(), make)
    }

    /// Like [`App::ws`], with its own settings.
    pub fn ws_with<C, F>(&mut self, pattern: &str, config: WsConfig, make: F) -> &mut App
    where
        C: Consumer,
        F: Fn(&Request) -> C + Send + Sync + 'static,
    {
        let config = Arc::new(config);
        self.route(
            Method::Get,
            pattern,
            move |req: &Request| -> Result<Response, Error> {
                let accepted = handshake::check(req, &config.protocols, &config.allowed_origins)?;
                let mut res = Response::new(101)
                    .with_header("Upgrade", "websocket")
                    .with_header("Sec-WebSocket-Accept", accepted.accept_key);
                if let Some(p) = &accepted.protocol {
                    res.add_header("Sec-WebSocket-Protocol", p.clone());
                }
                res.upgrade = Some(Box::new(Upgrade {
                    consumer: Box::new(make(req)),
                    protocol: accepted.protocol,
                    params: req.params.clone(),
                    config: config.clone(),
                }));
                Ok(res)
            },
        )
    }
}
