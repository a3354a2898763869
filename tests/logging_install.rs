//! `install()`: the global `log` logger, once per process.

use log::LevelFilter;
use mionex::logging::{LogError, Logger, MemoryHandler, Pattern};

#[test]
fn installed_logger_receives_every_crates_records() {
    let mem = MemoryHandler::with(
        LevelFilter::Trace,
        Pattern::parse("%(levelname)s %(name)s %(message)s").expect("p"),
        100,
    );
    let logger = Logger::new("global");
    logger
        .set_level(LevelFilter::Info)
        .set_target_level("tungstenite", LevelFilter::Warn);
    logger.add_handler(mem.clone());
    logger.install().expect("first install");
    assert_eq!(log::max_level(), LevelFilter::Info);
    log::info!("from the app");
    log::info!(target: "tungstenite::protocol", "filtered");
    log::warn!(target: "tungstenite::protocol", "kept");
    log::debug!("filtered too");
    assert_eq!(
        mem.lines(),
        [
            "INFO logging_install from the app",
            "WARN tungstenite::protocol kept"
        ]
    );
    logger.set_level(LevelFilter::Debug);
    assert_eq!(log::max_level(), LevelFilter::Debug);
    assert!(matches!(
        Logger::new("second").install(),
        Err(LogError::AlreadyInstalled)
    ));
    log::logger().flush();
}
