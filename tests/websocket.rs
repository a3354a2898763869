//! WebSockets over real sockets: handshake errors, echo of every kind of
//! message, JSON errors, close codes, limits, liveness, slow readers,
//! sends from other threads, and many sockets at once.

mod support;

use mionex::ws::{
    Consumer, Overflow, Payload, PayloadType, WebSocket, WsConfig, WsHandle, WsMessage,
};
use mionex::{App, Error};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::ws::{Frame, Raw, close_code, connect, normal_close, text};
use support::{Client, serve};
use tungstenite::Message;

struct Echo;

impl Consumer for Echo {
    fn logging_enabled(&self) -> bool {
        false
    }
    fn on_receive(&mut self, ws: &mut WebSocket<'_>, msg: Payload) -> Result<(), Error> {
        match msg {
            Payload::Binary(b) => ws.send_binary(b)?,
            Payload::Text(t) => ws.send_text(t)?,
            Payload::Json(v) => ws.send_json(&v)?,
        }
        Ok(())
    }
}

/// A JSON channel that answers `{"got": <value>}`.
struct JsonEcho;

impl Consumer for JsonEcho {
    fn payload_type(&self) -> PayloadType {
        PayloadType::Json
    }
    fn on_receive(&mut self, ws: &mut WebSocket<'_>, msg: Payload) -> Result<(), Error> {
        let Payload::Json(v) = msg else {
            panic!("a JSON channel gets JSON")
        };
        ws.send_json(&mionex::json::Value::object().with("got", v))?;
        Ok(())
    }
}

