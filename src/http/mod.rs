//! HTTP/1.1 as bytes: requests, responses, parsing and writing. Nothing in
//! here touches a socket, so all of it is testable with byte slices.

pub(crate) mod chunked;
pub mod date;
pub(crate) mod headers;
mod method;
pub(crate) mod parse;
pub mod percent;
mod request;
mod response;
mod status;
pub(crate) mod write;

pub use headers::Headers;
pub(crate) use headers::has_token;
pub use method::Method;
pub use request::{Request, RequestBuilder};
pub use response::{Body, Response};
pub use status::reason_phrase;
