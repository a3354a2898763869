//! WebSocket clients for tests: tungstenite's, and a raw one that writes
//! frames byte by byte (fragments, bursts, protocol errors).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Message, WebSocket};

pub type Client = WebSocket<TcpStream>;

/// Connects tungstenite's client to `path`.
pub fn connect(addr: SocketAddr, path: &str) -> Client {
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let (ws, res) = tungstenite::client(format!("ws://{addr}{path}"), stream).expect("handshake");
    assert_eq!(res.status().as_u16(), 101);
    ws
}

/// Reads until a close frame (answering it) and returns its code, or
/// `None` when the connection ended without one.
pub fn close_code(ws: &mut Client) -> Option<u16> {
    loop {
        match ws.read() {
            Ok(Message::Close(frame)) => {
                let _ = ws.flush();
                return frame.map(|f| u16::from(f.code)).or(Some(1005));
            }
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
}

/// The next data message as text.
pub fn text(ws: &mut Client) -> String {
    loop {
        match ws.read().expect("a message") {
            Message::Text(t) => return t.as_str().to_owned(),
            Message::Binary(b) => return String::from_utf8_lossy(&b).into_owned(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a data message, got {other:?}"),
        }
    }
}

pub fn normal_close(ws: &mut Client) {
    ws.close(Some(tungstenite::protocol::CloseFrame {
        code: CloseCode::Normal,
        reason: "bye".into(),
    }))
    .unwrap();
    let _ = close_code(ws);
}

/// A raw client after a hand-made handshake.
pub struct Raw {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

/// One frame as the raw client reads it.
#[derive(Debug, PartialEq)]
pub struct Frame {
    pub fin: bool,
    pub opcode: u8,
    pub payload: Vec<u8>,
}

impl Raw {
    pub fn connect(addr: SocketAddr, path: &str) -> Raw {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        let mut raw = Raw {
            stream,
            buf: Vec::new(),
        };
        let head = raw.read_until(b"\r\n\r\n");
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        assert!(head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "{head}");
        raw
    }

    fn read_until(&mut self, end: &[u8]) -> Vec<u8> {
        loop {
            if let Some(i) = self.buf.windows(end.len()).position(|w| w == end) {
                return self.buf.drain(..i + end.len()).collect();
            }
            self.fill();
        }
    }

    fn fill(&mut self) -> usize {
        let mut chunk = [0u8; 65536];
        let n = self.stream.read(&mut chunk).expect("read");
        assert!(n > 0, "the server closed the connection");
        self.buf.extend_from_slice(&chunk[..n]);
        n
    }

    /// A client frame, masked as RFC 6455 requires.
    pub fn frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![(u8::from(fin) << 7) | opcode];
        let n = payload.len();
        if n < 126 {
            f.push(0x80 | n as u8);
        } else if n <= 0xFFFF {
            f.push(0x80 | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            f.push(0x80 | 127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
        let mask = [0x37, 0xfa, 0x21, 0x3d];
        f.extend_from_slice(&mask);
        f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        f
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// Reads one server frame (servers do not mask).
    pub fn read_frame(&mut self) -> Frame {
        while self.buf.len() < 2 {
            self.fill();
        }
        let (fin, opcode) = (self.buf[0] & 0x80 != 0, self.buf[0] & 0x0f);
        let (len, at) = match self.buf[1] & 0x7f {
            126 => {
                while self.buf.len() < 4 {
                    self.fill();
                }
                (u16::from_be_bytes([self.buf[2], self.buf[3]]) as usize, 4)
            }
            127 => {
                while self.buf.len() < 10 {
                    self.fill();
                }
                let mut b = [0u8; 8];
                b.copy_from_slice(&self.buf[2..10]);
                (u64::from_be_bytes(b) as usize, 10)
            }
            n => (n as usize, 2),
        };
        while self.buf.len() < at + len {
            self.fill();
        }
        let payload = self.buf[at..at + len].to_vec();
        self.buf.drain(..at + len);
        Frame {
            fin,
            opcode,
            payload,
        }
    }

    /// Reads frames until a close frame, answering nothing; its code.
    pub fn read_close(&mut self) -> u16 {
        loop {
            let f = self.read_frame();
            if f.opcode == 8 {
                return u16::from_be_bytes([f.payload[0], f.payload[1]]);
            }
        }
    }
}
