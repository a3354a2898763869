//! Helpers for the logging tests: temporary directories, shared buffers,
//! reading every line of a rotated log set, a tiny JSON validator.
#![allow(dead_code)]

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mionex-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A `Write` whose bytes tests can read back (a fallback target).
#[derive(Clone, Default)]
pub struct SharedBuf(pub Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("buffer lock")).into_owned()
    }
}

impl Write for SharedBuf {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("buffer lock").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The files of a log set: `base` then `base.1`, `base.2`, ... in order.
pub fn log_files(base: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if base.exists() {
        files.push(base.to_path_buf());
    }
    for n in 1.. {
        let p = PathBuf::from(format!("{}.{n}", base.display()));
        if !p.exists() {
            break;
        }
        files.push(p);
    }
    files
}

/// Every line of every file in the set.
pub fn all_lines(base: &Path) -> Vec<String> {
    log_files(base)
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .expect("read log file")
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Validates one JSON text (RFC 8259); returns an error position.
pub fn check_json(s: &str) -> Result<(), usize> {
    let b = s.as_bytes();
    let mut i = 0;
    value(b, &mut i)?;
    ws(b, &mut i);
    if i == b.len() { Ok(()) } else { Err(i) }
}

fn ws(b: &[u8], i: &mut usize) {
    while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\n' | b'\r') {
        *i += 1;
    }
}

fn value(b: &[u8], i: &mut usize) -> Result<(), usize> {
    ws(b, i);
    match b.get(*i) {
        Some(b'{') => {
            *i += 1;
            ws(b, i);
            if b.get(*i) == Some(&b'}') {
                *i += 1;
                return Ok(());
            }
            loop {
                ws(b, i);
                string(b, i)?;
                ws(b, i);
                if b.get(*i) != Some(&b':') {
                    return Err(*i);
                }
                *i += 1;
                value(b, i)?;
                ws(b, i);
                match b.get(*i) {
                    Some(b',') => *i += 1,
                    Some(b'}') => {
                        *i += 1;
                        return Ok(());
                    }
                    _ => return Err(*i),
                }
            }
        }
        Some(b'[') => {
            *i += 1;
            ws(b, i);
            if b.get(*i) == Some(&b']') {
                *i += 1;
                return Ok(());
            }
            loop {
                value(b, i)?;
                ws(b, i);
                match b.get(*i) {
                    Some(b',') => *i += 1,
                    Some(b']') => {
                        *i += 1;
                        return Ok(());
                    }
                    _ => return Err(*i),
                }
            }
        }
        Some(b'"') => string(b, i),
        Some(b't') => lit(b, i, b"true"),
        Some(b'f') => lit(b, i, b"false"),
        Some(b'n') => lit(b, i, b"null"),
        Some(b'-' | b'0'..=b'9') => number(b, i),
        _ => Err(*i),
    }
}

fn lit(b: &[u8], i: &mut usize, word: &[u8]) -> Result<(), usize> {
    if b[*i..].starts_with(word) {
        *i += word.len();
        Ok(())
    } else {
        Err(*i)
    }
}

fn number(b: &[u8], i: &mut usize) -> Result<(), usize> {
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > s
    };
    if b.get(*i) == Some(&b'-') {
        *i += 1;
    }
    if b.get(*i) == Some(&b'0') {
        *i += 1;
    } else if !digits(i) {
        return Err(*i);
    }
    if b.get(*i) == Some(&b'.') {
        *i += 1;
        if !digits(i) {
            return Err(*i);
        }
    }
    if matches!(b.get(*i), Some(b'e' | b'E')) {
        *i += 1;
        if matches!(b.get(*i), Some(b'+' | b'-')) {
            *i += 1;
        }
        if !digits(i) {
            return Err(*i);
        }
    }
    Ok(())
}

fn string(b: &[u8], i: &mut usize) -> Result<(), usize> {
    if b.get(*i) != Some(&b'"') {
        return Err(*i);
    }
    *i += 1;
    while let Some(&c) = b.get(*i) {
        match c {
            b'"' => {
                *i += 1;
                return Ok(());
            }
            b'\\' => match b.get(*i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => *i += 2,
                Some(b'u')
                    if b.len() >= *i + 6 && b[*i + 2..*i + 6].iter().all(u8::is_ascii_hexdigit) =>
                {
                    *i += 6
                }
                _ => return Err(*i),
            },
            0..=0x1f => return Err(*i),
            _ => *i += 1,
        }
    }
    Err(*i)
}
