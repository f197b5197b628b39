//! OpenAPI 3.1: the document of what clients of a design see.
//!
//! [`document`] is a pure function of a [`Design`]: its public operations (a public Worker's
//! own routes, a gateway's routes mapped through to the Worker routes behind them), their
//! parameters, request bodies and responses from the route contracts, the gateway's
//! security scheme and its own 401/403/413/429 answers, the 400 answer of an invalid
//! request, and examples from the Clients' scenarios. Named schemas become
//! `components.schemas`, and `#/$defs/Name` references become `#/components/schemas/Name`.

pub mod import;
mod operations;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::model::{
    Auth, Design, Gateway, NodeKind, ParamType, RequestBody, Route, Step, walk_steps,
};
use operations::{Operation, matches, operations};

pub(crate) use operations::{operation_for, operations as operations_of};

/// The OpenAPI version written.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The document of `design`, as JSON (keys in a stable order).
pub fn document(design: &Design) -> Value {
    let ops = operations(design);
    let mut paths: Map<String, Value> = Map::new();
    let mut schemes: BTreeMap<&'static str, Value> = BTreeMap::new();
    let mut uses_contracts = false;
    for op in &ops {
        uses_contracts |= op.route.request.is_some();
        let (operation, scheme) = operation(design, op);
        if let Some((name, scheme)) = scheme {
            schemes.insert(name, scheme);
        }
        let item = paths
            .entry(openapi_path(&op.path))
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(op.method.as_str().to_ascii_lowercase(), operation);
        }
    }
    let mut info = Map::new();
    info.insert("title".into(), Value::from(design.name.clone()));
    if !design.description.trim().is_empty() {
        info.insert("description".into(), Value::from(design.description.trim()));
    }
    info.insert("version".into(), Value::from("1.0.0"));
    let mut doc = Map::new();
    doc.insert("openapi".into(), Value::from(OPENAPI_VERSION));
    doc.insert("info".into(), Value::Object(info));
    doc.insert("servers".into(), servers(design, &ops));
    doc.insert("paths".into(), Value::Object(paths));
    doc.insert(
        "components".into(),
        components(design, schemes, uses_contracts),
    );
    Value::Object(doc)
}

/// `/users/:id` as OpenAPI writes it: `/users/{id}`.
pub fn openapi_path(path: &str) -> String {
    let parts: Vec<String> = path
        .split('/')
        .map(|s| match s.strip_prefix(':') {
            Some(name) => format!("{{{name}}}"),
            None => s.to_owned(),
        })
        .collect();
    let joined = parts.join("/");
    if joined.is_empty() {
        "/".to_owned()
    } else {
        joined
    }
}

/// `schema` with its `#/$defs/Name` references pointing into `components.schemas`.
pub fn to_components(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("$ref", Value::String(target)) => {
                            Value::from(target.strip_prefix("#/$defs/").map_or_else(
                                || target.clone(),
                                |name| format!("#/components/schemas/{name}"),
                            ))
                        }
                        _ => to_components(value),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(to_components).collect()),
        other => other.clone(),
    }
}

/// The JSON Schema of a parameter type.
pub fn param_schema(ty: ParamType) -> Value {
    match ty {
        ParamType::String => json!({"type": "string"}),
        ParamType::Integer => json!({"type": "integer"}),
        ParamType::Number => json!({"type": "number"}),
        ParamType::Boolean => json!({"type": "boolean"}),
        ParamType::Uuid => json!({"type": "string", "format": "uuid"}),
    }
}

