// actix-web 4 with one worker. actix adds `Date` and `Content-Length`;
// `Server` is inserted per response (cheaper than the DefaultHeaders
// middleware, and what a user would write for two routes).
#[path = "../common.rs"]
mod common;

use actix_web::{web, App, HttpResponse, HttpServer};

async fn plaintext() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Server", "actix"))
        .content_type("text/plain")
        .body(common::PLAIN)
}

async fn json() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Server", "actix"))
        .content_type("application/json")
        .body(common::JSON)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let addr = common::addr_from_args();
    let server = HttpServer::new(|| {
        App::new()
            .route("/plaintext", web::get().to(plaintext))
            .route("/json", web::get().to(json))
    })
    .workers(1)
    .backlog(4096)
    .bind(&addr)?;
    println!("listening on http://{addr}");
    server.run().await
}
