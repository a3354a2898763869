//! Installing a logger must not silence another one used directly. Its
//! own test binary: it installs the global logger.

use log::LevelFilter;
use mionex::logging::{Logger, MemoryHandler};

#[test]
fn a_logger_used_directly_keeps_its_level_after_another_is_installed() {
    let side_lines = MemoryHandler::new();
    let side = Logger::new("side");
    side.set_level(LevelFilter::Debug)
        .add_handler(side_lines.clone());
    let app = Logger::new("app");
    app.set_level(LevelFilter::Info)
        .add_handler(MemoryHandler::new());
    app.install().expect("install");
    log::debug!(logger: side, "side debug");
    assert_eq!(side_lines.lines().len(), 1, "{:?}", side_lines.lines());
    // The installed logger still filters its own records at Info.
    log::debug!("app debug");
    assert_eq!(app.stats().records, 0);

    // The audit log takes every level but is called directly: it must not
    // open the global filter to trace (every log! site would pay for it).
    let dir = std::env::temp_dir().join(format!("mionex-levels-{}", std::process::id()));
    let audit = mionex::logging::AuditLogger::open(dir.join("audit.log")).unwrap();
    assert_eq!(log::max_level(), LevelFilter::Debug);
    audit.auth_success("127.0.0.1".parse().unwrap(), "ann");
    assert_eq!(audit.logger().stats().records, 1);
    std::fs::remove_dir_all(&dir).ok();
}
