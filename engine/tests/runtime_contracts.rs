//! Route contracts in the running engine: invalid requests get the 400 issue body before
//! any step runs; valid ones reach the steps with typed parameters and query defaults.

mod runtime_support;

use runtime_support::{get, send, send_json};
use serde_json::json;

const DESIGN: &str = r##"
nodes: [
    (id: "client", kind: Client()),
    (id: "users", kind: Worker(routes: [
        (
            method: POST,
            path: "/users/:id",
            request: (
                params: {"id": Integer},
                query: [(name: "notify", type: Boolean, default: false)],
                body: {"$ref": "#/$defs/User"},
            ),
            steps: [
                Respond(status: 201, body: Object({
                    "id": Ref("params.id"),
                    "notify": Ref("query.notify"),
                    "email": Ref("body.email"),
                })),
            ],
        ),
        (
            method: GET,
            path: "/plain/:id",
            steps: [Respond(status: 200, body: Object({"id": Ref("params.id")}))],
        ),
    ])),
],
wires: [(from: "client", to: "users")],
schemas: {
    "User": {
        "type": "object",
        "required": ["email"],
        "additionalProperties": false,
        "properties": {
            "email": {"type": "string", "format": "email"},
            "age": {"type": "integer", "minimum": 0},
        },
    },
},
"##;

async fn engine() -> runtime_support::TestEngine {
    runtime_support::start(runtime_support::design(DESIGN), &[]).await
}

#[tokio::test]
async fn a_valid_request_reaches_the_steps_with_typed_inputs() {
    let t = engine().await;
    let answer = send(
        &t.engine,
        "POST",
        "/users/42",
        &[("content-type", "application/json")],
        Some(r#"{"email": "ada@example.com"}"#),
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(
        answer.json(),
        json!({"id": 42, "notify": false, "email": "ada@example.com"})
    );
    let answer = send_json(
        &t.engine,
        "POST",
        "/users/7?notify=true",
        r#"{"email": "ada@example.com"}"#,
    )
    .await;
    assert_eq!(answer.json()["notify"], json!(true));
}

#[tokio::test]
async fn an_invalid_request_gets_400_with_every_issue_and_no_step_runs() {
    let t = engine().await;
    let answer = send_json(
        &t.engine,
        "POST",
        "/users/abc?notify=maybe",
        r#"{"email": 42, "age": -1, "extra": 1}"#,
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json(),
        json!({"error": "invalid request", "issues": [
            {"in": "body", "path": "", "rule": "additionalProperties", "message": "field \"extra\" is not allowed"},
            {"in": "body", "path": "/age", "rule": "minimum", "message": "must be >= 0"},
            {"in": "body", "path": "/email", "rule": "type", "message": "expected string, got integer"},
            {"in": "path", "path": "/id", "rule": "type", "message": "expected integer, got \"abc\""},
            {"in": "query", "path": "/notify", "rule": "type", "message": "expected boolean, got \"maybe\""},
        ]})
    );
    let missing = send(&t.engine, "POST", "/users/1", &[], None).await;
    assert_eq!(missing.status, 400);
    assert_eq!(
        missing.json()["issues"],
        json!([{"in": "body", "path": "", "rule": "type", "message": "expected object, got null"}])
    );
}

#[tokio::test]
async fn the_trace_has_a_validate_hop_with_the_issues() {
    let t = engine().await;
    let answer = send_json(&t.engine, "POST", "/users/1", "{}").await;
    assert_eq!(answer.status, 400);
    let traces = get(&t.engine, "/__edgewire/traces?limit=1").await.json();
    let hops = traces["traces"][0]["hops"]
        .as_array()
        .unwrap_or_else(|| panic!("no hops in {traces}"))
        .clone();
    let validate = hops
        .iter()
        .find(|hop| hop["kind"] == "validate")
        .unwrap_or_else(|| panic!("no validate hop in {hops:?}"));
    assert_eq!(validate["status"], 400);
    assert!(
        validate["error"]
            .as_str()
            .is_some_and(|e| e.contains("missing required field \"email\"")),
        "{validate}"
    );
}

#[tokio::test]
async fn a_route_without_a_contract_is_not_checked() {
    let t = engine().await;
    let answer = get(&t.engine, "/plain/abc").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), json!({"id": "abc"}));
}
