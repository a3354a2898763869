// The ceiling for mionex's design: a bare mio + httparse loop on one thread.
// Per readable event: one read (a short read means the socket is drained,
// so edge-triggered epoll will wake us again for new data), parse every
// buffered request, append every response to one reused per-connection
// buffer, one write. `Date` is formatted once a second, together with the
// two whole 200 responses, so answering is one memcpy: no header map, no
// allocation per request. It still honours `Connection: close` and HTTP/1.0 (a framework
// must), answers 404 to other paths and 400 to garbage.
#[path = "../common.rs"]
mod common;

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use std::io::{ErrorKind, Read, Write};
use std::mem::MaybeUninit;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const LISTENER: Token = Token(usize::MAX);
const READ_BUF: usize = 4096;

struct Conn {
    stream: TcpStream,
    rbuf: Vec<u8>,  // READ_BUF bytes; rlen of them hold unparsed input
    rlen: usize,
    wbuf: Vec<u8>,  // responses not yet written; reused, never shrunk
    wpos: usize,
    close_after_write: bool,
}

/// The two 200 responses, whole, rebuilt once a second when the Date
/// changes: answering is then one memcpy.
struct Cache {
    secs: u64,
    date: [u8; 29],
    plain: Vec<u8>,
    json: Vec<u8>,
}

impl Cache {
    fn refresh(&mut self) {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        if now != self.secs {
            self.secs = now;
            self.date = common::http_date(now);
            self.plain.clear();
            push_response(&mut self.plain, b"HTTP/1.1 200 OK", b"text/plain", common::PLAIN.as_bytes(), &self.date);
            self.json.clear();
            push_response(&mut self.json, b"HTTP/1.1 200 OK", b"application/json", common::JSON.as_bytes(), &self.date);
        }
    }
}

fn push_response(out: &mut Vec<u8>, status: &[u8], ctype: &[u8], body: &[u8], date: &[u8]) {
    out.extend_from_slice(status);
    out.extend_from_slice(b"\r\nServer: bare\r\nContent-Type: ");
    out.extend_from_slice(ctype);
    out.extend_from_slice(b"\r\nContent-Length: ");
    // Bodies are short: at most three digits.
    let n = body.len();
    if n >= 100 {
        out.push(b'0' + (n / 100) as u8);
    }
    if n >= 10 {
        out.push(b'0' + (n / 10 % 10) as u8);
    }
    out.push(b'0' + (n % 10) as u8);
    out.extend_from_slice(b"\r\nDate: ");
    out.extend_from_slice(date);
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(body);
}

/// Parses every complete request in `c.rbuf` and appends the answers to
/// `c.wbuf`. Returns false on a malformed request (answered 400, then close).
fn handle_input(c: &mut Conn, cache: &Cache) -> bool {
    let date = &cache.date[..];
    let mut pos = 0;
    while pos < c.rlen && !c.close_after_write {
        // Uninitialised header slots: no 1 KiB of zeroing per request.
        let mut headers = [const { MaybeUninit::<httparse::Header>::uninit() }; 32];
        let mut req = httparse::Request::new(&mut []);
        match req.parse_with_uninit_headers(&c.rbuf[pos..c.rlen], &mut headers) {
            Ok(httparse::Status::Complete(len)) => {
                // Keep-alive unless `Connection: close`, or 1.0 without keep-alive.
                let mut keep = req.version == Some(1);
                for h in req.headers.iter() {
                    if h.name.eq_ignore_ascii_case("connection") {
                        keep = if h.value.eq_ignore_ascii_case(b"close") {
                            false
                        } else {
                            keep || h.value.eq_ignore_ascii_case(b"keep-alive")
                        };
                    }
                }
                match (req.method, req.path) {
                    (Some("GET"), Some("/plaintext")) => c.wbuf.extend_from_slice(&cache.plain),
                    (Some("GET"), Some("/json")) => c.wbuf.extend_from_slice(&cache.json),
                    _ => push_response(
                        &mut c.wbuf, b"HTTP/1.1 404 Not Found", b"text/plain", b"not found", date),
                }
                c.close_after_write = !keep;
                pos += len; // (request bodies are not supported: GET only)
            }
            Ok(httparse::Status::Partial) => break,
            Err(_) => {
                push_response(&mut c.wbuf, b"HTTP/1.1 400 Bad Request", b"text/plain", b"bad request", date);
                c.close_after_write = true;
                return false;
            }
        }
    }
    // Keep the unparsed tail at the front of the buffer.
    c.rbuf.copy_within(pos..c.rlen, 0);
    c.rlen -= pos;
    if c.rlen == READ_BUF {
        // A request larger than the buffer: refuse it.
        push_response(&mut c.wbuf, b"HTTP/1.1 431 Request Header Fields Too Large", b"text/plain", b"too large", date);
        c.close_after_write = true;
        return false;
    }
    true
}

