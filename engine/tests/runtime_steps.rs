//! Every step kind of the handler language, through the router (no socket), against real
//! SQLite files: what a client sees, including every failure shape.

mod runtime_support;

use std::time::Duration;

use edgewire_engine::semantics::{MAX_WORKER_INVOCATIONS, TRACE_HEADER};
use runtime_support::{Answer, get, send, send_json, start};
use serde_json::{Value, json};

const DESIGN: &str = r#"
nodes: [
  (id: "c", kind: Client()),
  (id: "kv", kind: Kv(seed: [(key: "seeded", value: "hello"), (key: "text", value: "not json")])),
  (id: "db", kind: D1(migrations: [(name: "notes", sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);")],
                      seed: "INSERT INTO notes (id, text) VALUES (1, 'first');")),
  (id: "inner", kind: Worker(routes: [
    (method: GET, path: "/echo/:x", steps: [
      Respond(status: 200, body: Object({"x": Ref("params.x"), "q": Ref("query.q"), "auth": Ref("auth"), "body": Ref("body")})),
    ]),
    (method: POST, path: "/echo/:x", steps: [
      Respond(status: 202, body: Ref("body")),
    ]),
    (method: GET, path: "/text", steps: [
      Respond(status: 200, body: Json("plain")),
    ]),
    (method: GET, path: "/loop", steps: [
      Call(binding: "OUTER", method: GET, path: "/loop", into: "res"),
      Respond(status: 200, body: Ref("res")),
    ]),
  ])),
  (id: "svc", kind: Worker(routes: [
    (method: GET, path: "/kv/:key", steps: [
      KvGet(binding: "KV", key: "{params.key}", into: "v"),
      Respond(status: 200, body: Object({"value": Ref("v")})),
    ]),
    (method: GET, path: "/kvjson/:key", steps: [
      KvGet(binding: "KV", key: "{params.key}", format: Json, into: "v"),
      Respond(status: 200, body: Object({"value": Ref("v")})),
    ]),
    (method: PUT, path: "/kv/:key", steps: [
      KvPut(binding: "KV", key: "{params.key}", value: Ref("body.value"), ttl_secs: 60),
      Respond(status: 204),
    ]),
    (method: PUT, path: "/kvperm/:key", steps: [
      KvPut(binding: "KV", key: "{params.key}", value: Ref("body.value")),
      Respond(status: 204),
    ]),
    (method: PUT, path: "/kvshort/:key", steps: [
      KvPut(binding: "KV", key: "{params.key}", value: Json("x"), ttl_secs: 10),
      Respond(status: 204),
    ]),
    (method: POST, path: "/kvkey", steps: [
      KvPut(binding: "KV", key: "{body.key}", value: Json("x")),
      Respond(status: 204),
    ]),
    (method: DELETE, path: "/kv/:key", steps: [
      KvDelete(binding: "KV", key: "{params.key}"),
      Respond(status: 204),
    ]),
    (method: GET, path: "/kvlist", steps: [
      KvList(binding: "KV", prefix: "{query.prefix}", into: "list"),
      Respond(status: 200, body: Ref("list")),
    ]),
    (method: POST, path: "/notes", steps: [
      D1(binding: "DB", sql: "INSERT INTO notes (text) VALUES (?1)", params: [Ref("body.text")], mode: Run, into: "r"),
      Respond(status: 201, body: Ref("r")),
    ]),
    (method: GET, path: "/notes", steps: [
      D1(binding: "DB", sql: "SELECT id, text FROM notes ORDER BY id", mode: All, into: "rows"),
      Respond(status: 200, body: Object({"notes": Ref("rows")})),
    ]),
    (method: GET, path: "/notes/:id", steps: [
      D1(binding: "DB", sql: "SELECT text, id FROM notes WHERE id = ?1", params: [Ref("params.id")], mode: First, into: "note"),
      If(cond: Missing("note"), then: [
        Respond(status: 404, body: Object({"error": Text("note {params.id} not found")})),
      ]),
      Respond(status: 200, body: Ref("note")),
    ]),
    (method: GET, path: "/types", steps: [
      D1(binding: "DB", sql: "SELECT 1 AS i, 1.5 AS r, 'x' AS t, NULL AS n, ?1 AS b, ?2 AS o, ?3 AS f", params: [Json(true), Json({"a": 1}), Json(2.5)], mode: First, into: "row"),
      Respond(status: 200, body: Ref("row")),
    ]),
    (method: GET, path: "/badsql", steps: [
      D1(binding: "DB", sql: "SELECT * FROM no_such_table", mode: All, into: "rows"),
      Respond(status: 200),
    ]),
    (method: GET, path: "/call/:x", steps: [
      Call(binding: "INNER", method: GET, path: "/echo/{params.x}?q=1", into: "res"),
      Respond(status: 200, body: Ref("res")),
    ]),
    (method: GET, path: "/callpost", steps: [
      Call(binding: "INNER", method: POST, path: "/echo/p", body: Object({"n": Json(1)}), into: "res"),
      Call(binding: "INNER", method: GET, path: "/text", into: "text"),
      Call(binding: "INNER", method: GET, path: "/nope", into: "missing"),
      Respond(status: 200, body: Object({"post": Ref("res"), "text": Ref("text"), "missing": Ref("missing")})),
    ]),
    (method: GET, path: "/loop", steps: [
      Call(binding: "INNER", method: GET, path: "/loop", into: "res"),
      Respond(status: 200, body: Ref("res")),
    ]),
    (method: POST, path: "/cond", steps: [
      Set(name: "seen", value: Text("n={body.n}")),
      If(cond: Equals(Ref("body.n"), Json(1)), then: [
        If(cond: Exists("body.deep"), then: [
          Respond(status: 200, body: Object({"branch": Json("then.then"), "seen": Ref("seen")})),
        ]),
      ], otherwise: [
        Respond(status: 200, body: Object({"branch": Json("otherwise")})),
      ]),
      Respond(status: 200, body: Object({"branch": Json("fallthrough"), "seen": Ref("seen")})),
    ]),
    (method: POST, path: "/fail-nested", steps: [
      If(cond: Exists("body"), then: [
        KvGet(binding: "KV", key: "text", format: Json, into: "v"),
      ]),
      Respond(status: 200),
    ]),
    (method: GET, path: "/headers", steps: [
      Respond(status: 200, body: Object({"auth": Ref("auth"), "query": Ref("query"), "in": Ref("headers.x-in")}),
              headers: {"x-echo": "{headers.x-in}", "location": "/a/{query.id}"}),
    ]),
    (method: GET, path: "/noresp", steps: [
      Set(name: "x", value: Json(1)),
    ]),
    (method: GET, path: "/nobind", steps: [
      KvGet(binding: "MISSING", key: "k", into: "v"),
      Respond(status: 200),
    ]),
  ])),
],
wires: [
  (from: "c", to: "svc"),
  (from: "svc", to: "kv", binding: "KV"),
  (from: "svc", to: "db", binding: "DB"),
  (from: "svc", to: "inner", binding: "INNER"),
  (from: "inner", to: "svc", binding: "OUTER"),
],
"#;

async fn engine() -> runtime_support::TestEngine {
    start(runtime_support::design(DESIGN), &[]).await
}

fn assert_step_failure(answer: &Answer, status: u16, error: &str, step: &str) {
    assert_eq!(answer.status, status, "{}", answer.text);
    assert_eq!(
        answer.json(),
        json!({"error": error, "node": "svc", "step": step})
    );
}

#[tokio::test]
async fn kv_get_reads_seeded_text_and_missing_keys_as_null() {
    let t = engine().await;
    let answer = get(&t.engine, "/kv/seeded").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), json!({"value": "hello"}));
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert!(answer.header(TRACE_HEADER).is_some());
    assert_eq!(
        get(&t.engine, "/kv/nope").await.json(),
        json!({"value": null})
    );
}

