//! UTC calendar arithmetic and the timestamp shapes the formatters write.
//!
//! All timestamps are UTC: local time would need the C library or a
//! tz-database parser, and UTC lines sort and compare across hosts. The
//! calendar conversion is Howard Hinnant's `civil_from_days`.

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

/// A broken-down UTC time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Utc {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millis: u32,
}

/// Seconds since the Unix epoch (negative before 1970) and the millisecond.
pub(crate) fn unix_parts(t: SystemTime) -> (i64, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_millis()),
        Err(e) => {
            let d = e.duration();
            let mut secs = -(d.as_secs() as i64);
            let mut millis = 0;
            if d.subsec_nanos() > 0 {
                secs -= 1;
                millis = 999 - (d.subsec_millis().min(999));
            }
            (secs, millis)
        }
    }
}

/// The UTC calendar date and time of `secs` seconds after the epoch.
pub(crate) fn utc_from_unix(secs: i64, millis: u32) -> Utc {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    Utc {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: rem % 3600 / 60,
        second: rem % 60,
        millis,
    }
}

/// The UTC calendar time of `t`.
pub(crate) fn utc(t: SystemTime) -> Utc {
    let (secs, millis) = unix_parts(t);
    utc_from_unix(secs, millis)
}

/// (year, month 1..=12, day 1..=31) of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn push2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

fn push_year(out: &mut Vec<u8>, y: i64) {
    if (0..10_000).contains(&y) {
        let y = y as u32;
        push2(out, y / 100);
        push2(out, y % 100);
    } else {
        out.extend_from_slice(y.to_string().as_bytes());
    }
}

/// `YYYY-MM-DD` then `sep` then `HH:MM:SS`.
fn push_date_time(out: &mut Vec<u8>, t: &Utc, sep: u8) {
    push_year(out, t.year);
    out.push(b'-');
    push2(out, t.month);
    out.push(b'-');
    push2(out, t.day);
    out.push(sep);
    push2(out, t.hour);
    out.push(b':');
    push2(out, t.minute);
    out.push(b':');
    push2(out, t.second);
}

fn push_millis(out: &mut Vec<u8>, ms: u32) {
    out.push(b'0' + (ms / 100 % 10) as u8);
    push2(out, ms % 100);
}

thread_local! {
    /// The formatted `YYYY-MM-DD HH:MM:SS` of the last second seen on this
    /// thread: consecutive records in one second reuse it.
    static SECOND_CACHE: RefCell<(i64, [u8; 19])> = const { RefCell::new((i64::MIN, [0; 19])) };
}

/// Python's `asctime`: `2024-01-31 12:00:00,123` (UTC).
pub(crate) fn push_asctime(out: &mut Vec<u8>, t: SystemTime) {
    let (secs, millis) = unix_parts(t);
    let cached = SECOND_CACHE.try_with(|cell| {
        let Ok(mut c) = cell.try_borrow_mut() else {
            return false;
        };
        if c.0 != secs {
            let mut tmp = Vec::with_capacity(24);
            push_date_time(&mut tmp, &utc_from_unix(secs, 0), b' ');
            if tmp.len() != 19 {
                return false;
            }
            c.1.copy_from_slice(&tmp);
            c.0 = secs;
        }
        out.extend_from_slice(&c.1);
        true
    });
    if cached != Ok(true) {
        push_date_time(out, &utc_from_unix(secs, 0), b' ');
    }
    out.push(b',');
    push_millis(out, millis);
}

/// RFC 3339 in UTC with milliseconds: `2024-01-31T12:00:00.123Z`.
pub(crate) fn push_rfc3339(out: &mut Vec<u8>, t: SystemTime) {
    let u = utc(t);
    push_date_time(out, &u, b'T');
    out.push(b'.');
    push_millis(out, u.millis);
    out.push(b'Z');
}

/// The date suffix Python's `TimedRotatingFileHandler` gives a backup,
/// cut to `parts` fields: 6 = `%Y-%m-%d_%H-%M-%S`, 5 = `..._%H-%M`,
/// 4 = `..._%H`, 3 = `%Y-%m-%d`.
pub(crate) fn date_suffix(secs: i64, parts: usize) -> String {
    let t = utc_from_unix(secs, 0);
    let mut s = format!("{:04}-{:02}-{:02}", t.year, t.month, t.day);
    let rest = [t.hour, t.minute, t.second];
    for (i, v) in rest.iter().enumerate().take(parts.saturating_sub(3)) {
        s.push(if i == 0 { '_' } else { '-' });
        s.push_str(&format!("{v:02}"));
    }
    s
}

/// Whether `s` has exactly the shape `date_suffix(_, parts)` produces.
pub(crate) fn is_date_suffix(s: &str, parts: usize) -> bool {
    let shape: &[u8] = match parts {
        3 => b"dddd-dd-dd",
        4 => b"dddd-dd-dd_dd",
        5 => b"dddd-dd-dd_dd-dd",
        _ => b"dddd-dd-dd_dd-dd-dd",
    };
    s.len() == shape.len()
        && s.bytes().zip(shape).all(|(c, &p)| {
            if p == b'd' {
                c.is_ascii_digit()
            } else {
                c == p
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn asctime(secs: u64, ms: u32) -> String {
        let mut v = Vec::new();
        let t = UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(ms.into());
        push_asctime(&mut v, t);
        String::from_utf8(v).unwrap_or_default()
    }

    #[test]
    fn known_dates() {
        assert_eq!(asctime(0, 0), "1970-01-01 00:00:00,000");
        assert_eq!(asctime(951_782_400, 7), "2000-02-29 00:00:00,007");
        assert_eq!(asctime(1_709_251_199, 999), "2024-02-29 23:59:59,999");
        assert_eq!(asctime(4_102_444_800, 120), "2100-01-01 00:00:00,120");
        let mut v = Vec::new();
        push_rfc3339(
            &mut v,
            UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
        );
        assert_eq!(v, b"2023-11-14T22:13:20.123Z");
    }

    #[test]
    fn every_day_round_trips_monotonically() {
        let mut prev = (1969, 12, 31);
        for d in 0..200_000 {
            let (y, m, day) = civil_from_days(d);
            assert!((y, m, day) > prev, "day {d}");
            prev = (y, m, day);
        }
    }

    #[test]
    fn suffixes() {
        assert_eq!(date_suffix(1_709_251_199, 6), "2024-02-29_23-59-59");
        assert_eq!(date_suffix(1_709_251_199, 5), "2024-02-29_23-59");
        assert_eq!(date_suffix(1_709_251_199, 4), "2024-02-29_23");
        assert_eq!(date_suffix(1_709_251_199, 3), "2024-02-29");
        for p in 3..=6 {
            assert!(is_date_suffix(&date_suffix(1_709_251_199, p), p));
        }
        assert!(!is_date_suffix("2024-02-29.gz", 3));
    }
}
