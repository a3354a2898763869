//! One measured run: `lb <logger> <threads> <lines> <outdir>`.
//!
//! Installs one logger (`mionex`, `log4rs`, `flexi`, `spdlog`) as the `log`
//! crate's global logger, writing to `<outdir>/app.log` with rotation at
//! 10 MiB and 50 backups (so retention deletes nothing and every line can
//! be checked), in the same shape for all:
//! `[2024-01-31 12:00:00,123] INFO in bench: seq=0000000001 t=0 <40 bytes> END`
//! (about 105 bytes). `threads` threads log `lines` lines in total; the
//! clock stops once the logger has flushed. Then every file is read back and
//! each (thread, seq) must appear exactly once, whole.
//!
//! Prints one CSV line: logger,threads,lines,seconds,lines_per_sec,files,
//! max_file_bytes,missing,dups,fragments

use std::path::{Path, PathBuf};
use std::time::Instant;

const MAX_BYTES: u64 = 10 * 1024 * 1024;
const BACKUPS: usize = 50;
const PAYLOAD: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: lb <mionex|log4rs|flexi|spdlog> <threads> <lines> <outdir>");
        std::process::exit(2);
    }
    let (which, threads, lines) = (args[1].as_str(), parse(&args[2]), parse(&args[3]) as u64);
    let dir = PathBuf::from(&args[4]);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("outdir");
    let base = dir.join("app.log");

    let finish = install(which, &base);
    let per = lines / threads as u64;
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..per {
                    log::info!("seq={:010} t={t} {PAYLOAD} END", i);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    finish.flush();
    let secs = start.elapsed().as_secs_f64();
    finish.close();

    let total = per * threads as u64;
    let check = verify(&dir, threads, per);
    println!(
        "{which},{threads},{total},{secs:.4},{:.0},{},{},{},{},{}",
        total as f64 / secs,
        check.files,
        check.max_file,
        check.missing,
        check.dups,
        check.fragments
    );
}

fn parse(s: &str) -> usize {
    s.parse().expect("number")
}

/// How to flush (timed) and close (untimed) the installed logger.
enum Finish {
    Mionex(mionex::logging::Logger),
    Log,
    Flexi(flexi_logger::LoggerHandle),
}

impl Finish {
    fn flush(&self) {
        match self {
            Finish::Mionex(l) => l.flush(),
            Finish::Log => log::logger().flush(),
            Finish::Flexi(h) => h.flush(),
        }
    }
    fn close(self) {
        match self {
            Finish::Mionex(l) => {
                l.shutdown(std::time::Duration::from_secs(10));
            }
            Finish::Log => log::logger().flush(),
            Finish::Flexi(h) => h.shutdown(),
        }
    }
}

