//! One writer per log file across processes: `<file>.lock` holding a pid.

use super::LogError;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// An advisory lock: the file `<log>.lock`, created exclusively, holding
/// our process id. Removed on drop. A lock left behind by a process that no
/// longer exists (no `/proc/<pid>`) is taken over.
#[derive(Debug)]
pub(crate) struct LockFile {
    path: PathBuf,
}

impl LockFile {
    /// Takes the lock for `log`, whose directory already exists.
    pub(crate) fn acquire(log: &Path) -> Result<LockFile, LogError> {
        let mut name = log.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let me = std::process::id();
        for _ in 0..3 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let _ = writeln!(f, "{me}");
                    return Ok(LockFile { path });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let holder = fs::read_to_string(&path)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok());
                    match holder {
                        Some(pid) if pid == me || process_alive(pid) => {
                            return Err(LogError::Locked {
                                path: log.to_owned(),
                                pid,
                            });
                        }
                        // Stale (dead pid) or unreadable garbage: take it over.
                        _ => {
                            let _ = fs::remove_file(&path);
                        }
                    }
                }
                Err(source) => return Err(LogError::Open { path, source }),
            }
        }
        Err(LogError::Open {
            path,
            source: io::Error::other("lock file keeps reappearing"),
        })
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        let ours = fs::read_to_string(&self.path)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            == Some(std::process::id());
        if ours {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Whether a process with this id exists (Linux: `/proc/<pid>`). Where
/// `/proc` is missing, every holder is assumed alive.
fn process_alive(pid: u32) -> bool {
    if !Path::new("/proc/self").exists() {
        return true;
    }
    Path::new(&format!("/proc/{pid}")).exists()
}
