//! Fuzzed requests: random methods, paths (odd bytes, percent-encoding, the designs' own
//! routes with odd parameters), headers and bodies (not JSON, empty, large, JSON of the wrong
//! shape for every step) through `Engine::router` for every example and fixture design that
//! runs without PostgreSQL. Every answer must come within a few seconds, never a panic, with
//! a status the platform could give and, when it has a body, a JSON one. Bounded: `CASES`
//! requests per `cargo test`.

mod design_files;

use std::sync::LazyLock;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use edgewire_engine::format;
use edgewire_engine::model::{Design, NodeKind};
use edgewire_engine::runtime::{Engine, EngineOptions};
use http_body_util::BodyExt as _;
use proptest::prelude::*;
use serde_json::Value;
use tower::ServiceExt as _;

const CASES: u32 = 2000;

/// One runtime for every case, and the engines it runs.
struct Engines {
    runtime: tokio::runtime::Runtime,
    running: Vec<(String, Engine, Vec<String>)>,
    _state: tempfile::TempDir,
}

/// The path patterns a design answers: its Worker routes and its gateways' prefixes.
fn patterns(design: &Design) -> Vec<String> {
    let mut out = Vec::new();
    for node in &design.nodes {
        match &node.kind {
            NodeKind::Worker(worker) => out.extend(worker.routes.iter().map(|r| r.path.clone())),
            NodeKind::Gateway(gateway) => {
                for route in &gateway.routes {
                    out.push(format!("{}/:id", route.path.trim_end_matches('/')));
                }
            }
            _ => {}
        }
    }
    out
}

static ENGINES: LazyLock<Engines> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let state = tempfile::tempdir().expect("state");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = design_files::examples();
    for name in ["contracts.ron", "kitchen-sink.ron", "public-worker.ron"] {
        files.push(root.join("tests/designs").join(name));
    }
    let mut running = Vec::new();
    for (index, path) in files.iter().enumerate() {
        let design = format::load(path).expect("design loads");
        if design
            .nodes
            .iter()
            .any(|n| matches!(n.kind, NodeKind::Hyperdrive(_)))
        {
            continue; // PostgreSQL is the PostgreSQL suites' business.
        }
        let mut options = EngineOptions::new(state.path().join(index.to_string()));
        options.read_environment = false;
        let secrets = edgewire_engine::secrets::load_beside(path)
            .map(edgewire_engine::secrets::Secrets::into_map)
            .unwrap_or_default();
        options.secrets = secrets;
        let engine = runtime
            .block_on(Engine::new(design.clone(), options))
            .expect("engine starts");
        running.push((path.display().to_string(), engine, patterns(&design)));
    }
    assert!(running.len() >= 3, "designs to fuzz");
    Engines {
        runtime,
        running,
        _state: state,
    }
});

/// A path segment: ordinary, empty, odd bytes percent-encoded, or raw odd characters.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{1,8}",
        Just(String::new()),
        "-?[0-9]{1,25}",
        prop::collection::vec(any::<u8>(), 1..12).prop_map(|bytes| percent_encoded(&bytes)),
        "[ -~]{1,10}".prop_map(|s| s.replace(['?', '#', ' '], "_")),
        "[\u{80}-\u{10FFFF}]{1,4}".prop_map(|s| percent_encoded(s.as_bytes())),
    ]
}

/// Every byte as `%XX`.
fn percent_encoded(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "%{b:02X}");
        out
    })
}

/// A JSON value of any shape (the wrong one for most steps).
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[ -~]{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 0..200),
        json().prop_map(|v| v.to_string().into_bytes()),
        // Each design's own field names with values of the wrong type.
        json().prop_map(|v| {
            serde_json::json!({"name": v.clone(), "email": v.clone(), "text": v.clone(), "id": v})
                .to_string()
                .into_bytes()
        }),
        Just(vec![b'{'; 70_000]),
    ]
}

#[derive(Debug, Clone)]
struct Fuzzed {
    design: prop::sample::Index,
    pattern: prop::sample::Index,
    method: &'static str,
    segments: Vec<String>,
    query: Option<String>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn fuzzed() -> impl Strategy<Value = Fuzzed> {
    (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        prop::sample::select(vec![
            "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
        ]),
        prop::collection::vec(segment(), 0..4),
        prop::option::of("[a-z=&%0-9]{0,30}"),
        prop::collection::vec(("[a-z-]{1,12}", "[ -~]{0,40}"), 0..4),
        body(),
    )
        .prop_map(
            |(design, pattern, method, segments, query, headers, body)| Fuzzed {
                design,
                pattern,
                method,
                segments,
                query,
                headers,
                body,
            },
        )
}

/// The path: one of the design's patterns with its `:params` filled with fuzzed segments, or
/// only fuzzed segments.
fn path(patterns: &[String], f: &Fuzzed) -> String {
    let mut fill = f.segments.iter().cycle();
    let base = if patterns.is_empty() || f.segments.len() == 3 {
        f.segments.join("/")
    } else {
        let pattern = &patterns[f.pattern.index(patterns.len())];
        pattern
            .split('/')
            .map(|part| {
                if part.starts_with(':') {
                    fill.next().cloned().unwrap_or_default()
                } else {
                    part.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut path = format!("/{}", base.trim_start_matches('/'));
    if let Some(query) = &f.query {
        path.push('?');
        path.push_str(query);
    }
    path
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn every_request_gets_a_json_answer_with_a_platform_status(f in fuzzed()) {
        let engines = &*ENGINES;
        let (name, engine, patterns) = &engines.running[f.design.index(engines.running.len())];
        let uri = path(patterns, &f);
        let mut builder = Request::builder().method(f.method).uri(uri.as_str());
        for (header, value) in &f.headers {
            builder = builder.header(header.as_str(), value.as_str());
        }
        let Ok(request) = builder.body(Body::from(f.body.clone())) else {
            // Not a request an HTTP client could send (the URI or a header is malformed).
            return Ok(());
        };
        let answer = engines.runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(10), async {
                let response = engine.router().oneshot(request).await.expect("infallible");
                let status = response.status().as_u16();
                let bytes = response.into_body().collect().await.expect("body").to_bytes();
                (status, bytes)
            })
            .await
        });
        let (status, bytes) = answer.map_err(|_| TestCaseError::fail(format!("{name}: {} {uri} did not answer within 10 s", f.method)))?;
        prop_assert!((200..=599).contains(&status), "{name}: {} {uri} -> {status}", f.method);
        prop_assert!(status != 500 || !bytes.is_empty(), "{name}: {} {uri} -> a bare 500", f.method);
        if !bytes.is_empty() {
            prop_assert!(
                serde_json::from_slice::<Value>(&bytes).is_ok(),
                "{name}: {} {uri} -> {status} with a body that is not JSON: {}",
                f.method,
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}
