//! Route contracts: schemas inside the supported subset, references that resolve, handlers
//! that read only what their contract declares, scenario requests and response examples that
//! keep the contract.

use serde_json::Value;

use crate::contract::subset::{ProblemKind, problems};
use crate::contract::{Checker, compile_schema, schema_issues};
use crate::model::{NodeKind, Route, Schema, walk_steps};

use super::context::Ctx;
use super::{Diagnostic, Severity, Target};

/// The help of a schema outside the subset.
const SUBSET_HELP: &str = "use only the keywords of the schema subset: type, properties, required, \
     additionalProperties, items, enum, const, minimum/maximum, exclusiveMinimum/\
     exclusiveMaximum, minLength/maxLength, minItems/maxItems, pattern, format (email, uuid, \
     date-time, uri) and $ref to the design's schemas";

/// Every schema of a route with what it is: its body schema and its responses' schemas.
fn route_schemas(route: &Route) -> Vec<(String, &Schema)> {
    let mut out = Vec::new();
    if let Some(body) = route.request.as_ref().and_then(|r| r.body.as_ref()) {
        out.push(("the body schema".to_owned(), body));
    }
    for (status, response) in &route.responses {
        if let Some(schema) = &response.schema {
            out.push((format!("the {status} response schema"), schema));
        }
    }
    out
}

/// CON001 and CON002 for one schema.
fn schema_diagnostics(
    ctx: &Ctx<'_>,
    schema: &Schema,
    what: &str,
    target: &Target,
    out: &mut Vec<Diagnostic>,
) {
    for problem in problems(schema, &ctx.design.schemas) {
        let at = if problem.pointer.is_empty() {
            String::new()
        } else {
            format!(" at `{}`", problem.pointer)
        };
        let message = format!("{what}{at}: {}", problem.message);
        let diagnostic = match problem.kind {
            ProblemKind::Unsupported => {
                Diagnostic::new("CON001", Severity::Error, target.clone(), message)
                    .help(SUBSET_HELP)
            }
            ProblemKind::MissingRef => Diagnostic::new(
                "CON002",
                Severity::Error,
                target.clone(),
                message,
            )
            .help("add the schema to the design's `schemas`, or correct the name after `#/$defs/`"),
        };
        out.push(diagnostic);
    }
}

/// CON001/CON002: schemas outside the subset, malformed, or naming a schema that is missing.
pub fn schemas(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (name, schema) in &ctx.design.schemas {
        schema_diagnostics(
            ctx,
            schema,
            &format!("schema `{name}`"),
            &Target::Design,
            out,
        );
    }
    for node in &ctx.design.nodes {
        let NodeKind::Worker(worker) = &node.kind else {
            continue;
        };
        for (index, route) in worker.routes.iter().enumerate() {
            let target = Target::Route {
                node: node.id.clone(),
                route: index,
            };
            for (what, schema) in route_schemas(route) {
                let what = format!("{} {}: {what}", route.method, route.path);
                schema_diagnostics(ctx, schema, &what, &target, out);
            }
            contract_params(route, &target, out);
        }
    }
}

/// CON006: a typed parameter the path does not have.
fn contract_params(route: &Route, target: &Target, out: &mut Vec<Diagnostic>) {
    let Some(request) = &route.request else {
        return;
    };
    for name in request.params_not_in(&route.path) {
        out.push(
            Diagnostic::new(
                "CON006",
                Severity::Error,
                target.clone(),
                format!(
                    "{} {}: the contract types the path parameter `{name}`, which the path does not have",
                    route.method, route.path
                ),
            )
            .help(format!("add `:{name}` to the path, or remove `{name}` from the contract's params")),
        );
    }
}

/// The object properties a body schema declares (following one `$ref`), when it declares
/// any: `None` when the schema says nothing about fields.
fn declared_fields<'a>(ctx: &'a Ctx<'_>, schema: &'a Value) -> Option<Vec<&'a str>> {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(target) => ctx.design.schemas.get(target.strip_prefix("#/$defs/")?)?,
        None => schema,
    };
    let properties = schema.get("properties")?.as_object()?;
    Some(properties.keys().map(String::as_str).collect())
}

