//! A small valid design for rule tests to break one thing at a time.

use std::collections::BTreeMap;

use serde_json::json;

use crate::model::{
    Client, D1, Design, Expr, Gateway, GatewayRoute, HttpMethod, Hyperdrive, Migration, Node,
    NodeKind, QueryMode, Route, SampleRequest, Step, Wire, Worker,
};

use super::{Diagnostic, Diagnostics, Severity, validate};

/// `web` -> `gateway` -(ITEMS)-> `items` -(CACHE)-> `cache` (KV), -(DB)-> `db` (D1),
/// -(PG)-> `pg` (Hyperdrive). `items` has `GET /items/:id` (KV, D1, respond) and
/// `GET /orders` (Hyperdrive). No errors, no warnings.
pub(crate) fn base() -> Design {
    let mut design = Design::new("test");
    design.nodes = vec![
        Node::new(
            "web",
            NodeKind::Client(Client {
                regions: BTreeMap::from([("eu-west".to_owned(), 0.6), ("us-east".to_owned(), 0.4)]),
                requests_per_second: 10.0,
                scenario: vec![request(HttpMethod::Get, "/items/1", 200)],
            }),
        ),
        Node::new(
            "gateway",
            NodeKind::Gateway(Gateway {
                routes: vec![GatewayRoute {
                    path: "/items".into(),
                    methods: vec![HttpMethod::Get],
                    service: "ITEMS".into(),
                    strip_prefix: false,
                }],
                ..Gateway::default()
            }),
        ),
        Node::new(
            "items",
            NodeKind::Worker(Worker {
                routes: vec![item_route(), orders_route()],
                ..Worker::default()
            }),
        ),
        Node::new("cache", NodeKind::Kv(crate::model::Kv::default())),
        Node::new(
            "db",
            NodeKind::D1(D1 {
                migrations: vec![Migration {
                    name: "create_items".into(),
                    sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);".into(),
                }],
                seed: "INSERT INTO items (id, name) VALUES (1, 'mug');".into(),
                ..D1::default()
            }),
        ),
        Node::new("pg", NodeKind::Hyperdrive(Hyperdrive::default())),
    ];
    design.wires = vec![
        Wire::new("web", "gateway", ""),
        Wire::new("gateway", "items", "ITEMS"),
        Wire::new("items", "cache", "CACHE"),
        Wire::new("items", "db", "DB"),
        Wire::new("items", "pg", "PG"),
    ];
    design
}

pub(crate) fn request(method: HttpMethod, path: &str, expect_status: u16) -> SampleRequest {
    SampleRequest {
        name: format!("{method} {path}"),
        method,
        path: path.into(),
        headers: BTreeMap::new(),
        body: None,
        weight: 1.0,
        expect_status,
        expect_body: None,
    }
}

pub(crate) fn respond(status: u16) -> Step {
    Step::Respond {
        status,
        body: None,
        headers: BTreeMap::new(),
    }
}

pub(crate) use crate::testing::respond as respond_with;

fn item_route() -> Route {
    let mut steps = crate::testing::cache_aside_steps("SELECT id, name FROM items WHERE id = ?1");
    steps.push(respond_with(200, Expr::Ref("item".into())));
    Route {
        method: HttpMethod::Get,
        path: "/items/:id".into(),
        request: None,
        responses: std::collections::BTreeMap::new(),
        steps,
    }
}

fn orders_route() -> Route {
    Route {
        method: HttpMethod::Get,
        path: "/orders".into(),
        request: None,
        responses: std::collections::BTreeMap::new(),
        steps: vec![
            Step::Hyperdrive {
                binding: "PG".into(),
                sql: "SELECT id FROM orders WHERE total > $1 LIMIT $2".into(),
                params: vec![Expr::Json(json!(0)), Expr::Json(json!(20))],
                mode: QueryMode::All,
                into: Some("orders".into()),
            },
            respond_with(200, Expr::Ref("orders".into())),
        ],
    }
}

/// Adds a Worker `id` with no routes and no wires.
pub(crate) fn add_worker(design: &mut Design, id: &str) {
    design
        .nodes
        .push(Node::new(id, NodeKind::Worker(Worker::default())));
}

/// The Worker `id`, mutably.
pub(crate) fn worker_mut<'a>(design: &'a mut Design, id: &str) -> &'a mut Worker {
    match design.node_mut(id).map(|n| &mut n.kind) {
        Some(NodeKind::Worker(worker)) => worker,
        _ => panic!("no worker {id}"),
    }
}

/// The gateway, mutably.
pub(crate) fn gateway_mut(design: &mut Design) -> &mut Gateway {
    match design.node_mut("gateway").map(|n| &mut n.kind) {
        Some(NodeKind::Gateway(gateway)) => gateway,
        _ => panic!("no gateway"),
    }
}

/// The client `web`, mutably.
pub(crate) fn client_mut(design: &mut Design) -> &mut Client {
    match design.node_mut("web").map(|n| &mut n.kind) {
        Some(NodeKind::Client(client)) => client,
        _ => panic!("no client"),
    }
}

/// The steps of route `route` of Worker `items`, mutably.
pub(crate) fn steps_mut(design: &mut Design, route: usize) -> &mut Vec<Step> {
    &mut worker_mut(design, "items").routes[route].steps
}

/// The one diagnostic with this code; fails the test when there is none or more than one.
pub(crate) fn only(design: &Design, code: &str) -> Diagnostic {
    let mut found = with_code(design, code);
    assert_eq!(found.len(), 1, "one {code} expected: {found:?}");
    found.remove(0)
}

/// The diagnostics with `code` once `change` is made to `design`, which has none; fails the
/// test when the change brings none.
pub(crate) fn reported_after(
    mut design: Design,
    code: &str,
    change: impl FnOnce(&mut Design),
) -> Vec<Diagnostic> {
    assert!(!reports(&design, code), "{code} before the change");
    change(&mut design);
    let found = with_code(&design, code);
    assert!(!found.is_empty(), "{code} expected after the change");
    found
}

/// The one diagnostic with `code` once `change` is made to `design`, which has none; fails
/// the test when the change brings none or more than one.
pub(crate) fn only_after(
    design: Design,
    code: &str,
    change: impl FnOnce(&mut Design),
) -> Diagnostic {
    let mut found = reported_after(design, code, change);
    assert_eq!(found.len(), 1, "one {code} expected: {found:?}");
    found.remove(0)
}

/// Fails the test, showing `text`, unless `text` contains `words`.
pub(crate) fn assert_contains(text: &str, words: &str) {
    assert!(text.contains(words), "{words:?} expected in: {text}");
}

/// Diagnostics with this code.
pub(crate) fn with_code(design: &Design, code: &str) -> Vec<Diagnostic> {
    validate(design)
        .0
        .into_iter()
        .filter(|d| d.code == code)
        .collect()
}

/// Whether validating the design reports `code`.
pub(crate) fn reports(design: &Design, code: &str) -> bool {
    !with_code(design, code).is_empty()
}

/// Errors and warnings, formatted, for assertion messages.
pub(crate) fn problems(diagnostics: &Diagnostics) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .map(|d| format!("{} {} {}: {}", d.severity, d.code, d.target, d.message))
        .collect()
}

#[test]
fn base_design_has_no_errors_or_warnings() {
    let diagnostics = validate(&base());
    assert_eq!(problems(&diagnostics), Vec::<String>::new());
}
