//! The demo's logs as a user reads them: `app.log` in the seed's format,
//! the access log's two lines per request, error ids that match the
//! responses, nothing lost under concurrent load with rotation, and clear
//! failures at startup.

mod support;

use mionex::json::Value;
use std::collections::HashMap;
use std::process::Command;
use support::demo::{Demo, demo_exe, temp_dir};
use support::{Client, get};

/// `[2026-12-01 21:32:55,320] INFO in mionex::access_log: ...`: the seed's
/// `[%(asctime)s] %(levelname)s in %(module)s: %(message)s`.
fn seed_format(line: &str) -> Option<(&str, &str, &str)> {
    let rest = line.strip_prefix('[')?;
    let (time, rest) = rest.split_once("] ")?;
    let b = time.as_bytes();
    let shape = b.len() == 23
        && b[4] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[19] == b','
        && time.bytes().filter(u8::is_ascii_digit).count() == 17;
    if !shape {
        return None;
    }
    let (level, rest) = rest.split_once(" in ")?;
    let (module, message) = rest.split_once(": ")?;
    ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"]
        .contains(&level)
        .then_some((level, module, message))
}

fn id_of(r: &support::Reply) -> String {
    let v = Value::parse(&r.text()).expect("JSON");
    v.get("id").unwrap().as_str().unwrap().to_owned()
}

fn stop(demo: Demo) -> Demo {
    demo.signal("-TERM");
    let mut demo = demo;
    let status = demo.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    demo
}

#[test]
fn app_log_has_the_seed_format_access_lines_and_error_ids() {
    let demo = Demo::start("logs-format", &["--workers", "2", "--log-level", "debug"]);
    let a = demo.addr;
    let mut c = Client::connect(a);
    c.send("GET /plaintext?token=x HTTP/1.1\r\nHost: t\r\nX-Request-Id: trace-me-1\r\n\r\n");
    let plain = c.read_reply(false);
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("x-request-id"), Some("trace-me-1"));
    let err = get(a, "/error");
    let err_id = id_of(&err);
    let panic = get(a, "/panic");
    assert_eq!(panic.status, 500);
    let panic_id = id_of(&panic);
    let panic_rid = panic
        .header("x-request-id")
        .expect("a request id on a panic's 500")
        .to_owned();
    let missing = get(a, "/no/such/page");
    assert_eq!(missing.status, 404);
    assert_eq!(
        Value::parse(&missing.text())
            .unwrap()
            .get("path")
            .unwrap()
            .as_str(),
        Some("/no/such/page")
    );
    // A client trying to forge a log line through the path.
    let mut c = Client::connect(a);
    c.send("GET /x%0D%0A%5B2026-01-01%2000:00:00,000%5D%20ERROR%20in%20fake:%20forged HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(c.read_reply(false).status, 404);
    let demo = stop(demo);

    let lines = demo.all_log_lines();
    // Backtrace lines continue the panic's record; every record starts in
    // the seed's format.
    let records: Vec<&String> = lines.iter().filter(|l| l.starts_with('[')).collect();
    for l in &records {
        assert!(seed_format(l).is_some(), "not the seed's format: {l}");
    }
    let find = |needle: &str| -> Vec<&String> {
        records
            .iter()
            .copied()
            .filter(|l| l.contains(needle))
            .collect()
    };
    let requests = find("INFO in mionex::access_log: Request: ");
    let responses = find("INFO in mionex::access_log: Response: ");
    assert_eq!((requests.len(), responses.len()), (5, 5), "{lines:#?}");
    assert!(requests[0].contains("Request: GET /plaintext [127.0.0.1] request_id=trace-me-1"));
    assert!(responses[0].contains("Response: 200 - 0.00s request_id=trace-me-1"));
    assert!(
        !records.iter().any(|l| l.contains("token=x")),
        "the query is not logged"
    );

    let err_lines = find(&err_id);
    assert_eq!(err_lines.len(), 1);
    let (level, module, message) = seed_format(err_lines[0]).unwrap();
    assert_eq!((level, module), ("ERROR", "mionex::exceptions"));
    assert!(message.contains("invalid digit") && message.contains("GET /error [127.0.0.1]"));

    let panic_line = find(&panic_id);
    assert_eq!(panic_line.len(), 1);
    assert!(panic_line[0].contains("the /panic route panics on purpose"));
    assert!(lines.iter().any(|l| l.contains("Backtrace:")));
    // The panic's Response line carries the same request id.
    let panic_response = find(&format!("request_id={panic_rid}"));
    assert!(panic_response.last().unwrap().contains("Response: 500 - "));

    // The timing hooks at debug, with the mean of the last requests.
    let timings = find("in demo::timing: Request completed in ");
    assert_eq!(timings.len(), 5);
    assert!(timings.iter().all(|l| l.contains("s [avg=")));

    // The forged line stayed inside its records, escaped.
    assert!(!lines.iter().any(|l| l.starts_with("[2026-01-01")));
    assert!(!find("\\r\\n[2026-01-01 00:00:00,000] ERROR in fake: forged").is_empty());

    // The console shows the seed's format too (the access log is file only).
    let console = demo.console();
    assert!(
        console
            .lines()
            .any(|l| seed_format(l)
                .is_some_and(|(lv, m, _)| lv == "ERROR" && m == "mionex::exceptions")),
        "{console}"
    );
    assert!(!console.contains("Response: "));
}

