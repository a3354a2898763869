// WebSocket load client for benches/ws.sh: one thread, one mio poll loop
// over every socket, raw RFC 6455 frames (client frames masked, as the RFC
// requires). Handshakes are blocking and sequential (not measured).
//
//   wsload echo --port P [--conns 64] [--size 32] [--duration 8] [--warmup 1]
//               [--pid SERVER_PID] [--path /ws/echo]
//     Closed loop: each connection sends one SIZE-byte text message, waits
//     for its echo (checked byte for byte), sends the next. Over the window
//     (after the warm-up): round trips/s, p50/p99 latency in µs, server CPU
//     µs per round trip (utime+stime from /proc/PID/stat before and after
//     the window) and the client's own CPU %.
//
//   wsload idle --port P [--n 10000] [--pid SERVER_PID] [--settle 1] [--path /ws/echo]
//     Opens N WebSocket connections one after another, does one echo on
//     each, waits SETTLE seconds, then reads the server's VmRSS and VmHWM:
//     KiB per idle socket = (VmRSS after − VmRSS before) ÷ sockets open.
//
// Prints one line of `key=value` fields on stdout; problems go to stderr
// and into the `errors=` field. Exit status 1 on a stall or when every
// connection failed.
use mio::net::TcpStream as MioStream;
use mio::{Events, Interest, Poll, Token};
use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::os::fd::{FromRawFd, IntoRawFd};
use std::time::{Duration, Instant};

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; // RFC 6455's own example pair
const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
const READ_BUF: usize = 4096;
const STALL: Duration = Duration::from_secs(5);

struct Args {
    port: u16,
    conns: usize,
    size: usize,
    duration: f64,
    warmup: f64,
    pid: Option<u32>,
    n: usize,
    settle: f64,
    path: String,
}

fn parse_args() -> (String, Args) {
    let mut it = std::env::args().skip(1);
    let mode = it.next().unwrap_or_default();
    let mut a = Args {
        port: 0,
        conns: 64,
        size: 32,
        duration: 8.0,
        warmup: 1.0,
        pid: None,
        n: 10_000,
        settle: 1.0,
        path: "/ws/echo".into(),
    };
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_else(|| usage(&format!("{k} needs a value")));
        match k.as_str() {
            "--port" => a.port = num(&k, &v),
            "--conns" => a.conns = num(&k, &v),
            "--size" => a.size = num(&k, &v),
            "--duration" => a.duration = num(&k, &v),
            "--warmup" => a.warmup = num(&k, &v),
            "--pid" => a.pid = Some(num(&k, &v)),
            "--n" => a.n = num(&k, &v),
            "--settle" => a.settle = num(&k, &v),
            "--path" => a.path = v.clone(),
            _ => usage(&format!("unknown option {k}")),
        }
    }
    if a.port == 0 || (mode != "echo" && mode != "idle") {
        usage("a mode (echo or idle) and --port are required");
    }
    (mode, a)
}

fn num<T: std::str::FromStr>(k: &str, v: &str) -> T {
    v.parse().unwrap_or_else(|_| usage(&format!("bad value for {k}: {v}")))
}

fn usage(msg: &str) -> ! {
    eprintln!("wsload: {msg}");
    eprintln!(
        "usage: wsload echo --port P [--conns 64] [--size 32] [--duration 8] [--warmup 1] [--pid PID]\n       \
         wsload idle --port P [--n 10000] [--pid PID] [--settle 1]"
    );
    std::process::exit(2);
}

// ------------------------------------------------------------------ frames

/// A masked client frame (FIN set).
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(payload.len() + 14);
    f.push(0x80 | opcode);
    let n = payload.len();
    if n < 126 {
        f.push(0x80 | n as u8);
    } else if n < 65536 {
        f.push(0x80 | 126);
        f.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        f.push(0x80 | 127);
        f.extend_from_slice(&(n as u64).to_be_bytes());
    }
    f.extend_from_slice(&MASK);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    f
}

struct Frame {
    fin: bool,
    opcode: u8,
    start: usize, // payload offset in the buffer
    end: usize,   // payload end = frame end
}

