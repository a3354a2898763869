//! Python `logging.Formatter` patterns: `[%(asctime)s] %(levelname)s in %(module)s: %(message)s`.

use super::{Formatter, file_name, level_number, push_message, push_thread};
use crate::logging::LogError;
use crate::logging::time::push_asctime;
use log::Record;
use std::io::Write as _;
use std::time::SystemTime;

/// The format `create_logger` uses, from the seed:
/// `[%(asctime)s] %(levelname)s in %(module)s: %(message)s`.
pub const SEED_FORMAT: &str = "[%(asctime)s] %(levelname)s in %(module)s: %(message)s";

/// A Python-style `%(field)s` pattern, parsed once into segments.
///
/// | field | value |
/// |---|---|
/// | `asctime` | `2024-01-31 12:00:00,123`, UTC (no time-zone database is read) |
/// | `created` | seconds since the Unix epoch, with milliseconds |
/// | `msecs` | the millisecond part of `asctime` |
/// | `levelname` | `ERROR`, `WARN`, `INFO`, `DEBUG`, `TRACE` (the `log` crate's names) |
/// | `levelno` | 40, 30, 20, 10, 5 (Python's numbers; TRACE is 5) |
/// | `name` | the record's target (`log`'s equivalent of a Python logger name) |
/// | `module` | the full Rust module path (`myapp::db`), else the target |
/// | `filename`, `pathname` | the source file's name, and its path as compiled |
/// | `lineno` | the source line, or 0 |
/// | `thread`, `threadName` | the thread's numeric id, and its name (`Thread-<id>` if unnamed) |
/// | `process` | the process id |
/// | `message` | the formatted message, unescaped (use [`Json`](super::Json) when values may hold newlines) |
///
/// A conversion may carry Python's `-` (left-align) flag and a width:
/// `%(levelname)-5s`. `%%` is a literal `%`. The conversion letter (`s`, `d`,
/// `f`) is required and otherwise ignored. Unknown fields are an error at
/// parse time, not at log time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Field {
        field: Field,
        width: usize,
        left: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Asctime,
    Created,
    Msecs,
    LevelName,
    LevelNo,
    Name,
    Module,
    FileName,
    PathName,
    LineNo,
    Thread,
    ThreadName,
    Process,
    Message,
}

impl Field {
    fn from_name(name: &str) -> Option<Field> {
        Some(match name {
            "asctime" => Field::Asctime,
            "created" => Field::Created,
            "msecs" => Field::Msecs,
            "levelname" => Field::LevelName,
            "levelno" => Field::LevelNo,
            "name" => Field::Name,
            "module" => Field::Module,
            "filename" => Field::FileName,
            "pathname" => Field::PathName,
            "lineno" => Field::LineNo,
            "thread" => Field::Thread,
            "threadName" => Field::ThreadName,
            "process" => Field::Process,
            "message" => Field::Message,
            _ => return None,
        })
    }
}

impl Pattern {
    /// Parses a `%(field)s` pattern.
    ///
    /// ```
    /// use mionex::logging::Pattern;
    /// let p = Pattern::parse("%(levelname)-5s %(name)s: %(message)s")?;
    /// # Ok::<(), mionex::logging::LogError>(())
    /// ```
    pub fn parse(pattern: &str) -> Result<Pattern, LogError> {
        let err = |reason: &str| LogError::Pattern {
            pattern: pattern.to_owned(),
            reason: reason.to_owned(),
        };
        let mut segments = Vec::new();
        let mut lit = String::new();
        let mut rest = pattern;
        while let Some(pos) = rest.find('%') {
            lit.push_str(&rest[..pos]);
            rest = &rest[pos + 1..];
            if let Some(r) = rest.strip_prefix('%') {
                lit.push('%');
                rest = r;
                continue;
            }
            let Some(r) = rest.strip_prefix('(') else {
                return Err(err("`%` must start `%(field)s` or be doubled as `%%`"));
            };
            let close = r.find(')').ok_or_else(|| err("unclosed `%(`"))?;
            let name = &r[..close];
            let field =
                Field::from_name(name).ok_or_else(|| err(&format!("unknown field `{name}`")))?;
            rest = &r[close + 1..];
            let left = rest.starts_with('-');
            if left {
                rest = &rest[1..];
            }
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let width = rest[..digits].parse().unwrap_or(0);
            rest = &rest[digits..];
            let mut chars = rest.chars();
            match chars.next() {
                Some('s' | 'd' | 'f' | 'r') => rest = chars.as_str(),
                _ => return Err(err(&format!("`%({name})` needs a conversion such as `s`"))),
            }
            if !lit.is_empty() {
                segments.push(Segment::Literal(std::mem::take(&mut lit)));
            }
            segments.push(Segment::Field { field, width, left });
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            segments.push(Segment::Literal(lit));
        }
        Ok(Pattern { segments })
    }

