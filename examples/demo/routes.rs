//! The demo's HTTP routes (demo-contract.md, "Routes").

use mionex::json::Value;
use mionex::{App, Error, HttpError, Request, Response};

pub fn mount(app: &mut App) {
    app.get("/plaintext", |_| Ok(Response::text("Hello, World!")));
    app.get("/json", |_| {
        Ok(Response::json(
            &Value::object().with("message", "Hello, World!"),
        ))
    });
    app.post("/echo", echo);
    app.get("/users/{id}", |req: &Request| {
        let id = req.param("id").unwrap_or_default();
        Ok(Response::json(&Value::object().with("id", id)))
    });
    app.get("/error", |_| {
        // A failure deep inside: a parse error with a cause.
        let n: u32 = "forty-two".parse()?;
        Ok(Response::text(n.to_string()))
    });
    app.get("/http-error/{code}", |req: &Request| {
        let code = req
            .param("code")
            .and_then(|c| c.parse::<u16>().ok())
            .filter(|c| (400..600).contains(c))
            .ok_or_else(|| HttpError::new(400, "code must be a number from 400 to 599"))?;
        Err(HttpError::from_status(code).into())
    });
    app.get("/panic", |_| -> Result<Response, Error> {
        panic!("the /panic route panics on purpose")
    });
    // A custom 404, through the same exception handling as every error:
    // the default JSON shape, plus the path that was not found.
    app.status_handler(404, |req: &Request, _err: &Error| {
        let body = Value::object()
            .with("error", "Not Found")
            .with("id", uuid::Uuid::new_v4().to_string())
            .with("path", req.path());
        Ok(Response::json(&body).with_status(404))
    });
}

fn echo(req: &Request) -> Result<Response, Error> {
    let mut res = Response::bytes(req.body().to_vec());
    if let Some(ct) = req.header("content-type") {
        res = res.with_content_type(ct.to_owned());
    }
    Ok(res)
}
