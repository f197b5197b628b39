//! `generate::crud`: CRUD routes from a D1 table land where a user expects them (a new
//! Worker behind the gateway, or the Worker they name), validate clean, and refuse clearly
//! what they cannot do.

use edgewire_engine::format;
use edgewire_engine::generate::{CrudOptions, GenerateError, crud};
use edgewire_engine::model::{D1, Design, HttpMethod, Migration, NodeKind};
use edgewire_engine::validate::validate;

fn example(name: &str) -> Design {
    let path = format!("{}/../examples/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    format::load(std::path::Path::new(&path)).expect("example loads")
}

fn options(db: &str, table: &str, worker: Option<&str>) -> CrudOptions {
    CrudOptions {
        db: db.into(),
        table: table.into(),
        worker: worker.map(Into::into),
    }
}

fn d1_mut<'a>(design: &'a mut Design, id: &str) -> &'a mut D1 {
    match design.node_mut(id).map(|n| &mut n.kind) {
        Some(NodeKind::D1(d1)) => d1,
        _ => panic!("{id} is a D1"),
    }
}

/// The reference design with a `reviews` table (text key, a boolean, a nullable number).
fn with_reviews() -> Design {
    let mut design = example("global-api");
    d1_mut(&mut design, "app-db").migrations.push(Migration {
        name: "create_reviews".into(),
        sql: "CREATE TABLE reviews (\n  code TEXT PRIMARY KEY,\n  product_id INTEGER NOT NULL,\n  \
              stars INTEGER NOT NULL DEFAULT 5,\n  verified BOOLEAN NOT NULL DEFAULT 0,\n  \
              comment TEXT\n);\n"
            .into(),
    });
    design
}

fn assert_no_errors(design: &Design) {
    let diagnostics = validate(design);
    let errors: Vec<_> = diagnostics.errors().collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn applied(design: &Design, options: &CrudOptions) -> Design {
    let generated = crud(design, options).expect("generates");
    let mut after = design.clone();
    after.apply(&generated.edit).expect("applies");
    after
}

#[test]
fn a_table_behind_the_gateway_gets_a_worker_a_gateway_route_and_credentials() {
    let design = with_reviews();
    let after = applied(&design, &options("app-db", "reviews", None));
    assert_no_errors(&after);

    let Some(NodeKind::Worker(worker)) = after.node("reviews-api").map(|n| &n.kind) else {
        panic!("a new Worker reviews-api");
    };
    let routes: Vec<String> = worker
        .routes
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        routes,
        [
            "GET /reviews",
            "GET /reviews/:id",
            "POST /reviews",
            "PUT /reviews/:id",
            "DELETE /reviews/:id"
        ]
    );
    // The text key is the client's to give: required in the create body.
    let create = &worker.routes[2];
    let body = create
        .request
        .as_ref()
        .and_then(|r| r.body.as_ref())
        .expect("body schema");
    assert_eq!(body["required"], serde_json::json!(["code", "product_id"]));
    assert_eq!(body["properties"]["verified"]["type"], "boolean");
    assert_eq!(
        body["properties"]["comment"]["type"],
        serde_json::json!(["string", "null"])
    );

    let Some(NodeKind::Gateway(gateway)) = after.node("gateway").map(|n| &n.kind) else {
        panic!("gateway");
    };
    let route = gateway
        .routes
        .iter()
        .find(|r| r.path == "/reviews")
        .expect("gateway route");
    assert_eq!(
        after
            .binding_target("gateway", &route.service)
            .map(|n| n.id.as_str()),
        Some("reviews-api")
    );

    let Some(NodeKind::Client(client)) = after.node("web").map(|n| &n.kind) else {
        panic!("the gateway's client");
    };
    let added: Vec<_> = client
        .scenario
        .iter()
        .filter(|r| r.path.starts_with("/reviews"))
        .collect();
    assert!(added.len() >= 6, "{added:#?}");
    assert!(
        added
            .iter()
            .all(|r| r.headers.get("x-api-key").map(String::as_str) == Some("demo-key-123"))
    );
    // No seeded review: no request expects an existing one, and a text key cannot be created
    // twice, so the scenario only creates what it can create again.
    assert!(added.iter().all(|r| r.expect_status != 201));
}

#[test]
fn routes_go_on_the_worker_the_user_names() {
    let mut design = example("d1-only");
    d1_mut(&mut design, "tasks-db").migrations.push(Migration {
        name: "create_labels".into(),
        sql: "CREATE TABLE labels (id INTEGER PRIMARY KEY, name TEXT NOT NULL);".into(),
    });
    let after = applied(&design, &options("tasks-db", "labels", Some("tasks")));
    assert_eq!(after.nodes.len(), design.nodes.len(), "no new node");
    assert_eq!(
        after.wires, design.wires,
        "the Worker already binds the database"
    );
    let Some(NodeKind::Worker(worker)) = after.node("tasks").map(|n| &n.kind) else {
        panic!("tasks");
    };
    assert!(
        worker
            .routes
            .iter()
            .any(|r| r.method == HttpMethod::Delete && r.path == "/labels/:id")
    );
    assert_no_errors(&after);
}

#[test]
fn what_cannot_be_generated_is_refused_with_what_to_do() {
    let design = example("global-api");
    let error = crud(&design, &options("app-db", "reviews", None)).expect_err("refused");
    assert_eq!(
        error.to_string(),
        "`app-db` has no table `reviews`; its tables are `products`, `users`"
    );
    let error = crud(&design, &options("app-db", "users", None)).expect_err("refused");
    assert!(
        matches!(error, GenerateError::GatewayPathTaken { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("pass --worker users"), "{error}");
    let error = crud(&design, &options("config", "users", None)).expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("CRUD routes are generated from the tables of a D1 database"),
        "{error}"
    );
    let error = crud(&design, &options("app-db", "users", Some("app-db"))).expect_err("refused");
    assert!(matches!(error, GenerateError::NotAWorker { .. }), "{error}");

    let mut design = example("d1-only");
    let error = crud(&design, &options("tasks-db", "tasks", Some("tasks"))).expect_err("refused");
    assert_eq!(
        error.to_string(),
        "`tasks` already has a route GET /tasks; remove it or generate onto another Worker"
    );
    d1_mut(&mut design, "tasks-db").migrations.push(Migration {
        name: "pairs".into(),
        sql: "CREATE TABLE pairs (a INTEGER, b INTEGER, PRIMARY KEY (a, b));".into(),
    });
    let error = crud(&design, &options("tasks-db", "pairs", None)).expect_err("refused");
    assert!(
        error.to_string().contains("primary key of 2 columns"),
        "{error}"
    );
}

#[test]
fn a_design_without_a_gateway_gets_a_client_for_the_new_worker() {
    let mut design = Design::new("bare");
    let mut d1 = D1::default();
    d1.migrations.push(Migration {
        name: "create_items".into(),
        sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);".into(),
    });
    design
        .nodes
        .push(edgewire_engine::Node::new("db", NodeKind::D1(d1)));
    let after = applied(&design, &options("db", "items", None));
    assert!(after.node("items-api").is_some());
    assert!(
        after
            .wires
            .iter()
            .any(|w| w.from == "items-api-client" && w.to == "items-api")
    );
    assert_no_errors(&after);
}
