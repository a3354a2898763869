//! UUID v4 ids without a system call per id: a per-thread xorshift
//! generator seeded once from the operating system's randomness.
//!
//! Error ids and request ids only need to be unique and unguessable
//! enough to correlate a log line with a response, not to be secrets;
//! `Uuid::new_v4()` asks the kernel for 16 bytes every time, which costs
//! a system call per request.

use std::cell::Cell;

thread_local! {
    static STATE: Cell<[u64; 2]> = Cell::new(seed());
}

fn seed() -> [u64; 2] {
    let v = uuid::Uuid::new_v4().as_u128();
    // xorshift128+ must not start from all zeros.
    [(v >> 64) as u64 | 1, v as u64]
}

/// xorshift128+: two `u64` of state, a few shifts per output.
fn next(s: &mut [u64; 2]) -> u64 {
    let mut x = s[0];
    let y = s[1];
    s[0] = y;
    x ^= x << 23;
    s[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
    s[1].wrapping_add(y)
}

/// A random (version 4) UUID from this thread's generator.
pub(crate) fn new_v4() -> uuid::Uuid {
    let (a, b) = STATE
        .try_with(|c| {
            let mut s = c.get();
            let pair = (next(&mut s), next(&mut s));
            c.set(s);
            pair
        })
        // During thread teardown: fall back to the operating system.
        .unwrap_or_else(|_| {
            let v = uuid::Uuid::new_v4().as_u128();
            ((v >> 64) as u64, v as u64)
        });
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_le_bytes());
    bytes[8..].copy_from_slice(&b.to_le_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_v4_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let id = super::new_v4();
            assert_eq!(id.get_version_num(), 4);
            assert!(seen.insert(id));
        }
        let other = std::thread::spawn(super::new_v4).join().unwrap();
        assert!(!seen.contains(&other));
    }
}
