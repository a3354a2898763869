//! The logger: levels per target, create_logger, timed rotation, security
//! logging, health counters.

#[path = "support/logging.rs"]
mod support;

use log::{Level, LevelFilter, Record};
use mionex::logging::{
    AuditLogger, Handler, Logger, MemoryHandler, Pattern, SuspicionTracker,
    TimedRotatingFileHandler, When, create_logger,
};
use std::fs;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use support::{TempDir, check_json};

fn msg_only() -> Pattern {
    Pattern::parse("%(name)s %(message)s").expect("pattern")
}

#[test]
fn per_target_levels_pick_the_longest_prefix() {
    let mem = MemoryHandler::with(LevelFilter::Trace, msg_only(), 100);
    let logger = Logger::new("targets");
    logger.set_level(LevelFilter::Info).add_handler(mem.clone());
    logger
        .set_target_level("noisy", LevelFilter::Warn)
        .set_target_level("noisy::important", LevelFilter::Debug);
    log::info!(logger: logger, target: "noisy", "a");
    log::info!(logger: logger, target: "noisy::sub", "b");
    log::debug!(logger: logger, target: "noisy::important::x", "c");
    log::info!(logger: logger, target: "noisyneighbour", "d");
    log::debug!(logger: logger, target: "app", "e");
    log::warn!(logger: logger, target: "noisy", "f");
    assert_eq!(
        mem.lines(),
        ["noisy::important::x c", "noisyneighbour d", "noisy f"]
    );
    assert_eq!(logger.level_for("noisy::sub"), LevelFilter::Warn);
}

#[test]
fn create_logger_writes_the_seed_format_to_the_file() {
    let dir = TempDir::new("logger-create");
    let path = dir.join("logs/app.log");
    let logger = create_logger(
        "myapp",
        LevelFilter::Debug,
        Some(&path),
        10 * 1024 * 1024,
        5,
    )
    .expect("create");
    assert_eq!(logger.handler_count(), 2);
    log::debug!(logger: logger, "hello from the seed");
    let report = logger.shutdown(Duration::from_secs(2));
    assert_eq!(report.written, 2); // stderr + file
    let text = fs::read_to_string(&path).expect("read");
    assert!(
        text.ends_with("] DEBUG in logging_logger: hello from the seed\n"),
        "{text}"
    );
    assert!(create_logger("x", LevelFilter::Info, None::<&str>, 0, 0).is_ok());
}

#[test]
fn timed_rotation_names_backups_after_their_period_and_keeps_backup_count() {
    let dir = TempDir::new("logger-timed");
    let path = dir.join("app.log");
    let now = Arc::new(AtomicU64::new(1_709_251_200)); // 2024-03-01 00:00:00 UTC
    let clock = Arc::clone(&now);
    let h = TimedRotatingFileHandler::builder(&path, When::Hours)
        .interval(1)
        .backup_count(2)
        .format(Pattern::parse("%(message)s").expect("pattern"))
        .clock(move || UNIX_EPOCH + Duration::from_secs(clock.load(Ordering::Relaxed)))
        .open()
        .expect("open");
    let emit = |m: &str| {
        h.emit(
            &Record::builder()
                .args(format_args!("{m}"))
                .level(Level::Info)
                .target("t")
                .build(),
        )
    };
    for hour in 0..4u64 {
        now.store(1_709_251_200 + hour * 3600 + 10, Ordering::Relaxed);
        emit(&format!("hour {hour}"));
    }
    h.flush();
    let read = |name: &str| fs::read_to_string(dir.join(name)).ok();
    assert_eq!(read("app.log").as_deref(), Some("hour 3\n"));
    assert_eq!(read("app.log.2024-03-01_02").as_deref(), Some("hour 2\n"));
    assert_eq!(read("app.log.2024-03-01_01").as_deref(), Some("hour 1\n"));
    assert_eq!(
        read("app.log.2024-03-01_00"),
        None,
        "pruned: backup_count 2"
    );
    assert_eq!(h.stats().rotations, 3);

    let bad = TimedRotatingFileHandler::builder(dir.join("x.log"), When::Weekday(9)).open();
    assert!(bad.is_err());
}

#[test]
fn audit_log_is_json_with_escaped_client_values() {
    let dir = TempDir::new("logger-audit");
    let path = dir.join("audit.log");
    let audit = AuditLogger::open(&path).expect("open");
    let client: IpAddr = "10.0.0.7".parse().expect("ip");
    audit.auth_success(client, "ann");
    audit.auth_failure(client, "admin\n[fake] INFO ok", "bad password");
    // Flushed per record: on disk before any shutdown.
    let text = fs::read_to_string(&path).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    for l in &lines {
        assert_eq!(check_json(l), Ok(()), "{l}");
    }
    assert!(
        lines[0].contains(
            "\"event\":\"auth\",\"outcome\":\"success\",\"user\":\"ann\",\"client\":\"10.0.0.7\""
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("\"level\":\"WARN\"")
            && lines[1].contains("\"user\":\"admin\\n[fake] INFO ok\""),
        "{}",
        lines[1]
    );
    audit.logger().shutdown(Duration::from_secs(1));
}

#[test]
fn suspicion_tracker_warns_once_per_window_with_bounded_memory() {
    let mem = MemoryHandler::with(LevelFilter::Trace, msg_only(), 100);
    let logger = Logger::new("security");
    logger.add_handler(mem.clone());
    let tracker = SuspicionTracker::new(5, Duration::from_secs(60))
        .max_clients(100)
        .log_to(logger);
    let bad: IpAddr = "192.0.2.1".parse().expect("ip");
    let t0 = Instant::now();
    for i in 0..5 {
        assert!(!tracker.record_at(bad, if i % 2 == 0 { 401 } else { 403 }, t0));
    }
    assert!(!tracker.record_at(bad, 200, t0), "2xx does not count");
    assert!(tracker.record_at(bad, 404, t0), "6th 4xx warns");
    assert!(!tracker.record_at(bad, 401, t0), "once per window");
    assert!(
        !tracker.record_at(bad, 401, t0 + Duration::from_secs(61)),
        "new window starts over"
    );
    let lines = mem.lines();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("mionex::security suspicious activity: client 192.0.2.1 got 6 4xx answers (401: 3, 403: 2)"), "{}", lines[0]);
    for i in 0..10_000u32 {
        tracker.record_at(
            IpAddr::from(i.to_be_bytes()),
            404,
            t0 + Duration::from_millis(u64::from(i)),
        );
    }
    assert!(tracker.tracked_clients() <= 100);
    assert_eq!(tracker.warnings(), 1);
}

#[test]
fn stats_report_records_bytes_rotations_and_pauses() {
    let dir = TempDir::new("logger-stats");
    let logger = Logger::new("stats");
    logger.add_handler(
        mionex::logging::RotatingFileHandler::builder(dir.join("app.log"))
            .max_bytes(1000)
            .backup_count(3)
            .format(Pattern::parse("%(message)s").expect("pattern"))
            .open()
            .expect("open"),
    );
    for i in 0..100 {
        log::info!(logger: logger, "{i:09}"); // 10 bytes
    }
    logger.flush();
    let s = logger.stats();
    assert_eq!(
        (s.records, s.bytes, s.write_errors, s.dropped),
        (100, 1000, 0, 0)
    );
    assert_eq!(s.rotations, 1000 / 990);
    assert!(s.max_rotation_pause > Duration::ZERO);
    let _ = SystemTime::now();
}
