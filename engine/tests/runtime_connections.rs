//! Slow and idle clients: a connection that trickles its headers, or sends nothing, is closed
//! after the header read timeout, while normal requests keep being answered; and no more
//! connections are served at once than the bound allows. Loopback only, bounded in time.

mod runtime_support;

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use edgewire_engine::runtime::{ConnectionLimits, Engine, EngineOptions, RunningEngine};
use runtime_support::design;

const DESIGN: &str = r#"
nodes: [
  (id: "c", kind: Client()),
  (id: "svc", kind: Worker(routes: [
    (method: GET, path: "/hello", steps: [Respond(status: 200, body: Json({"hello": "world"}))]),
  ])),
],
wires: [(from: "c", to: "svc")],
"#;

const TIMEOUT: Duration = Duration::from_secs(1);

async fn start(max_connections: usize) -> (RunningEngine, tempfile::TempDir) {
    let state = tempfile::tempdir().expect("temp dir");
    let mut options = EngineOptions::new(state.path());
    options.port = 0;
    options.connections = ConnectionLimits {
        header_read_timeout: TIMEOUT,
        max_connections,
    };
    let running = Engine::start(design(DESIGN), options)
        .await
        .expect("engine starts");
    (running, state)
}

/// A client that sends a request line, then one header byte every 200 ms and never ends its
/// headers; returns how long it took the server to close the connection (or `give_up`).
fn slow_client(addr: SocketAddr, give_up: Duration) -> Duration {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("read timeout");
    let _ = stream.write_all(b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    let mut buffer = [0_u8; 512];
    while started.elapsed() < give_up {
        if stream.write_all(b"a").is_err() {
            break;
        }
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Err(e) if !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
            _ => {}
        }
    }
    started.elapsed()
}

/// A normal request on a fresh connection: its status.
fn get_hello(addr: SocketAddr) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    stream
        .write_all(b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    text.split(' ').nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_header_clients_are_closed_while_normal_requests_succeed() {
    let (running, _state) = start(64).await;
    let addr = running.addr();
    let slow: Vec<_> = (0..40)
        .map(|_| std::thread::spawn(move || slow_client(addr, Duration::from_secs(15))))
        .collect();
    let normal = std::thread::spawn(move || {
        (0..20)
            .map(|_| {
                std::thread::sleep(Duration::from_millis(50));
                get_hello(addr)
            })
            .collect::<Vec<_>>()
    });
    let normal = tokio::task::spawn_blocking(move || normal.join().expect("joins"))
        .await
        .expect("normal requests");
    assert!(
        normal.iter().all(|status| *status == Some(200)),
        "normal requests are answered while slow clients hang on: {normal:?}"
    );
    let lasted = tokio::task::spawn_blocking(move || {
        slow.into_iter()
            .map(|t| t.join().expect("joins"))
            .collect::<Vec<_>>()
    })
    .await
    .expect("slow clients");
    for time in &lasted {
        assert!(
            *time < Duration::from_secs(10),
            "a slow client was closed after {time:?}, not near the {TIMEOUT:?} header timeout"
        );
    }
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_bound_wait_for_a_free_one() {
    let (running, _state) = start(16).await;
    let addr = running.addr();
    // Sixteen connections that send nothing take every place...
    let silent: Vec<TcpStream> = (0..16)
        .map(|_| TcpStream::connect(addr).expect("connects"))
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    // ...so the next request is answered only once the first of them is closed for silence.
    let started = Instant::now();
    let status = tokio::task::spawn_blocking(move || get_hello(addr))
        .await
        .expect("request");
    let waited = started.elapsed();
    assert_eq!(status, Some(200));
    assert!(
        waited >= TIMEOUT / 2,
        "answered after {waited:?}: the bound of 16 connections did not hold"
    );
    // The silent ones were closed by the server.
    for mut stream in silent {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("read timeout");
        let mut byte = [0_u8; 1];
        assert!(matches!(stream.read(&mut byte), Ok(0) | Err(_)));
    }
    running.stop().await.expect("stops");
}