/// Records how the socket ended, and hands out its handle on connect.
struct Watched {
    ended: Arc<Mutex<Vec<(u16, String)>>>,
    handles: mpsc::Sender<WsHandle>,
    greeting: Option<(&'static str, u16)>,
}

impl Consumer for Watched {
    fn on_connect(&mut self, ws: &mut WebSocket<'_>) -> Result<(), Error> {
        let _ = self.handles.send(ws.handle());
        if let Some((text, code)) = self.greeting {
            ws.send_text(text)?;
            ws.close(code, "go away");
        }
        Ok(())
    }
    fn on_receive(&mut self, ws: &mut WebSocket<'_>, msg: Payload) -> Result<(), Error> {
        match msg.to_text().as_deref() {
            Some("fail") => Err(Error::msg("consumer failed")),
            Some("panic") => panic!("consumer panicked"),
            Some(t) if t.starts_with("close ") => {
                ws.close(t[6..].parse().unwrap(), "asked to");
                Ok(())
            }
            _ => Ok(()),
        }
    }
    fn on_disconnect(&mut self, _ws: &mut WebSocket<'_>, code: u16, reason: &str) {
        self.ended.lock().unwrap().push((code, reason.to_owned()));
    }
}

struct Fixture {
    server: mionex::Server,
    ended: Arc<Mutex<Vec<(u16, String)>>>,
    handles: mpsc::Receiver<WsHandle>,
}

fn fixture(config: WsConfig) -> Fixture {
    let ended = Arc::new(Mutex::new(Vec::new()));
    let (tx, handles) = mpsc::channel();
    let mut app = App::new();
    app.workers(2);
    app.ws("/echo", |_| Echo);
    app.ws("/json", |_| JsonEcho);
    let (e, t) = (ended.clone(), Mutex::new(tx.clone()));
    app.ws_with("/watched", config.clone(), move |_| Watched {
        ended: e.clone(),
        handles: t.lock().unwrap().clone(),
        greeting: None,
    });
    let (e, t) = (ended.clone(), Mutex::new(tx));
    app.ws_with("/refuse", config, move |_| Watched {
        ended: e.clone(),
        handles: t.lock().unwrap().clone(),
        greeting: Some(("bye", 4403)),
    });
    Fixture {
        server: serve(app),
        ended,
        handles,
    }
}

fn eventually(cond: impl Fn() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

#[test]
fn handshake_errors_get_a_status_and_a_reason() {
    let f = fixture(WsConfig::default());
    let addr = f.server.local_addr();
    let base = "Host: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    let key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    let cases = [
        (
            format!("GET /echo HTTP/1.1\r\n{base}Sec-WebSocket-Version: 13\r\n\r\n"),
            400,
            None,
        ),
        (
            format!("GET /echo HTTP/1.1\r\n{base}{key}Sec-WebSocket-Version: 8\r\n\r\n"),
            426,
            Some(("sec-websocket-version", "13")),
        ),
        (
            format!(
                "GET /echo HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\n{key}Sec-WebSocket-Version: 13\r\n\r\n"
            ),
            426,
            Some(("upgrade", "websocket")),
        ),
        (
            format!(
                "GET /echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n{key}Sec-WebSocket-Version: 13\r\n\r\n"
            ),
            400,
            None,
        ),
        (
            format!(
                "GET /echo HTTP/1.1\r\n{base}Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ),
            400,
            None,
        ),
        (
            format!(
                "POST /echo HTTP/1.1\r\n{base}{key}Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n"
            ),
            405,
            None,
        ),
    ];
    for (req, status, header) in cases {
        let mut c = Client::connect(addr);
        c.send(&req);
        let r = c.read_reply(false);
        assert_eq!(r.status, status, "{req}");
        if let Some((name, value)) = header {
            assert_eq!(r.header(name), Some(value), "{req}");
        }
        if status == 400 || status == 426 {
            // The error names what was wrong, not just the status.
            let body = mionex::json::Value::parse(&r.text()).unwrap();
            let error = body.get("error").unwrap().as_str().unwrap().to_owned();
            assert!(
                !["Bad Request", "Upgrade Required"].contains(&error.as_str()),
                "{error}"
            );
        }
    }
    f.server.shutdown();
}

#[test]
fn text_binary_fragmented_and_burst_messages_echo_in_order() {
    let f = fixture(WsConfig::default());
    let addr = f.server.local_addr();
    let mut ws = connect(addr, "/echo");
    ws.send(Message::text("héllo")).unwrap();
    assert_eq!(text(&mut ws), "héllo");
    ws.send(Message::binary(vec![0u8, 1, 2, 255])).unwrap();
    assert_eq!(ws.read().unwrap(), Message::binary(vec![0u8, 1, 2, 255]));
    let big = "x".repeat(200_000);
    ws.send(Message::text(big.clone())).unwrap();
    assert_eq!(text(&mut ws), big);
    normal_close(&mut ws);

    // Fragments, with a ping between them, arrive as one message.
    let mut raw = Raw::connect(addr, "/echo");
    let mut bytes = Raw::frame(false, 1, b"frag");
    bytes.extend(Raw::frame(false, 0, b"men"));
    bytes.extend(Raw::frame(true, 9, b"p"));
    bytes.extend(Raw::frame(true, 0, b"ted"));
    raw.send(&bytes);
    assert_eq!(
        raw.read_frame(),
        Frame {
            fin: true,
            opcode: 10,
            payload: b"p".to_vec()
        }
    );
    assert_eq!(
        raw.read_frame(),
        Frame {
            fin: true,
            opcode: 1,
            payload: b"fragmented".to_vec()
        }
    );

    // A burst far over the send queue's limit, in one write: every echo
    // comes back, in order; the server reads only as fast as it answers.
    let n = 2000;
    let burst: Vec<u8> = (0..n)
        .flat_map(|i| Raw::frame(true, 1, format!("m{i}").as_bytes()))
        .collect();
    raw.send(&burst);
    for i in 0..n {
        assert_eq!(raw.read_frame().payload, format!("m{i}").into_bytes());
    }
    f.server.shutdown();
}

#[test]
fn malformed_json_closes_with_1007_and_good_json_is_parsed() {
    let f = fixture(WsConfig::default());
    let mut ws = connect(f.server.local_addr(), "/json");
    ws.send(Message::text(r#"{"a": [1, 2]}"#)).unwrap();
    assert_eq!(text(&mut ws), r#"{"got":{"a":[1,2]}}"#);
    ws.send(Message::text("{not json")).unwrap();
    assert_eq!(close_code(&mut ws), Some(1007));
    f.server.shutdown();
}

#[test]
fn close_codes_reach_both_sides() {
    let f = fixture(WsConfig::default());
    let addr = f.server.local_addr();
    let ended = f.ended.clone();

    let mut ws = connect(addr, "/watched");
    normal_close(&mut ws);
    assert!(eventually(|| ended
        .lock()
        .unwrap()
        .contains(&(1000, "bye".into()))));

    for (msg, code) in [("close 4001", 4001), ("fail", 1011), ("panic", 1011)] {
        let mut ws = connect(addr, "/watched");
        ws.send(Message::text(msg)).unwrap();
        assert_eq!(close_code(&mut ws), Some(code), "{msg}");
    }
    // Refused in on_connect: what it sent first still arrives, then 4403.
    let mut ws = connect(addr, "/refuse");
    assert_eq!(text(&mut ws), "bye");
    assert_eq!(close_code(&mut ws), Some(4403));

    // Dropped without a close frame: 1006.
    let ws = connect(addr, "/watched");
    drop(ws);
    assert!(eventually(|| ended
        .lock()
        .unwrap()
        .iter()
        .any(|(c, _)| *c == 1006)));
    f.server.shutdown();
}

#[test]
fn oversized_messages_close_with_1009() {
    let config = WsConfig {
        max_message_size: 64 * 1024,
        max_frame_size: 16 * 1024,
        ..WsConfig::default()
    };
    let f = fixture(config);
    let addr = f.server.local_addr();
    // One frame over the frame limit.
    let mut raw = Raw::connect(addr, "/watched");
    raw.send(&Raw::frame(true, 2, &vec![7u8; 20 * 1024]));
    assert_eq!(raw.read_close(), 1009);
    // Small frames adding up past the message limit.
    let mut raw = Raw::connect(addr, "/watched");
    let mut bytes = Raw::frame(false, 2, &vec![1u8; 15 * 1024]);
    for _ in 0..5 {
        bytes.extend(Raw::frame(false, 0, &vec![1u8; 15 * 1024]));
    }
    raw.send(&bytes);
    assert_eq!(raw.read_close(), 1009);
    f.server.shutdown();
}

#[test]
fn a_client_that_never_answers_pings_is_dropped() {
    let config = WsConfig {
        ping_interval: Duration::from_secs(1),
        pong_timeout: Duration::from_secs(1),
        ..WsConfig::default()
    };
    let f = fixture(config);
    let mut raw = Raw::connect(f.server.local_addr(), "/watched");
    let ping = raw.read_frame();
    assert_eq!(ping.opcode, 9, "a ping after the interval");
    // Never answer: the server drops the socket (1006 on its side).
    let ended = f.ended.clone();
    assert!(eventually(|| ended
        .lock()
        .unwrap()
        .iter()
        .any(|(c, r)| *c == 1006 && r == "pong timeout")));
    f.server.shutdown();
}

#[test]
fn sends_from_another_thread_arrive_in_order() {
    let f = fixture(WsConfig::default());
    let mut ws = connect(f.server.local_addr(), "/watched");
    let handle = f.handles.recv_timeout(Duration::from_secs(5)).unwrap();
    let sender = std::thread::spawn(move || {
        for i in 0..500 {
            handle.send(WsMessage::text(format!("n{i}")));
        }
        handle.close(4000, "done");
    });
    for i in 0..500 {
        assert_eq!(text(&mut ws), format!("n{i}"));
    }
    assert_eq!(close_code(&mut ws), Some(4000));
    sender.join().unwrap();
    f.server.shutdown();
}

#[test]
fn a_slow_reader_is_closed_with_1013_or_loses_the_oldest_and_others_are_unaffected() {
    for overflow in [Overflow::Close, Overflow::DropOldest] {
        let config = WsConfig {
            max_queued_messages: 64,
            overflow,
            ..WsConfig::default()
        };
        let f = fixture(config);
        let addr = f.server.local_addr();
        // The slow client: connected, never reads.
        let slow = Raw::connect(addr, "/watched");
        let slow_handle = f.handles.recv_timeout(Duration::from_secs(5)).unwrap();
        let mut fast = connect(addr, "/echo");
        let payload = "y".repeat(16 * 1024);
        let pusher = std::thread::spawn(move || {
            for _ in 0..5000 {
                slow_handle.send(WsMessage::text(payload.clone()));
            }
        });
        // Meanwhile the fast client is served promptly.
        for i in 0..200 {
            fast.send(Message::text(format!("f{i}"))).unwrap();
            assert_eq!(text(&mut fast), format!("f{i}"));
        }
        pusher.join().unwrap();
        let ended = f.ended.clone();
        match overflow {
            Overflow::Close => {
                assert!(eventually(|| ended
                    .lock()
                    .unwrap()
                    .iter()
                    .any(|(c, _)| *c == 1013)));
            }
            Overflow::DropOldest => {
                std::thread::sleep(Duration::from_millis(200));
                assert!(
                    ended.lock().unwrap().is_empty(),
                    "dropping keeps the socket open"
                );
            }
        }
        drop(slow);
        normal_close(&mut fast);
        f.server.shutdown();
    }
}

/// The soft limit on open files, from /proc (no libc in the tests).
fn open_file_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|t| {
            let line = t
                .lines()
                .find(|l| l.starts_with("Max open files"))?
                .to_owned();
            line.split_whitespace().nth(3)?.parse().ok()
        })
        .unwrap_or(1024)
}

#[test]
fn a_thousand_sockets_at_once_on_one_server() {
    // Client and server ends both live in this process.
    let n = 1000.min(open_file_limit().saturating_sub(200) / 2);
    let f = fixture(WsConfig::default());
    let addr = f.server.local_addr();
    let mut sockets: Vec<_> = (0..n).map(|_| connect(addr, "/echo")).collect();
    for (i, ws) in sockets.iter_mut().enumerate() {
        ws.send(Message::text(format!("s{i}"))).unwrap();
    }
    for (i, ws) in sockets.iter_mut().enumerate() {
        assert_eq!(text(ws), format!("s{i}"));
    }
    assert_eq!(f.server.handle().stats().open_connections as usize, n);
    // Shutdown closes every one with 1001.
    let server = f.server;
    let stopper = std::thread::spawn(move || server.shutdown());
    for ws in sockets.iter_mut() {
        assert_eq!(close_code(ws), Some(1001));
    }
    stopper.join().unwrap();
}
