//! Test helpers: a server on a free port, and a raw HTTP/1.1 client that
//! shows exactly what went over the socket.
#![allow(dead_code)]

pub mod demo;
pub mod ws;

use mionex::{App, Server};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Starts `app` on 127.0.0.1 with a free port.
pub fn serve(app: App) -> Server {
    app.bind("127.0.0.1:0").expect("bind")
}

/// A parsed response as a client saw it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A raw client connection.
pub struct Client {
    pub reader: BufReader<TcpStream>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client {
            reader: BufReader::new(s),
        }
    }

    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        self.reader
            .get_mut()
            .write_all(bytes.as_ref())
            .expect("send");
    }

    /// Sends a GET with Host and returns the reply.
    pub fn get(&mut self, path: &str) -> Reply {
        self.send(format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n"));
        self.read_reply(false)
    }

    /// Reads one response. `head_only` for replies to HEAD.
    pub fn read_reply(&mut self, head_only: bool) -> Reply {
        self.try_read_reply(head_only).expect("a response")
    }

    /// Reads one response, or None if the server closed first.
    pub fn try_read_reply(&mut self, head_only: bool) -> Option<Reply> {
        let mut line = String::new();
        if self.reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let status: u16 = line.split(' ').nth(1)?.parse().ok()?;
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            self.reader.read_line(&mut h).ok()?;
            let h = h.trim_end_matches("\r\n");
            if h.is_empty() {
                break;
            }
            let (n, v) = h.split_once(": ")?;
            headers.push((n.to_owned(), v.to_owned()));
        }
        let mut reply = Reply {
            status,
            headers,
            body: Vec::new(),
        };
        if head_only || status < 200 || status == 204 || status == 304 {
            return Some(reply);
        }
        if let Some(n) = reply.header("content-length") {
            let mut body = vec![0; n.parse().ok()?];
            self.reader.read_exact(&mut body).ok()?;
            reply.body = body;
        } else if reply.header("transfer-encoding") == Some("chunked") {
            loop {
                let mut size = String::new();
                self.reader.read_line(&mut size).ok()?;
                let n = usize::from_str_radix(size.trim_end(), 16).ok()?;
                let mut chunk = vec![0; n + 2];
                self.reader.read_exact(&mut chunk).ok()?;
                if n == 0 {
                    break;
                }
                reply.body.extend_from_slice(&chunk[..n]);
            }
        } else {
            self.reader.read_to_end(&mut reply.body).ok()?;
        }
        Some(reply)
    }

    /// Whether the server has closed the connection (reads EOF, or a
    /// reset, within the read timeout).
    pub fn is_closed(&mut self) -> bool {
        let mut buf = [0u8; 1];
        matches!(self.reader.read(&mut buf), Ok(0) | Err(_))
    }

    pub fn set_timeout(&mut self, d: Duration) {
        self.reader.get_ref().set_read_timeout(Some(d)).unwrap();
    }
}

/// One request on a fresh connection.
pub fn get(addr: SocketAddr, path: &str) -> Reply {
    Client::connect(addr).get(path)
}

/// Sockets this process holds on the server side of `server`'s port, the
/// listener excepted: the connections the server has not closed. Counted
/// from `/proc`, by port, so tests running beside it in the same process
/// (with sockets of their own) do not disturb the count.
pub fn server_side_sockets(server: SocketAddr) -> usize {
    let port = format!(":{:04X}", server.port());
    let mut inodes = std::collections::HashSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for row in text.lines().skip(1) {
            let f: Vec<&str> = row.split_whitespace().collect();
            // local address, state (0A = LISTEN), inode
            if f.len() > 9 && f[1].ends_with(&port) && f[3] != "0A" {
                inodes.insert(format!("socket:[{}]", f[9]));
            }
        }
    }
    std::fs::read_dir("/proc/self/fd")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter(|l| inodes.contains(l.to_string_lossy().as_ref()))
        .count()
}
