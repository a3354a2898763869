//! I/O faults: a full disk, an unopenable path, a failing rename, a file
//! deleted or renamed from outside. Never a panic, nothing silently lost.

#[path = "support/logging.rs"]
mod support;

use log::LevelFilter;
use mionex::logging::{Fallback, Handler, LogError, Logger, Pattern, RotatingFileHandler};
use std::fs;
use std::time::Duration;
use support::{SharedBuf, TempDir, all_lines};

fn msg_only() -> Pattern {
    Pattern::parse("%(message)s").expect("pattern")
}

fn logger_with(h: impl Handler + 'static) -> Logger {
    let logger = Logger::new("faults");
    logger.set_level(LevelFilter::Trace).add_handler(h);
    logger
}

#[test]
fn dev_full_degrades_to_the_fallback_and_keeps_every_record() {
    let console = SharedBuf::default();
    let h = RotatingFileHandler::builder("/dev/full")
        .max_bytes(100) // a device never rotates
        .format(msg_only())
        .fallback(Fallback::Writer(Box::new(console.clone())))
        .open()
        .expect("opening /dev/full works; writing fails");
    let logger = logger_with(h);
    for i in 0..20 {
        log::info!(logger: logger, "record {i}");
    }
    log::warn!(logger: logger, "flush now");
    for i in 20..40 {
        log::info!(logger: logger, "record {i}");
    }
    let stats = logger.stats();
    assert!(stats.write_errors >= 1, "{stats:?}");
    let text = console.text();
    assert_eq!(
        text.matches("cannot write /dev/full").count(),
        1,
        "one notice, not one per record:\n{text}"
    );
    for i in 0..40 {
        assert!(
            text.contains(&format!("record {i}\n")),
            "record {i} lost:\n{text}"
        );
    }
    assert!(text.contains("flush now\n"));
    assert_eq!(stats.fallback_records, 41);
    let report = logger.shutdown(Duration::from_secs(1));
    assert_eq!(report.written, 0);
}

