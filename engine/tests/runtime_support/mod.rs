//! Helpers shared by the runtime tests: load a design from RON text, build an engine with a
//! temporary state folder, and send requests through the router without a socket.

#![allow(
    dead_code,
    reason = "each test file uses a different subset of the helpers"
)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{HeaderMap, Request};
use bytes::Bytes;
use edgewire_engine::Design;
use edgewire_engine::model::{RequestBody, SampleRequest};
use edgewire_engine::runtime::{Engine, EngineOptions, ManualClock};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt as _;

pub fn design(ron_nodes_and_wires: &str) -> Design {
    let text = format!("(version: 1, name: \"test\", {ron_nodes_and_wires})");
    match edgewire_engine::format::parse(&text) {
        Ok(design) => design,
        Err(err) => panic!("test design does not parse: {err}\n{text}"),
    }
}

pub struct TestEngine {
    pub engine: Engine,
    pub clock: Arc<ManualClock>,
    pub state: TempDir,
}

pub async fn start(design: Design, secrets: &[(&str, &str)]) -> TestEngine {
    let state = tempfile::tempdir().expect("temp dir");
    start_in(design, secrets, state).await
}

pub async fn start_in(design: Design, secrets: &[(&str, &str)], state: TempDir) -> TestEngine {
    let clock = Arc::new(ManualClock::starting_now());
    let mut options = EngineOptions::new(state.path());
    options.clock = clock.clone();
    options.read_environment = false;
    options.secrets = secrets
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect::<BTreeMap<_, _>>();
    let engine = Engine::new(design, options).await.expect("engine starts");
    TestEngine {
        engine,
        clock,
        state,
    }
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

static NEXT_IP: AtomicUsize = AtomicUsize::new(1);

/// Send a request through the router (no socket). Unless the test sets `cf-connecting-ip`,
/// every request gets its own client IP so that rate limits only bite where a test wants.
pub async fn send(
    engine: &Engine,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    let mut builder = Request::builder().method(method).uri(path);
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("cf-connecting-ip"))
    {
        let n = NEXT_IP.fetch_add(1, Ordering::Relaxed);
        builder = builder.header("cf-connecting-ip", format!("10.9.{}.{}", n / 250, n % 250));
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned())))
        .expect("request");
    let response = engine.router().oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = body_bytes(response.into_body()).await;
    Answer {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// Send a Client's scenario request as the design writes it.
pub async fn send_sample(engine: &Engine, sample: &SampleRequest) -> Answer {
    let headers: Vec<(&str, &str)> = sample
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let body = sample.body.as_ref().map(RequestBody::to_text);
    let method = sample.method.as_str();
    send(engine, method, &sample.path, &headers, body.as_deref()).await
}

/// Every byte of a response body.
pub async fn body_bytes<B>(body: B) -> Bytes
where
    B: axum::body::HttpBody,
    B::Error: std::fmt::Debug,
{
    body.collect().await.expect("body").to_bytes()
}

/// Send a request with a body and no headers of its own.
pub async fn send_json(engine: &Engine, method: &str, path: &str, body: &str) -> Answer {
    send(engine, method, path, &[], Some(body)).await
}

pub async fn get(engine: &Engine, path: &str) -> Answer {
    send(engine, "GET", path, &[], None).await
}