fn install(which: &str, base: &Path) -> Finish {
    match which {
        "mionex" => {
            use mionex::logging::{Logger, RotatingFileHandler};
            let logger = Logger::new("bench");
            let file = RotatingFileHandler::open(base, MAX_BYTES, BACKUPS).expect("mionex file");
            logger.add_handler(file);
            logger.install().expect("install");
            Finish::Mionex(logger)
        }
        "log4rs" => {
            use log4rs::append::rolling_file::RollingFileAppender;
            use log4rs::append::rolling_file::policy::compound::CompoundPolicy;
            use log4rs::append::rolling_file::policy::compound::roll::fixed_window::FixedWindowRoller;
            use log4rs::append::rolling_file::policy::compound::trigger::size::SizeTrigger;
            use log4rs::config::{Appender, Config, Root};
            use log4rs::encode::pattern::PatternEncoder;
            let roller = FixedWindowRoller::builder()
                .build(&format!("{}.{{}}", base.display()), BACKUPS as u32)
                .expect("roller");
            let policy =
                CompoundPolicy::new(Box::new(SizeTrigger::new(MAX_BYTES)), Box::new(roller));
            let appender = RollingFileAppender::builder()
                .encoder(Box::new(PatternEncoder::new(
                    "[{d(%Y-%m-%d %H:%M:%S,%3f)(utc)}] {l} in {M}: {m}{n}",
                )))
                .build(base, Box::new(policy))
                .expect("appender");
            let config = Config::builder()
                .appender(Appender::builder().build("file", Box::new(appender)))
                .build(
                    Root::builder()
                        .appender("file")
                        .build(log::LevelFilter::Info),
                )
                .expect("config");
            log4rs::init_config(config).expect("log4rs init");
            Finish::Log
        }
        "flexi" => {
            use flexi_logger::{Cleanup, Criterion, FileSpec, Logger, Naming, WriteMode};
            let handle = Logger::try_with_str("info")
                .expect("spec")
                .log_to_file(
                    FileSpec::default()
                        .directory(base.parent().expect("dir"))
                        .basename("app")
                        .suffix("log"),
                )
                .format_for_files(|w, now, record| {
                    write!(
                        w,
                        "[{}] {} in {}: {}",
                        now.now_utc_owned().format("%Y-%m-%d %H:%M:%S,%3f"),
                        record.level(),
                        record.module_path().unwrap_or("<unnamed>"),
                        record.args()
                    )
                })
                .rotate(
                    Criterion::Size(MAX_BYTES),
                    Naming::Numbers,
                    Cleanup::KeepLogFiles(BACKUPS),
                )
                .write_mode(WriteMode::BufferAndFlush)
                .start()
                .expect("flexi start");
            Finish::Flexi(handle)
        }
        "spdlog" => {
            use spdlog::formatter::{PatternFormatter, pattern};
            use spdlog::sink::{RotatingFileSink, RotationPolicy};
            use std::sync::Arc;
            let sink = RotatingFileSink::builder()
                .base_path(base)
                .rotation_policy(RotationPolicy::FileSize(MAX_BYTES))
                .max_files(BACKUPS + 1)
                .formatter(PatternFormatter::new(pattern!(
                    "[{date} {time},{millisecond}] {level} in {module_path}: {payload}{eol}"
                )))
                .build()
                .expect("spdlog sink");
            let logger = spdlog::Logger::builder()
                .sink(Arc::new(sink))
                .level_filter(spdlog::LevelFilter::All)
                .build()
                .expect("spdlog logger");
            let logger = Arc::new(logger);
            spdlog::set_default_logger(Arc::clone(&logger));
            spdlog::log_crate_proxy().set_logger(Some(logger));
            spdlog::init_log_crate_proxy().expect("proxy");
            log::set_max_level(log::LevelFilter::Info);
            Finish::Log
        }
        other => {
            eprintln!("unknown logger {other}");
            std::process::exit(2);
        }
    }
}

struct Check {
    files: usize,
    max_file: u64,
    missing: u64,
    dups: u64,
    fragments: u64,
}

/// Reads every file in `dir` and checks each (thread, seq) once, whole.
fn verify(dir: &Path, threads: usize, per: u64) -> Check {
    let mut seen = vec![vec![0u8; per as usize]; threads];
    let mut c = Check {
        files: 0,
        max_file: 0,
        missing: 0,
        dups: 0,
        fragments: 0,
    };
    let entries = std::fs::read_dir(dir).expect("read dir");
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".lock") {
            continue;
        }
        let data = std::fs::read(e.path()).expect("read log");
        c.files += 1;
        c.max_file = c.max_file.max(data.len() as u64);
        for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            match parse_line(line) {
                Some((t, s)) if t < threads && s < per => {
                    let slot = &mut seen[t][s as usize];
                    if *slot > 0 {
                        c.dups += 1;
                    }
                    *slot = slot.saturating_add(1);
                }
                _ => c.fragments += 1,
            }
        }
    }
    c.missing = seen.iter().flatten().filter(|&&n| n == 0).count() as u64;
    c
}

/// A whole line: `[` timestamp, level, `seq=`, `t=`, payload, `END`.
fn parse_line(line: &[u8]) -> Option<(usize, u64)> {
    let s = std::str::from_utf8(line).ok()?;
    let whole = s.starts_with('[') && (s.contains("] INFO in ") || s.contains("] info in "));
    if !whole || !s.ends_with(&format!("{PAYLOAD} END")) {
        return None;
    }
    let rest = &s[s.find("seq=")? + 4..];
    let seq = rest.get(..10)?.parse().ok()?;
    let rest = &rest[rest.find(" t=")? + 3..];
    let t = rest[..rest.find(' ')?].parse().ok()?;
    Some((t, seq))
}
