use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::format;
use crate::validate::validate;

fn examples() -> Vec<(&'static str, Design)> {
    [
        (
            "global-api",
            include_str!("../../../../examples/global-api.ron"),
        ),
        ("d1-only", include_str!("../../../../examples/d1-only.ron")),
        ("kv-only", include_str!("../../../../examples/kv-only.ron")),
        (
            "hyperdrive-only",
            include_str!("../../../../examples/hyperdrive-only.ron"),
        ),
        (
            "public-worker",
            include_str!("../../../../tests/designs/public-worker.ron"),
        ),
    ]
    .into_iter()
    .map(|(name, text)| (name, format::parse(text).expect("the example loads")))
    .collect()
}

/// What a design's clients can call: (method, public path, typed params, query, body schema).
fn surface(design: &Design) -> BTreeMap<String, String> {
    crate::openapi::operations_of(design)
        .iter()
        .map(|op| {
            let request = op.route.request.clone().unwrap_or_default();
            (
                format!("{} {}", op.method.as_str(), op.path),
                format!(
                    "{:?} {:?} {:?}",
                    request.params, request.query, request.body
                ),
            )
        })
        .collect()
}

fn errors(design: &Design) -> Vec<String> {
    validate(design)
        .errors()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}

#[test]
fn the_document_of_every_example_comes_back_with_the_same_routes_and_schemas() {
    for (name, design) in examples() {
        let document = crate::openapi::document(&design);
        let imported = import(&document.to_string(), name).expect("our own document imports");
        assert_eq!(surface(&imported.design), surface(&design), "{name}");
        assert_eq!(imported.design.schemas, design.schemas, "{name}");
        assert_eq!(errors(&imported.design), Vec::<String>::new(), "{name}");
        let scenario = imported
            .design
            .nodes
            .iter()
            .find_map(|n| match &n.kind {
                NodeKind::Client(client) => Some(client.scenario.len()),
                _ => None,
            })
            .unwrap_or_default();
        assert_eq!(
            scenario, imported.operations,
            "{name}: one request per operation"
        );
    }
}

const PETSTORE: &str = r##"
openapi: 3.0.3
info:
  title: Pet Store
  version: "1.0"
security:
  - key: []
paths:
  /pets:
    get:
      tags: [pets]
      operationId: listPets
      parameters:
        - {name: limit, in: query, schema: {type: integer, default: 20}}
        - {name: session, in: cookie, schema: {type: string}}
      responses:
        "200":
          description: The pets
          content:
            application/json:
              example: [{"id": 1, "name": "Rex"}]
    post:
      tags: [pets]
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewPet"}
            example: {"name": "Rex"}
          application/xml:
            schema: {type: object}
      responses:
        "201": {description: Created}
        default: {description: Error}
      callbacks:
        onAdopted: {}
  /pets/{petId}:
    get:
      tags: [pets]
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        "404": {description: Not found}
  /health:
    get:
      security: []
      responses:
        "200": {description: OK, content: {application/json: {example: {"ok": true}}}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Api-Key}
  schemas:
    NewPet:
      type: object
      required: [name]
      properties:
        name: {type: string, nullable: true}
        tag: {oneOf: [{type: string}, {type: integer}]}
"##;

#[test]
fn a_yaml_document_becomes_a_design_that_validates_with_warnings_for_what_is_left_out() {
    let imported = import(PETSTORE, "pets").expect("imports");
    let design = &imported.design;
    assert_eq!(design.name, "Pet Store");
    assert_eq!(errors(design), Vec::<String>::new());
    let gateway = design
        .nodes
        .iter()
        .find_map(|n| match &n.kind {
            NodeKind::Gateway(g) => Some(g),
            _ => None,
        })
        .expect("a gateway");
    assert_eq!(
        gateway.auth,
        Auth::ApiKey {
            header: "x-api-key".to_owned(),
            secret: "API_KEY".to_owned()
        }
    );
    // `security: []` stays public: its own Worker, called by the Client directly.
    assert!(
        design
            .wires
            .contains(&Wire::new("client", "health-public", ""))
    );
    let pets = design.node("pets").expect("a Worker per tag");
    let NodeKind::Worker(worker) = &pets.kind else {
        panic!("pets is a Worker");
    };
    let paths: Vec<String> = worker
        .routes
        .iter()
        .map(|r| format!("{} {}", r.method.as_str(), r.path))
        .collect();
    assert_eq!(paths, ["GET /pets", "POST /pets", "GET /pets/:petId"]);
    let get_one = &worker.routes[2];
    assert_eq!(
        get_one.request.as_ref().map(|r| r.params.clone()),
        Some([("petId".to_owned(), ParamType::Integer)].into())
    );
    // No 2xx response: 501 until someone writes the handler.
    assert!(matches!(
        &get_one.steps[0],
        Step::Respond { status: 501, .. }
    ));
    assert_eq!(
        design.schemas["NewPet"],
        json!({"type": "object", "required": ["name"], "properties": {"name": {"type": ["string", "null"]}, "tag": {}}})
    );
    for expected in [
        "cookie parameter `session`",
        "application/xml",
        "`default` response",
        "callbacks",
        "`oneOf`",
    ] {
        assert!(
            imported.warnings.iter().any(|w| w.contains(expected)),
            "no warning about {expected}: {:?}",
            imported.warnings
        );
    }
    // The scenario's requests carry the key and expect what the design answers.
    let NodeKind::Client(client) = &design.nodes[0].kind else {
        panic!("the Client comes first");
    };
    let list = client
        .scenario
        .iter()
        .find(|r| r.name == "listPets")
        .expect("listPets");
    assert_eq!(
        list.headers.get("x-api-key").map(String::as_str),
        Some("demo-key")
    );
    assert_eq!(list.expect_status, 200);
}

#[test]
fn bad_input_says_what_it_is() {
    assert_eq!(
        import(r#"{"swagger": "2.0", "paths": {}}"#, "x").err(),
        Some(ImportError::Swagger2)
    );
    assert!(matches!(
        import("name: not an api\n", "x"),
        Err(ImportError::NotOpenApi(_))
    ));
    match import("openapi: 3.1.0\npaths:\n  /a: [unclosed\n", "x") {
        Err(ImportError::Syntax { line, .. }) => assert!(line >= 3, "line {line}"),
        other => panic!("{other:?}"),
    }
    match import("{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {,}\n}", "x") {
        Err(ImportError::Syntax { line, column, .. }) => assert_eq!((line, column), (3, 13)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_large_document_imports() {
    // About 5 MB: 4,000 operations with schemas and examples.
    let mut paths = serde_json::Map::new();
    for i in 0..4000 {
        paths.insert(
            format!("/items{i}/{{id}}"),
            json!({"get": {
                "tags": [format!("t{}", i % 40)],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "An item with a long description ".repeat(20), "content": {"application/json": {
                    "schema": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string", "maxLength": 200}}},
                    "example": {"id": i, "name": "x".repeat(600)}
                }}}}
            }}),
        );
    }
    let text =
        json!({"openapi": "3.1.0", "info": {"title": "big", "version": "1"}, "paths": paths})
            .to_string();
    assert!(text.len() > 4_000_000, "{} bytes", text.len());
    let imported = import(&text, "big").expect("imports");
    assert_eq!(imported.operations, 4000);
    // Its examples are longer than their schemas allow: kept as answers, not as documented
    // examples, with a warning each, so the design still validates.
    assert_eq!(errors(&imported.design), Vec::<String>::new());
    assert_eq!(
        imported
            .warnings
            .iter()
            .filter(|w| w.contains("does not match its schema"))
            .count(),
        4000
    );
}
