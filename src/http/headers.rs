//! Header fields, stored in one reused byte buffer.

use std::ops::Range;

/// The header fields of a request, in the order they arrived.
///
/// Names compare case-insensitively. The fields live in one buffer that the
/// worker reuses from request to request, so reading them costs no
/// allocation.
#[derive(Default, Debug, Clone)]
pub struct Headers {
    buf: Vec<u8>,
    fields: Vec<(Range<u32>, Range<u32>)>,
}

impl Headers {
    /// No fields.
    pub fn new() -> Headers {
        Headers::default()
    }

    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.fields.clear();
    }

    fn span(&self, r: &Range<u32>) -> &[u8] {
        &self.buf[r.start as usize..r.end as usize]
    }

    fn push_bytes(&mut self, bytes: &[u8]) -> Range<u32> {
        let start = self.buf.len() as u32;
        self.buf.extend_from_slice(bytes);
        start..self.buf.len() as u32
    }

    /// Appends a field, keeping any others of the same name.
    pub fn append(&mut self, name: &str, value: impl AsRef<[u8]>) {
        self.append_raw(name.as_bytes(), value.as_ref());
    }

    pub(crate) fn append_raw(&mut self, name: &[u8], value: &[u8]) {
        let n = self.push_bytes(name);
        let v = self.push_bytes(value);
        self.fields.push((n, v));
    }

    /// Replaces every field named `name` with one field.
    pub fn insert(&mut self, name: &str, value: impl AsRef<[u8]>) {
        self.remove(name);
        self.append(name, value);
    }

    /// Removes every field named `name`; returns whether one was there.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.fields.len();
        let buf = &self.buf;
        self.fields.retain(|(n, _)| {
            !buf[n.start as usize..n.end as usize].eq_ignore_ascii_case(name.as_bytes())
        });
        before != self.fields.len()
    }

    /// The first value of `name` as raw bytes.
    pub fn get_bytes(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(n, _)| self.span(n).eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| self.span(v))
    }

    /// The first value of `name`, if present and valid UTF-8.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_bytes(name)
            .and_then(|v| std::str::from_utf8(v).ok())
    }

    /// Every value of `name`, in order (values that are not UTF-8 are skipped).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Whether a field named `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get_bytes(name).is_some()
    }

    /// All fields as `(name, value)`, in order; a value that is not UTF-8
    /// is given as `""`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| {
            (
                std::str::from_utf8(self.span(n)).unwrap_or(""),
                std::str::from_utf8(self.span(v)).unwrap_or(""),
            )
        })
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// Whether a comma-separated header value lists `token` (case-insensitive),
/// as in `Connection: keep-alive, Upgrade`.
pub(crate) fn has_token(value: &[u8], token: &str) -> bool {
    value
        .split(|&b| b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_get_insert_remove() {
        let mut h = Headers::new();
        h.append("Host", "a");
        h.append("X-Tag", "1");
        h.append("x-tag", "2");
        assert_eq!(h.get("HOST"), Some("a"));
        assert_eq!(h.get_all("X-TAG").collect::<Vec<_>>(), ["1", "2"]);
        h.insert("x-Tag", "3");
        assert_eq!(h.get_all("x-tag").collect::<Vec<_>>(), ["3"]);
        assert!(h.remove("host"));
        assert!(!h.contains("Host"));
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn tokens() {
        assert!(has_token(b"keep-alive, Upgrade", "upgrade"));
        assert!(!has_token(b"keep-alive", "close"));
    }
}
