//! Recipes: each is one edit that leaves the design valid, and says no clearly where it
//! does not apply.

use std::collections::BTreeSet;

use edgewire_engine::format;
use edgewire_engine::generate::{Recipe, cache_aside, jwt_gateway, read_replication};
use edgewire_engine::model::{Auth, Design, NodeKind, Step};
use edgewire_engine::runtime::verify_jwt;
use edgewire_engine::validate::validate_with_secrets;

fn example(name: &str) -> Design {
    let path = format!("{}/../examples/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    format::load(std::path::Path::new(&path)).expect("example loads")
}

fn applied(design: &Design, recipe: &Recipe, secrets: &[&str]) -> Design {
    let mut after = design.clone();
    after.apply(&recipe.generated.edit).expect("applies");
    let declared: BTreeSet<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
    let diagnostics = validate_with_secrets(&after, Some(&declared));
    let errors: Vec<_> = diagnostics.errors().collect();
    assert!(errors.is_empty(), "{errors:#?}");
    after
}

#[test]
fn cache_aside_wraps_the_read_in_kv_and_adds_a_namespace_when_there_is_none() {
    let design = example("d1-only");
    let recipe = cache_aside(&design, "tasks", 1).expect("GET /tasks/:id reads D1");
    let after = applied(&design, &recipe, &[]);
    assert!(after.node("cache").is_some(), "a new KV namespace");
    let Some(NodeKind::Worker(worker)) = after.node("tasks").map(|n| &n.kind) else {
        panic!("tasks");
    };
    let steps = &worker.routes[1].steps;
    let Step::KvGet { key, into, .. } = &steps[0] else {
        panic!("a KV read first: {steps:#?}");
    };
    assert_eq!(key.as_str(), "cache:/tasks/{params.id}");
    assert_eq!(into, "task");
    let Step::If { then, .. } = &steps[1] else {
        panic!("the query on a miss: {steps:#?}");
    };
    assert!(matches!(then[0], Step::D1 { .. }));
    assert!(matches!(
        then[1],
        Step::KvPut {
            ttl_secs: Some(60),
            ..
        }
    ));

    let again = cache_aside(&after, "tasks", 1).expect_err("already cached");
    assert!(again.to_string().contains("already reads KV"), "{again}");
    let post = cache_aside(&design, "tasks", 2).expect_err("a POST");
    assert!(
        post.to_string().contains("only GET routes are cached"),
        "{post}"
    );
}

#[test]
fn jwt_gateway_signs_the_scenario_with_the_new_secret() {
    let design = example("global-api");
    let recipe = jwt_gateway(&design, "gateway", "dev-secret").expect("an API-key gateway");
    assert_eq!(
        recipe.secrets.get("JWT_SECRET").map(String::as_str),
        Some("dev-secret")
    );
    let after = applied(&design, &recipe, &["JWT_SECRET"]);
    let Some(NodeKind::Gateway(gateway)) = after.node("gateway").map(|n| &n.kind) else {
        panic!("gateway");
    };
    let Auth::Jwt {
        issuer, audience, ..
    } = &gateway.auth
    else {
        panic!("JWT: {:?}", gateway.auth);
    };
    let Some(NodeKind::Client(client)) = after.node("web").map(|n| &n.kind) else {
        panic!("web");
    };
    let Some(NodeKind::Client(before)) = design.node("web").map(|n| &n.kind) else {
        panic!("web");
    };
    let mut signed = 0;
    for (request, was) in client.scenario.iter().zip(&before.scenario) {
        assert!(!request.headers.contains_key("x-api-key"), "{request:?}");
        if !was.headers.contains_key("x-api-key") {
            // A request that sent no credentials (a 401 case) still sends none.
            assert!(
                !request.headers.contains_key("authorization"),
                "{request:?}"
            );
            continue;
        }
        signed += 1;
        let token = request.headers["authorization"].trim_start_matches("Bearer ");
        let now_ms = 1_800_000_000_000;
        assert!(verify_jwt(token, b"dev-secret", issuer, audience, now_ms).is_some());
    }
    assert!(signed > 5, "{signed}");
    assert!(jwt_gateway(&after, "gateway", "x").is_err(), "already JWT");
}

#[test]
fn read_replication_turns_replicas_on_once() {
    let design = example("d1-only");
    let recipe = read_replication(&design, "tasks-db").expect("a D1");
    let after = applied(&design, &recipe, &[]);
    assert!(
        matches!(&after.node("tasks-db").map(|n| &n.kind), Some(NodeKind::D1(d1)) if d1.read_replication)
    );
    let twice = read_replication(&after, "tasks-db").expect_err("already on");
    assert!(twice.to_string().contains("already on"), "{twice}");
}
