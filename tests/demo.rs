//! The demo server as users and benchmarks drive it (demo-contract.md).

mod support;

use mionex::json::Value;
use support::demo::Demo;
use support::{Client, get};

#[test]
fn routes_answer_as_the_contract_says() {
    let demo = Demo::start("routes", &["--workers", "2"]);
    let a = demo.addr;
    let r = get(a, "/plaintext");
    assert_eq!((r.status, r.text().as_str()), (200, "Hello, World!"));
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    let r = get(a, "/json");
    assert_eq!(r.text(), r#"{"message":"Hello, World!"}"#);
    assert_eq!(get(a, "/users/7").text(), r#"{"id":"7"}"#);
    let mut c = Client::connect(a);
    c.send(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/csv\r\nContent-Length: 3\r\n\r\na,b",
    );
    let r = c.read_reply(false);
    assert_eq!(
        (r.text().as_str(), r.header("content-type")),
        ("a,b", Some("text/csv"))
    );
    let r = get(a, "/nope");
    assert_eq!(r.status, 404);
    assert!(Value::parse(&r.text()).unwrap().get("id").is_some());
    let r = get(a, "/error");
    assert_eq!(r.status, 500);
    assert_eq!(
        Value::parse(&r.text())
            .unwrap()
            .get("error")
            .unwrap()
            .as_str(),
        Some("Internal Server Error")
    );
    let r = get(a, "/http-error/503");
    assert_eq!(r.status, 503);
    assert_eq!(
        Value::parse(&r.text())
            .unwrap()
            .get("error")
            .unwrap()
            .as_str(),
        Some("Service Unavailable")
    );
    assert_eq!(get(a, "/panic").status, 500);
    assert_eq!(get(a, "/plaintext").status, 200);
}

#[test]
fn body_over_one_mib_is_413() {
    let demo = Demo::start("limits", &[]);
    let mut c = Client::connect(demo.addr);
    c.send(format!(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n",
        1024 * 1024 + 1
    ));
    assert_eq!(c.read_reply(false).status, 413);
}

#[test]
fn sigterm_and_sigint_exit_zero() {
    for sig in ["-TERM", "-INT"] {
        let demo = Demo::start("signals", &[]);
        assert_eq!(get(demo.addr, "/plaintext").status, 200);
        demo.signal(sig);
        assert_eq!(demo.wait(), Some(0), "{sig}");
    }
}

#[test]
fn bad_flags_exit_2_with_usage() {
    let out = std::process::Command::new(support::demo::demo_exe())
        .args(["--workers", "zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: demo"));
}