#[tokio::test]
async fn kv_put_stores_json_text_and_get_json_parses_it() {
    let t = engine().await;
    let put = send_json(&t.engine, "PUT", "/kvperm/k", r#"{"value": {"b": [1, 2]}}"#).await;
    assert_eq!(put.status, 204);
    assert_eq!(put.text, "");
    assert_eq!(
        get(&t.engine, "/kv/k").await.json(),
        json!({"value": "{\"b\":[1,2]}"})
    );
    assert_eq!(
        get(&t.engine, "/kvjson/k").await.json(),
        json!({"value": {"b": [1, 2]}})
    );
}

#[tokio::test]
async fn kv_get_json_sees_every_new_value_of_a_key() {
    let t = engine().await;
    for (sent, read) in [
        (r#"{"value": {"n": 1}}"#, json!({"n": 1})),
        (r#"{"value": {"n": 2}}"#, json!({"n": 2})),
        (r#"{"value": "no longer JSON"}"#, Value::Null),
    ] {
        let put = send_json(&t.engine, "PUT", "/kvperm/again", sent).await;
        assert_eq!(put.status, 204);
        let answer = get(&t.engine, "/kvjson/again").await;
        if read.is_null() {
            assert_step_failure(&answer, 500, "kv get failed", "0");
        } else {
            assert_eq!(answer.json(), json!({ "value": read }));
            // A second read (served from the parsed copy) gives the same value.
            assert_eq!(
                get(&t.engine, "/kvjson/again").await.json(),
                json!({ "value": read })
            );
        }
    }
    send(&t.engine, "DELETE", "/kv/again", &[], None).await;
    assert_eq!(
        get(&t.engine, "/kvjson/again").await.json(),
        json!({ "value": null })
    );
}

#[tokio::test]
async fn kv_ttl_expires_with_the_clock() {
    let t = engine().await;
    send_json(&t.engine, "PUT", "/kv/temp", r#"{"value": "v"}"#).await;
    assert_eq!(
        get(&t.engine, "/kv/temp").await.json(),
        json!({"value": "v"})
    );
    t.clock.advance(Duration::from_secs(59));
    assert_eq!(
        get(&t.engine, "/kv/temp").await.json(),
        json!({"value": "v"})
    );
    t.clock.advance(Duration::from_secs(2));
    assert_eq!(
        get(&t.engine, "/kv/temp").await.json(),
        json!({"value": null})
    );
    let list = get(&t.engine, "/kvlist?prefix=te").await.json();
    assert_eq!(
        list,
        json!({"keys": [{"name": "text"}], "list_complete": true})
    );
}

#[tokio::test]
async fn kv_delete_and_list_by_prefix() {
    let t = engine().await;
    for key in ["p:b", "p:a", "q:z"] {
        send_json(
            &t.engine,
            "PUT",
            &format!("/kvperm/{key}"),
            r#"{"value": 1}"#,
        )
        .await;
    }
    assert_eq!(
        get(&t.engine, "/kvlist?prefix=p:").await.json(),
        json!({"keys": [{"name": "p:a"}, {"name": "p:b"}], "list_complete": true})
    );
    assert_eq!(
        send(&t.engine, "DELETE", "/kv/p:a", &[], None).await.status,
        204
    );
    assert_eq!(
        get(&t.engine, "/kvlist?prefix=p").await.json(),
        json!({"keys": [{"name": "p:b"}], "list_complete": true})
    );
}

#[tokio::test]
async fn kv_limits_fail_the_step_without_leaking_the_cause() {
    let t = engine().await;
    let long_key = "k".repeat(513);
    let answer = send_json(
        &t.engine,
        "POST",
        "/kvkey",
        &json!({"key": long_key}).to_string(),
    )
    .await;
    assert_step_failure(&answer, 500, "kv put failed", "0");
    let ok_key = "k".repeat(512);
    let answer = send_json(
        &t.engine,
        "POST",
        "/kvkey",
        &json!({"key": ok_key}).to_string(),
    )
    .await;
    assert_eq!(answer.status, 204);
    let short_ttl = send(&t.engine, "PUT", "/kvshort/a", &[], None).await;
    assert_step_failure(&short_ttl, 500, "kv put failed", "0");
    // The full cause is in the trace for the app, not in the response.
    let trace = t.engine.traces(1).pop().expect("trace");
    let hop = trace
        .hops
        .iter()
        .find(|h| h.kind == "kv put")
        .expect("kv hop");
    assert!(
        hop.error
            .as_deref()
            .is_some_and(|e| e.contains("minimum is 60"))
    );
}

#[tokio::test]
async fn kv_get_json_of_text_fails_with_the_nested_step_path() {
    let t = engine().await;
    assert_step_failure(
        &get(&t.engine, "/kvjson/text").await,
        500,
        "kv get failed",
        "0",
    );
    let nested = send_json(&t.engine, "POST", "/fail-nested", "{}").await;
    assert_step_failure(&nested, 500, "kv get failed", "0.then.0");
}

#[tokio::test]
async fn d1_run_all_first_and_value_mapping() {
    let t = engine().await;
    let run = send_json(&t.engine, "POST", "/notes", r#"{"text": "second"}"#).await;
    assert_eq!(run.status, 201);
    assert_eq!(run.json(), json!({"changes": 1, "last_row_id": 2}));
    assert_eq!(
        get(&t.engine, "/notes").await.json(),
        json!({"notes": [{"id": 1, "text": "first"}, {"id": 2, "text": "second"}]})
    );
    let first = get(&t.engine, "/notes/2").await;
    // Columns keep their select order.
    assert_eq!(first.text, r#"{"text":"second","id":2}"#);
    let missing = get(&t.engine, "/notes/9").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json(), json!({"error": "note 9 not found"}));
    assert_eq!(
        get(&t.engine, "/types").await.json(),
        json!({"i": 1, "r": 1.5, "t": "x", "n": null, "b": 1, "o": "{\"a\":1}", "f": 2.5})
    );
    let trace = t
        .engine
        .traces(10)
        .into_iter()
        .find(|t| t.path == "/notes/2")
        .expect("trace");
    let hop = trace
        .hops
        .iter()
        .find(|h| h.kind == "d1 query")
        .expect("d1 hop");
    assert_eq!(hop.rows, Some(1));
    let meta = hop.meta.as_ref().expect("meta");
    for field in [
        "changes",
        "last_row_id",
        "rows_read",
        "rows_written",
        "duration",
    ] {
        assert!(meta.get(field).is_some(), "meta has {field}: {meta}");
    }
}

#[tokio::test]
async fn d1_sql_errors_fail_the_step() {
    let t = engine().await;
    assert_step_failure(
        &get(&t.engine, "/badsql").await,
        500,
        "d1 query failed",
        "0",
    );
}

#[tokio::test]
async fn service_calls_pass_method_path_query_body_and_auth() {
    let t = engine().await;
    let answer = get(&t.engine, "/call/hi%20there").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json(),
        json!({"status": 200, "body": {"x": "hi there", "q": "1", "auth": {"method": "none"}, "body": null}})
    );
    let answer = get(&t.engine, "/callpost").await.json();
    assert_eq!(answer["post"], json!({"status": 202, "body": {"n": 1}}));
    assert_eq!(answer["text"], json!({"status": 200, "body": "plain"}));
    assert_eq!(
        answer["missing"],
        json!({"status": 404, "body": {"error": "no route matches GET /nope"}})
    );
    let trace = t.engine.traces(1).pop().expect("trace");
    let workers: Vec<&str> = trace
        .hops
        .iter()
        .filter(|h| h.kind == "worker")
        .map(|h| h.node.as_str())
        .collect();
    assert_eq!(workers, ["svc", "inner", "inner", "inner"]);
}

#[tokio::test]
async fn a_loop_of_service_calls_stops_at_the_platform_limit() {
    let t = engine().await;
    let answer = get(&t.engine, "/loop").await;
    assert_eq!(answer.status, 200);
    assert!(
        answer.text.contains(r#""error":"service call failed""#),
        "{}",
        answer.text
    );
    let trace = t.engine.traces(1).pop().expect("trace");
    let workers = trace.hops.iter().filter(|h| h.kind == "worker").count();
    assert_eq!(workers, MAX_WORKER_INVOCATIONS);
}

#[tokio::test]
async fn set_if_and_equals_compare_numbers_by_value() {
    let t = engine().await;
    let deep = send_json(&t.engine, "POST", "/cond", r#"{"n": 1.0, "deep": true}"#).await;
    assert_eq!(deep.json(), json!({"branch": "then.then", "seen": "n=1"}));
    let through = send_json(&t.engine, "POST", "/cond", r#"{"n": 1}"#).await;
    assert_eq!(
        through.json(),
        json!({"branch": "fallthrough", "seen": "n=1"})
    );
    let other = send_json(&t.engine, "POST", "/cond", r#"{"n": "1"}"#).await;
    assert_eq!(other.json(), json!({"branch": "otherwise"}));
}

#[tokio::test]
async fn respond_builds_headers_and_sees_inputs() {
    let t = engine().await;
    let answer = send(
        &t.engine,
        "GET",
        "/headers?id=7&id=8&x=a+b",
        &[
            ("x-in", "v1"),
            ("x-edgewire-auth", r#"{"method":"api_key"}"#),
        ],
        None,
    )
    .await;
    assert_eq!(answer.header("x-echo"), Some("v1"));
    assert_eq!(answer.header("location"), Some("/a/7"));
    // A public Worker ignores a client-sent auth header.
    assert_eq!(
        answer.json(),
        json!({"auth": {"method": "none"}, "query": {"id": "7", "x": "a b"}, "in": "v1"})
    );
}

#[tokio::test]
async fn handler_without_response_and_missing_binding_are_500() {
    let t = engine().await;
    let answer = get(&t.engine, "/noresp").await;
    assert_eq!(answer.status, 500);
    assert_eq!(
        answer.json(),
        json!({"error": "handler finished without a response", "node": "svc"})
    );
    assert_step_failure(&get(&t.engine, "/nobind").await, 500, "kv get failed", "0");
}

#[tokio::test]
async fn malformed_json_is_400_and_unknown_routes_404() {
    let t = engine().await;
    let bad = send_json(&t.engine, "POST", "/notes", r#"{"text": "#).await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.json(),
        json!({"error": "request body is not valid JSON"})
    );
    let unknown = get(&t.engine, "/nothing").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.json(),
        json!({"error": "no route matches GET /nothing"})
    );
    let trailing = get(&t.engine, "/notes/1/").await;
    assert_eq!(trailing.status, 200);
}

/// A KV namespace that panics: the engine must turn the panic into a 500 and keep serving.
struct Panicking;

impl edgewire_engine::runtime::KvNamespace for Panicking {
    fn get(
        &self,
        _key: String,
    ) -> futures_util::future::BoxFuture<
        '_,
        Result<Option<std::sync::Arc<str>>, edgewire_engine::runtime::BindingError>,
    > {
        panic!("a store bug")
    }

    fn put(
        &self,
        _key: String,
        _value: String,
        _ttl_secs: Option<u32>,
    ) -> futures_util::future::BoxFuture<'_, Result<(), edgewire_engine::runtime::BindingError>>
    {
        panic!("a store bug")
    }

    fn delete(
        &self,
        _key: String,
    ) -> futures_util::future::BoxFuture<'_, Result<(), edgewire_engine::runtime::BindingError>>
    {
        panic!("a store bug")
    }

    fn list(
        &self,
        _prefix: String,
        _limit: usize,
    ) -> futures_util::future::BoxFuture<
        '_,
        Result<Vec<String>, edgewire_engine::runtime::BindingError>,
    > {
        panic!("a store bug")
    }
}

#[tokio::test]
async fn a_panic_inside_a_request_is_a_500_and_the_engine_keeps_serving() {
    let state = tempfile::tempdir().expect("temp dir");
    let mut options = edgewire_engine::runtime::EngineOptions::new(state.path());
    options.extra_bindings.push((
        "svc".to_owned(),
        "KV".to_owned(),
        edgewire_engine::runtime::Binding::Kv {
            node: "kv".to_owned(),
            kv: std::sync::Arc::new(Panicking),
        },
    ));
    let engine = edgewire_engine::runtime::Engine::new(runtime_support::design(DESIGN), options)
        .await
        .expect("starts");
    let answer = get(&engine, "/kv/seeded").await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.json(), json!({"error": "internal error"}));
    assert!(answer.header(TRACE_HEADER).is_some());
    assert_eq!(get(&engine, "/notes/1").await.status, 200);
}
