//! JSON lines: one object per record, fixed key order, hand-written escaping.

use super::{Formatter, file_name};
use crate::logging::time::push_rfc3339;
use log::Record;
use log::kv::{self, Key, Value, VisitSource, VisitValue};
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::time::SystemTime;

/// Keys the formatter writes itself; a record key-value with one of these
/// names is written as `kv_<name>` so no object has a duplicate key.
const RESERVED: [&str; 7] = ["ts", "level", "logger", "module", "file", "line", "message"];

/// One JSON object per line:
///
/// ```text
/// {"ts":"2024-01-31T12:00:00.123Z","level":"INFO","logger":"app","module":"app::db",
///  "file":"db.rs","line":42,"message":"saved","user":"ann","rows":3}
/// ```
///
/// `ts` is RFC 3339 UTC, `logger` the record's target, then the record's
/// key-values (`log::info!(user = "ann", rows = 3; "saved")`): integers,
/// floats and booleans as JSON numbers and booleans, everything else as
/// strings. Strings escape `"`, `\` and every control character, so each
/// line is valid JSON whatever the message holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Json;

impl Formatter for Json {
    fn format(&self, record: &Record<'_>, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"ts\":\"");
        push_rfc3339(out, SystemTime::now());
        out.extend_from_slice(b"\",\"level\":\"");
        out.extend_from_slice(record.level().as_str().as_bytes());
        out.extend_from_slice(b"\",\"logger\":");
        push_json_str(out, record.target());
        if let Some(m) = record.module_path() {
            out.extend_from_slice(b",\"module\":");
            push_json_str(out, m);
        }
        if let Some(f) = record.file() {
            out.extend_from_slice(b",\"file\":");
            push_json_str(out, file_name(f));
        }
        if let Some(l) = record.line() {
            let _ = write!(out, ",\"line\":{l}");
        }
        out.extend_from_slice(b",\"message\":\"");
        match record.args().as_str() {
            Some(s) => push_escaped(out, s),
            None => {
                let _ = write!(Escaper(out), "{}", record.args());
            }
        }
        out.push(b'"');
        let _ = record.key_values().visit(&mut Pairs(out));
        out.push(b'}');
    }
}

/// Appends `s` as a quoted JSON string.
pub(crate) fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    push_escaped(out, s);
    out.push(b'"');
}

/// Appends `s` escaped for the inside of a JSON string.
pub(crate) fn push_escaped(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f | 0x7f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 15)]);
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// `fmt::Write` that escapes as it appends: formats `Display` values
/// straight into the line.
struct Escaper<'a>(&'a mut Vec<u8>);

impl fmt::Write for Escaper<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        push_escaped(self.0, s);
        Ok(())
    }
}

struct Pairs<'a>(&'a mut Vec<u8>);

impl<'kvs> VisitSource<'kvs> for Pairs<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), kv::Error> {
        let out = &mut *self.0;
        out.push(b',');
        let k = key.as_str();
        if RESERVED.contains(&k) {
            out.extend_from_slice(b"\"kv_");
            push_escaped(out, k);
            out.push(b'"');
        } else {
            push_json_str(out, k);
        }
        out.push(b':');
        let mut v = JsonValue { out, done: false };
        let _ = value.visit(&mut v);
        if !v.done {
            v.out.extend_from_slice(b"null");
        }
        Ok(())
    }
}

struct JsonValue<'a> {
    out: &'a mut Vec<u8>,
    done: bool,
}

impl<'v> VisitValue<'v> for JsonValue<'_> {
    fn visit_any(&mut self, value: Value<'_>) -> Result<(), kv::Error> {
        self.out.push(b'"');
        let _ = write!(Escaper(self.out), "{value}");
        self.out.push(b'"');
        self.done = true;
        Ok(())
    }
    fn visit_null(&mut self) -> Result<(), kv::Error> {
        self.out.extend_from_slice(b"null");
        self.done = true;
        Ok(())
    }
    fn visit_u64(&mut self, v: u64) -> Result<(), kv::Error> {
        let _ = write!(self.out, "{v}");
        self.done = true;
        Ok(())
    }
    fn visit_i64(&mut self, v: i64) -> Result<(), kv::Error> {
        let _ = write!(self.out, "{v}");
        self.done = true;
        Ok(())
    }
    fn visit_u128(&mut self, v: u128) -> Result<(), kv::Error> {
        let _ = write!(self.out, "{v}");
        self.done = true;
        Ok(())
    }
    fn visit_i128(&mut self, v: i128) -> Result<(), kv::Error> {
        let _ = write!(self.out, "{v}");
        self.done = true;
        Ok(())
    }
    fn visit_f64(&mut self, v: f64) -> Result<(), kv::Error> {
        if v.is_finite() {
            let _ = write!(self.out, "{v}");
        } else {
            let _ = write!(self.out, "\"{v}\"");
        }
        self.done = true;
        Ok(())
    }
    fn visit_bool(&mut self, v: bool) -> Result<(), kv::Error> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        self.done = true;
        Ok(())
    }
    fn visit_str(&mut self, v: &str) -> Result<(), kv::Error> {
        push_json_str(self.out, v);
        self.done = true;
        Ok(())
    }
    fn visit_char(&mut self, v: char) -> Result<(), kv::Error> {
        push_json_str(self.out, v.encode_utf8(&mut [0; 4]));
        self.done = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use log::Level;

    #[test]
    fn escapes_every_control_char() {
        let mut out = Vec::new();
        let s: String = (0u8..=0x7f).map(char::from).collect();
        push_json_str(&mut out, &s);
        let text = String::from_utf8(out).unwrap_or_default();
        assert!(text.bytes().all(|b| b >= 0x20 && b != 0x7f), "{text}");
        assert!(text.contains("\\u0000") && text.contains("\\n") && text.contains("\\\""));
    }

    #[test]
    fn key_values_are_typed() {
        let kvs: [(&str, kv::Value<'_>); 4] = [
            ("user", kv::Value::from("ann\n")),
            ("rows", kv::Value::from(3u64)),
            ("ok", kv::Value::from(true)),
            ("level", kv::Value::from(-1i64)),
        ];
        let mut out = Vec::new();
        Json.format(
            &Record::builder()
                .args(format_args!("say \"hi\""))
                .level(Level::Info)
                .target("app")
                .line(Some(7))
                .key_values(&kvs)
                .build(),
            &mut out,
        );
        let text = String::from_utf8(out).unwrap_or_default();
        assert!(text.starts_with("{\"ts\":\""), "{text}");
        assert!(
            text.ends_with(
                ",\"level\":\"INFO\",\"logger\":\"app\",\"line\":7,\"message\":\"say \\\"hi\\\"\",\
                 \"user\":\"ann\\n\",\"rows\":3,\"ok\":true,\"kv_level\":-1}"
            ),
            "{text}"
        );
    }
}
