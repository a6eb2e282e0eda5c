//! Processes the mail tests drive: the SMTP sink (`sink.py`, aiosmtpd), the
//! independent checker (`check.py`), and the server as a separate process
//! (the test binary re-run as `hagukumi serve`) so it can be killed with SIGKILL.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repository root")
        .to_path_buf()
}

/// The project's Python with `tests/requirements.txt` installed (scripts/test does it).
pub fn python() -> PathBuf {
    let p = repo_root().join(".venv/bin/python");
    assert!(
        p.exists(),
        "{} missing: python3 -m venv .venv && .venv/bin/pip install -r tests/requirements.txt",
        p.display()
    );
    p
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A directory of its own under the system temp dir.
pub fn temp_dir(label: &str) -> PathBuf {
    let d = std::env::temp_dir()
        .join("hagukumi-tests")
        .join(format!("{label}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A real SMTP server writing what it accepts to `dir`.
pub struct SmtpSink {
    child: Child,
    log: PathBuf,
}

impl SmtpSink {
    pub async fn start(port: u16, dir: &Path, extra: &[&str]) -> SmtpSink {
        let log = dir.join(format!("sink-{}.log", uuid::Uuid::new_v4().simple()));
        let mut child = Command::new(python())
            .arg(repo_root().join("tests/smtp/sink.py"))
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start the SMTP sink");
        let stdout = child.stdout.take().expect("sink stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("SMTP sink did not start in time")
            .expect("sink output");
        assert_eq!(
            ready.as_deref(),
            Some(format!("READY {port}").as_str()),
            "sink"
        );
        // Keep draining its output into a log the test can read.
        let log_path = log.clone();
        tokio::spawn(async move {
            let mut text = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                text.push_str(&l);
                text.push('\n');
                let _ = std::fs::write(&log_path, &text);
            }
        });
        SmtpSink { child, log }
    }

    /// Stops the server abruptly (as an outage would).
    pub async fn stop(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Every message in `dir`, parsed by Python's `email` and `icalendar`.
pub async fn received(dir: &Path) -> Vec<Value> {
    let out = Command::new(python())
        .arg(repo_root().join("tests/smtp/check.py"))
        .arg(dir)
        .output()
        .await
        .expect("run check.py");
    assert!(
        out.status.success(),
        "check.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("check.py output")
}

/// Waits until `dir` holds at least `n` messages.
pub async fn wait_for_messages(dir: &Path, n: usize, within: Duration) -> usize {
    let start = Instant::now();
    loop {
        let count = std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .count()
            })
            .unwrap_or(0);
        if count >= n || start.elapsed() > within {
            return count;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Set in the environment of a test binary re-run as the server.
pub const CHILD_ENV: &str = "HAGUKUMI_TEST_SERVER_PROCESS";

/// The server in a process of its own: the test binary re-run with only the
/// ignored `server_process` test, which runs `hagukumi serve` (the CLI's code)
/// with settings from the environment, like the real binary.
pub struct ServerProcess {
    child: Child,
    pub address: String,
}

impl ServerProcess {
    pub async fn start(test_path: &str, env: &[(String, String)], cwd: &Path) -> ServerProcess {
        let port = free_port();
        let exe = std::env::current_exe().expect("test binary");
        let log = std::fs::File::create(cwd.join(format!("server-{port}.log"))).expect("log");
        let child = Command::new(exe)
            .args([test_path, "--exact", "--ignored", "--nocapture"])
            .env(CHILD_ENV, "1")
            .env("HAGUKUMI_SERVER__PORT", port.to_string())
            .env("RUST_LOG", "warn,hagukumi_server::mail=info")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(cwd)
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("start the server process");
        let address = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(r) = client.get(format!("{address}/readyz")).send().await
                && r.status().is_success()
            {
                return ServerProcess { child, address };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("server process did not become ready; see {}", cwd.display());
    }

    /// `kill -9`: no shutdown, no flushing, claims left behind.
    pub async fn kill9(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}
