//! The `Date` header, formatted by hand (RFC 9110 §5.6.7 IMF-fixdate).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Length of an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) const DATE_LEN: usize = 29;

/// A `Date` value that each worker refreshes at most once a second, so the
/// request path copies 29 bytes instead of formatting a time.
pub(crate) struct DateCache {
    second: u64,
    bytes: [u8; DATE_LEN],
    /// When the wall clock next turns a second: until then, a refresh
    /// reads no clock at all.
    next: Option<Instant>,
}

impl DateCache {
    pub(crate) fn new() -> DateCache {
        let mut cache = DateCache {
            second: u64::MAX,
            bytes: [b' '; DATE_LEN],
            next: None,
        };
        cache.refresh(Instant::now());
        cache
    }

    /// Re-formats the date if the wall-clock second may have changed by
    /// `now` (the event loop's monotonic time of this pass).
    pub(crate) fn refresh(&mut self, now: Instant) {
        if self.next.is_some_and(|next| now < next) {
            return;
        }
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let secs = since_epoch.as_secs();
        if secs != self.second {
            self.second = secs;
            self.bytes = imf_fixdate(secs);
        }
        let to_next_second =
            Duration::from_nanos(1_000_000_000 - u64::from(since_epoch.subsec_nanos()));
        self.next = Some(now + to_next_second);
    }

    pub(crate) fn get(&self) -> &[u8; DATE_LEN] {
        &self.bytes
    }
}

/// Formats seconds since the Unix epoch as an IMF-fixdate.
pub fn imf_fixdate(secs: u64) -> [u8; DATE_LEN] {
    const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    let mut out = *b"Thu, 01 Jan 1970 00:00:00 GMT";
    out[0..3].copy_from_slice(DAYS[(days % 7) as usize]);
    put2(&mut out[5..7], day as u64);
    out[8..11].copy_from_slice(MONTHS[(month - 1) as usize]);
    let y = year.clamp(0, 9999) as u64;
    put2(&mut out[12..14], y / 100);
    put2(&mut out[14..16], y % 100);
    put2(&mut out[17..19], rem / 3600);
    put2(&mut out[20..22], rem % 3600 / 60);
    put2(&mut out[23..25], rem % 60);
    out
}

fn put2(dst: &mut [u8], v: u64) {
    dst[0] = b'0' + (v / 10) as u8;
    dst[1] = b'0' + (v % 10) as u8;
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31), after Howard
/// Hinnant's `civil_from_days`, which is exact for the proleptic Gregorian
/// calendar.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_dates() {
        assert_eq!(&imf_fixdate(0), b"Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(&imf_fixdate(784_111_777), b"Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(&imf_fixdate(951_782_400), b"Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(
            &imf_fixdate(1_795_651_199),
            b"Wed, 25 Nov 2026 23:59:59 GMT"
        );
    }
}
