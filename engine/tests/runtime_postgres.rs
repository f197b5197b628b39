//! Hyperdrive against a real PostgreSQL (a private throwaway cluster): the reference example's
//! whole scenario, the query cache rules, column mapping, and an origin that goes down and
//! comes back. Skipped with a printed reason when PostgreSQL is not installed, unless
//! `EDGEWIRE_REQUIRE_POSTGRES=1` (then the tests fail).

mod runtime_support;

use std::path::Path;
use std::time::Duration;

use edgewire_engine::runtime::postgres::cluster::{Cluster, ClusterOptions, TestCluster};
use edgewire_engine::runtime::{CacheOutcome, Engine, EngineOptions};
use runtime_support::{design, get, send_json, send_sample, start};
use serde_json::json;

const WORKER: &str = r#"
  (id: "c", kind: Client()),
  (id: "svc", kind: Worker(routes: [
    (method: GET, path: "/orders/:id", steps: [
      Hyperdrive(binding: "PG", sql: "SELECT id, status FROM orders WHERE id = $1", params: [Ref("params.id")], mode: First, into: "order"),
      If(cond: Missing("order"), then: [Respond(status: 404, body: Object({"error": Json("no order")}))]),
      Respond(status: 200, body: Ref("order")),
    ]),
    (method: POST, path: "/orders/:id", steps: [
      Hyperdrive(binding: "PG", sql: "UPDATE orders SET status = $2 WHERE id = $1::int", params: [Ref("params.id"), Ref("body.status")], mode: Run, into: "r"),
      Respond(status: 200, body: Ref("r")),
    ]),
    (method: GET, path: "/now", steps: [
      Hyperdrive(binding: "PG", sql: "SELECT now() AS t", mode: First, into: "row"),
      Respond(status: 200),
    ]),
    (method: GET, path: "/types", steps: [
      Hyperdrive(binding: "PG", sql: "SELECT 1::int2 AS a, 2::int4 AS b, 3::int8 AS c, 1.5::float8 AS d, 12.30::numeric AS e, true AS f, '{\"k\": [1]}'::jsonb AS g, 'x'::text AS h, NULL::int AS i, '2024-01-02'::date AS j, '2024-01-02 03:04:05.5'::timestamp AS k, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS l, $1 AS m, $2::int + 1 AS n", params: [Json("text"), Json(41)], mode: All, into: "rows"),
      Respond(status: 200, body: Ref("rows")),
    ]),
  ])),
"#;

fn hyperdrive_design(caching: &str) -> edgewire_engine::Design {
    design(&format!(
        r#"nodes: [
  {WORKER}
  (id: "pg", kind: Hyperdrive(origin: ConnectionString(secret: "DATABASE_URL"), origin_region: "us-east", caching: {caching})),
],
wires: [(from: "c", to: "svc"), (from: "svc", to: "pg", binding: "PG")],"#
    ))
}

/// A throwaway PostgreSQL cluster holding the origin's tables, and its connection string;
/// `None` when the machine has no PostgreSQL (the test is skipped).
async fn origin() -> Option<(Cluster, String)> {
    let cluster = TestCluster::start_for_tests()?;
    let url = cluster.connection_string();
    prepare_origin(&url).await;
    Some((cluster, url))
}

/// A client of the test cluster, and the task that drives its connection (it ends once the
/// client is dropped).
async fn connect(url: &str) -> (tokio_postgres::Client, tokio::task::JoinHandle<()>) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test cluster");
    let task = tokio::spawn(async move {
        let _ = connection.await;
    });
    (client, task)
}

async fn prepare_origin(url: &str) {
    let (client, task) = connect(url).await;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS orders (id integer PRIMARY KEY, status text NOT NULL);
             INSERT INTO orders VALUES (1, 'new'), (2, 'paid') ON CONFLICT DO NOTHING;",
        )
        .await
        .expect("create the table");
    drop(client);
    let _ = task.await;
}

