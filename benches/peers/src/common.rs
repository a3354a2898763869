// Shared by the peer binaries (included with `#[path]`): the two bodies and
// an HTTP-date formatter, so every peer answers byte-for-byte the same body.

#![allow(dead_code)]

pub const PLAIN: &str = "Hello, World!";
pub const JSON: &str = "{\"message\":\"Hello, World!\"}";

/// The port is argv[1] (default 8080); every peer listens on 127.0.0.1.
pub fn addr_from_args() -> String {
    let port = std::env::args().nth(1).unwrap_or_else(|| "8080".into());
    format!("127.0.0.1:{port}")
}

/// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", 29 bytes) for a Unix time.
pub fn http_date(secs: u64) -> [u8; 29] {
    const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let days = secs / 86400;
    let rem = secs % 86400;
    let (hh, mm, ss) = (rem / 3600, rem / 60 % 60, rem % 60);
    // Civil-from-days (Howard Hinnant's algorithm), valid for the Unix era.
    let z = days as i64 + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as usize;
    let y = (yoe + era * 400 + if m <= 2 { 1 } else { 0 }) as u64;

    let mut out = *b"Thu, 01 Jan 1970 00:00:00 GMT";
    out[0..3].copy_from_slice(DAYS[(days % 7) as usize]);
    let two = |v: u64| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
    out[5..7].copy_from_slice(&two(d));
    out[8..11].copy_from_slice(MONTHS[m - 1]);
    out[12..14].copy_from_slice(&two(y / 100));
    out[14..16].copy_from_slice(&two(y % 100));
    out[17..19].copy_from_slice(&two(hh));
    out[20..22].copy_from_slice(&two(mm));
    out[23..25].copy_from_slice(&two(ss));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_date() {
        assert_eq!(&super::http_date(784_111_777), b"Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(&super::http_date(0), b"Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(&super::http_date(1_709_251_200), b"Fri, 01 Mar 2024 00:00:00 GMT");
    }
}
