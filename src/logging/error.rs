//! The one error type of the logging module.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a logging setup step failed. Writing records never fails this way:
/// once a handler is open, I/O errors degrade it to the console instead.
#[derive(Debug)]
#[non_exhaustive]
pub enum LogError {
    /// The log file (or its directory) could not be created or opened.
    Open {
        /// The file that was being opened.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// Another live process (or another handler in this one) holds the log
    /// file's lock file `<file>.lock`.
    Locked {
        /// The log file.
        path: PathBuf,
        /// The process id recorded in the lock file.
        pid: u32,
    },
    /// A `%(...)` pattern could not be parsed.
    Pattern {
        /// The pattern as given.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `install()` was called while another `log` logger is installed.
    AlreadyInstalled,
    /// A handler setting is out of range (for example `interval = 0`).
    Config(String),
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogError::Open { path, source } => {
                write!(f, "cannot open log file {}: {source}", path.display())
            }
            LogError::Locked { path, pid } => write!(
                f,
                "log file {} is already in use by process {pid} (lock file {}.lock); \
                 give each process its own log file",
                path.display(),
                path.display()
            ),
            LogError::Pattern { pattern, reason } => {
                write!(f, "bad log format {pattern:?}: {reason}")
            }
            LogError::AlreadyInstalled => {
                f.write_str("a global logger is already installed for the `log` crate")
            }
            LogError::Config(what) => write!(f, "bad logging configuration: {what}"),
        }
    }
}

impl std::error::Error for LogError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LogError::Open { source, .. } => Some(source),
            _ => None,
        }
    }
}
