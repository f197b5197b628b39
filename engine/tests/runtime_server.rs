//! The engine as a server: a real socket, graceful stop with a live event stream, traces,
//! 1,000 concurrent requests, persistence across restarts and `fresh`.

mod runtime_support;

use axum::body::Body;
use axum::http::Request;
use bytes::Bytes;
use edgewire_engine::runtime::{Engine, EngineEvent, EngineOptions, RunningEngine};
use edgewire_engine::semantics::TRACE_HEADER;
use http_body_util::{BodyExt as _, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use runtime_support::{body_bytes, design, get, send_json, start, start_in};
use serde_json::{Value, json};
use tower::ServiceExt as _;

const DESIGN: &str = r#"
nodes: [
  (id: "c", kind: Client()),
  (id: "gw", kind: Gateway(routes: [(path: "/", service: "SVC")])),
  (id: "kv", kind: Kv(seed: [(key: "greeting", value: "hello")])),
  (id: "db", kind: D1(migrations: [(name: "items", sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);")],
                      seed: "INSERT INTO items (id, name) VALUES (1, 'one'), (2, 'two');")),
  (id: "svc", kind: Worker(routes: [
    (method: GET, path: "/item/:id", steps: [
      KvGet(binding: "KV", key: "item:{params.id}", format: Json, into: "cached"),
      If(cond: Exists("cached"), then: [Respond(status: 200, body: Object({"item": Ref("cached"), "source": Json("kv")}))]),
      D1(binding: "DB", sql: "SELECT id, name FROM items WHERE id = ?1", params: [Ref("params.id")], mode: First, into: "item"),
      If(cond: Missing("item"), then: [Respond(status: 404, body: Object({"error": Json("not found")}))]),
      KvPut(binding: "KV", key: "item:{params.id}", value: Ref("item")),
      Respond(status: 200, body: Object({"item": Ref("item"), "source": Json("d1")})),
    ]),
    (method: POST, path: "/item", steps: [
      D1(binding: "DB", sql: "INSERT INTO items (name) VALUES (?1) RETURNING id, name", params: [Ref("body.name")], mode: First, into: "item"),
      KvPut(binding: "KV", key: "last", value: Ref("item.name")),
      Respond(status: 201, body: Ref("item")),
    ]),
    (method: GET, path: "/last", steps: [
      KvGet(binding: "KV", key: "last", into: "last"),
      D1(binding: "DB", sql: "SELECT count(*) AS n FROM items", mode: First, into: "count"),
      Respond(status: 200, body: Object({"last": Ref("last"), "count": Ref("count.n")})),
    ]),
  ])),
],
wires: [
  (from: "c", to: "gw"),
  (from: "gw", to: "svc", binding: "SVC"),
  (from: "svc", to: "kv", binding: "KV"),
  (from: "svc", to: "db", binding: "DB"),
],
"#;

/// `path` on the running engine's address.
fn uri(running: &RunningEngine, path: &str) -> hyper::Uri {
    format!("{}{path}", running.url()).parse().expect("uri")
}

#[tokio::test]
async fn serves_on_a_real_socket_and_stops_with_a_live_event_stream() {
    let state = tempfile::tempdir().expect("temp dir");
    let mut options = EngineOptions::new(state.path());
    options.port = 0;
    let running = Engine::start(design(DESIGN), options)
        .await
        .expect("starts");
    assert!(running.addr().ip().is_loopback());
    assert_eq!(
        running.entry_urls(),
        [("gw".to_owned(), format!("{}/", running.url()))]
    );
    let mut events = running.subscribe();
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();

    // A live event stream stays open while we make a request.
    let sse = client
        .get(uri(&running, "/__edgewire/events"))
        .await
        .expect("event stream");
    assert_eq!(
        sse.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    let mut sse_body = sse.into_body();

    let response = client.get(uri(&running, "/item/1")).await.expect("answer");
    assert_eq!(response.status(), 200);
    let trace_id = response
        .headers()
        .get(TRACE_HEADER)
        .and_then(|v| v.to_str().ok())
        .expect("trace header")
        .to_owned();
    let body = body_bytes(response.into_body()).await;
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(
        body,
        json!({"item": {"id": 1, "name": "one"}, "source": "d1"})
    );

    // The same trace on the broadcast channel, the event stream and the traces endpoint.
    let event = events.recv().await.expect("event");
    let EngineEvent::Request(trace) = event else {
        panic!("expected a request event");
    };
    assert_eq!(trace.id, trace_id);
    let kinds: Vec<(&str, &str)> = trace
        .hops
        .iter()
        .map(|h| (h.node.as_str(), h.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("gw", "gateway"),
            ("svc", "worker"),
            ("kv", "kv get"),
            ("db", "d1 query"),
            ("kv", "kv put")
        ]
    );
    let mut streamed = String::new();
    while !streamed.contains(&trace_id) {
        let frame = sse_body.frame().await.expect("frame").expect("frame ok");
        if let Ok(data) = frame.into_data() {
            streamed.push_str(&String::from_utf8_lossy(&data));
        }
    }
    assert!(streamed.contains("event: trace"), "{streamed}");
    let traces = client
        .get(uri(&running, "/__edgewire/traces?limit=5"))
        .await
        .expect("traces");
    let traces = traces.into_body().collect().await.expect("body").to_bytes();
    let traces: Value = serde_json::from_slice(&traces).expect("json");
    assert_eq!(traces["traces"][0]["id"], trace_id);
    let metrics = running.metrics();
    assert_eq!(metrics["svc"].requests, 1);
    assert_eq!(metrics["db"].errors, 0);

    // Stop finishes although the event stream is still open.
    running.stop().await.expect("stops");
    drop(sse_body);
}

/// [`DESIGN`] with a second Client, wired straight to the Worker `svc`.
fn with_a_second_entry_point() -> String {
    DESIGN
        .replace(
            r#"(id: "c", kind: Client()),"#,
            r#"(id: "c", kind: Client()), (id: "c2", kind: Client()),"#,
        )
        .replace(
            r#"(from: "c", to: "gw"),"#,
            r#"(from: "c", to: "gw"), (from: "c2", to: "svc"),"#,
        )
}

/// What the socket path adds to the router's: request bodies read from the connection,
/// entry points under their prefix, the `/__edgewire/*` endpoints beside them, and HTTP/2.
#[tokio::test]
async fn the_socket_reads_bodies_and_serves_every_entry_point_beside_the_tools_over_http1_and_2() {
    let two = with_a_second_entry_point();
    let state = tempfile::tempdir().expect("temp dir");
    let mut options = EngineOptions::new(state.path());
    options.port = 0;
    let running = Engine::start(design(&two), options).await.expect("starts");
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1)
        .build_http::<http_body_util::Full<Bytes>>();
    let send = |method: &str, path: &str, body: &str| {
        let request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", running.url()))
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(Bytes::from(body.to_owned())))
            .expect("request");
        let client = client.clone();
        async move {
            let response = client.request(request).await.expect("answer");
            let status = response.status().as_u16();
            let body = body_bytes(response.into_body()).await;
            (
                status,
                serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
            )
        }
    };

    let (status, created) = send("POST", "/item", r#"{"name": "three"}"#).await;
    assert_eq!((status, created), (201, json!({"id": 3, "name": "three"})));
    let (status, last) = send("GET", "/last", "").await;
    assert_eq!((status, last), (200, json!({"last": "three", "count": 3})));
    let (status, body) = send("POST", "/item", "{not json").await;
    assert_eq!(status, 400, "{body}");
    let (status, item) = send("GET", "/__edgewire/entry/svc/item/3?x=1", "").await;
    assert_eq!(status, 200);
    assert_eq!(item["item"]["name"], "three");
    assert_eq!(send("GET", "/__edgewire/entry/kv/x", "").await.0, 404);
    let (status, metrics) = send("GET", "/__edgewire/metrics", "").await;
    assert_eq!(status, 200);
    assert_eq!(metrics["nodes"]["svc"]["requests"], 4);

    // HTTP/2 for a client that starts with its preface (h2c, as `curl --http2-prior-knowledge`).
    let h2 = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http::<Empty<Bytes>>();
    let answer = h2
        .get(uri(&running, "/__edgewire/metrics"))
        .await
        .expect("an HTTP/2 answer");
    assert_eq!(answer.version(), axum::http::Version::HTTP_2);
    assert_eq!(answer.status(), 200);

    let traces = running.engine().traces(10);
    assert_eq!(traces.len(), 4, "the unknown entry point has no trace");
    assert_eq!(traces[3].entry, "svc");
    assert_eq!(traces[3].path, "/item/3");
    assert_eq!(traces[3].hops[0].detail, "GET /item/3?x=1");
    running.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_through_gateway_worker_kv_and_d1() {
    let t = start(design(DESIGN), &[]).await;
    let router = t.engine.router();
    let mut tasks = Vec::new();
    for i in 0..1000 {
        let router = router.clone();
        tasks.push(tokio::spawn(async move {
            let request = if i % 10 == 0 {
                Request::post("/item")
                    .header("content-type", "application/json")
                    .body(Body::from(format!(r#"{{"name": "n{i}"}}"#)))
            } else {
                Request::get(format!("/item/{}", 1 + i % 2)).body(Body::empty())
            }
            .expect("request");
            let response = router.oneshot(request).await.expect("infallible");
            response.status().as_u16()
        }));
    }
    let mut statuses = std::collections::BTreeMap::new();
    for task in tasks {
        *statuses.entry(task.await.expect("task")).or_insert(0) += 1;
    }
    assert_eq!(statuses, [(200, 900), (201, 100)].into_iter().collect());
    let last = get(&t.engine, "/last").await.json();
    assert_eq!(last["count"], 102);
    let metrics = t.engine.metrics();
    assert_eq!(metrics["gw"].errors, 0);
    assert_eq!(metrics["svc"].requests, 1001);
    t.engine.shutdown().await;
}

#[tokio::test]
async fn data_survives_a_restart_and_fresh_resets_it() {
    let t = start(design(DESIGN), &[]).await;
    let created = send_json(&t.engine, "POST", "/item", r#"{"name": "kept"}"#).await;
    assert_eq!(created.status, 201);
    assert_eq!(created.json(), json!({"id": 3, "name": "kept"}));
    assert_eq!(get(&t.engine, "/item/1").await.json()["source"], "d1");
    t.engine.shutdown().await;
    let state = t.state;
    let dir = state.path().to_owned();
    drop(t.engine);

    // Migrations are recorded like wrangler's, one row each.
    let conn = rusqlite::Connection::open(dir.join("d1").join("db.sqlite3")).expect("open");
    let names: Vec<String> = conn
        .prepare("SELECT name FROM d1_migrations ORDER BY id")
        .expect("prepare")
        .query_map([], |row| row.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(names, ["0001_items.sql"]);
    drop(conn);

    let again = start_in(design(DESIGN), &[], state).await;
    assert_eq!(
        get(&again.engine, "/last").await.json(),
        json!({"last": "kept", "count": 3})
    );
    assert_eq!(
        get(&again.engine, "/item/1").await.json()["source"],
        "kv",
        "the KV entry written before the restart is still there"
    );
    again.engine.shutdown().await;
    drop(again.engine);

    let mut options = EngineOptions::new(&dir);
    options.fresh = true;
    let fresh = Engine::new(design(DESIGN), options).await.expect("starts");
    assert_eq!(
        get(&fresh, "/last").await.json(),
        json!({"last": null, "count": 2})
    );
    fresh.shutdown().await;
    drop(again.state);
}

#[tokio::test]
async fn missing_secrets_are_named_at_startup() {
    let with_key = DESIGN.replace(
        r#"(id: "gw", kind: Gateway(routes: [(path: "/", service: "SVC")])),"#,
        r#"(id: "gw", kind: Gateway(routes: [(path: "/", service: "SVC")], auth: ApiKey(header: "x-key", secret: "EDGEWIRE_TEST_UNSET_KEY"))),"#,
    );
    let state = tempfile::tempdir().expect("temp dir");
    let mut options = EngineOptions::new(state.path());
    options.read_environment = false;
    let err = Engine::new(design(&with_key), options)
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("EDGEWIRE_TEST_UNSET_KEY"), "{err}");
}

#[tokio::test]
async fn every_entry_point_is_reachable_under_its_prefix() {
    let two = with_a_second_entry_point();
    let t = start(design(&two), &[]).await;
    assert_eq!(t.engine.entry_points(), ["gw", "svc"]);
    assert_eq!(get(&t.engine, "/item/2").await.status, 200);
    let direct = get(&t.engine, "/__edgewire/entry/svc/item/2").await;
    assert_eq!(direct.status, 200);
    let trace = t.engine.traces(1).pop().expect("trace");
    assert_eq!(trace.entry, "svc");
    assert_eq!(trace.hops[0].kind, "worker");
    assert_eq!(
        get(&t.engine, "/__edgewire/entry/gw/item/2").await.status,
        200
    );
    assert_eq!(get(&t.engine, "/__edgewire/entry/kv/x").await.status, 404);
}
