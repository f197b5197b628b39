//! OpenAPI 3.0 and 3.1 documents (JSON or YAML) into designs.
//!
//! [`import`] writes a design that validates with no errors: a Client whose scenario has one
//! request per operation (from the document's examples), a gateway with the document's
//! security scheme (an API key in a header, or bearer JWT), one Worker per tag (per first
//! path segment when untagged) with one route per operation, the operations' contracts and
//! named schemas carried over, and steps that answer with the document's example response
//! (501 `{"error": "not implemented yet"}` where it has none). Operations with
//! `security: []` go to a public Worker the Client calls directly. What Edgewire does not
//! model (callbacks, webhooks, non-JSON bodies, cookie and header parameters, external
//! references, keywords outside the schema subset) is listed in [`Imported::warnings`],
//! never dropped silently.

mod schema;
mod values;

pub use values::edgewire_path;
use values::{
    binding_name, example_breaks, example_of, param_type, placeholder, text_of, worker_name,
};

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::contract::Checker;
use crate::model::{
    Auth, Client, Design, Expr, Gateway, GatewayRoute, HttpMethod, Node, NodeKind, ParamType,
    QueryParam, RequestBody, RequestContract, ResponseContract, Route, SampleRequest, Step, Wire,
    Worker,
};

/// A design made from an OpenAPI document, and what could not be carried over.
#[derive(Clone, Debug)]
pub struct Imported {
    pub design: Design,
    pub warnings: Vec<String>,
    /// Operations imported.
    pub operations: usize,
}

/// Why a document cannot be imported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{line}:{column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "this is a Swagger 2.0 document; Edgewire imports OpenAPI 3.0 and 3.1. Convert it first, \
         for example with `npx swagger2openapi FILE -o openapi.yaml`"
    )]
    Swagger2,
    #[error("this is not an OpenAPI document: {0}")]
    NotOpenApi(String),
}

/// The HTTP methods of a path item Edgewire has routes for, in the order they are imported.
const METHODS: [(&str, HttpMethod); 6] = [
    ("get", HttpMethod::Get),
    ("head", HttpMethod::Head),
    ("post", HttpMethod::Post),
    ("put", HttpMethod::Put),
    ("patch", HttpMethod::Patch),
    ("delete", HttpMethod::Delete),
];

/// Parse a document: JSON when it starts with `{`, YAML otherwise (YAML errors and JSON
/// errors both give a line and a column).
pub fn parse(text: &str) -> Result<Value, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|err| ImportError::Syntax {
            line: err.line(),
            column: err.column(),
            message: format!("not valid JSON: {err}"),
        })
    } else {
        serde_yaml_ng::from_str(text).map_err(|err| {
            let (line, column) = err.location().map_or((1, 1), |l| (l.line(), l.column()));
            ImportError::Syntax {
                line,
                column,
                message: format!("not valid YAML: {err}"),
            }
        })
    }
}

/// Import the document `text`; `fallback_name` names the design when the document has no
/// title.
pub fn import(text: &str, fallback_name: &str) -> Result<Imported, ImportError> {
    let doc = parse(text)?;
    if doc.get("swagger").is_some() {
        return Err(ImportError::Swagger2);
    }
    match doc.get("openapi").and_then(Value::as_str) {
        Some(version) if version.starts_with("3.") => {}
        Some(version) => {
            return Err(ImportError::NotOpenApi(format!(
                "`openapi: {version}` is not a version Edgewire reads (3.0 or 3.1)"
            )));
        }
        None => {
            return Err(ImportError::NotOpenApi(
                "it has no `openapi` field (an OpenAPI document starts with `openapi: 3.1.0`)"
                    .to_owned(),
            ));
        }
    }
    let mut importer = Importer::new(&doc, fallback_name);
    importer.run();
    Ok(importer.finish())
}

/// One operation on its way into a Worker.
struct Op {
    worker: String,
    public: bool,
    route: Route,
    sample: Option<SampleRequest>,
}

struct Importer<'d> {
    doc: &'d Value,
    design: Design,
    warnings: Vec<String>,
    auth: Auth,
    ops: Vec<Op>,
}

impl<'d> Importer<'d> {
    fn new(doc: &'d Value, fallback_name: &str) -> Self {
        let title = doc
            .pointer("/info/title")
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(fallback_name);
        let mut design = Design::new(title);
        if let Some(description) = doc.pointer("/info/description").and_then(Value::as_str) {
            description.trim().clone_into(&mut design.description);
        }
        Self {
            doc,
            design,
            warnings: Vec::new(),
            auth: Auth::None,
            ops: Vec::new(),
        }
    }

    fn warn(&mut self, text: String) {
        self.warnings.push(text);
    }

