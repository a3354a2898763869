//! The opening handshake (RFC 6455 §4.2): checking the upgrade request and
//! computing `Sec-WebSocket-Accept`. SHA-1 and base64 are a few dozen lines
//! each, written here rather than pulled in as dependencies.

use crate::error::HttpError;
use crate::http::{Method, Request, has_token};

/// The GUID every server appends to the client's key (RFC 6455 §1.3).
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// What a valid upgrade request agreed on.
pub(crate) struct Accepted {
    pub accept_key: String,
    pub protocol: Option<String>,
}

/// Checks an upgrade request; a refusal is an [`HttpError`] with the
/// status and reason RFC 6455 asks for.
pub(crate) fn check(
    req: &Request,
    protocols: &[String],
    origins: &[String],
) -> Result<Accepted, HttpError> {
    if *req.method() != Method::Get {
        return Err(
            HttpError::new(405, "a WebSocket upgrade must use GET").with_header("Allow", "GET")
        );
    }
    if req.version() != "HTTP/1.1" {
        return Err(HttpError::new(400, "a WebSocket upgrade needs HTTP/1.1"));
    }
    let upgrade = req.headers().get_bytes("upgrade");
    if !upgrade.is_some_and(|v| has_token(v, "websocket")) {
        return Err(HttpError::new(
            426,
            "this route only speaks WebSocket: send Upgrade: websocket",
        )
        .with_header("Upgrade", "websocket"));
    }
    if !req
        .headers()
        .get_bytes("connection")
        .is_some_and(|v| has_token(v, "upgrade"))
    {
        return Err(HttpError::new(400, "Connection must include Upgrade"));
    }
    if req.header("sec-websocket-version").map(str::trim) != Some("13") {
        return Err(
            HttpError::new(426, "only WebSocket version 13 is supported")
                .with_header("Sec-WebSocket-Version", "13"),
        );
    }
    let key = req.header("sec-websocket-key").map(str::trim).unwrap_or("");
    if base64_decoded_len(key) != Some(16) {
        return Err(HttpError::new(
            400,
            "Sec-WebSocket-Key must be 16 bytes in base64",
        ));
    }
    if !origins.is_empty() {
        let origin = req.header("origin").unwrap_or("");
        if !origins.iter().any(|o| o.eq_ignore_ascii_case(origin)) {
            return Err(HttpError::new(403, "origin not allowed"));
        }
    }
    // The first protocol the client offers that the server speaks.
    let protocol = req
        .headers()
        .get_all("sec-websocket-protocol")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|p| protocols.iter().any(|s| s == p))
        .map(str::to_owned);
    Ok(Accepted {
        accept_key: accept_key(key),
        protocol,
    })
}

/// `base64(sha1(key + GUID))`.
pub(crate) fn accept_key(key: &str) -> String {
    let mut input = Vec::with_capacity(key.len() + GUID.len());
    input.extend_from_slice(key.as_bytes());
    input.extend_from_slice(GUID.as_bytes());
    base64(&sha1(&input))
}

fn base64_decoded_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.is_empty() || !b.len().is_multiple_of(4) {
        return None;
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    let valid = b[..b.len() - pad]
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/');
    (valid && pad <= 2).then(|| b.len() / 4 * 3 - pad)
}

fn base64(data: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// SHA-1 (FIPS 180-4). Used only for the handshake, where RFC 6455 fixes
/// it; it is not a security primitive here.
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6455_example_key() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn sha1_and_base64_known_answers() {
        assert_eq!(base64(&sha1(b"abc")), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
        assert_eq!(base64(&sha1(b"")), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
        let long = vec![b'a'; 1000];
        assert_eq!(base64(&sha1(&long)), "KR6abGaZSUm1e6XmUDYemPw2sbo=");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }

    #[test]
    fn key_length_check() {
        assert_eq!(base64_decoded_len("dGhlIHNhbXBsZSBub25jZQ=="), Some(16));
        assert_eq!(base64_decoded_len("abc"), None);
        assert_eq!(base64_decoded_len("Zm9v"), Some(3));
        assert_eq!(base64_decoded_len("Zm9*"), None);
    }
}
