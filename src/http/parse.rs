//! Parsing a request head with `httparse` and deciding how the body is
//! framed (RFC 9112 §6).

use super::headers::has_token;
use super::{Method, Request};
use std::mem::MaybeUninit;

/// The most header fields `httparse` is ever given room for; the configured
/// limit is at most this.
pub(crate) const MAX_HEADERS_CAP: usize = 256;

/// How the request body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyKind {
    Length(usize),
    Chunked,
}

/// What the head says about the connection and the body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Head {
    /// Bytes of the head, including the final CRLF CRLF.
    pub len: usize,
    pub body: BodyKind,
    pub keep_alive: bool,
    pub expect_continue: bool,
}

/// A request the server refuses before any handler sees it. The connection
/// is closed after the answer, because the framing can no longer be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reject {
    pub status: u16,
    pub reason: &'static str,
}

const fn reject(status: u16, reason: &'static str) -> Reject {
    Reject { status, reason }
}

/// Parses the head at the start of `buf` into `req`. `Ok(None)` means
/// more bytes are needed.
pub(crate) fn parse_head(
    buf: &[u8],
    max_headers: usize,
    max_body: usize,
    req: &mut Request,
) -> Result<Option<Head>, Reject> {
    let mut slots = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS_CAP];
    let slots = &mut slots[..max_headers.clamp(1, MAX_HEADERS_CAP)];
    let mut parsed = httparse::Request::new(&mut []);
    let len = match parsed.parse_with_uninit_headers(buf, slots) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(reject(431, "too many header fields"));
        }
        Err(httparse::Error::Version) => {
            return Err(reject(505, "only HTTP/1.0 and HTTP/1.1 are served"));
        }
        Err(httparse::Error::Token) => return Err(reject(400, "invalid method token")),
        Err(httparse::Error::HeaderName) => return Err(reject(400, "invalid header name")),
        Err(httparse::Error::HeaderValue) => return Err(reject(400, "invalid header value")),
        Err(_) => return Err(reject(400, "malformed request line or header")),
    };
    // httparse accepts a bare LF as a line ending; RFC 9112 §2.2 lets a
    // server reject it, and accepting it invites request smuggling.
    if !lines_end_in_crlf(buf, len, parsed.headers) {
        return Err(reject(400, "bare LF in request head"));
    }
    let (Some(method), Some(target), Some(minor)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err(reject(400, "malformed request line"));
    };
    req.method = Method::from_token(method);
    req.minor_version = minor;
    if !(target.starts_with('/') || target == "*" || target.contains("://")) {
        return Err(reject(400, "invalid request target"));
    }
    if !req.set_target(target) {
        return Err(reject(400, "path is not valid UTF-8"));
    }

    let mut content_length: Option<usize> = None;
    let mut chunked = false;
    let mut hosts = 0;
    let mut expect_continue = false;
    let mut conn_close = false;
    let mut conn_keep_alive = false;
    for h in parsed.headers.iter() {
        let name = h.name.as_bytes();
        req.headers.append_raw(name, h.value);
        match name.len() {
            4 if name.eq_ignore_ascii_case(b"host") => hosts += 1,
            6 if name.eq_ignore_ascii_case(b"expect") => {
                if h.value.eq_ignore_ascii_case(b"100-continue") {
                    expect_continue = true;
                } else {
                    return Err(reject(417, "unsupported Expect value"));
                }
            }
            10 if name.eq_ignore_ascii_case(b"connection") => {
                conn_close |= has_token(h.value, "close");
                conn_keep_alive |= has_token(h.value, "keep-alive");
            }
            14 if name.eq_ignore_ascii_case(b"content-length") => {
                let n = parse_length(h.value).ok_or(reject(400, "invalid Content-Length"))?;
                if content_length.is_some_and(|c| c != n) {
                    return Err(reject(400, "conflicting Content-Length fields"));
                }
                content_length = Some(n);
            }
            17 if name.eq_ignore_ascii_case(b"transfer-encoding") => {
                // Only `chunked`, and only as the final coding, can frame a
                // request (RFC 9112 §6.1); anything else we cannot decode.
                for coding in h.value.split(|&b| b == b',') {
                    let coding = coding.trim_ascii();
                    if chunked || !coding.eq_ignore_ascii_case(b"chunked") {
                        return Err(reject(501, "unsupported transfer coding"));
                    }
                    chunked = true;
                }
            }
            _ => {}
        }
    }
    if minor == 1 && hosts != 1 {
        return Err(reject(400, "HTTP/1.1 needs exactly one Host header"));
    }
    if hosts > 1 {
        return Err(reject(400, "duplicate Host header"));
    }
    let body = match (chunked, content_length) {
        (true, Some(_)) => {
            return Err(reject(400, "Content-Length with Transfer-Encoding"));
        }
        (true, None) if minor == 0 => {
            return Err(reject(400, "chunked coding in an HTTP/1.0 request"));
        }
        (true, None) => BodyKind::Chunked,
        (false, n) => BodyKind::Length(n.unwrap_or(0)),
    };
    if let BodyKind::Length(n) = body
        && n > max_body
    {
        return Err(reject(413, "body over the size limit"));
    }
    let keep_alive = if minor == 0 {
        conn_keep_alive && !conn_close
    } else {
        !conn_close
    };
    Ok(Some(Head {
        len,
        body,
        keep_alive,
        // 100-continue is an HTTP/1.1 feature (RFC 9110 §10.1.1).
        expect_continue: expect_continue && minor == 1,
    }))
}

