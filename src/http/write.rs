//! Writing a response head into the connection's output buffer.

use super::status::{allows_body, reason_phrase};
use super::{Body, Response};
use std::borrow::Cow;

/// How the body that follows the head is framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `Content-Length: n`, then n bytes (or none for HEAD).
    Length(usize),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// No length: the body ends when the connection closes (HTTP/1.0
    /// streams).
    UntilClose,
    /// No body and no length header (1xx, 204, 304).
    None,
}

/// What the connection needs to know to write one response.
pub(crate) struct WriteParams<'a> {
    pub date: &'a [u8],
    pub keep_alive: bool,
    pub http10: bool,
    pub head_only: bool,
}

/// Appends the status line and headers of `res` to `out` and returns how
/// the body is framed. Fields with CR, LF or NUL are skipped (and logged)
/// so a header value can never split the response.
pub(crate) fn write_head(out: &mut Vec<u8>, res: &Response, p: &WriteParams<'_>) -> Framing {
    let status = res.status();
    out.extend_from_slice(status_line(status).as_bytes());
    if !res.headers().any(|(n, _)| n.eq_ignore_ascii_case("server")) {
        out.extend_from_slice(b"Server: mionex\r\n");
    }
    out.extend_from_slice(b"Date: ");
    out.extend_from_slice(p.date);
    out.extend_from_slice(b"\r\n");
    if let Some(ct) = res.raw_content_type() {
        push_field(out, &Cow::Borrowed("Content-Type"), ct);
    }
    let framing = if !allows_body(status) {
        Framing::None
    } else {
        match res.body() {
            Body::Stream(_) if p.http10 => Framing::UntilClose,
            Body::Stream(_) => Framing::Chunked,
            b => Framing::Length(b.len().unwrap_or(0)),
        }
    };
    match framing {
        Framing::Length(n) => {
            out.extend_from_slice(b"Content-Length: ");
            push_usize(out, n);
            out.extend_from_slice(b"\r\n");
        }
        Framing::Chunked if !p.head_only => {
            out.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
        }
        _ => {}
    }
    let close = !p.keep_alive || framing == Framing::UntilClose;
    if status == 101 {
        out.extend_from_slice(b"Connection: Upgrade\r\n");
    } else if close {
        out.extend_from_slice(b"Connection: close\r\n");
    } else if p.http10 {
        out.extend_from_slice(b"Connection: keep-alive\r\n");
    }
    for (name, value) in res.raw_headers() {
        if is_managed(name) {
            continue;
        }
        push_field(out, name, value);
    }
    out.extend_from_slice(b"\r\n");
    framing
}

/// Headers the server owns; a handler setting them would break framing.
fn is_managed(name: &str) -> bool {
    ["content-length", "transfer-encoding", "connection", "date"]
        .iter()
        .any(|m| name.eq_ignore_ascii_case(m))
}

/// Writes one field. Strings made at run time are checked for CR, LF and
/// NUL (and names for `:`); `'static` literals are the program's own text
/// and skip the scan.
#[allow(clippy::ptr_arg)] // the Cow itself is the point: Borrowed means a literal
fn push_field(out: &mut Vec<u8>, name: &Cow<'static, str>, value: &Cow<'static, str>) {
    let clean = |s: &Cow<'static, str>, extra: u8| {
        matches!(s, Cow::Borrowed(_))
            || s.bytes()
                .all(|b| b != b'\r' && b != b'\n' && b != 0 && b != extra)
    };
    if name.is_empty() || !clean(name, b':') || !clean(value, b'\r') {
        log::warn!(target: "mionex::http", "dropped response header {name:?}: invalid characters");
        return;
    }
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Appends the decimal form of `n`.
pub(crate) fn push_usize(out: &mut Vec<u8>, mut n: usize) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&tmp[i..]);
}

/// Appends one chunk of a chunked body.
pub(crate) fn push_chunk(out: &mut Vec<u8>, data: &[u8]) {
    use std::io::Write;
    let _ = write!(out, "{:x}\r\n", data.len());
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

fn status_line(status: u16) -> std::borrow::Cow<'static, str> {
    match status {
        200 => "HTTP/1.1 200 OK\r\n".into(),
        404 => "HTTP/1.1 404 Not Found\r\n".into(),
        s => format!("HTTP/1.1 {s} {}\r\n", reason_phrase(s)).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(res: &Response, keep_alive: bool, http10: bool) -> String {
        let mut out = Vec::new();
        let p = WriteParams {
            date: b"Thu, 01 Jan 1970 00:00:00 GMT",
            keep_alive,
            http10,
            head_only: false,
        };
        write_head(&mut out, res, &p);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_plain_response() {
        let h = head(&Response::text("Hello"), true, false);
        assert_eq!(
            h,
            "HTTP/1.1 200 OK\r\nServer: mionex\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\n"
        );
    }

    #[test]
    fn drops_injected_headers_and_managed_ones() {
        let res = Response::new(204)
            .with_header("X-Bad", String::from("a\r\nSet-Cookie: x"))
            .with_header("Content-Length", "99")
            .with_header("Server", "custom");
        let h = head(&res, false, false);
        assert!(!h.contains("X-Bad") && !h.contains("99") && !h.contains("Content-Length"));
        assert!(h.contains("Server: custom\r\n") && !h.contains("mionex"));
        assert!(h.contains("Connection: close\r\n"));
    }

    #[test]
    fn http10_keep_alive_and_streams() {
        let h = head(&Response::text("x"), true, true);
        assert!(h.contains("Connection: keep-alive\r\n"));
        let h = head(&Response::stream(std::io::empty()), true, true);
        assert!(h.contains("Connection: close\r\n") && !h.contains("chunked"));
        let h = head(&Response::stream(std::io::empty()), true, false);
        assert!(h.contains("Transfer-Encoding: chunked\r\n"));
    }
}
