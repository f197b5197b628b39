//! `edgewire serve` on a machine where PostgreSQL cannot be found (issue #3): Hyperdrive
//! routes answer 502 with a message that says what to install or which variable to set, every
//! other route keeps working, and SIGTERM stops the server cleanly.
//!
//! The real binary runs as a subprocess with a bare environment: PATH is an empty folder and
//! `EDGEWIRE_PG_BIN` (when set, the only folder searched for `initdb`, `pg_ctl` and
//! `postgres`) points at another empty folder, so the PostgreSQL installed on this machine is
//! invisible to it.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Longest wait for anything the server does (start, answer, stop).
const TIMEOUT: Duration = Duration::from_secs(30);
/// The reference example's API key (`examples/global-api.dev.vars`).
const API_KEY: &str = "demo-key-123";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

/// A running `edgewire serve`; killed if the test fails before stopping it.
struct Server {
    child: Child,
    addr: SocketAddr,
    stdout: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Server {
    /// Start `edgewire serve examples/global-api.ron --port 0 --state STATE` with PostgreSQL
    /// hidden, and wait for the line that gives its address.
    fn start(empty_bin: &Path, state: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_edgewire"))
            .args(["serve", "examples/global-api.ron", "--port", "0", "--state"])
            .arg(state)
            .current_dir(root())
            .env_clear()
            .env("PATH", empty_bin)
            .env("EDGEWIRE_PG_BIN", empty_bin)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("edgewire serve starts");
        let stdout = lines(child.stdout.take().expect("stdout"));
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().expect("stderr");
        let collected = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buffer = [0; 4096];
            while let Ok(read @ 1..) = pipe.read(&mut buffer) {
                collected
                    .lock()
                    .expect("stderr lock")
                    .push_str(&String::from_utf8_lossy(&buffer[..read]));
            }
        });
        let mut server = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stdout,
            stderr,
        };
        let line = server.wait_for_line(|line| line.contains(" is running on http://"));
        let addr = line
            .rsplit("http://")
            .next()
            .and_then(|addr| addr.trim().parse().ok())
            .unwrap_or_else(|| server.fail(&format!("no address in `{line}`")));
        server.addr = addr;
        server
    }

    /// The next stdout line that `wanted` accepts, within [`TIMEOUT`].
    fn wait_for_line(&self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => {
                    self.fail(&format!("no expected output within {TIMEOUT:?}"))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.fail("stdout closed before the expected output")
                }
            }
        }
    }

    /// Fail the test with the server's log (the child is killed by `Drop`).
    fn fail(&self, what: &str) -> ! {
        panic!(
            "edgewire serve: {what}\n--- stderr ---\n{}",
            self.stderr.lock().expect("stderr lock")
        );
    }

    /// GET `path` with the reference example's API key; the status and the JSON body.
    fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let (status, body) = http_get(self.addr, path)
            .unwrap_or_else(|err| self.fail(&format!("GET {path}: {err}")));
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|err| self.fail(&format!("GET {path}: not JSON ({err}): {body}")));
        (status, json)
    }

    /// Send SIGTERM and wait (bounded) for the process to exit.
    fn terminate(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM failed: {status}");
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.child.try_wait().expect("try_wait") {
                Some(status) => return status,
                None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
                None => self.fail(&format!("still running {TIMEOUT:?} after SIGTERM")),
            }
        }
    }
}

/// Stdout lines, read on a thread so that waits can time out.
fn lines(stdout: ChildStdout) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// A plain HTTP/1.1 GET (the app has no HTTP client dependency): status and body.
fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nx-api-key: {API_KEY}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response).into_owned();
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| invalid("no end of headers"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid("no status code"))?;
    let chunked = head
        .lines()
        .any(|line| line.eq_ignore_ascii_case("transfer-encoding: chunked"));
    let body = if chunked {
        dechunk(body).ok_or_else(|| invalid("bad chunked body"))?
    } else {
        body.to_owned()
    };
    Ok((status, body))
}

/// The body of a `Transfer-Encoding: chunked` response.
fn dechunk(mut text: &str) -> Option<String> {
    let mut body = String::new();
    loop {
        let (size, rest) = text.split_once("\r\n")?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(body);
        }
        body.push_str(rest.get(..size)?);
        text = rest.get(size..)?.strip_prefix("\r\n")?;
    }
}

#[test]
fn hyperdrive_answers_502_with_what_to_set_and_the_rest_keeps_working() {
    let empty_bin = tempfile::tempdir().expect("tempdir");
    let state = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(empty_bin.path(), state.path());

    let (status, body) = server.get("/orders/1");
    assert_eq!(status, 502, "{body}");
    let help = body["help"]
        .as_str()
        .unwrap_or_else(|| server.fail(&format!("no `help` in the 502 body: {body}")));
    assert!(
        help.contains("EDGEWIRE_PG_BIN") && help.contains("initdb, pg_ctl and postgres"),
        "the 502 should name the variable to set and the binaries it needs: {help}"
    );
    assert!(
        help.contains("connection string"),
        "the 502 should offer the other way out (an origin connection string): {help}"
    );
    assert_eq!(body["node"], "orders", "{body}");

    // KV (and D1) routes do not need PostgreSQL.
    let (status, body) = server.get("/products/1");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["product"]["id"], 1, "{body}");

    // The other Hyperdrive route fails the same way, and the KV route still works after it.
    assert_eq!(server.get("/orders").0, 502);
    assert_eq!(server.get("/products/1").0, 200);

    let status = server.terminate();
    assert!(status.success(), "exit status after SIGTERM: {status}");
    server.wait_for_line(|line| line == "stopped");
}