    fn run(&mut self) {
        if let Some(Value::Object(schemas)) = self.doc.pointer("/components/schemas") {
            for (name, value) in schemas {
                // The error bodies Edgewire's own documents describe are not the design's.
                if super::generated_schema(name).as_ref() == Some(value) {
                    continue;
                }
                let converted =
                    schema::convert(value, &format!("schema {name}"), &mut self.warnings);
                self.design.schemas.insert(name.clone(), converted);
            }
        }
        self.auth = self.security(self.doc.get("security"));
        for part in ["webhooks", "callbacks"] {
            if self.doc.get(part).is_some() {
                self.warn(format!("the document's `{part}` are not imported: Edgewire designs have no outgoing calls of that kind"));
            }
        }
        let Some(Value::Object(paths)) = self.doc.get("paths") else {
            self.warn("the document has no paths: the design has no routes".to_owned());
            return;
        };
        for (path, item) in paths {
            for (name, _) in item.as_object().into_iter().flatten() {
                if ["options", "trace"].contains(&name.as_str()) {
                    self.warn(format!(
                        "{} {path}: Edgewire routes have no {name} method; not imported",
                        name.to_ascii_uppercase()
                    ));
                }
            }
            for (key, method) in METHODS {
                if let Some(operation) = item.get(key) {
                    self.operation(path, item, method, operation);
                }
            }
        }
    }

    /// The gateway auth a security requirement list asks for.
    fn security(&mut self, requirements: Option<&Value>) -> Auth {
        let Some(name) = requirements
            .and_then(Value::as_array)
            .and_then(|list| list.first())
            .and_then(Value::as_object)
            .and_then(|first| first.keys().next())
        else {
            return Auth::None;
        };
        let scheme = self
            .doc
            .pointer(&format!("/components/securitySchemes/{name}"));
        let kind = scheme.and_then(|s| s.get("type")).and_then(Value::as_str);
        let location = scheme.and_then(|s| s.get("in")).and_then(Value::as_str);
        let http = scheme.and_then(|s| s.get("scheme")).and_then(Value::as_str);
        match (kind, location, http) {
            (Some("apiKey"), Some("header"), _) => Auth::ApiKey {
                header: scheme
                    .and_then(|s| s.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or("x-api-key")
                    .to_ascii_lowercase(),
                secret: "API_KEY".to_owned(),
            },
            (Some("http"), _, Some(s)) if s.eq_ignore_ascii_case("bearer") => Auth::Jwt {
                secret: "JWT_SECRET".to_owned(),
                issuer: "https://issuer.example.com".to_owned(),
                audience: crate::export::slug(&self.design.name),
            },
            _ => {
                self.warn(format!(
                    "security scheme `{name}` ({}) is not one the gateway checks (an API key in a header, or a bearer JWT); the gateway checks no credentials",
                    kind.unwrap_or("unknown")
                ));
                Auth::None
            }
        }
    }

    fn operation(&mut self, path: &str, item: &Value, method: HttpMethod, op: &Value) {
        let label = format!("{} {path}", method.as_str());
        if op.get("callbacks").is_some() {
            self.warn(format!("{label}: its callbacks are not imported"));
        }
        let public = op
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty);
        let route_path = edgewire_path(path);
        let mut parameters: Vec<&Value> = Vec::new();
        for list in [item.get("parameters"), op.get("parameters")] {
            parameters.extend(list.and_then(Value::as_array).into_iter().flatten());
        }
        let mut request = RequestContract::default();
        let mut sample_path = route_path.clone();
        let mut sample_query = Vec::new();
        for parameter in parameters {
            let parameter = self.resolve(parameter);
            let name = parameter
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let schema = parameter
                .get("schema")
                .cloned()
                .unwrap_or_else(|| json!({}));
            let ty = param_type(&schema);
            let example = parameter
                .get("example")
                .or_else(|| schema.get("example"))
                .or_else(|| schema.get("default"))
                .map_or_else(|| placeholder(ty), text_of);
            match parameter.get("in").and_then(Value::as_str) {
                Some("path") => {
                    if ty != ParamType::String {
                        request.params.insert(name.to_owned(), ty);
                    }
                    sample_path = sample_path.replace(&format!(":{name}"), &example);
                }
                Some("query") => {
                    let required = parameter.get("required") == Some(&Value::Bool(true));
                    if required {
                        sample_query.push(format!("{name}={example}"));
                    }
                    request.query.push(QueryParam {
                        name: name.to_owned(),
                        ty,
                        required,
                        default: schema.get("default").cloned(),
                    });
                }
                Some(other) => self.warn(format!(
                    "{label}: the {other} parameter `{name}` is not imported (routes read path and query parameters)"
                )),
                None => {}
            }
        }
        let body = self.request_body(&label, op);
        if let Some((schema, _)) = &body {
            request.body.clone_from(schema);
        }
        let (responses, answers) = self.responses(&label, op);
        let (status, example) = responses
            .keys()
            .find(|status| (200..300).contains(*status))
            .map_or((501, None), |status| {
                (*status, answers.get(status).cloned())
            });
        let step = match (status, example) {
            (501, _) => Step::Respond {
                status: 501,
                body: Some(Expr::Json(json!({"error": "not implemented yet"}))),
                headers: BTreeMap::new(),
            },
            (status, example) => Step::Respond {
                status,
                body: example.map(Expr::Json),
                headers: BTreeMap::new(),
            },
        };
        let mut route = Route::new(method, route_path, vec![step]);
        if !request.is_empty() {
            route.request = Some(request);
        }
        route.responses = responses;
        let mut full_path = sample_path;
        if !sample_query.is_empty() {
            full_path = format!("{full_path}?{}", sample_query.join("&"));
        }
        let sample = SampleRequest {
            name: op
                .get("operationId")
                .and_then(Value::as_str)
                .map_or_else(|| label.clone(), str::to_owned),
            method,
            path: full_path,
            headers: BTreeMap::new(),
            body: body.and_then(|(_, example)| example).map(RequestBody::Json),
            weight: 1.0,
            expect_status: status,
            expect_body: None,
        };
        let worker = worker_name(op, path, public);
        self.ops.push(Op {
            worker,
            public,
            route,
            sample: Some(sample),
        });
    }