/// Parses one server frame at the start of `buf`; None if incomplete.
fn parse_frame(buf: &[u8]) -> Result<Option<Frame>, String> {
    if buf.len() < 2 {
        return Ok(None);
    }
    let fin = buf[0] & 0x80 != 0;
    let opcode = buf[0] & 0x0f;
    if buf[0] & 0x70 != 0 {
        return Err(format!("reserved bits set in a server frame (byte 0x{:02x})", buf[0]));
    }
    if buf[1] & 0x80 != 0 {
        return Err("masked server frame".into());
    }
    let (len, mut at) = match buf[1] & 0x7f {
        126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
        127 if buf.len() >= 10 => (u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize, 10),
        126 | 127 => return Ok(None),
        n => (n as usize, 2),
    };
    if buf.len() < at + len {
        return Ok(None);
    }
    let start = at;
    at += len;
    Ok(Some(Frame { fin, opcode, start, end: at }))
}

fn close_reason(payload: &[u8]) -> String {
    if payload.len() >= 2 {
        let code = u16::from_be_bytes([payload[0], payload[1]]);
        format!("close {code} {:?}", String::from_utf8_lossy(&payload[2..]))
    } else {
        "close (no code)".into()
    }
}

// --------------------------------------------------------------- handshake

/// Blocking handshake on a fresh connection. Returns the stream and any
/// bytes the server sent after its 101 response.
fn handshake(port: u16, path: &str) -> io::Result<(TcpStream, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    s.write_all(req.as_bytes())?;
    let mut got = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    let end = loop {
        let k = s.read(&mut buf)?;
        if k == 0 {
            return Err(io::Error::new(ErrorKind::UnexpectedEof, "closed during the handshake"));
        }
        got.extend_from_slice(&buf[..k]);
        if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if got.len() > 16384 {
            return Err(io::Error::other("handshake response over 16 KiB"));
        }
    };
    let head = String::from_utf8_lossy(&got[..end]).to_string();
    let status = head.lines().next().unwrap_or("");
    if !status.starts_with("HTTP/1.1 101") {
        return Err(io::Error::other(format!("handshake answered {status:?}")));
    }
    let accept_ok = head.lines().any(|l| {
        let (k, v) = l.split_once(':').unwrap_or(("", ""));
        k.trim().eq_ignore_ascii_case("sec-websocket-accept") && v.trim() == ACCEPT
    });
    if !accept_ok {
        return Err(io::Error::other("wrong or missing Sec-WebSocket-Accept"));
    }
    s.set_read_timeout(None)?;
    Ok((s, got[end..].to_vec()))
}

// ------------------------------------------------------------------- /proc

fn clk_tck() -> f64 {
    unsafe { libc::sysconf(libc::_SC_CLK_TCK) as f64 }
}

/// (utime, stime) of process `pid` in clock ticks.
fn ticks(pid: Option<u32>) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    let rest = text.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some((f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?))
}

/// A /proc/PID/status field in KiB (VmRSS, VmHWM).
fn status_kib(pid: Option<u32>, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    text.lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
}

/// This process's user+system CPU seconds.
fn self_cpu() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

// -------------------------------------------------------------------- echo

struct Conn {
    sock: MioStream,
    rbuf: Vec<u8>,
    rlen: usize,
    wbuf: Vec<u8>, // bytes not yet written
    wpos: usize,
    sent_at: Instant,
    frag: Vec<u8>, // payload of a fragmented message so far
    in_frag: bool,
    dead: bool,
}

