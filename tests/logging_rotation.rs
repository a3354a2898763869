//! Size rotation: Python's naming, limits and retention, and every line
//! exactly once when many threads write through rotations.

#[path = "support/logging.rs"]
mod support;

use log::{Level, LevelFilter, Record};
use mionex::logging::{
    Handler, LogError, Logger, Overflow, Pattern, RotatingFileHandler, handler_fn,
};
use std::collections::HashSet;
use std::fs;
use std::sync::Arc;
use std::time::Duration;
use support::{TempDir, all_lines, log_files};

fn msg_only() -> Pattern {
    Pattern::parse("%(message)s").expect("pattern")
}

fn emit(h: &dyn Handler, text: &str) {
    h.emit(
        &Record::builder()
            .args(format_args!("{text}"))
            .level(Level::Info)
            .target("t")
            .build(),
    );
}

#[test]
fn rolls_before_the_write_that_would_reach_max_bytes() {
    let dir = TempDir::new("roll-naming");
    let path = dir.join("app.log");
    let h = RotatingFileHandler::builder(&path)
        .max_bytes(100)
        .backup_count(3)
        .format(msg_only())
        .open()
        .expect("open");
    for i in 1..=50 {
        emit(&h, &format!("line-{i:04}")); // 10 bytes with the newline
    }
    h.flush();
    let read = |p: &str| fs::read_to_string(dir.join(p)).expect("read");
    let lines = |a: u32, b: u32| {
        (a..=b)
            .map(|i| format!("line-{i:04}\n"))
            .collect::<String>()
    };
    // 90 + 10 >= 100: nine lines per file, like Python.
    assert_eq!(read("app.log"), lines(46, 50));
    assert_eq!(read("app.log.1"), lines(37, 45));
    assert_eq!(read("app.log.2"), lines(28, 36));
    assert_eq!(read("app.log.3"), lines(19, 27));
    assert!(!dir.join("app.log.4").exists());
    assert_eq!(h.stats().rotations, 5);
}

#[test]
fn a_record_bigger_than_max_bytes_gets_a_file_of_its_own() {
    let dir = TempDir::new("roll-big");
    let path = dir.join("app.log");
    let h = RotatingFileHandler::builder(&path)
        .max_bytes(50)
        .backup_count(5)
        .format(msg_only())
        .open()
        .expect("open");
    emit(&h, "small");
    emit(&h, &"x".repeat(200));
    emit(&h, "after");
    h.flush();
    assert_eq!(
        fs::read_to_string(dir.join("app.log.2")).expect("read"),
        "small\n"
    );
    assert_eq!(
        fs::read_to_string(dir.join("app.log.1"))
            .expect("read")
            .len(),
        201
    );
    assert_eq!(fs::read_to_string(&path).expect("read"), "after\n");
}

#[test]
fn zero_backups_or_zero_max_bytes_never_roll() {
    for (max, backups) in [(100, 0), (0, 3)] {
        let dir = TempDir::new("roll-never");
        let path = dir.join("app.log");
        let h = RotatingFileHandler::open(&path, max, backups).expect("open");
        for i in 0..100 {
            emit(&h, &format!("line {i}"));
        }
        h.flush();
        assert_eq!(log_files(&path).len(), 1);
        assert_eq!(all_lines(&path).len(), 100);
        assert_eq!(h.stats().rotations, 0);
    }
}

#[test]
fn missing_directories_are_created_and_retention_applies_at_open() {
    let dir = TempDir::new("roll-retention");
    let logs = dir.join("a/b/logs");
    fs::create_dir_all(&logs).expect("mkdir");
    for name in [
        "app.log.2",
        "app.log.7",
        "app.log.12",
        "app.log.bak",
        "app.log.01",
        "other.log.9",
    ] {
        fs::write(logs.join(name), "old\n").expect("write");
    }
    let h = RotatingFileHandler::open(logs.join("app.log"), 1000, 3).expect("open");
    for kept in ["app.log.2", "app.log.bak", "app.log.01", "other.log.9"] {
        assert!(logs.join(kept).exists(), "{kept} must be kept");
    }
    for gone in ["app.log.7", "app.log.12"] {
        assert!(!logs.join(gone).exists(), "{gone} must be deleted");
    }
    drop(h);
    let fresh = dir.join("new/deeper/app.log");
    let h = RotatingFileHandler::open(&fresh, 1000, 3).expect("creates directories");
    emit(&h, "hello");
    h.flush();
    let text = fs::read_to_string(&fresh).expect("read");
    assert!(
        text.starts_with('[') && text.ends_with(": hello\n"),
        "{text}"
    );
}

