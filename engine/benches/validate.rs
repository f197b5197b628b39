//! How long validation takes: the reference example, and a generated design of 10,000 nodes
//! (1 Client, 1 Gateway, 3,333 Workers with a 7-step route each, 3,333 KV namespaces,
//! 3,324 Hyperdrive configs, 8 D1 databases shared by the Workers).
//!
//! Run with `cargo bench -p edgewire-engine --bench validate`. It uses mimalloc, the allocator
//! of the `edgewire` binary that runs validation for users. Times are wall-clock; on a busy
//! machine compare "validate 10k nodes" with "baseline: clone the 10k-node design", measured
//! under the same load.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use edgewire_engine::model::{
    Client, D1, Design, Expr, Gateway, GatewayRoute, HttpMethod, Hyperdrive, Kv, Migration, Node,
    NodeKind, QueryMode, Route, SampleRequest, Step, Wire, Worker,
};
use edgewire_engine::testing::{cache_aside_steps, respond};
use edgewire_engine::validate::validate;

/// The allocator the `edgewire` binary ships with (see `app/src/main.rs`), so that the figures
/// are the ones users get; the baseline below is measured with it too.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WORKERS: usize = 3_333;
const D1S: usize = 8;
const TOTAL_NODES: usize = 10_000;

fn worker_route(index: usize, with_hyperdrive: bool) -> Route {
    let mut steps = cache_aside_steps("SELECT id, name, price_cents FROM items WHERE id = ?1");
    if with_hyperdrive {
        steps.push(Step::Hyperdrive {
            binding: "ORDERS".into(),
            sql: "SELECT id, status FROM orders WHERE item_id = $1::int LIMIT $2".into(),
            params: vec![Expr::Ref("params.id".into()), Expr::Json(20.into())],
            mode: QueryMode::All,
            into: Some("orders".into()),
        });
    }
    steps.push(respond(
        200,
        Expr::Object(BTreeMap::from([
            ("item".to_owned(), Expr::Ref("item".into())),
            (
                "service".to_owned(),
                Expr::Json(format!("svc-{index}").into()),
            ),
        ])),
    ));
    Route {
        method: HttpMethod::Get,
        path: format!("/svc-{index}/:id"),
        request: None,
        responses: std::collections::BTreeMap::new(),
        steps,
    }
}

/// A clean design of exactly [`TOTAL_NODES`] nodes.
fn large_design() -> Design {
    let hyperdrives = TOTAL_NODES - 2 - 2 * WORKERS - D1S;
    let mut design = Design::new("large");
    let mut gateway = Gateway::default();
    let mut scenario = Vec::new();
    for d in 0..D1S {
        design.nodes.push(Node::new(
            format!("db-{d}"),
            NodeKind::D1(D1 {
                migrations: vec![Migration {
                    name: "create_items".into(),
                    sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, \
                          price_cents INTEGER NOT NULL);"
                        .into(),
                }],
                seed: "INSERT INTO items VALUES (1, 'mug', 1500);".into(),
                location_hint: Some("weur".into()),
                database_name: None,
                database_id: None,
                read_replication: true,
            }),
        ));
    }
    for i in 0..WORKERS {
        let id = format!("svc-{i}");
        let binding = format!("SVC_{i}");
        let with_hyperdrive = i < hyperdrives;
        design.nodes.push(Node::new(
            id.clone(),
            NodeKind::Worker(Worker {
                routes: vec![worker_route(i, with_hyperdrive)],
                ..Worker::default()
            }),
        ));
        design
            .nodes
            .push(Node::new(format!("kv-{i}"), NodeKind::Kv(Kv::default())));
        design
            .wires
            .push(Wire::new(id.clone(), format!("kv-{i}"), "CACHE"));
        design
            .wires
            .push(Wire::new(id.clone(), format!("db-{}", i % D1S), "DB"));
        if with_hyperdrive {
            design.nodes.push(Node::new(
                format!("pg-{i}"),
                NodeKind::Hyperdrive(Hyperdrive::default()),
            ));
            design
                .wires
                .push(Wire::new(id.clone(), format!("pg-{i}"), "ORDERS"));
        }
        design
            .wires
            .push(Wire::new("gateway", id.clone(), binding.clone()));
        gateway.routes.push(GatewayRoute {
            path: format!("/svc-{i}"),
            methods: vec![HttpMethod::Get],
            service: binding,
            strip_prefix: false,
        });
        if i % 100 == 0 {
            scenario.push(SampleRequest {
                name: format!("get from svc-{i}"),
                method: HttpMethod::Get,
                path: format!("/svc-{i}/1"),
                headers: BTreeMap::new(),
                body: None,
                weight: 1.0,
                expect_status: 200,
                expect_body: None,
            });
        }
    }
    design
        .nodes
        .push(Node::new("gateway", NodeKind::Gateway(gateway)));
    design.nodes.push(Node::new(
        "web",
        NodeKind::Client(Client {
            scenario,
            ..Client::default()
        }),
    ));
    design.wires.push(Wire::new("web", "gateway", ""));
    design.canonicalize();
    design
}

fn bench_validate(c: &mut Criterion) {
    let design = large_design();
    assert_eq!(design.nodes.len(), TOTAL_NODES);
    let diagnostics = validate(&design);
    assert!(
        !diagnostics.has_errors()
            && diagnostics.count(edgewire_engine::validate::Severity::Warning) == 0,
        "the generated design should be clean: {:?}",
        diagnostics.iter().take(5).collect::<Vec<_>>()
    );
    c.bench_function("validate 10k nodes", |b| {
        b.iter(|| validate(black_box(&design)));
    });
    // A yardstick for the machine the numbers come from: copying the same design.
    c.bench_function("baseline: clone the 10k-node design", |b| {
        b.iter(|| black_box(&design).clone());
    });

    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/global-api.ron");
    let example = edgewire_engine::format::load(&example).expect("the reference example loads");
    c.bench_function("validate global-api example", |b| {
        b.iter(|| validate(black_box(&example)));
    });
}

criterion_group!(benches, bench_validate);
criterion_main!(benches);