/// The servers: each public entry's address (its custom domain, or its workers.dev URL),
/// then `wrangler dev`'s.
fn servers(design: &Design, ops: &[Operation<'_>]) -> Value {
    let mut entries: Vec<&str> = ops.iter().map(|op| op.entry).collect();
    entries.dedup();
    let mut out: Vec<Value> = entries
        .iter()
        .filter_map(|id| design.node(id))
        .map(|node| match node.kind.custom_domain() {
            Some(domain) => json!({"url": format!("https://{domain}"), "description": format!("`{}`, on its custom domain", node.id)}),
            None => json!({
                "url": format!("https://{}.{{subdomain}}.workers.dev", crate::export::slug(&node.id)),
                "description": format!("`{}` on workers.dev", node.id),
                "variables": {"subdomain": {"default": "your-subdomain", "description": "your account's workers.dev subdomain"}}
            }),
        })
        .collect();
    out.push(json!({"url": "http://localhost:8787", "description": "`npm run dev` in the exported project"}));
    Value::Array(out)
}

/// One operation object, and the security scheme it uses.
fn operation(design: &Design, op: &Operation<'_>) -> (Value, Option<(&'static str, Value)>) {
    let mut out = Map::new();
    out.insert("operationId".into(), Value::from(operation_id(op)));
    out.insert("tags".into(), json!([op.worker]));
    let parameters = parameters(op);
    if !parameters.is_empty() {
        out.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(body) = op.route.request.as_ref().and_then(|r| r.body.as_ref()) {
        let mut media = Map::new();
        media.insert("schema".into(), to_components(body));
        let examples = scenario_examples(design, op);
        if !examples.is_empty() {
            media.insert("examples".into(), Value::Object(examples));
        }
        out.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": Value::Object(media)}}),
        );
    }
    out.insert("responses".into(), responses(op));
    let scheme = op.gateway.and_then(security_scheme);
    if let Some((name, _)) = &scheme {
        out.insert("security".into(), json!([{ *name: [] }]));
    }
    (Value::Object(out), scheme)
}

/// `getUsersById`-style id, unique per method and path.
fn operation_id(op: &Operation<'_>) -> String {
    crate::export::names::handler_name(op.method.as_str(), &op.path)
}

fn parameters(op: &Operation<'_>) -> Vec<Value> {
    let request = op.route.request.as_ref();
    let mut out = Vec::new();
    for segment in op.path.split('/') {
        let Some(name) = segment.strip_prefix(':') else {
            continue;
        };
        let ty = request
            .and_then(|r| r.params.get(name))
            .copied()
            .unwrap_or_default();
        out.push(json!({"name": name, "in": "path", "required": true, "schema": param_schema(ty)}));
    }
    for param in request.map(|r| r.query.as_slice()).unwrap_or_default() {
        let mut schema = param_schema(param.ty);
        if let (Some(default), Value::Object(map)) = (&param.default, &mut schema) {
            map.insert("default".into(), default.clone());
        }
        out.push(json!({"name": param.name, "in": "query", "required": param.required, "schema": schema}));
    }
    out
}

/// Declared responses, or else one per status the route's Respond steps answer with; then
/// the 400 of the contract and the gateway's own answers.
fn responses(op: &Operation<'_>) -> Value {
    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    if op.route.responses.is_empty() {
        for status in respond_statuses(op.route) {
            out.insert(status.to_string(), json!({"description": reason(status)}));
        }
    }
    for (status, response) in &op.route.responses {
        let mut item = Map::new();
        let description = if response.description.is_empty() {
            reason(*status).to_owned()
        } else {
            response.description.clone()
        };
        item.insert("description".into(), Value::from(description));
        if response.schema.is_some() || response.example.is_some() {
            let mut media = Map::new();
            if let Some(schema) = &response.schema {
                media.insert("schema".into(), to_components(schema));
            }
            if let Some(example) = &response.example {
                media.insert("example".into(), example.clone());
            }
            item.insert(
                "content".into(),
                json!({"application/json": Value::Object(media)}),
            );
        }
        out.insert(status.to_string(), Value::Object(item));
    }
    if op.route.request.is_some() {
        out.entry("400".into())
            .or_insert_with(|| json!({"$ref": "#/components/responses/InvalidRequest"}));
    }
    if let Some(gateway) = op.gateway {
        for (status, name, present) in [
            ("401", "Unauthorized", !matches!(gateway.auth, Auth::None)),
            ("403", "OriginNotAllowed", gateway.cors.is_some()),
            ("413", "PayloadTooLarge", gateway.max_body_bytes.is_some()),
            ("429", "TooManyRequests", gateway.rate_limit.is_some()),
        ] {
            if present {
                out.entry(status.into())
                    .or_insert_with(|| json!({"$ref": format!("#/components/responses/{name}")}));
            }
        }
    }
    Value::Object(out.into_iter().collect())
}

/// The statuses of a route's Respond steps, in order, each once.
fn respond_statuses(route: &Route) -> Vec<u16> {
    let mut out = Vec::new();
    walk_steps(&route.steps, &mut |_, step| {
        if let Step::Respond { status, .. } = step
            && !out.contains(status)
        {
            out.push(*status);
        }
    });
    out
}

