//! Each hook's runs are logged at the hook's own level (the seed's
//! `log_level="DEBUG"`), and the default error handler logs server errors
//! with their id. Its own test binary: it installs the global logger.

mod support;

use log::{Level, LevelFilter};
use mionex::logging::{Logger, MemoryHandler, Pattern};
use mionex::{App, Error, Hook, Response};
use support::get;

#[test]
fn hooks_log_at_their_level_and_errors_log_their_id() {
    let memory = MemoryHandler::with(
        LevelFilter::Trace,
        Pattern::parse("%(levelname)s %(name)s %(message)s").unwrap(),
        1000,
    );
    let logger = Logger::new("test");
    logger
        .set_level(LevelFilter::Trace)
        .add_handler(memory.clone());
    logger.install().unwrap();

    let mut app = App::new();
    app.workers(1);
    app.before_request(
        Hook::new().log_level(Level::Debug).name("start_timer"),
        |_| Ok(None),
    );
    app.after_request(
        Hook::new().log_level(Level::Info).name("log_timing"),
        |_, _| {},
    );
    app.after_request(Hook::new().silent().name("quiet"), |_, _| {});
    app.get("/t", |_| Ok(Response::text("t")));
    app.get("/err", |_| Err(Error::msg("disk on fire")));
    let server = app.bind("127.0.0.1:0").unwrap();

    assert_eq!(get(server.local_addr(), "/t").text(), "t");
    let lines: Vec<String> = memory
        .take()
        .into_iter()
        .filter(|l| l.contains("mionex::hooks"))
        .collect();
    assert_eq!(
        lines,
        [
            "DEBUG mionex::hooks before_request start_timer: GET /t",
            "INFO mionex::hooks after_request log_timing: GET /t -> 200",
        ]
    );

    let r = get(server.local_addr(), "/err");
    let body = mionex::json::Value::parse(&r.text()).unwrap();
    let id = body.get("id").unwrap().as_str().unwrap().to_owned();
    let errors: Vec<String> = memory
        .take()
        .into_iter()
        .filter(|l| l.starts_with("ERROR"))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let line = &errors[0];
    assert!(line.contains(&id), "{line}");
    assert!(
        line.contains("disk on fire") && line.contains("GET /err [127.0.0.1]"),
        "{line}"
    );
    server.shutdown();
    logger.shutdown(std::time::Duration::from_secs(1));
}
