// WebSocket echo peer for benches/ws.sh: tokio current_thread runtime +
// LocalSet, tokio-tungstenite 0.30 (tungstenite 0.30, as in mionex), one
// task per connection, every text and binary message echoed back. Accepts
// on 127.0.0.1:PORT (PORT = argv[1]); the request path is ignored.
//
// WS_READ_BUF=N sets WebSocketConfig::read_buffer_size to N bytes; unset,
// tungstenite's own default (128 KiB) applies, which is what a user gets
// out of the box. TCP_NODELAY is set, as mionex sets it.
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

async fn serve(stream: TcpStream, config: WebSocketConfig) {
    let _ = stream.set_nodelay(true);
    let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    while let Some(msg) = ws.next().await {
        match msg {
            Ok(m @ (Message::Text(_) | Message::Binary(_))) => {
                if ws.send(m).await.is_err() {
                    return;
                }
            }
            // Pings are answered and closes replied to by tungstenite itself;
            // the stream ends after the close handshake.
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("usage: peer-tokio-ws PORT   (env WS_READ_BUF=bytes)");
    let mut config = WebSocketConfig::default();
    if let Ok(v) = std::env::var("WS_READ_BUF") {
        config = config.read_buffer_size(v.parse().expect("WS_READ_BUF: a number of bytes"));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        println!("listening on ws://127.0.0.1:{port}");
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::task::spawn_local(serve(stream, config));
                }
                Err(e) => eprintln!("accept: {e}"),
            }
        }
    });
}