fn echo(a: &Args) -> i32 {
    let payload: Vec<u8> = (0..a.size).map(|i| b'a' + (i % 26) as u8).collect();
    let frame = client_frame(0x1, &payload);
    let mut errors: Vec<String> = Vec::new();

    let mut poll = Poll::new().expect("mio poll");
    let mut conns = Vec::with_capacity(a.conns);
    for i in 0..a.conns {
        match handshake(a.port, &a.path) {
            Ok((s, leftover)) => {
                s.set_nonblocking(true).unwrap();
                let mut sock = MioStream::from_std(s);
                poll.registry()
                    .register(&mut sock, Token(conns.len()), Interest::READABLE | Interest::WRITABLE)
                    .unwrap();
                let mut rbuf = vec![0u8; READ_BUF.max(leftover.len())];
                rbuf[..leftover.len()].copy_from_slice(&leftover);
                conns.push(Conn {
                    sock,
                    rlen: leftover.len(),
                    rbuf,
                    wbuf: Vec::with_capacity(frame.len()),
                    wpos: 0,
                    sent_at: Instant::now(),
                    frag: Vec::new(),
                    in_frag: false,
                    dead: false,
                });
            }
            Err(e) => errors.push(format!("handshake {i}: {e}")),
        }
    }
    if conns.is_empty() {
        eprintln!("wsload: no connection: {}", errors.join("; "));
        println!("echo conns=0 errors={}", errors.len());
        return 1;
    }

    let begin = Instant::now();
    let t_start = begin + Duration::from_secs_f64(a.warmup);
    let t_end = t_start + Duration::from_secs_f64(a.duration);
    for c in conns.iter_mut() {
        c.wbuf.extend_from_slice(&frame);
        c.sent_at = Instant::now();
        flush(c);
    }

    let mut lat: Vec<u32> = Vec::with_capacity(4 << 20); // ns, window only
    let mut measuring = false;
    let mut count: u64 = 0;
    let mut warm_count: u64 = 0;
    let (mut tk0, mut cpu0, mut w0) = (None, 0.0, begin);
    let mut events = Events::with_capacity(1024);
    let mut last_progress = Instant::now();
    let mut alive = conns.len();
    let mut stalled = false;

    loop {
        let now = Instant::now();
        if !measuring && now >= t_start {
            measuring = true;
            tk0 = ticks(a.pid);
            cpu0 = self_cpu();
            w0 = now;
        }
        if now >= t_end {
            break;
        }
        let wake = if measuring { t_end } else { t_start };
        let timeout = (wake - now).min(Duration::from_millis(500));
        if let Err(e) = poll.poll(&mut events, Some(timeout)) {
            if e.kind() == ErrorKind::Interrupted {
                continue;
            }
            panic!("poll: {e}");
        }
        for ev in events.iter() {
            let c = &mut conns[ev.token().0];
            if c.dead {
                continue;
            }
            if ev.is_writable() && c.wpos < c.wbuf.len() {
                flush(c);
            }
            if !ev.is_readable() && !ev.is_read_closed() && !ev.is_error() {
                continue;
            }
            // Drain until WouldBlock (edge-triggered).
            loop {
                if c.rlen == c.rbuf.len() {
                    let n = c.rbuf.len() * 2;
                    c.rbuf.resize(n, 0);
                }
                match c.sock.read(&mut c.rbuf[c.rlen..]) {
                    Ok(0) => {
                        errors.push(format!("conn {}: server closed the TCP connection", ev.token().0));
                        c.dead = true;
                        break;
                    }
                    Ok(k) => c.rlen += k,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(e) => {
                        errors.push(format!("conn {}: read: {e}", ev.token().0));
                        c.dead = true;
                        break;
                    }
                }
            }
            // Every complete frame in the buffer.
            let mut at = 0;
            while !c.dead {
                let f = match parse_frame(&c.rbuf[at..c.rlen]) {
                    Ok(Some(f)) => f,
                    Ok(None) => break,
                    Err(e) => {
                        errors.push(format!("conn {}: {e}", ev.token().0));
                        c.dead = true;
                        break;
                    }
                };
                let body = &c.rbuf[at + f.start..at + f.end];
                match f.opcode {
                    0x9 => {
                        let pong = client_frame(0xA, body);
                        c.wbuf.extend_from_slice(&pong);
                    }
                    0xA => {}
                    0x8 => {
                        errors.push(format!("conn {}: server sent {}", ev.token().0, close_reason(body)));
                        c.dead = true;
                    }
                    0x0..=0x2 => {
                        if !f.fin || c.in_frag {
                            c.frag.extend_from_slice(body);
                            c.in_frag = !f.fin;
                        }
                        if f.fin {
                            let got: &[u8] = if c.frag.is_empty() { body } else { &c.frag };
                            if got != &payload[..] {
                                errors.push(format!(
                                    "conn {}: echo differs ({} bytes back, {} sent)",
                                    ev.token().0,
                                    got.len(),
                                    payload.len()
                                ));
                                c.dead = true;
                            } else {
                                let now = Instant::now();
                                if measuring {
                                    count += 1;
                                    let ns = (now - c.sent_at).as_nanos();
                                    lat.push(ns.min(u32::MAX as u128) as u32);
                                } else {
                                    warm_count += 1;
                                }
                                last_progress = now;
                                c.frag.clear();
                                c.wbuf.extend_from_slice(&frame);
                                c.sent_at = now;
                            }
                        }
                    }
                    op => {
                        errors.push(format!("conn {}: unknown opcode {op}", ev.token().0));
                        c.dead = true;
                    }
                }
                at += f.end;
            }
            if at > 0 {
                c.rbuf.copy_within(at..c.rlen, 0);
                c.rlen -= at;
            }
            if !c.dead && c.wpos < c.wbuf.len() {
                flush(c);
            }
            if c.dead {
                alive -= 1;
                if errors.len() <= 5 {
                    eprintln!("wsload: {}", errors.last().unwrap());
                }
            }
        }
        if alive == 0 {
            eprintln!("wsload: every connection is gone");
            break;
        }
        if last_progress.elapsed() >= STALL {
            let waiting = conns.iter().filter(|c| !c.dead).count();
            let msg = format!(
                "stall: no echo for {} s on any of {waiting} open connections (each waits for its echo)",
                STALL.as_secs()
            );
            eprintln!("wsload: {msg}");
            errors.push(msg);
            stalled = true;
            break;
        }
    }
    let w1 = Instant::now();
    let tk1 = ticks(a.pid);
    let cpu1 = self_cpu();
    let nconns = conns.len();
    let streams: Vec<TcpStream> = conns
        .into_iter()
        .filter(|c| !c.dead)
        .map(|c| {
            let mut sock = c.sock;
            let _ = poll.registry().deregister(&mut sock);
            // SAFETY: the fd is owned by `sock`, whose ownership moves here.
            unsafe { TcpStream::from_raw_fd(sock.into_raw_fd()) }
        })
        .collect();
    let secs = if measuring { (w1 - w0).as_secs_f64() } else { 0.0 };
    if errors.len() > 5 {
        eprintln!("wsload: … {} more errors", errors.len() - 5);
    }

    lat.sort_unstable();
    let pct = |p: usize| -> f64 {
        if lat.is_empty() {
            f64::NAN
        } else {
            lat[(lat.len() * p / 100).min(lat.len() - 1)] as f64 / 1000.0
        }
    };
    let rate = if secs > 0.0 { count as f64 / secs } else { 0.0 };
    let (srv_us, srv_user_us, srv_pct) = match (tk0, tk1) {
        (Some((u0, s0)), Some((u1, s1))) if count > 0 => {
            let us = 1e6 / clk_tck();
            let total = ((u1 - u0) + (s1 - s0)) as f64 * us;
            (
                format!("{:.3}", total / count as f64),
                format!("{:.3}", (u1 - u0) as f64 * us / count as f64),
                format!("{:.1}", total / 1e6 / secs * 100.0),
            )
        }
        _ => ("nan".into(), "nan".into(), "nan".into()),
    };
    let client_pct = if secs > 0.0 { (cpu1 - cpu0) / secs * 100.0 } else { f64::NAN };
    println!(
        "echo conns={} size={} window_s={secs:.3} warmup_round_trips={warm_count} round_trips={count} \
         rate={rate:.1} p50_us={:.1} p99_us={:.1} server_cpu_us={srv_us} server_user_us={srv_user_us} \
         server_cpu_pct={srv_pct} client_cpu_pct={client_pct:.1} errors={} stalled={}",
        nconns,
        a.size,
        pct(50),
        pct(99),
        errors.len(),
        stalled as u8
    );
    let _ = io::stdout().flush();
    close_all(streams);
    if stalled || count == 0 {
        1
    } else {
        0
    }
}

