//! The seed's "Security Logging": authentication attempts in an audit
//! trail of their own (`audit.log`, JSON lines), and a warning when one
//! client collects too many 4xx answers.

use mionex::logging::{AuditLogger, LogError, SuspicionTracker};
use mionex::{App, Error, Hook, HttpError, Request, Response};
use std::path::Path;
use std::sync::Arc;

/// The demo's one account: `POST /login` with `user=demo&password=demo`.
const USER: &str = "demo";
const PASSWORD: &str = "demo";

pub fn mount(app: &mut App, log_dir: &Path) -> Result<AuditLogger, LogError> {
    let audit = AuditLogger::open(log_dir.join("audit.log"))?;
    let a = audit.clone();
    app.post("/login", move |req: &Request| login(&a, req));

    // Twenty client errors within a minute from one address: a warning in
    // app.log (target mionex::security). The tracker locks only on 4xx.
    let tracker = Arc::new(SuspicionTracker::default());
    app.after_request(Hook::new().silent().name("suspicion"), move |req, res| {
        tracker.record(req.peer_addr().ip(), res.status());
    });
    Ok(audit)
}

fn login(audit: &AuditLogger, req: &Request) -> Result<Response, Error> {
    let form = req
        .body_str()
        .map_err(|_| HttpError::new(400, "the form is not UTF-8"))?;
    let field = |name: &str| {
        form.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    };
    let (Some(user), Some(password)) = (field("user"), field("password")) else {
        return Err(HttpError::new(400, "send user=...&password=...").into());
    };
    let client = req.peer_addr().ip();
    if user == USER && password == PASSWORD {
        audit.auth_success(client, user);
        Ok(Response::text("welcome"))
    } else {
        audit.auth_failure(client, user, "bad user or password");
        Err(HttpError::new(401, "bad user or password").into())
    }
}
