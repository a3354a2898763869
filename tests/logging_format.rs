//! Formats as written to real files: JSON lines that all parse, the seed's
//! pattern, client values that try to forge lines.

#[path = "support/logging.rs"]
mod support;

use mionex::logging::redact::{escape, redact_query};
use mionex::logging::{Json, Logger, Pattern, RotatingFileHandler};
use std::time::Duration;
use support::{TempDir, all_lines, check_json};

#[test]
fn every_json_line_parses_whatever_the_message_holds() {
    let dir = TempDir::new("fmt-json");
    let path = dir.join("app.jsonl");
    let logger = Logger::new("json");
    logger.add_handler(
        RotatingFileHandler::builder(&path)
            .max_bytes(2000)
            .backup_count(1000)
            .format(Json)
            .open()
            .expect("open"),
    );
    let nasty = [
        "plain",
        "quote \" backslash \\ slash /",
        "newline\nreturn\rtab\t",
        "\u{0}\u{1}\u{1f}\u{7f}\u{85}\u{2028}",
        "unicode é ✓ 😀",
        "{\"looks\":\"like json\"}",
        "",
    ];
    for (i, m) in nasty.iter().enumerate() {
        log::info!(logger: logger, user = *m, n = i, ratio = 0.5, ok = true, neg = -3i64, big = u64::MAX; "msg {m}");
        log::warn!(logger: logger, target: "weird\"target\n", "{m}");
        log::error!(logger: logger, nan = f64::NAN, message = "collides"; "static");
    }
    logger.shutdown(Duration::from_secs(2));
    let lines = all_lines(&path);
    assert_eq!(lines.len(), nasty.len() * 3);
    for l in &lines {
        assert_eq!(check_json(l), Ok(()), "not JSON: {l}");
        assert!(
            l.starts_with("{\"ts\":\"") && l.contains("\"level\":\""),
            "{l}"
        );
    }
    assert!(lines.iter().any(|l| {
        l.contains("\"n\":3,\"ratio\":0.5,\"ok\":true,\"neg\":-3,\"big\":18446744073709551615")
    }));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"kv_message\":\"collides\""))
    );
    // Cross-check with Python's parser when it is installed.
    if let Ok(out) = std::process::Command::new("python3")
        .args([
            "-c",
            "import json,sys\nn=0\nfor l in open(sys.argv[1]):\n  json.loads(l); n+=1\nprint(n)",
        ])
        .arg(&path)
        .output()
        && out.status.success()
    {
        let n: usize = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        assert_eq!(
            n,
            std::fs::read_to_string(&path)
                .expect("read")
                .lines()
                .count()
        );
    }
}

#[test]
fn seed_pattern_in_a_file() {
    let dir = TempDir::new("fmt-seed");
    let path = dir.join("app.log");
    let logger = Logger::new("seed");
    logger.add_handler(RotatingFileHandler::open(&path, 1 << 20, 2).expect("open"));
    log::info!(logger: logger, "Request: GET /path [127.0.0.1]");
    logger.shutdown(Duration::from_secs(1));
    let text = std::fs::read_to_string(&path).expect("read");
    // [2024-01-31 12:00:00,123] INFO in logging_format: Request: ...
    assert_eq!(&text[..1], "[");
    assert_eq!(
        &text[24..],
        "] INFO in logging_format: Request: GET /path [127.0.0.1]\n",
        "{text}"
    );
    let custom =
        Pattern::parse("%(levelname)s|%(name)s|%(filename)s|%(lineno)d|%(threadName)s|%(message)s")
            .expect("parse");
    let mem = mionex::logging::MemoryHandler::with(log::LevelFilter::Trace, custom, 10);
    let logger = Logger::new("custom");
    logger.add_handler(mem.clone());
    std::thread::Builder::new()
        .name("worker-7".into())
        .spawn(move || log::warn!(logger: logger, target: "app::db", "x"))
        .expect("spawn")
        .join()
        .expect("join");
    let line = &mem.lines()[0];
    assert!(
        line.starts_with("WARN|app::db|logging_format.rs|") && line.ends_with("|worker-7|x"),
        "{line}"
    );
}

#[test]
fn client_values_cannot_forge_lines_or_leak_secrets() {
    let mem = mionex::logging::MemoryHandler::new();
    let logger = Logger::new("access");
    logger.add_handler(mem.clone());
    let path = "/login\r\n[2024-01-01 00:00:00,000] INFO in app: admin logged in";
    let query = "user=ann&password=hunter2&next=%2F";
    log::info!(logger: logger, "Request: GET {}?{} [10.0.0.1]", escape(path), redact_query(query, &["password"]));
    let lines = mem.lines();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("/login\\r\\n[2024"), "{}", lines[0]);
    assert!(lines[0].contains("password=[REDACTED]") && !lines[0].contains("hunter2"));
}
