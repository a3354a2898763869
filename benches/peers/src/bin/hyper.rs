// hyper 1 on a tokio current-thread runtime: one thread does everything.
// hyper adds `Date` and `Content-Length`; `Server` is set per response.
// `pipeline_flush(true)` is hyper's documented knob for pipelined clients
// (it aggregates the responses to one flush), so hyper gets its best shot.
#[path = "../common.rs"]
mod common;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE, SERVER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;

async fn handle(req: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (ct, body, status) = match (req.method(), req.uri().path()) {
        (&hyper::Method::GET, "/plaintext") => ("text/plain", common::PLAIN, StatusCode::OK),
        (&hyper::Method::GET, "/json") => ("application/json", common::JSON, StatusCode::OK),
        _ => ("text/plain", "not found", StatusCode::NOT_FOUND),
    };
    let mut resp = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(SERVER, HeaderValue::from_static("hyper"));
    h.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    Ok(resp)
}

fn main() {
    let addr = common::addr_from_args();
    let rt = tokio::runtime::Builder::new_current_thread().enable_io().build().unwrap();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
        println!("listening on http://{addr}");
        let mut builder = http1::Builder::new();
        builder.pipeline_flush(true);
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(s) => s,
                Err(_) => continue, // e.g. EMFILE: keep serving the others
            };
            let _ = stream.set_nodelay(true);
            let conn = builder.serve_connection(TokioIo::new(stream), service_fn(handle));
            tokio::task::spawn(async move {
                let _ = conn.await;
            });
        }
    });
}