    /// A `$ref` to a component, followed once.
    fn resolve<'v>(&self, value: &'v Value) -> &'v Value
    where
        'd: 'v,
    {
        match value.get("$ref").and_then(Value::as_str) {
            Some(target) => target
                .strip_prefix('#')
                .and_then(|pointer| self.doc.pointer(pointer))
                .unwrap_or(value),
            None => value,
        }
    }

    /// Whether `response` refers to one of the error answers Edgewire's own documents
    /// describe (the gateway's and the contract's), unchanged: those come back from the
    /// gateway and the contract, not as route responses.
    fn is_generated_response(&self, response: &Value) -> bool {
        let Some(name) = response
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/responses/"))
        else {
            return false;
        };
        let generated = super::generated_response(name);
        generated.is_some()
            && self.doc.pointer(&format!("/components/responses/{name}")) == generated.as_ref()
    }

    /// The JSON body's schema and example.
    fn request_body(&mut self, label: &str, op: &Value) -> Option<(Option<Value>, Option<Value>)> {
        let body = self.resolve(op.get("requestBody")?);
        let content = body.get("content")?.as_object()?;
        for media in content.keys().filter(|m| !m.contains("json")) {
            self.warn(format!(
                "{label}: the {media} request body is not imported (only JSON bodies are)"
            ));
        }
        let (_, media) = content.iter().find(|(m, _)| m.contains("json"))?;
        let schema = media
            .get("schema")
            .map(|s| schema::convert(s, &format!("{label} body"), &mut self.warnings));
        Some((schema, example_of(media)))
    }

    /// The operation's responses, and every example response by status (also those that do
    /// not match their schema: the step still answers with them).
    fn responses(
        &mut self,
        label: &str,
        op: &Value,
    ) -> (BTreeMap<u16, ResponseContract>, BTreeMap<u16, Value>) {
        let mut out = BTreeMap::new();
        let mut answers = BTreeMap::new();
        for (code, response) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if self.is_generated_response(response) {
                continue;
            }
            let Ok(status) = code.parse::<u16>() else {
                self.warn(format!(
                    "{label}: the `{code}` response is not imported (only numeric statuses are)"
                ));
                continue;
            };
            let response = self.resolve(response);
            let media = response
                .get("content")
                .and_then(Value::as_object)
                .and_then(|content| {
                    content
                        .iter()
                        .find(|(m, _)| m.contains("json"))
                        .map(|(_, m)| m)
                });
            let schema = media.and_then(|m| m.get("schema")).map(|s| {
                schema::convert(s, &format!("{label} {status} response"), &mut self.warnings)
            });
            let example = media.and_then(example_of);
            if let Some(value) = &example {
                answers.insert(status, value.clone());
            }
            let example = match (&schema, example) {
                (Some(schema), Some(value))
                    if example_breaks(schema, &value, &self.design.schemas) =>
                {
                    self.warn(format!(
                        "{label}: the {status} response example does not match its schema; the route still answers with it, but it is not kept as the documented example"
                    ));
                    None
                }
                (_, example) => example,
            };
            out.insert(
                status,
                ResponseContract {
                    description: response
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    schema,
                    example,
                },
            );
        }
        (out, answers)
    }

    fn finish(mut self) -> Imported {
        let operations = self.ops.len();
        let mut workers: BTreeMap<String, (bool, Vec<Route>)> = BTreeMap::new();
        let mut scenario = Vec::new();
        for op in std::mem::take(&mut self.ops) {
            let entry = workers.entry(op.worker).or_insert((op.public, Vec::new()));
            entry.1.push(op.route);
            scenario.extend(op.sample.map(|s| (op.public, s)));
        }
        let client_id = "client".to_owned();
        let gateway_id = "gateway".to_owned();
        let mut nodes = vec![Node::new(
            client_id.clone(),
            NodeKind::Client(Client::default()),
        )];
        let mut wires = Vec::new();
        let mut gateway = Gateway {
            auth: self.auth.clone(),
            ..Gateway::default()
        };
        let mut gateway_routes: Vec<(String, String, BTreeSet<HttpMethod>)> = Vec::new();
        let mut gateway_index: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut taken: BTreeSet<String> = [client_id.clone(), gateway_id.clone()].into();
        for (name, (public, routes)) in workers {
            let mut id = crate::export::slug(&name);
            while taken.contains(&id) {
                id.push_str("-api");
            }
            taken.insert(id.clone());
            if public {
                wires.push(Wire::new(client_id.clone(), id.clone(), ""));
            } else {
                let binding = binding_name(&id);
                wires.push(Wire::new(gateway_id.clone(), id.clone(), binding.clone()));
                for route in &routes {
                    let key = (route.path.clone(), binding.clone());
                    if let Some(&at) = gateway_index.get(&key) {
                        gateway_routes[at].2.insert(route.method);
                    } else {
                        gateway_index.insert(key, gateway_routes.len());
                        gateway_routes.push((
                            route.path.clone(),
                            binding.clone(),
                            [route.method].into(),
                        ));
                    }
                }
            }
            nodes.push(Node::new(
                id,
                NodeKind::Worker(Worker {
                    routes,
                    ..Worker::default()
                }),
            ));
        }
        // Longer paths first: a gateway route is a prefix, so `/users` would catch `/users/7`.
        gateway_routes.sort_by_key(|(path, _, _)| std::cmp::Reverse(path.matches('/').count()));
        gateway.routes = gateway_routes
            .into_iter()
            .map(|(path, service, methods)| GatewayRoute {
                path,
                methods: methods.into_iter().collect(),
                service,
                strip_prefix: false,
            })
            .collect();
        if !gateway.routes.is_empty() {
            wires.insert(0, Wire::new(client_id.clone(), gateway_id.clone(), ""));
            nodes.insert(1, Node::new(gateway_id, NodeKind::Gateway(gateway)));
        }
        self.design.nodes = nodes;
        self.design.wires = wires;
        let scenario = self.checked_scenario(scenario);
        if let Some(NodeKind::Client(client)) = self.design.nodes.first_mut().map(|n| &mut n.kind) {
            client.scenario = scenario;
        }
        Imported {
            design: self.design,
            warnings: self.warnings,
            operations,
        }
    }

    /// The sample requests with the credential header the gateway wants and the status the
    /// design will really answer with (400 when the example breaks the contract, 401 when a
    /// bearer token would be needed).
    fn checked_scenario(&self, samples: Vec<(bool, SampleRequest)>) -> Vec<SampleRequest> {
        let operations = super::operations_of(&self.design);
        // Each route's checker, compiled once (keyed by the route's address).
        let mut checkers: BTreeMap<*const Route, Option<Checker>> = BTreeMap::new();
        let mut out = Vec::new();
        for (public, mut sample) in samples {
            if !public {
                match &self.auth {
                    Auth::ApiKey { header, .. } => {
                        sample.headers.insert(header.clone(), "demo-key".to_owned());
                    }
                    Auth::Jwt { .. } => sample.expect_status = 401,
                    Auth::None => {}
                }
            }
            if sample.body.is_some() {
                sample
                    .headers
                    .insert("content-type".to_owned(), "application/json".to_owned());
            }
            if let Some(op) = super::operation_for(&operations, &sample)
                && sample.expect_status != 401
            {
                let checker = checkers
                    .entry(std::ptr::from_ref(op.route))
                    .or_insert_with(|| {
                        let contract = op.route.request.as_ref()?;
                        Checker::compile(contract, &self.design.schemas).ok()
                    });
                if let Some(checker) = checker
                    && op.check_sample(checker, &sample).is_err()
                {
                    sample.expect_status = 400;
                }
            }
            out.push(sample);
        }
        out
    }
}

#[cfg(test)]
mod tests;
