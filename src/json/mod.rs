//! A small JSON value: build it, write it, parse it.
//!
//! mionex answers and logs JSON without serde: a response body, an error
//! body or a WebSocket message is a [`Value`] written compactly, with the
//! escaping RFC 8259 requires.
//!
//! ```
//! use mionex::json::Value;
//!
//! let v = Value::object().with("message", "Hello, World!").with("n", 3);
//! assert_eq!(v.to_string(), r#"{"message":"Hello, World!","n":3}"#);
//! assert_eq!(Value::parse(&v.to_string()).unwrap(), v);
//! ```

mod parse;
mod write;

pub use parse::{JsonError, JsonErrorKind};
pub use write::escape_into;

/// A JSON value. Objects keep their keys in insertion order.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number without fraction or exponent that fits an `i64`.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, as key/value pairs in order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// An empty object, to fill with [`Value::with`].
    pub fn object() -> Value {
        Value::Object(Vec::new())
    }

    /// Adds a key to an object (a no-op on other values) and returns it.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> Value {
        if let Value::Object(pairs) = &mut self {
            pairs.push((key.into(), value.into()));
        }
        self
    }

    /// Parses a JSON text (RFC 8259), rejecting trailing garbage.
    pub fn parse(text: &str) -> Result<Value, JsonError> {
        parse::parse(text)
    }

    /// The value under `key` when this is an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number as `i64` when this is an integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The number as `f64` when this is any number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(n) => Some(*n as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Writes the compact form into `out`.
    pub fn write_to(&self, out: &mut String) {
        write::write_value(out, self);
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::new();
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::Array(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}
macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Value {
                i64::try_from(n).map_or(Value::Float(n as f64), Value::Int)
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);
