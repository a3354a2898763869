//! The demo's command-line flags (see `shared/design/demo-contract.md`).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Parsed flags with the contract's defaults.
#[derive(Debug)]
pub struct Args {
    pub addr: SocketAddr,
    pub workers: Option<usize>,
    pub log_dir: PathBuf,
    pub max_bytes: u64,
    pub backup_count: usize,
    pub log_level: log::LevelFilter,
    pub access_log: bool,
    pub redis: Option<String>,
    pub monitor: bool,
    /// How often the periodic summary line is logged.
    pub summary_every: std::time::Duration,
}

/// Why the flags did not give a configuration.
#[derive(Debug)]
pub enum ArgError {
    /// `--help` or `-h`: print the usage and exit 0.
    Help,
    /// A flag the demo cannot use, and why.
    Bad(String),
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgError::Help => write!(f, "mionex demo: the seed tutorial as one server\n\n{USAGE}"),
            ArgError::Bad(why) => write!(f, "{why}\n\n{USAGE}"),
        }
    }
}

pub const USAGE: &str = "usage: demo [--addr HOST:PORT] [--workers N] [--log-dir DIR] \
[--max-bytes N] [--backup-count N] [--log-level error|warn|info|debug|trace] \
[--access-log on|off] [--redis URL] [--monitor on|off] [--summary-every SECS]";

fn on_off(flag: &str, v: &str) -> Result<bool, ArgError> {
    match v {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(ArgError::Bad(format!("{flag} takes on or off, not {v:?}"))),
    }
}

fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, ArgError> {
    v.parse()
        .map_err(|_| ArgError::Bad(format!("{flag} takes a number, not {v:?}")))
}

impl Args {
    pub fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, ArgError> {
        let mut a = Args {
            addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            workers: None,
            log_dir: PathBuf::from("logs"),
            max_bytes: 10 * 1024 * 1024,
            backup_count: 5,
            log_level: log::LevelFilter::Info,
            access_log: true,
            redis: None,
            monitor: true,
            summary_every: std::time::Duration::from_secs(60),
        };
        while let Some(flag) = argv.next() {
            if flag == "-h" || flag == "--help" {
                return Err(ArgError::Help);
            }
            let value = argv
                .next()
                .ok_or_else(|| ArgError::Bad(format!("{flag} needs a value")))?;
            match flag.as_str() {
                "--addr" => {
                    a.addr = value.parse().map_err(|_| {
                        ArgError::Bad(format!("--addr takes HOST:PORT, not {value:?}"))
                    })?
                }
                "--workers" => {
                    let n: usize = number(&flag, &value)?;
                    if n == 0 {
                        return Err(ArgError::Bad("--workers must be at least 1".into()));
                    }
                    a.workers = Some(n);
                }
                "--log-dir" => a.log_dir = PathBuf::from(value),
                "--max-bytes" => a.max_bytes = number(&flag, &value)?,
                "--backup-count" => a.backup_count = number(&flag, &value)?,
                "--log-level" => {
                    a.log_level = value
                        .parse()
                        .map_err(|_| ArgError::Bad(format!("unknown --log-level {value:?}")))?
                }
                "--access-log" => a.access_log = on_off(&flag, &value)?,
                "--redis" => a.redis = Some(value),
                "--monitor" => a.monitor = on_off(&flag, &value)?,
                "--summary-every" => {
                    let secs: u64 = number(&flag, &value)?;
                    if secs == 0 {
                        return Err(ArgError::Bad("--summary-every must be at least 1".into()));
                    }
                    a.summary_every = std::time::Duration::from_secs(secs);
                }
                _ => return Err(ArgError::Bad(format!("unknown flag {flag:?}"))),
            }
        }
        Ok(a)
    }
}