async fn set_status_directly(url: &str, id: i32, status: &str) {
    let (client, task) = connect(url).await;
    client
        .execute(
            "UPDATE orders SET status = $2 WHERE id = $1",
            &[&id, &status],
        )
        .await
        .expect("update");
    drop(client);
    let _ = task.await;
}

fn last_cache(engine: &Engine) -> Option<CacheOutcome> {
    let trace = engine.traces(1).pop()?;
    trace.hops.iter().find_map(|h| h.cache)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_example_scenario_passes_in_full() {
    if TestCluster::binaries_for_tests().is_none() {
        return;
    }
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let design = edgewire_engine::format::load(&examples.join("global-api.ron")).expect("loads");
    let secrets = edgewire_engine::secrets::load(&examples.join("global-api.dev.vars"))
        .expect("vars")
        .into_map();
    let state = tempfile::tempdir().expect("temp dir");
    let mut options = EngineOptions::new(state.path());
    options.secrets = secrets;
    options.read_environment = false;
    let engine = Engine::new(design.clone(), options).await.expect("starts");
    engine.ready().await;
    let mut failures = Vec::new();
    let mut count = 0;
    for node in &design.nodes {
        let edgewire_engine::NodeKind::Client(client) = &node.kind else {
            continue;
        };
        for request in &client.scenario {
            count += 1;
            let answer = send_sample(&engine, request).await;
            if answer.status != request.expect_status {
                failures.push(format!(
                    "{}: {} (expected {}) {}",
                    request.name, answer.status, request.expect_status, answer.text
                ));
            }
        }
    }
    engine.shutdown().await;
    assert!(count >= 15);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_cache_hits_expires_serves_stale_and_bypasses_writes() {
    let Some((cluster, url)) = origin().await else {
        return;
    };
    let caching = "(max_age_secs: 60, stale_while_revalidate_secs: 15)";
    let t = start(hyperdrive_design(caching), &[("DATABASE_URL", &url)]).await;

    let first = get(&t.engine, "/orders/1").await;
    assert_eq!(
        first.json(),
        json!({"id": 1, "status": "new"}),
        "{:?}",
        t.engine.traces(1)
    );
    assert_eq!(last_cache(&t.engine), Some(CacheOutcome::Miss));
    assert_eq!(get(&t.engine, "/orders/1").await.json()["status"], "new");
    assert_eq!(last_cache(&t.engine), Some(CacheOutcome::Hit));

    // A change behind Hyperdrive's back is not seen while the entry is fresh...
    set_status_directly(&url, 1, "shipped").await;
    t.clock.advance(Duration::from_secs(59));
    assert_eq!(get(&t.engine, "/orders/1").await.json()["status"], "new");
    assert_eq!(last_cache(&t.engine), Some(CacheOutcome::Hit));
    // ...then served stale once while it is refreshed in the background...
    t.clock.advance(Duration::from_secs(2));
    assert_eq!(get(&t.engine, "/orders/1").await.json()["status"], "new");
    assert_eq!(last_cache(&t.engine), Some(CacheOutcome::Stale));
    // ...and the refreshed entry is a fresh hit.
    let mut refreshed = false;
    for _ in 0..100 {
        let answer = get(&t.engine, "/orders/1").await;
        if answer.json()["status"] == "shipped" {
            assert_eq!(last_cache(&t.engine), Some(CacheOutcome::Hit));
            refreshed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refreshed, "the background refresh never landed");

    // Past max_age + stale_while_revalidate the entry is a miss.
    t.clock.advance(Duration::from_secs(76));
    assert_eq!(
        get(&t.engine, "/orders/1").await.json()["status"],
        "shipped"
    );
    assert_eq!(last_cache(&t.engine), Some(CacheOutcome::Miss));

    // Writes and volatile queries are never cached.
    let write = send_json(&t.engine, "POST", "/orders/2", r#"{"status": "refunded"}"#).await;
    assert_eq!(write.json(), json!({"changes": 1}));
    assert_eq!(last_cache(&t.engine), Some(CacheOutcome::Bypass));
    assert_eq!(get(&t.engine, "/now").await.status, 200);
    assert_eq!(last_cache(&t.engine), Some(CacheOutcome::Bypass));
    assert_eq!(
        get(&t.engine, "/orders/2").await.json()["status"],
        "refunded"
    );
    assert_eq!(get(&t.engine, "/orders/999").await.status, 404);
    let metrics = t.engine.metrics();
    assert!(metrics["pg"].cache_hits >= 3);

    t.engine.shutdown().await;
    cluster.stop().expect("stop the cluster");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_map_as_documented_and_caching_can_be_off() {
    let Some((cluster, url)) = origin().await else {
        return;
    };
    let t = start(
        hyperdrive_design("(enabled: false)"),
        &[("DATABASE_URL", &url)],
    )
    .await;
    let answer = get(&t.engine, "/types").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        answer.text,
        r#"[{"a":1,"b":2,"c":"3","d":1.5,"e":"12.30","f":true,"g":{"k":[1]},"h":"x","i":null,"j":"2024-01-02","k":"2024-01-02 03:04:05.5","l":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","m":"text","n":42}]"#
    );
    assert_eq!(last_cache(&t.engine), Some(CacheOutcome::Bypass));
    get(&t.engine, "/orders/1").await;
    assert_eq!(last_cache(&t.engine), Some(CacheOutcome::Bypass));
    t.engine.shutdown().await;
    cluster.stop().expect("stop the cluster");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origin_down_is_502_and_the_pool_recovers() {
    let Some(cluster) = TestCluster::start_for_tests_with(|o| o.remove_data_dir_on_stop = false)
    else {
        return;
    };
    let url = cluster.connection_string();
    let (port, data_dir, binaries) = (
        cluster.port(),
        cluster.data_dir().to_owned(),
        cluster.binaries().clone(),
    );
    prepare_origin(&url).await;
    let t = start(
        hyperdrive_design("(enabled: false)"),
        &[("DATABASE_URL", &url)],
    )
    .await;
    assert_eq!(get(&t.engine, "/orders/2").await.status, 200);

    cluster.stop().expect("stop the origin");
    let down = get(&t.engine, "/orders/2").await;
    assert_eq!(down.status, 502);
    assert_eq!(
        down.json(),
        json!({"error": "hyperdrive query failed", "node": "svc", "step": "0"})
    );
    // Other routes of the design keep working meanwhile.
    assert_eq!(get(&t.engine, "/nothing").await.status, 404);

    let mut options = ClusterOptions::new(&data_dir);
    options.port = port;
    options.binaries = Some(binaries);
    options.remove_data_dir_on_stop = true;
    let restarted = Cluster::start_async(options)
        .await
        .expect("restart the origin");
    let mut status = 0;
    for _ in 0..50 {
        status = get(&t.engine, "/orders/2").await.status;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 200, "the engine reconnects once the origin is back");
    t.engine.shutdown().await;
    restarted.stop_async().await.expect("stop");
}

#[tokio::test]
async fn an_unreachable_origin_only_breaks_its_own_routes() {
    // A port nothing listens on: every Hyperdrive query answers 502, nothing crashes.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let url = format!("postgres://nobody@127.0.0.1:{port}/none");
    let t = start(
        hyperdrive_design("(enabled: true)"),
        &[("DATABASE_URL", &url)],
    )
    .await;
    let answer = get(&t.engine, "/orders/1").await;
    assert_eq!(answer.status, 502);
    assert_eq!(answer.json()["error"], "hyperdrive query failed");
    assert_eq!(get(&t.engine, "/unknown").await.status, 404);
    t.engine.shutdown().await;
}
