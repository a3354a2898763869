// Client for the idle-connection memory test: opens N keep-alive
// connections to 127.0.0.1:PORT (one at a time, so the listen backlog never
// overflows), sends one `GET /plaintext` on each and reads the answer, then
// prints "ready N" and holds every connection idle for HOLD seconds, so the
// runner can read the server's VmRSS. Usage: idle PORT [N=10000] [HOLD=5]
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().expect("usage: idle PORT [N] [HOLD_SECS]").parse().unwrap();
    let n: usize = args.next().map(|s| s.parse().unwrap()).unwrap_or(10_000);
    let hold: u64 = args.next().map(|s| s.parse().unwrap()).unwrap_or(5);
    let req = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    let mut conns = Vec::with_capacity(n);
    let mut failed = 0usize;
    let mut buf = [0u8; 1024];
    for i in 0..n {
        let result = (|| -> std::io::Result<TcpStream> {
            let mut s = TcpStream::connect(("127.0.0.1", port))?;
            s.set_read_timeout(Some(Duration::from_secs(5)))?;
            s.write_all(req)?;
            // Read until the body has arrived (the response is small).
            let mut got = Vec::new();
            while !got.ends_with(b"Hello, World!") {
                let k = s.read(&mut buf)?;
                if k == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                got.extend_from_slice(&buf[..k]);
            }
            Ok(s)
        })();
        match result {
            Ok(s) => conns.push(s),
            Err(e) => {
                failed += 1;
                if failed <= 3 {
                    eprintln!("idle: connection {i}: {e}");
                }
            }
        }
    }
    println!("ready {} failed {}", conns.len(), failed);
    let _ = std::io::stdout().flush();
    std::thread::sleep(Duration::from_secs(hold));
}
