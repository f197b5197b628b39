//! Faults on demand: a D1 database that fails or is down, a Worker that throws, set and
//! cleared over `/__edgewire/faults`; the engine answers as the platform would and the trace
//! shows the fault.

mod runtime_support;

use std::path::Path;

use edgewire_engine::runtime::{Engine, EngineOptions, Fault};
use runtime_support::{get, send_json};

async fn d1_only(faults: Vec<(String, Fault)>) -> (Engine, tempfile::TempDir) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/d1-only.ron");
    let design = edgewire_engine::format::load(&path).expect("example loads");
    let state = tempfile::tempdir().expect("temp dir");
    let mut options = EngineOptions::new(state.path());
    options.read_environment = false;
    options.faults = faults;
    let engine = Engine::new(design, options).await.expect("engine starts");
    (engine, state)
}

fn last_fault(engine: &Engine, node: &str) -> Option<String> {
    let trace = engine.traces(1).pop().expect("a trace");
    trace
        .hops
        .iter()
        .find(|h| h.node == node)
        .and_then(|h| h.fault.clone())
}

#[tokio::test]
async fn a_failing_database_fails_its_step_and_clearing_restores_service_at_once() {
    let (engine, _state) = d1_only(vec![("tasks-db".to_owned(), Fault::Error)]).await;
    let failed = get(&engine, "/tasks/1").await;
    assert_eq!(failed.status, 500, "{}", failed.text);
    let body = failed.json();
    assert_eq!(body["node"], "tasks");
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("failed")),
        "{body}"
    );
    assert_eq!(last_fault(&engine, "tasks-db").as_deref(), Some("error"));

    let cleared = send_json(
        &engine,
        "POST",
        "/__edgewire/faults",
        r#"{"node": "tasks-db", "fault": null}"#,
    )
    .await;
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    assert_eq!(get(&engine, "/tasks/1").await.status, 200);
    assert_eq!(last_fault(&engine, "tasks-db"), None);
}

#[tokio::test]
async fn down_answers_502_slow_is_marked_and_a_throwing_worker_answers_500() {
    let (engine, _state) = d1_only(Vec::new()).await;
    let set = |node: &'static str, fault: &'static str| {
        let engine = engine.clone();
        async move {
            let body = format!(r#"{{"node": "{node}", "fault": "{fault}"}}"#);
            send_json(&engine, "POST", "/__edgewire/faults", &body).await
        }
    };
    assert_eq!(set("tasks-db", "down").await.status, 200);
    assert_eq!(get(&engine, "/tasks/1").await.status, 502);
    assert_eq!(last_fault(&engine, "tasks-db").as_deref(), Some("down"));

    assert_eq!(set("tasks-db", "slow:5").await.status, 200);
    assert_eq!(get(&engine, "/tasks/1").await.status, 200);
    assert_eq!(
        last_fault(&engine, "tasks-db").as_deref(),
        Some("slow 5 ms")
    );

    assert_eq!(set("tasks", "error").await.status, 200);
    let thrown = get(&engine, "/tasks/1").await;
    assert_eq!(thrown.status, 500);
    assert_eq!(thrown.json()["error"], "internal error");

    let listed = get(&engine, "/__edgewire/faults").await.json();
    assert_eq!(listed["faults"]["tasks"], "error");
    let cleared = send_json(&engine, "DELETE", "/__edgewire/faults", "").await;
    assert_eq!(cleared.json()["faults"], serde_json::json!({}));
    assert_eq!(get(&engine, "/tasks/1").await.status, 200);

    assert_eq!(set("tasks", "sideways").await.status, 400);
    assert_eq!(set("nobody", "down").await.status, 404);
}