#[test]
fn a_path_under_a_regular_file_is_a_clear_open_error() {
    let dir = TempDir::new("fault-notdir");
    let file = dir.join("plain-file");
    fs::write(&file, "x").expect("write");
    let err = RotatingFileHandler::open(file.join("logs/app.log"), 1000, 2)
        .err()
        .expect("must fail");
    assert!(matches!(err, LogError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("plain-file"), "{err}");
}

#[test]
fn a_failing_rename_never_truncates_and_recovers() {
    let dir = TempDir::new("fault-rename");
    let path = dir.join("app.log");
    // `app.log.1` is a non-empty directory: renaming onto it fails, even as root.
    fs::create_dir_all(dir.join("app.log.1/blocker")).expect("mkdir");
    let console = SharedBuf::default();
    let logger = logger_with(
        RotatingFileHandler::builder(&path)
            .max_bytes(100)
            .backup_count(1)
            .format(msg_only())
            .fallback(Fallback::Writer(Box::new(console.clone())))
            .open()
            .expect("open"),
    );
    for i in 0..30 {
        log::info!(logger: logger, "line-{i:04}");
    }
    logger.flush();
    let stats = logger.stats();
    assert!(
        stats.write_errors >= 1 && stats.fallback_records > 0,
        "{stats:?}"
    );
    assert_eq!(
        fs::read_to_string(&path).expect("read").lines().count(),
        9,
        "current file kept whole"
    );
    assert!(
        console.text().contains("cannot rotate"),
        "{}",
        console.text()
    );

    fs::remove_dir_all(dir.join("app.log.1")).expect("unblock");
    logger.reopen().expect("recovers at once");
    logger.flush();
    let expect: String = (0..9).map(|i| format!("line-{i:04}\n")).collect();
    assert_eq!(
        fs::read_to_string(dir.join("app.log.1")).expect("rolled at last"),
        expect
    );
    let current = fs::read_to_string(&path).expect("read");
    assert!(
        current.starts_with("file logging resumed after"),
        "{current}"
    );
    let console = console.text();
    for i in 9..30 {
        let line = format!("line-{i:04}");
        assert_eq!(
            console.lines().filter(|l| *l == line).count(),
            1,
            "{line} on the console once"
        );
    }
    assert!(!console.contains("line-0000"));
}

#[test]
fn log_directory_replaced_by_a_file_then_restored() {
    let dir = TempDir::new("fault-dir");
    let logs = dir.join("logs");
    let path = logs.join("app.log");
    let console = SharedBuf::default();
    let logger = logger_with(
        RotatingFileHandler::builder(&path)
            .format(msg_only())
            .lock(false)
            .fallback(Fallback::Writer(Box::new(console.clone())))
            .open()
            .expect("open"),
    );
    log::warn!(logger: logger, "before");
    fs::remove_dir_all(&logs).expect("rm");
    fs::write(&logs, "now a file").expect("write");
    logger.tick(); // notices the file is gone; reopening fails: ENOTDIR
    log::warn!(logger: logger, "during");
    assert!(logger.stats().write_errors >= 1);
    assert!(console.text().contains("during\n"), "{}", console.text());
    assert!(logger.reopen().is_err(), "still broken");

    fs::remove_file(&logs).expect("rm file");
    logger.reopen().expect("directory recreated, file reopened");
    log::warn!(logger: logger, "after");
    let text = fs::read_to_string(&path).expect("read");
    assert!(
        text.contains("file logging resumed") && text.ends_with("after\n"),
        "{text}"
    );
}

#[test]
fn external_deletion_is_noticed_and_the_file_reopened() {
    let dir = TempDir::new("fault-delete");
    let path = dir.join("app.log");
    let logger = logger_with(
        RotatingFileHandler::builder(&path)
            .format(msg_only())
            .open()
            .expect("open"),
    );
    log::warn!(logger: logger, "one");
    fs::remove_file(&path).expect("delete");
    log::info!(logger: logger, "two"); // buffered: lands in the new file
    logger.tick();
    log::info!(logger: logger, "three");
    logger.shutdown(Duration::from_secs(1));
    assert_eq!(
        fs::read_to_string(&path).expect("recreated"),
        "two\nthree\n"
    );
    assert_eq!(logger.stats().reopens, 1);
}

#[test]
fn external_rename_by_logrotate_is_noticed() {
    let dir = TempDir::new("fault-rename-ext");
    let path = dir.join("app.log");
    let logger = logger_with(
        RotatingFileHandler::builder(&path)
            .format(msg_only())
            .open()
            .expect("open"),
    );
    log::warn!(logger: logger, "old");
    fs::rename(&path, dir.join("app.log-20240101")).expect("rename");
    logger.tick();
    log::warn!(logger: logger, "new");
    assert_eq!(
        fs::read_to_string(dir.join("app.log-20240101")).expect("read"),
        "old\n"
    );
    assert_eq!(fs::read_to_string(&path).expect("read"), "new\n");
    logger.reopen().expect("explicit reopen works too");
    log::warn!(logger: logger, "newer");
    assert_eq!(fs::read_to_string(&path).expect("read"), "new\nnewer\n");
}

#[test]
fn shutdown_flushes_everything_buffered() {
    let dir = TempDir::new("fault-shutdown");
    let path = dir.join("app.log");
    let logger = logger_with(
        RotatingFileHandler::builder(&path)
            .format(msg_only())
            .open()
            .expect("open"),
    );
    for i in 0..1000 {
        log::info!(logger: logger, "buffered {i}");
    }
    let report = logger.shutdown(Duration::from_secs(5));
    assert_eq!(report.written, 1000);
    assert_eq!(all_lines(&path).len(), 1000);
    assert!(
        !dir.join("app.log.lock").exists(),
        "lock released at shutdown"
    );
    log::info!(logger: logger, "late");
    assert!(
        fs::read_to_string(&path).expect("read").ends_with("late\n"),
        "after shutdown: unbuffered"
    );
}