/// CON003 (warning): a step reads `body.x` or `query.x` that the route's contract does not
/// declare, so the handler and its contract disagree.
pub fn undeclared_reads(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for node in &ctx.design.nodes {
        let NodeKind::Worker(worker) = &node.kind else {
            continue;
        };
        for (index, route) in worker.routes.iter().enumerate() {
            let Some(request) = &route.request else {
                continue;
            };
            let body_fields = request.body.as_ref().and_then(|b| declared_fields(ctx, b));
            let query_names: Vec<&str> = request.query.iter().map(|q| q.name.as_str()).collect();
            let mut reported: Vec<String> = Vec::new();
            walk_steps(&route.steps, &mut |position, step| {
                step.for_each_read(&mut |path| {
                    let mut parts = path.split('.');
                    let (Some(root), Some(field)) = (parts.next(), parts.next()) else {
                        return;
                    };
                    let undeclared = match root {
                        "body" => body_fields.as_ref().is_some_and(|f| !f.contains(&field)),
                        "query" => !query_names.contains(&field),
                        _ => false,
                    };
                    let key = format!("{root}.{field}");
                    if undeclared && !reported.contains(&key) {
                        out.push(
                            Diagnostic::new(
                                "CON003",
                                Severity::Warning,
                                Target::Step {
                                    node: node.id.clone(),
                                    route: index,
                                    step: position.to_owned(),
                                },
                                format!(
                                    "{} {}: the step reads `{key}`, which the route's contract does not declare",
                                    route.method, route.path
                                ),
                            )
                            .help(match root {
                                "body" => format!("add `{field}` to the body schema's properties"),
                                _ => format!("add `{field}` to the contract's query parameters"),
                            }),
                        );
                        reported.push(key);
                    }
                });
            });
        }
    }
}

/// CON004: a scenario request that expects a 2xx but breaks its route's contract (it would
/// get 400).
pub fn scenario_requests(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    // Without a request contract there is nothing a request could break.
    let contracts = ctx.design.nodes.iter().any(|node| match &node.kind {
        NodeKind::Worker(worker) => worker.routes.iter().any(|r| r.request.is_some()),
        _ => false,
    });
    if !contracts {
        return;
    }
    let mut operations = None;
    for node in &ctx.design.nodes {
        let NodeKind::Client(client) = &node.kind else {
            continue;
        };
        for (index, request) in client.scenario.iter().enumerate() {
            if !(200..300).contains(&request.expect_status) {
                continue;
            }
            let operations =
                operations.get_or_insert_with(|| crate::openapi::operations_of(ctx.design));
            let Some(found) = crate::openapi::operation_for(operations, request) else {
                continue;
            };
            let Some(contract) = found.route.request.as_ref().filter(|r| !r.is_empty()) else {
                continue;
            };
            let Ok(checker) = Checker::compile(contract, &ctx.design.schemas) else {
                continue;
            };
            if let Err(issues) = found.check_sample(&checker, request) {
                let first = &issues[0];
                out.push(
                    Diagnostic::new(
                        "CON004",
                        Severity::Error,
                        Target::Request {
                            node: node.id.clone(),
                            request: index,
                        },
                        format!(
                            "request `{}` expects {} but breaks the contract of {} {}: {} `{}`: {}",
                            request.name,
                            request.expect_status,
                            found.route.method,
                            found.route.path,
                            first.part.as_str(),
                            first.path,
                            first.message
                        ),
                    )
                    .help("correct the request, or expect 400 if it is meant to be invalid"),
                );
            }
        }
    }
}