/// Writes what is pending. Ok(true) when everything went out.
fn flush(c: &mut Conn) -> std::io::Result<bool> {
    while c.wpos < c.wbuf.len() {
        match c.stream.write(&c.wbuf[c.wpos..]) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => c.wpos += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    c.wbuf.clear();
    c.wpos = 0;
    Ok(true)
}

/// Handles one event on a connection. Returns false when it must be dropped.
fn on_event(c: &mut Conn, readable: bool, cache: &Cache) -> bool {
    if readable {
        loop {
            let space = READ_BUF - c.rlen;
            match c.stream.read(&mut c.rbuf[c.rlen..]) {
                Ok(0) => return false, // peer closed
                Ok(n) => {
                    c.rlen += n;
                    let ok = handle_input(c, cache);
                    if !ok || n < space {
                        break; // short read: drained, epoll will tell us about more
                    }
                    // The buffer was filled: there may be more to read.
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
    }
    // Writable events (registered once, edge-triggered) resume a blocked write.
    match flush(c) {
        Ok(true) => !c.close_after_write,
        Ok(false) => true,
        Err(_) => false,
    }
}

fn main() {
    let addr = common::addr_from_args().parse().unwrap();
    let mut listener = TcpListener::bind(addr).expect("bind");
    let mut poll = Poll::new().unwrap();
    poll.registry().register(&mut listener, LISTENER, Interest::READABLE).unwrap();
    println!("listening on http://{addr}");

    let mut conns: Vec<Option<Conn>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut events = Events::with_capacity(1024);
    let mut cache = Cache { secs: 0, date: [0; 29], plain: Vec::new(), json: Vec::new() };
    loop {
        // Wake at least once a second so the cached Date stays fresh.
        if let Err(e) = poll.poll(&mut events, Some(Duration::from_secs(1))) {
            if e.kind() == ErrorKind::Interrupted {
                continue;
            }
            panic!("poll: {e}");
        }
        cache.refresh();
        for ev in events.iter() {
            if ev.token() == LISTENER {
                loop {
                    match listener.accept() {
                        Ok((mut stream, _)) => {
                            let _ = stream.set_nodelay(true);
                            let idx = free.pop().unwrap_or_else(|| {
                                conns.push(None);
                                conns.len() - 1
                            });
                            // Both interests once: no re-registration per write.
                            if poll.registry().register(
                                &mut stream, Token(idx), Interest::READABLE | Interest::WRITABLE).is_err() {
                                free.push(idx);
                                continue;
                            }
                            conns[idx] = Some(Conn {
                                stream,
                                rbuf: vec![0; READ_BUF],
                                rlen: 0,
                                wbuf: Vec::new(),
                                wpos: 0,
                                close_after_write: false,
                            });
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(_) => break, // EMFILE and friends: try again on the next event
                    }
                }
                continue;
            }
            let idx = ev.token().0;
            let keep = match conns.get_mut(idx).and_then(|c| c.as_mut()) {
                Some(c) => on_event(c, ev.is_readable() || ev.is_read_closed(), &cache),
                None => continue,
            };
            if !keep {
                if let Some(mut c) = conns[idx].take() {
                    let _ = poll.registry().deregister(&mut c.stream);
                }
                free.push(idx);
            }
        }
    }
}