#[test]
fn every_answered_request_has_exactly_one_response_line_across_rotations() {
    // Small files, so that the load rotates app.log many times.
    let demo = Demo::start(
        "logs-load",
        &[
            "--workers",
            "2",
            "--max-bytes",
            "65536",
            "--backup-count",
            "200",
        ],
    );
    let addr = demo.addr;
    const THREADS: usize = 8;
    const PER_THREAD: usize = 500;
    let clients: Vec<_> = (0..THREADS)
        .map(|t| {
            std::thread::spawn(move || {
                let mut c = Client::connect(addr);
                let mut ids = Vec::with_capacity(PER_THREAD);
                for i in 0..PER_THREAD {
                    let id = format!("load-{t}-{i}");
                    c.send(format!(
                        "GET /plaintext HTTP/1.1\r\nHost: t\r\nX-Request-Id: {id}\r\n\r\n"
                    ));
                    assert_eq!(c.read_reply(false).status, 200);
                    ids.push(id);
                }
                ids
            })
        })
        .collect();
    let ids: Vec<String> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    let demo = stop(demo);

    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    for l in demo.all_log_lines() {
        let Some((_, "mionex::access_log", msg)) = seed_format(&l) else {
            continue;
        };
        let id = msg.rsplit_once("request_id=").expect("an id").1.to_owned();
        let e = seen.entry(id).or_default();
        if msg.starts_with("Request: GET /plaintext") {
            e.0 += 1;
        } else if msg.starts_with("Response: 200 - ") {
            e.1 += 1;
        } else {
            panic!("unexpected access line: {l}");
        }
    }
    for id in &ids {
        assert_eq!(seen.get(id), Some(&(1, 1)), "request {id}");
    }
    assert_eq!(seen.len(), ids.len());
    let files = std::fs::read_dir(&demo.log_dir).unwrap().count();
    assert!(files > 5, "expected rotation, found {files} files");
    for e in std::fs::read_dir(&demo.log_dir).unwrap().flatten() {
        let len = e.metadata().unwrap().len();
        assert!(len <= 65536, "{:?} is {len} bytes", e.path());
    }
}

#[test]
fn log_level_and_access_log_flags_are_honoured() {
    let demo = Demo::start(
        "logs-quiet",
        &["--access-log", "off", "--log-level", "warn"],
    );
    assert_eq!(get(demo.addr, "/plaintext").status, 200);
    assert_eq!(get(demo.addr, "/error").status, 500);
    let demo = stop(demo);
    let lines = demo.all_log_lines();
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("Request: ") || l.contains("Response: "))
    );
    assert!(
        !lines.iter().any(|l| l.contains("] INFO in ")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("] ERROR in mionex::exceptions"))
    );
}

#[test]
fn startup_failures_exit_1_with_a_clear_message() {
    // A log directory that cannot exist: its parent is a regular file.
    let dir = temp_dir("logs-bad-dir");
    let file = dir.join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let out = Command::new(demo_exe())
        .args(["--addr", "127.0.0.1:0", "--log-dir"])
        .arg(file.join("logs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("demo: cannot set up logging in"), "{err}");

    // An address already in use.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let out = Command::new(demo_exe())
        .args([
            "--addr",
            &taken.local_addr().unwrap().to_string(),
            "--log-dir",
        ])
        .arg(dir.join("logs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("demo: cannot listen"), "{err}");

    let out = Command::new(demo_exe()).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("usage: demo"));
}

#[test]
fn login_attempts_are_audited_and_too_many_4xx_warn() {
    let demo = Demo::start("logs-audit", &[]);
    let post = |body: &str| {
        let mut c = Client::connect(demo.addr);
        c.send(format!(
            "POST /login HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ));
        c.read_reply(false).status
    };
    assert_eq!(post("user=demo&password=demo"), 200);
    for _ in 0..21 {
        assert_eq!(post("user=eve%0A&password=guess"), 401);
    }
    let demo = stop(demo);
    let audit = std::fs::read_to_string(demo.log_dir.join("audit.log")).unwrap();
    let lines: Vec<Value> = audit
        .lines()
        .map(|l| Value::parse(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 22);
    let outcome = |v: &Value| v.get("outcome").unwrap().as_str().unwrap().to_owned();
    assert_eq!(outcome(&lines[0]), "success");
    assert!(lines[1..].iter().all(|v| outcome(v) == "failure"));
    assert_eq!(lines[1].get("user").unwrap().as_str(), Some("eve%0A"));
    let warnings: Vec<String> = demo
        .all_log_lines()
        .into_iter()
        .filter(|l| {
            l.contains("WARN") && l.contains("suspicious activity: client 127.0.0.1 got 21 4xx")
        })
        .collect();
    assert_eq!(warnings.len(), 1, "one warning per client and window");
}

#[test]
fn the_periodic_summary_reports_each_period() {
    let demo = Demo::start("logs-summary", &["--summary-every", "1"]);
    for _ in 0..7 {
        assert_eq!(get(demo.addr, "/plaintext").status, 200);
    }
    std::thread::sleep(std::time::Duration::from_millis(2300));
    let demo = stop(demo);
    let lines: Vec<String> = demo
        .all_log_lines()
        .into_iter()
        .filter(|l| l.contains("INFO in demo::summary: Last 1s: "))
        .collect();
    assert!(lines.len() >= 2, "{lines:#?}");
    // The seven requests are counted once, in one period or split over two.
    let total: u64 = lines
        .iter()
        .map(|l| {
            l.split("Last 1s: ")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .parse::<u64>()
                .unwrap()
        })
        .sum();
    assert_eq!(total, 7, "{lines:#?}");
}