/// Writes what is pending; leaves the rest for the next writable event.
fn flush(c: &mut Conn) {
    while c.wpos < c.wbuf.len() {
        match c.sock.write(&c.wbuf[c.wpos..]) {
            Ok(k) => c.wpos += k,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => {
                // The read side reports the failure.
                c.wbuf.clear();
                c.wpos = 0;
                return;
            }
        }
    }
    c.wbuf.clear();
    c.wpos = 0;
}

// ------------------------------------------------------------------- close

/// Ends every connection with a close handshake (code 1000), so the server
/// sees a clean close instead of a reset: sends all the close frames, then
/// reads each socket until the server closes it, within 5 s in all.
fn close_all(streams: Vec<TcpStream>) {
    let frame = client_frame(0x8, &1000u16.to_be_bytes());
    let mut open = Vec::with_capacity(streams.len());
    for mut s in streams {
        if s.set_nonblocking(false).is_ok() && s.write_all(&frame).is_ok() {
            open.push(s);
        }
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut buf = [0u8; 4096];
    for mut s in open {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || s.set_read_timeout(Some(left)).is_err() {
                break;
            }
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }
}

// -------------------------------------------------------------------- idle

/// One blocking echo on a handshaken stream.
fn blocking_echo(s: &mut TcpStream, mut got: Vec<u8>, frame: &[u8], payload: &[u8]) -> io::Result<()> {
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(frame)?;
    let mut buf = [0u8; 1024];
    loop {
        match parse_frame(&got).map_err(io::Error::other)? {
            Some(f) => {
                let body = &got[f.start..f.end];
                match f.opcode {
                    0x1 | 0x2 if f.fin && body == payload => return Ok(()),
                    0x8 => return Err(io::Error::other(format!("server sent {}", close_reason(body)))),
                    0x9 | 0xA => {
                        got.drain(..f.end);
                        continue;
                    }
                    op => return Err(io::Error::other(format!("unexpected frame: opcode {op}, {} bytes", body.len()))),
                }
            }
            None => {
                let k = s.read(&mut buf)?;
                if k == 0 {
                    return Err(io::Error::new(ErrorKind::UnexpectedEof, "closed before the echo"));
                }
                got.extend_from_slice(&buf[..k]);
            }
        }
    }
}

fn idle(a: &Args) -> i32 {
    let payload: Vec<u8> = (0..32).map(|i| b'a' + (i % 26) as u8).collect();
    let frame = client_frame(0x1, &payload);
    let before = status_kib(a.pid, "VmRSS");
    let t0 = Instant::now();
    let mut held = Vec::with_capacity(a.n);
    let mut failed = 0usize;
    for i in 0..a.n {
        let r = handshake(a.port, &a.path).and_then(|(mut s, left)| {
            blocking_echo(&mut s, left, &frame, &payload)?;
            Ok(s)
        });
        match r {
            Ok(s) => held.push(s),
            Err(e) => {
                failed += 1;
                if failed <= 3 {
                    eprintln!("wsload: connection {i}: {e}");
                }
            }
        }
    }
    let connect_s = t0.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs_f64(a.settle));
    let after = status_kib(a.pid, "VmRSS");
    let hwm = status_kib(a.pid, "VmHWM");
    // Are the sockets still open? A closed one reads EOF at once.
    let mut closed = 0usize;
    for s in held.iter_mut() {
        s.set_nonblocking(true).unwrap();
        let mut b = [0u8; 64];
        match s.read(&mut b) {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            _ => closed += 1,
        }
    }
    let ok = held.len();
    close_all(held);
    let f = |v: Option<u64>| v.map_or("nan".to_string(), |v| v.to_string());
    let per = match (before, after) {
        (Some(b), Some(x)) if ok > 0 => format!("{:.2}", (x as f64 - b as f64) / ok as f64),
        _ => "nan".into(),
    };
    println!(
        "idle n={} ok={} failed={failed} closed_by_server={closed} rss_before_kib={} rss_after_kib={} \
         kib_per_socket={per} hwm_kib={} connect_per_s={:.0}",
        a.n,
        ok,
        f(before),
        f(after),
        f(hwm),
        a.n as f64 / connect_s
    );
    if ok == 0 {
        1
    } else {
        0
    }
}

fn main() {
    let (mode, a) = parse_args();
    let code = if mode == "echo" { echo(&a) } else { idle(&a) };
    std::process::exit(code);
}
