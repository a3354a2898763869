//! In-house logging behind the `log` facade (being written).
