//! Parsing JSON (RFC 8259) into a [`Value`].

use super::Value;
use std::fmt;

/// Nesting deeper than this is refused, so a hostile message cannot
/// overflow the stack.
const MAX_DEPTH: usize = 128;

/// Why a text is not JSON, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset of the problem in the input.
    pub offset: usize,
    /// What the problem is.
    pub kind: JsonErrorKind,
}

/// The kinds of JSON syntax error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The text ended inside a value.
    UnexpectedEnd,
    /// A character that cannot start or continue a value here.
    UnexpectedChar,
    /// A malformed number.
    BadNumber,
    /// A malformed escape or a lone surrogate.
    BadEscape,
    /// A raw control character inside a string.
    ControlChar,
    /// Nesting deeper than 128 levels.
    TooDeep,
    /// Something follows the value.
    TrailingCharacters,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            JsonErrorKind::UnexpectedEnd => "unexpected end of input",
            JsonErrorKind::UnexpectedChar => "unexpected character",
            JsonErrorKind::BadNumber => "malformed number",
            JsonErrorKind::BadEscape => "malformed escape",
            JsonErrorKind::ControlChar => "control character in string",
            JsonErrorKind::TooDeep => "nesting too deep",
            JsonErrorKind::TrailingCharacters => "trailing characters",
        };
        write!(f, "invalid JSON at byte {}: {what}", self.offset)
    }
}

impl std::error::Error for JsonError {}

pub(super) fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err(JsonErrorKind::TrailingCharacters));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, kind: JsonErrorKind) -> JsonError {
        JsonError {
            offset: self.i,
            kind,
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Result<u8, JsonError> {
        self.s
            .get(self.i)
            .copied()
            .ok_or(self.err(JsonErrorKind::UnexpectedEnd))
    }

    fn literal(&mut self, word: &[u8], v: Value) -> Result<Value, JsonError> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else if word.starts_with(&self.s[self.i..]) {
            self.i = self.s.len();
            Err(self.err(JsonErrorKind::UnexpectedEnd))
        } else {
            Err(self.err(JsonErrorKind::UnexpectedChar))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err(JsonErrorKind::TooDeep));
        }
        self.ws();
        match self.peek()? {
            b'n' => self.literal(b"null", Value::Null),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'-' | b'0'..=b'9' => self.number(),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Ok(Value::Array(items));
                        }
                        _ => return Err(self.err(JsonErrorKind::UnexpectedChar)),
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut pairs = Vec::new();
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Ok(Value::Object(pairs));
                }
                loop {
                    self.ws();
                    if self.peek()? != b'"' {
                        return Err(self.err(JsonErrorKind::UnexpectedChar));
                    }
                    let key = self.string()?;
                    self.ws();
                    if self.peek()? != b':' {
                        return Err(self.err(JsonErrorKind::UnexpectedChar));
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    pairs.push((key, v));
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Ok(Value::Object(pairs));
                        }
                        _ => return Err(self.err(JsonErrorKind::UnexpectedChar)),
                    }
                }
            }
            _ => Err(self.err(JsonErrorKind::UnexpectedChar)),
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let from = p.i;
            while let Some(b'0'..=b'9') = p.s.get(p.i) {
                p.i += 1;
            }
            p.i - from
        };
        if self.s[self.i] == b'-' {
            self.i += 1;
        }
        let int_start = self.i;
        let n = digits(self);
        if n == 0 || (n > 1 && self.s[int_start] == b'0') {
            return Err(self.err(JsonErrorKind::BadNumber));
        }
        let mut integral = true;
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            integral = false;
            if digits(self) == 0 {
                return Err(self.err(JsonErrorKind::BadNumber));
            }
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            integral = false;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err(JsonErrorKind::BadNumber));
            }
        }
        // The slice holds only ASCII digits, signs, '.', 'e': valid UTF-8.
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("0");
        if integral && let Ok(n) = text.parse::<i64>() {
            return Ok(Value::Int(n));
        }
        text.parse::<f64>()
            .map(Value::Float)
            .map_err(|_| self.err(JsonErrorKind::BadNumber))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .ok_or(self.err(JsonErrorKind::UnexpectedEnd))?;
        let mut v = 0;
        for &b in h {
            let d = (b as char)
                .to_digit(16)
                .ok_or(self.err(JsonErrorKind::BadEscape))?;
            v = v * 16 + d;
        }
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // The input is a &str and we split only at ASCII bytes.
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).unwrap_or(""));
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.i += 1;
                    let c = self.peek()?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.s[self.i..].starts_with(b"\\u") {
                                    return Err(self.err(JsonErrorKind::BadEscape));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err(JsonErrorKind::BadEscape));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            let ch =
                                char::from_u32(code).ok_or(self.err(JsonErrorKind::BadEscape))?;
                            out.push(ch);
                        }
                        _ => return Err(self.err(JsonErrorKind::BadEscape)),
                    }
                }
                _ => return Err(self.err(JsonErrorKind::ControlChar)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Value;
    use super::JsonErrorKind::*;

    #[test]
    fn parses_values() {
        let v =
            Value::parse(r#" {"a":[1,-2.5e3,true,null],"b":"x\u00e9\ud83d\ude00\n"} "#).unwrap();
        assert_eq!(
            v.get("a").unwrap(),
            &Value::Array(vec![
                Value::Int(1),
                Value::Float(-2500.0),
                Value::Bool(true),
                Value::Null
            ])
        );
        assert_eq!(v.get("b").unwrap().as_str(), Some("xé😀\n"));
    }

    #[test]
    fn rejects_bad_input() {
        let cases = [
            ("", UnexpectedEnd),
            ("{", UnexpectedEnd),
            ("[1,]", UnexpectedChar),
            ("01", BadNumber),
            ("1.", BadNumber),
            ("\"\\x\"", BadEscape),
            ("\"\\ud800\"", BadEscape),
            ("\"a\nb\"", ControlChar),
            ("1 2", TrailingCharacters),
            ("tru", UnexpectedEnd),
            ("nul!", UnexpectedChar),
        ];
        for (text, kind) in cases {
            assert_eq!(Value::parse(text).unwrap_err().kind, kind, "{text:?}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(Value::parse(&deep).unwrap_err().kind, TooDeep);
    }
}