#[test]
fn a_second_opener_of_the_same_file_gets_a_clear_error() {
    let dir = TempDir::new("roll-lock");
    let path = dir.join("app.log");
    let first = RotatingFileHandler::open(&path, 1000, 1).expect("open");
    match RotatingFileHandler::open(&path, 1000, 1) {
        Err(e @ LogError::Locked { pid, .. }) => {
            assert_eq!(pid, std::process::id());
            assert!(e.to_string().contains("already in use"), "{e}");
        }
        other => panic!("expected Locked, got {:?}", other.err()),
    }
    drop(first);
    assert!(!dir.join("app.log.lock").exists());
    // A lock left by a dead process is taken over.
    fs::write(dir.join("app.log.lock"), "999999999\n").expect("write");
    let again = RotatingFileHandler::open(&path, 1000, 1).expect("stale lock taken over");
    assert_eq!(
        fs::read_to_string(dir.join("app.log.lock"))
            .expect("read")
            .trim(),
        std::process::id().to_string()
    );
    drop(again);
}

/// 8 threads, small files, rotation all the time: every line exactly once,
/// no file at or over the limit.
fn every_line_once(writer: Option<Overflow>) {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 5_000;
    const MAX: u64 = 4096;
    let dir = TempDir::new("roll-integrity");
    let path = dir.join("app.log");
    let mut b = RotatingFileHandler::builder(&path)
        .max_bytes(MAX)
        .backup_count(10_000)
        .format(msg_only());
    if let Some(o) = writer {
        b = b.writer_thread(256, o);
    }
    let logger = Logger::new("integrity");
    logger.add_handler(b.open().expect("open"));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let logger = logger.clone();
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    log::info!(logger: logger, "t={t} seq={i:06} payload-abcdefghijklmnopqrstuvwxyz");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("writer thread");
    }
    let report = logger.shutdown(Duration::from_secs(30));
    assert_eq!(report.written, (THREADS * PER_THREAD) as u64);
    assert_eq!(
        (report.dropped, report.abandoned, report.write_errors),
        (0, 0, 0)
    );
    let lines = all_lines(&path);
    assert_eq!(lines.len(), THREADS * PER_THREAD);
    let unique: HashSet<&String> = lines.iter().collect();
    assert_eq!(unique.len(), lines.len(), "duplicates");
    for t in 0..THREADS {
        for i in (0..PER_THREAD).step_by(997) {
            assert!(unique.contains(&format!(
                "t={t} seq={i:06} payload-abcdefghijklmnopqrstuvwxyz"
            )));
        }
    }
    for f in log_files(&path) {
        let len = fs::metadata(&f).expect("stat").len();
        assert!(len < MAX, "{} is {len} bytes", f.display());
    }
    assert!(logger.stats().rotations > 50);
}

#[test]
fn eight_threads_every_line_exactly_once() {
    every_line_once(None);
}

#[test]
fn eight_threads_through_the_writer_thread_every_line_exactly_once() {
    every_line_once(Some(Overflow::Block));
}

#[test]
fn dropped_records_are_announced_and_counted() {
    let dir = TempDir::new("roll-drop");
    let path = dir.join("app.log");
    let logger = Logger::new("drop");
    logger.add_handler(
        RotatingFileHandler::builder(&path)
            .max_bytes(0)
            .format(msg_only())
            .writer_thread(1, Overflow::Drop)
            .open()
            .expect("open"),
    );
    const TOTAL: u64 = 4 * 20_000;
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let logger = logger.clone();
            std::thread::spawn(move || {
                for i in 0..20_000 {
                    log::info!(logger: logger, "t={t} i={i}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    let report = logger.shutdown(Duration::from_secs(30));
    let lines = all_lines(&path);
    let mut announced = 0;
    let mut written = 0;
    for l in &lines {
        if let Some(n) =
            l.strip_suffix(" log records dropped: the writer queue of app.log was full")
        {
            announced += n.parse::<u64>().expect("count");
        } else {
            written += 1;
        }
    }
    // Whatever the timing: every record is either in the file or announced.
    assert_eq!(
        written + announced,
        TOTAL,
        "written {written}, announced {announced}"
    );
    assert_eq!(report.dropped, announced);
    assert_eq!(logger.stats().dropped, announced);
}

#[test]
fn handlers_have_their_own_levels() {
    let dir = TempDir::new("roll-levels");
    let path = dir.join("app.log");
    let logger = Logger::new("levels");
    logger.set_level(LevelFilter::Trace);
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let s = Arc::clone(&seen);
    logger.add_handler(
        RotatingFileHandler::builder(&path)
            .level(LevelFilter::Warn)
            .format(msg_only())
            .open()
            .expect("open"),
    );
    logger.add_handler(handler_fn(LevelFilter::Trace, move |_| {
        s.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }));
    log::debug!(logger: logger, "debug");
    log::warn!(logger: logger, "warn");
    logger.flush();
    assert_eq!(fs::read_to_string(&path).expect("read"), "warn\n");
    assert_eq!(seen.load(std::sync::atomic::Ordering::Relaxed), 2);
}