    /// The seed's format, [`SEED_FORMAT`].
    pub fn seed() -> Pattern {
        Pattern::parse(SEED_FORMAT).unwrap_or_else(|_| Pattern {
            segments: Vec::new(),
        })
    }

    fn push_field(
        &self,
        field: Field,
        record: &Record<'_>,
        now: &mut Option<SystemTime>,
        out: &mut Vec<u8>,
    ) {
        let mut now = || *now.get_or_insert_with(SystemTime::now);
        match field {
            Field::Asctime => push_asctime(out, now()),
            Field::Created => {
                let (s, ms) = crate::logging::time::unix_parts(now());
                let _ = write!(out, "{s}.{ms:03}");
            }
            Field::Msecs => {
                let (_, ms) = crate::logging::time::unix_parts(now());
                let _ = write!(out, "{ms:03}");
            }
            Field::LevelName => out.extend_from_slice(record.level().as_str().as_bytes()),
            Field::LevelNo => {
                let _ = write!(out, "{}", level_number(record.level()));
            }
            Field::Name => out.extend_from_slice(record.target().as_bytes()),
            Field::Module => {
                let m = record.module_path().unwrap_or(record.target());
                out.extend_from_slice(m.as_bytes());
            }
            Field::FileName => {
                out.extend_from_slice(file_name(record.file().unwrap_or("?")).as_bytes())
            }
            Field::PathName => out.extend_from_slice(record.file().unwrap_or("?").as_bytes()),
            Field::LineNo => {
                let _ = write!(out, "{}", record.line().unwrap_or(0));
            }
            Field::Thread => push_thread(out, false),
            Field::ThreadName => push_thread(out, true),
            Field::Process => {
                let _ = write!(out, "{}", std::process::id());
            }
            Field::Message => push_message(out, record),
        }
    }
}

impl Default for Pattern {
    /// The seed's format.
    fn default() -> Self {
        Pattern::seed()
    }
}

impl std::str::FromStr for Pattern {
    type Err = LogError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pattern::parse(s)
    }
}

impl Formatter for Pattern {
    fn format(&self, record: &Record<'_>, out: &mut Vec<u8>) {
        let mut now = None;
        for seg in &self.segments {
            match seg {
                Segment::Literal(s) => out.extend_from_slice(s.as_bytes()),
                Segment::Field {
                    field, width: 0, ..
                } => self.push_field(*field, record, &mut now, out),
                Segment::Field { field, width, left } => {
                    let start = out.len();
                    self.push_field(*field, record, &mut now, out);
                    let written = std::str::from_utf8(&out[start..])
                        .map_or(out.len() - start, |s| s.chars().count());
                    if written < *width {
                        let pad = std::iter::repeat_n(b' ', width - written);
                        if *left {
                            out.extend(pad);
                        } else {
                            out.splice(start..start, pad);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use log::Level;

    fn render(p: &str, msg: &str) -> String {
        let pat = Pattern::parse(p).expect("pattern parses");
        let mut out = Vec::new();
        pat.format(
            &Record::builder()
                .args(format_args!("{msg}"))
                .level(Level::Warn)
                .target("app")
                .module_path(Some("app::db"))
                .file(Some("src/db.rs"))
                .line(Some(42))
                .build(),
            &mut out,
        );
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn fields_render_like_python() {
        assert_eq!(
            render("%(levelname)s in %(module)s: %(message)s", "hi"),
            "WARN in app::db: hi"
        );
        assert_eq!(
            render("%(name)s %(filename)s:%(lineno)d %(levelno)d", "x"),
            "app db.rs:42 30"
        );
        assert_eq!(render("%(pathname)s", "x"), "src/db.rs");
        assert_eq!(render("[%(levelname)-6s] 100%%", "x"), "[WARN  ] 100%");
        assert_eq!(render("[%(levelname)6s]", "x"), "[  WARN]");
        assert_eq!(render("%(process)d", "x"), std::process::id().to_string());
        let t = render("%(asctime)s", "x");
        assert_eq!(t.len(), 23, "{t}");
        assert_eq!(&t[19..20], ",");
    }

    #[test]
    fn bad_patterns_are_errors() {
        for p in ["%(nope)s", "%(message)", "%(message", "50% off"] {
            assert!(Pattern::parse(p).is_err(), "{p}");
        }
    }
}
