//! Runs the demo example as a user would: a separate process, real flags.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A running demo process.
pub struct Demo {
    pub child: Child,
    pub addr: SocketAddr,
    pub log_dir: PathBuf,
}

/// The demo binary next to this test, built (once per test process) if
/// it is missing or older than the sources: `cargo test` builds examples,
/// `cargo test --test demo` does not.
pub fn demo_exe() -> PathBuf {
    static BUILT: std::sync::Once = std::sync::Once::new();
    let mut p = std::env::current_exe().expect("test exe");
    p.pop(); // deps/
    p.pop();
    p.push("examples");
    p.push("demo");
    BUILT.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--example", "demo"])
            .status()
            .expect("cargo build --example demo");
        assert!(status.success(), "building the demo failed");
    });
    p
}

/// A fresh, empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mionex-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

impl Demo {
    /// Starts the demo on a free port with `args`; returns once it prints
    /// `listening on http://…`.
    pub fn start(name: &str, args: &[&str]) -> Demo {
        let log_dir = temp_dir(name);
        // The console goes to a file beside the logs, for tests to read.
        let console = std::fs::File::create(log_dir.with_extension("console")).expect("console");
        let mut child = Command::new(demo_exe())
            .args(["--addr", "127.0.0.1:0", "--log-dir"])
            .arg(&log_dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(console)
            .spawn()
            .expect("spawn demo");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines.next().expect("demo exited early").unwrap();
            if let Some(a) = line.strip_prefix("listening on http://") {
                break a.trim().parse().expect("address");
            }
        };
        // Keep draining stdout so the demo never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Demo {
            child,
            addr,
            log_dir,
        }
    }

    /// Sends a signal with the `kill` command.
    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok);
    }

    /// Waits for exit and returns the exit code.
    pub fn wait(mut self) -> Option<i32> {
        self.child.wait().ok()?.code()
    }

    pub fn app_log(&self) -> String {
        std::fs::read_to_string(self.log_dir.join("app.log")).unwrap_or_default()
    }

    /// Every line of `app.log` and its backups, oldest file first.
    pub fn all_log_lines(&self) -> Vec<String> {
        let mut files: Vec<(usize, PathBuf)> = std::fs::read_dir(&self.log_dir)
            .expect("log dir")
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let n = match name.strip_prefix("app.log") {
                    Some("") => 0,
                    Some(rest) => rest.strip_prefix('.')?.parse().ok()?,
                    None => return None,
                };
                Some((n, e.path()))
            })
            .collect();
        files.sort_by_key(|f| std::cmp::Reverse(f.0));
        files
            .iter()
            .flat_map(|(_, p)| {
                let text = std::fs::read_to_string(p).unwrap_or_default();
                text.lines().map(str::to_owned).collect::<Vec<_>>()
            })
            .collect()
    }

    /// What the demo wrote to stderr so far.
    pub fn console(&self) -> String {
        std::fs::read_to_string(self.log_dir.with_extension("console")).unwrap_or_default()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
