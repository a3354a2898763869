//! Keeping secrets and forged lines out of logs: pure helpers the access
//! log (and anyone logging client-supplied values) calls.
//!
//! ```
//! use mionex::logging::redact::{escape, header_for_log, redact_query};
//! assert_eq!(header_for_log("Authorization", "Bearer abc"), "[REDACTED]");
//! assert_eq!(redact_query("user=ann&token=s3cr3t", &["token"]), "user=ann&token=[REDACTED]");
//! assert_eq!(escape("GET /\r\nINFO fake line"), "GET /\\r\\nINFO fake line");
//! ```

use std::borrow::Cow;

/// What replaces a secret.
pub const REDACTED: &str = "[REDACTED]";

/// Headers whose values are always redacted.
pub const SENSITIVE_HEADERS: [&str; 4] = [
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// Whether a header (any case) carries credentials: `Authorization`,
/// `Cookie`, `Set-Cookie`, `Proxy-Authorization`.
pub fn is_sensitive_header(name: &str) -> bool {
    SENSITIVE_HEADERS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
}

/// The value to log for a header: [`REDACTED`] for sensitive headers,
/// otherwise the value escaped with [`escape`].
pub fn header_for_log<'a>(name: &str, value: &'a str) -> Cow<'a, str> {
    if is_sensitive_header(name) {
        Cow::Borrowed(REDACTED)
    } else {
        escape(value)
    }
}

/// Replaces the values of the query parameters named in `names` (compared
/// ignoring ASCII case, on the raw name) with [`REDACTED`]. Borrows when
/// nothing matches. The query is given without its leading `?`.
pub fn redact_query<'a, S: AsRef<str>>(query: &'a str, names: &[S]) -> Cow<'a, str> {
    let hit = |pair: &str| {
        let name = pair.split('=').next().unwrap_or(pair);
        names.iter().any(|n| n.as_ref().eq_ignore_ascii_case(name))
    };
    if names.is_empty() || !query.split('&').any(hit) {
        return Cow::Borrowed(query);
    }
    let mut out = String::with_capacity(query.len());
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        if hit(pair) {
            out.push_str(pair.split('=').next().unwrap_or(pair));
            out.push('=');
            out.push_str(REDACTED);
        } else {
            out.push_str(pair);
        }
    }
    Cow::Owned(out)
}

/// Whether `c` must be escaped in a log line: C0 and C1 controls, DEL, the
/// Unicode line and paragraph separators, and the backslash (so an escape
/// in the output is never ambiguous).
fn needs_escape(c: char) -> bool {
    c.is_control() || c == '\\' || c == '\u{2028}' || c == '\u{2029}'
}

/// Appends `value` to `out` with CR, LF, tab, backslash and every other
/// control character escaped (`\r`, `\n`, `\t`, `\\`, `\x1b`, `\u{85}`), so
/// a client-supplied value can never start a new log line.
pub fn escape_into(out: &mut String, value: &str) {
    use std::fmt::Write;
    for c in value.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x80 && needs_escape(c) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// `value` escaped as by [`escape_into`]; borrows when nothing needs it.
pub fn escape(value: &str) -> Cow<'_, str> {
    if !value.chars().any(needs_escape) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    escape_into(&mut out, value);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_headers_any_case() {
        for h in [
            "Authorization",
            "COOKIE",
            "set-cookie",
            "Proxy-Authorization",
        ] {
            assert!(is_sensitive_header(h), "{h}");
            assert_eq!(header_for_log(h, "secret"), REDACTED);
        }
        assert!(!is_sensitive_header("Accept"));
        assert_eq!(header_for_log("User-Agent", "x\ny"), "x\\ny");
    }

    #[test]
    fn query_redaction() {
        let names = ["token", "password"];
        let cases = [
            ("", ""),
            ("a=1", "a=1"),
            ("token=abc", "token=[REDACTED]"),
            ("a=1&TOKEN=abc&b=2", "a=1&TOKEN=[REDACTED]&b=2"),
            ("password", "password=[REDACTED]"),
            ("tokens=abc", "tokens=abc"),
            ("a=token", "a=token"),
            ("token=a=b&&x", "token=[REDACTED]&&x"),
        ];
        for (q, want) in cases {
            assert_eq!(redact_query(q, &names), want, "{q}");
        }
        assert!(matches!(redact_query("a=1", &names), Cow::Borrowed(_)));
    }

    #[test]
    fn escaping_stops_forged_lines() {
        let cases = [
            ("plain /path?x=1", "plain /path?x=1"),
            ("a\r\nb", "a\\r\\nb"),
            ("tab\there", "tab\\there"),
            ("back\\slash", "back\\\\slash"),
            ("\x1b[31mred", "\\x1b[31mred"),
            ("nul\0", "nul\\x00"),
            ("del\x7f", "del\\x7f"),
            ("nel\u{85}", "nel\\u{85}"),
            ("ls\u{2028}", "ls\\u{2028}"),
            ("héllo ✓", "héllo ✓"),
        ];
        for (input, want) in cases {
            let got = escape(input);
            assert_eq!(got, want, "{input:?}");
            assert!(!got.contains(['\n', '\r']));
        }
    }
}