/// Whether every line of the head ends in CRLF. httparse keeps header
/// names as slices of `buf`, so each line end sits just before the next
/// name, and the last two lines end the head: a few comparisons instead of
/// a scan of every byte.
fn lines_end_in_crlf(buf: &[u8], len: usize, headers: &[httparse::Header<'_>]) -> bool {
    let base = buf.as_ptr() as usize;
    buf[..len].ends_with(b"\r\n\r\n")
        && headers.iter().all(|h| {
            let at = h.name.as_ptr() as usize - base;
            at >= 2 && &buf[at - 2..at] == b"\r\n"
        })
}

/// A Content-Length value: digits only (no sign, no spaces inside), and it
/// must fit in `usize`.
fn parse_length(v: &[u8]) -> Option<usize> {
    if v.is_empty() || v.len() > 18 {
        return None;
    }
    v.iter().try_fold(0usize, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + usize::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Option<Head>, Reject> {
        let mut req = Request::empty();
        parse_head(raw.as_bytes(), 64, 1 << 20, &mut req)
    }

    fn status(raw: &str) -> u16 {
        parse(raw).unwrap_err().status
    }

    #[test]
    fn accepts_good_heads() {
        let h = parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n").unwrap().unwrap();
        assert!(h.keep_alive);
        assert_eq!(h.body, BodyKind::Length(0));
        let h = parse("GET / HTTP/1.0\r\n\r\n").unwrap().unwrap();
        assert!(!h.keep_alive);
        let h = parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(h.keep_alive);
        let h = parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(h.body, BodyKind::Chunked);
        assert!(h.expect_continue);
        assert!(parse("GET / HTTP/1.1\r\nHost: a\r\n").unwrap().is_none());
    }

    #[test]
    fn rejects_bad_heads() {
        let cases = [
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            ("GET / HTTP/1.1\nHost: a\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\n\n", 400),
            ("GET / HTTP/1.0\n\r\n", 400),
            ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
            (
                "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                400,
            ),
            (
                "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                400,
            ),
            (
                "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
                400,
            ),
            (
                "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n",
                413,
            ),
            (
                "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
                501,
            ),
            (
                "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
                501,
            ),
            ("GET nope HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            ("GET /%FF HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n", 417),
        ];
        for (raw, want) in cases {
            assert_eq!(status(raw), want, "{raw:?}");
        }
        let many: String = (0..70).map(|i| format!("X-{i}: v\r\n")).collect();
        assert_eq!(
            status(&format!("GET / HTTP/1.1\r\nHost: a\r\n{many}\r\n")),
            431
        );
    }

    #[test]
    fn duplicate_equal_content_length_is_fine() {
        let h =
            parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n")
                .unwrap()
                .unwrap();
        assert_eq!(h.body, BodyKind::Length(3));
    }
}
