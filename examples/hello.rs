//! The smallest mionex server: `cargo run --example hello`, then
//! `curl http://127.0.0.1:8000/`.

use mionex::{App, Response};

fn main() {
    let mut app = App::new();
    app.get("/", |_| Ok(Response::text("Hello, World!")));
    if let Err(e) = app.run("127.0.0.1:8000") {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
