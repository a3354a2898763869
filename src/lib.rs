//! mionex: a synchronous web framework on a hand-written `mio` event loop.
#![deny(missing_docs)]

pub mod logging;
