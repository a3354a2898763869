// may_minihttp 0.1 on one may worker. It writes `Server: M`, `Date` and
// `Content-Length` itself. Known shortcuts (BENCHMARKING.md): ignores
// `Connection: close` and HTTP/1.0, rejects more than 16 headers.
#[path = "../common.rs"]
mod common;

use may_minihttp::{HttpServer, HttpService, Request, Response};
use std::io;

#[derive(Clone)]
struct Hello;

impl HttpService for Hello {
    fn call(&mut self, req: Request, rsp: &mut Response) -> io::Result<()> {
        match req.path() {
            "/plaintext" => {
                rsp.header("Content-Type: text/plain").body(common::PLAIN);
            }
            "/json" => {
                rsp.header("Content-Type: application/json").body(common::JSON);
            }
            _ => {
                rsp.status_code(404, "Not Found").body("not found");
            }
        }
        Ok(())
    }
}

fn main() {
    may::config().set_workers(1);
    let addr = common::addr_from_args();
    let server = HttpServer(Hello).start(&addr).expect("bind");
    println!("listening on http://{addr}");
    server.wait();
}
