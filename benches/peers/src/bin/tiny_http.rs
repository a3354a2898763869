// tiny_http 0.12: the simplest blocking server. It adds `Date` and
// `Server` itself; one handler thread (tiny_http still spawns its own
// thread per connection for reading, which is how it works). Known limit:
// it holds two file descriptors per connection (the socket is cloned for
// reading and writing), and the first accept error (EMFILE) ends its
// accept thread for good, so with 20,000 descriptors it cannot hold 10,000
// connections: the idle test reports it as failed, and this loop then ends.
#[path = "../common.rs"]
mod common;

use tiny_http::{Header, Response, Server};

fn main() {
    let addr = common::addr_from_args();
    let server = Server::http(&addr).expect("bind");
    println!("listening on http://{addr}");
    let plain_ct = Header::from_bytes(&b"Content-Type"[..], &b"text/plain"[..]).unwrap();
    let json_ct = Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..]).unwrap();
    for req in server.incoming_requests() {
        let resp = match (req.method(), req.url()) {
            (tiny_http::Method::Get, "/plaintext") => {
                Response::from_string(common::PLAIN).with_header(plain_ct.clone())
            }
            (tiny_http::Method::Get, "/json") => {
                Response::from_string(common::JSON).with_header(json_ct.clone())
            }
            _ => Response::from_string("not found").with_status_code(404),
        };
        let _ = req.respond(resp);
    }
}