/// CON005: a response example that does not match its own schema.
pub fn response_examples(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for node in &ctx.design.nodes {
        let NodeKind::Worker(worker) = &node.kind else {
            continue;
        };
        for (index, route) in worker.routes.iter().enumerate() {
            for (status, response) in &route.responses {
                let (Some(schema), Some(example)) = (&response.schema, &response.example) else {
                    continue;
                };
                let Ok(validator) = compile_schema(schema, &ctx.design.schemas) else {
                    continue;
                };
                let issues = schema_issues(&validator, example, crate::contract::Part::Body);
                if let Some(first) = issues.iter().min() {
                    out.push(
                        Diagnostic::new(
                            "CON005",
                            Severity::Error,
                            Target::Route {
                                node: node.id.clone(),
                                route: index,
                            },
                            format!(
                                "{} {}: the {status} response example does not match its schema: `{}` {}",
                                route.method, route.path, first.path, first.message
                            ),
                        )
                        .help("correct the example or the schema"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testkit::{
        assert_contains, base, client_mut, only, reports, request, with_code, worker_mut,
    };
    use crate::model::{
        Design, Expr, HttpMethod, ParamType, QueryParam, RequestContract, ResponseContract, Step,
    };

    /// The base design with a contract on `GET /items/:id` (route 0 of `items`).
    fn with_contract(contract: RequestContract) -> Design {
        let mut design = base();
        worker_mut(&mut design, "items").routes[0].request = Some(contract);
        design
    }

    #[test]
    fn a_contract_inside_the_subset_validates_cleanly() {
        let mut design = with_contract(RequestContract {
            params: [("id".to_owned(), ParamType::Integer)].into(),
            ..RequestContract::default()
        });
        design
            .schemas
            .insert("Item".to_owned(), json!({"type": "object"}));
        for code in ["CON001", "CON002", "CON003", "CON004", "CON005", "CON006"] {
            assert!(
                !reports(&design, code),
                "{code}: {:?}",
                with_code(&design, code)
            );
        }
    }

    #[test]
    fn a_keyword_outside_the_subset_is_an_error_with_its_pointer() {
        let design = with_contract(RequestContract {
            body: Some(json!({"type": "object", "properties": {"a": {"oneOf": []}}})),
            ..RequestContract::default()
        });
        let found = only(&design, "CON001");
        assert_contains(&found.message, "`/properties/a/oneOf`");
    }

    #[test]
    fn a_reference_to_a_missing_schema_is_an_error() {
        let design = with_contract(RequestContract {
            body: Some(json!({"$ref": "#/$defs/Nope"})),
            ..RequestContract::default()
        });
        let found = only(&design, "CON002");
        assert_contains(&found.message, "`Nope`");
    }

    #[test]
    fn a_step_reading_an_undeclared_field_is_a_warning() {
        let mut design = with_contract(RequestContract {
            query: vec![QueryParam {
                name: "limit".to_owned(),
                ty: ParamType::Integer,
                required: false,
                default: None,
            }],
            body: Some(json!({"type": "object", "properties": {"name": {"type": "string"}}})),
            ..RequestContract::default()
        });
        let steps = &mut worker_mut(&mut design, "items").routes[0].steps;
        steps.insert(
            0,
            Step::Set {
                name: "x".to_owned(),
                value: Expr::Object(
                    [
                        ("a".to_owned(), Expr::Ref("body.colour".to_owned())),
                        ("b".to_owned(), Expr::Ref("query.page".to_owned())),
                        ("c".to_owned(), Expr::Ref("body.name".to_owned())),
                        ("d".to_owned(), Expr::Ref("query.limit".to_owned())),
                    ]
                    .into(),
                ),
            },
        );
        let found: Vec<String> = with_code(&design, "CON003")
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().any(|m| m.contains("`body.colour`")));
        assert!(found.iter().any(|m| m.contains("`query.page`")));
    }

    #[test]
    fn a_scenario_request_that_breaks_the_contract_but_expects_success_is_an_error() {
        let mut design = with_contract(RequestContract {
            params: [("id".to_owned(), ParamType::Integer)].into(),
            ..RequestContract::default()
        });
        client_mut(&mut design).scenario = vec![
            request(HttpMethod::Get, "/items/abc", 200),
            request(HttpMethod::Get, "/items/abc", 400),
            request(HttpMethod::Get, "/items/7", 200),
        ];
        let found = only(&design, "CON004");
        assert_contains(&found.message, "expected integer");
    }

    #[test]
    fn a_response_example_that_breaks_its_schema_is_an_error() {
        let mut design = base();
        worker_mut(&mut design, "items").routes[0].responses.insert(
            200,
            ResponseContract {
                description: "The item".to_owned(),
                schema: Some(json!({"type": "object", "required": ["id"]})),
                example: Some(json!({"name": "mug"})),
            },
        );
        let found = only(&design, "CON005");
        assert_contains(&found.message, "missing required field \"id\"");
    }

    #[test]
    fn a_typed_parameter_missing_from_the_path_is_an_error() {
        let design = with_contract(RequestContract {
            params: [("slug".to_owned(), ParamType::String)].into(),
            ..RequestContract::default()
        });
        let found = only(&design, "CON006");
        assert_contains(found.help.as_deref().unwrap_or_default(), ":slug");
    }
}