fn reason(status: u16) -> &'static str {
    hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Response")
}

fn security_scheme(gateway: &Gateway) -> Option<(&'static str, Value)> {
    match &gateway.auth {
        Auth::None => None,
        Auth::ApiKey { header, .. } => Some((
            "apiKey",
            json!({"type": "apiKey", "in": "header", "name": header}),
        )),
        Auth::Jwt { .. } => Some((
            "bearerJwt",
            json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}),
        )),
    }
}

/// Request body examples: the Clients' scenario requests to this operation that send JSON.
fn scenario_examples(design: &Design, op: &Operation<'_>) -> Map<String, Value> {
    let mut out = Map::new();
    for node in &design.nodes {
        let NodeKind::Client(client) = &node.kind else {
            continue;
        };
        for request in &client.scenario {
            let path = request.path.split('?').next().unwrap_or_default();
            if request.method != op.method || !matches(&op.path, path) {
                continue;
            }
            if let Some(RequestBody::Json(body)) = &request.body {
                let key = crate::export::slug(&request.name);
                out.entry(key).or_insert_with(|| {
                    json!({"summary": format!("{} (expects {})", request.name, request.expect_status), "value": body})
                });
            }
        }
    }
    out
}

/// Components: the design's named schemas, the error bodies, the shared responses and the
/// security schemes used.
fn components(design: &Design, security: BTreeMap<&'static str, Value>, contracts: bool) -> Value {
    let mut schemas: Map<String, Value> = design
        .schemas
        .iter()
        .map(|(name, schema)| (name.clone(), to_components(schema)))
        .collect();
    schemas.insert(
        "Error".into(),
        generated_schema("Error").unwrap_or_default(),
    );
    let mut responses = Map::new();
    if contracts {
        schemas.insert(
            "InvalidRequest".into(),
            generated_schema("InvalidRequest").unwrap_or_default(),
        );
    }
    for name in GENERATED_RESPONSES {
        if name != "InvalidRequest" || contracts {
            responses.insert(name.into(), generated_response(name).unwrap_or_default());
        }
    }
    let mut out = Map::new();
    out.insert("schemas".into(), Value::Object(schemas));
    out.insert("responses".into(), Value::Object(responses));
    if !security.is_empty() {
        out.insert(
            "securitySchemes".into(),
            Value::Object(
                security
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            ),
        );
    }
    Value::Object(out)
}

/// The responses every document describes itself (the gateway's and the contract's errors).
pub(crate) const GENERATED_RESPONSES: [&str; 5] = [
    "InvalidRequest",
    "Unauthorized",
    "OriginNotAllowed",
    "PayloadTooLarge",
    "TooManyRequests",
];

/// One of [`GENERATED_RESPONSES`] by name.
pub(crate) fn generated_response(name: &str) -> Option<Value> {
    let error = |description: &str| json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    Some(match name {
        "InvalidRequest" => {
            json!({"description": "The request breaks the route's contract", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InvalidRequest"}}}})
        }
        "Unauthorized" => error("Missing or invalid credentials"),
        "OriginNotAllowed" => error("A CORS preflight from an origin the gateway does not allow"),
        "PayloadTooLarge" => error("The request body is larger than the gateway allows"),
        "TooManyRequests" => error("The gateway's rate limit is exceeded"),
        _ => return None,
    })
}

/// The schemas every document describes itself (error bodies), by name; the import leaves
/// them out.
pub(crate) fn generated_schema(name: &str) -> Option<Value> {
    match name {
        "Error" => Some(
            json!({"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}),
        ),
        "InvalidRequest" => Some(invalid_request_schema()),
        _ => None,
    }
}

/// The body of a 400 for an invalid request.
fn invalid_request_schema() -> Value {
    json!({
        "type": "object",
        "required": ["error", "issues"],
        "properties": {
            "error": {"const": "invalid request"},
            "issues": {
                "type": "array",
                "maxItems": crate::contract::MAX_ISSUES,
                "items": {
                    "type": "object",
                    "required": ["in", "path", "rule", "message"],
                    "properties": {
                        "in": {"enum": ["body", "path", "query"]},
                        "path": {"type": "string", "description": "A JSON Pointer into the part"},
                        "rule": {"type": "string", "description": "The JSON Schema keyword that failed"},
                        "message": {"type": "string"}
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests;
