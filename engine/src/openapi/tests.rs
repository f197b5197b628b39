use serde_json::json;

use super::*;
use crate::format;
use crate::model::{QueryParam, RequestContract, ResponseContract};

fn reference() -> Design {
    format::parse(include_str!("../../../examples/global-api.ron"))
        .expect("the reference example loads")
}

#[test]
fn the_gateway_routes_map_through_to_the_worker_routes_behind_them() {
    let doc = document(&reference());
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(
        paths.contains_key("/products/{id}"),
        "{:?}",
        paths.keys().collect::<Vec<_>>()
    );
    let get = &doc["paths"]["/products/{id}"]["get"];
    assert_eq!(get["tags"], json!(["products"]));
    assert_eq!(get["security"], json!([{"apiKey": []}]));
    assert_eq!(get["parameters"][0]["name"], "id");
    assert_eq!(get["parameters"][0]["in"], "path");
    for status in ["401", "403", "413", "429"] {
        assert!(
            get["responses"].get(status).is_some(),
            "{status} in {}",
            get["responses"]
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["apiKey"],
        json!({"type": "apiKey", "in": "header", "name": "x-api-key"})
    );
    // The gateway allows only GET on /products: a Worker route for another method there
    // is not part of what clients see.
    for item in paths.values() {
        for method in item.as_object().expect("path item").keys() {
            assert!(
                ["get", "post", "put", "delete"].contains(&method.as_str()),
                "{method}"
            );
        }
    }
}

#[test]
fn contracts_give_typed_parameters_bodies_responses_and_examples() {
    let mut design = reference();
    design.schemas.insert(
        "NewUser".to_owned(),
        json!({"type": "object", "required": ["email"], "properties": {"email": {"type": "string", "format": "email"}}}),
    );
    for node in &mut design.nodes {
        let NodeKind::Worker(worker) = &mut node.kind else {
            continue;
        };
        for route in &mut worker.routes {
            if route.path == "/users" && route.method == crate::model::HttpMethod::Post {
                route.request = Some(RequestContract {
                    body: Some(json!({"$ref": "#/$defs/NewUser"})),
                    query: vec![QueryParam {
                        name: "notify".to_owned(),
                        ty: ParamType::Boolean,
                        required: false,
                        default: Some(json!(false)),
                    }],
                    ..RequestContract::default()
                });
                route.responses.insert(
                    201,
                    ResponseContract {
                        description: "The new user".to_owned(),
                        schema: Some(json!({"$ref": "#/$defs/NewUser"})),
                        example: Some(json!({"email": "ada@example.com"})),
                    },
                );
            }
            if route.path == "/users/:id" {
                route.request = Some(RequestContract {
                    params: [("id".to_owned(), ParamType::Integer)].into(),
                    ..RequestContract::default()
                });
            }
        }
    }
    let doc = document(&design);
    let post = &doc["paths"]["/users"]["post"];
    assert_eq!(
        post["requestBody"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/NewUser"})
    );
    assert_eq!(
        post["parameters"][0],
        json!({"name": "notify", "in": "query", "required": false, "schema": {"type": "boolean", "default": false}})
    );
    assert_eq!(post["responses"]["201"]["description"], "The new user");
    assert_eq!(
        post["responses"]["400"],
        json!({"$ref": "#/components/responses/InvalidRequest"})
    );
    let examples = post["requestBody"]["content"]["application/json"]["examples"]
        .as_object()
        .expect("the scenario's POST /users is an example");
    assert!(!examples.is_empty());
    let get = &doc["paths"]["/users/{id}"]["get"];
    assert_eq!(get["parameters"][0]["schema"], json!({"type": "integer"}));
    assert!(doc["components"]["schemas"]["NewUser"].is_object());
    assert!(doc["components"]["schemas"]["InvalidRequest"].is_object());
}

#[test]
fn paths_and_references_are_written_the_openapi_way() {
    assert_eq!(
        openapi_path("/users/:id/orders/:order"),
        "/users/{id}/orders/{order}"
    );
    assert_eq!(openapi_path("/"), "/");
    assert_eq!(
        to_components(&json!({"items": {"$ref": "#/$defs/Tag"}})),
        json!({"items": {"$ref": "#/components/schemas/Tag"}})
    );
}
