//! Static request paths: which hops a scenario request makes through a design.
//!
//! A sample request enters at the Worker or Gateway its Client is wired to. The gateway's
//! checks are decided from the request itself (a missing API key header ends it with 401; an
//! expected 401/429 means the credential or the rate limit stops it there), then its routes pick
//! a service binding. A Worker picks its route by method and path and walks the route's steps:
//! - binding steps become [`Hop`]s (KV, D1, Hyperdrive), `Call` follows the service binding into
//!   the other Worker (its route found from the call's method and path);
//! - `If` conditions on the request's own inputs (`params`, `query`, `headers`, `body`) are decided
//!   from the sample; `Exists`/`Missing` on the result of a `KvGet` is a cache lookup, a hit
//!   with the KV hit ratio; any other condition takes both branches with weight 1/2 each;
//! - `Respond` ends a path with its status.
//!
//! Finally only the paths that end with the sample's `expect_status` are kept (reweighted to sum
//! to 1); when none does, every path is kept and a warning says so.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::model::{
    Auth, Condition, Design, Expr, HttpMethod, Kind, NodeKind, QueryMode, RequestBody,
    SampleRequest, Step, Template, TemplatePart, walk_steps,
};
use crate::semantics::MAX_WORKER_INVOCATIONS;

/// Rows a D1 `All` query reads when its SQL has no `LIMIT n` (an assumption: D1 bills rows
/// scanned, which the simulator cannot know).
pub const ALL_ROWS_READ: f64 = 100.0;

/// Most paths kept per request; beyond it the lightest are dropped (with a warning).
const MAX_PATHS: usize = 256;

/// One thing a request does on its way through the design.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "hop", rename_all = "snake_case")]
pub enum Hop {
    /// A Gateway or Worker runs (at the edge next to the client in the global design).
    Worker {
        node: String,
        gateway: bool,
    },
    /// A KV read: hot keys are served by the edge location.
    KvRead {
        node: String,
    },
    KvWrite {
        node: String,
    },
    KvDelete {
        node: String,
    },
    KvList {
        node: String,
    },
    /// A D1 query: reads (a SELECT) may use a nearby replica, everything else the primary.
    D1 {
        node: String,
        read_only: bool,
        rows_read: f64,
        rows_written: f64,
    },
    /// A Hyperdrive query: read-only queries may be cache hits at the edge.
    Hyperdrive {
        node: String,
        read_only: bool,
    },
}

impl Hop {
    /// The kind of node that does the hop's work (a gateway counts as a Worker hop).
    pub fn kind(&self) -> Kind {
        match self {
            Hop::Worker { .. } => Kind::Worker,
            Hop::KvRead { .. }
            | Hop::KvWrite { .. }
            | Hop::KvDelete { .. }
            | Hop::KvList { .. } => Kind::Kv,
            Hop::D1 { .. } => Kind::D1,
            Hop::Hyperdrive { .. } => Kind::Hyperdrive,
        }
    }

    /// Short text for reports: `KV config read`, `D1 app-db write`.
    pub fn label(&self) -> String {
        match self {
            Hop::Worker { node, gateway } => {
                format!("{} {node}", if *gateway { "gateway" } else { "worker" })
            }
            Hop::KvRead { node } => format!("KV {node} read"),
            Hop::KvWrite { node } => format!("KV {node} write"),
            Hop::KvDelete { node } => format!("KV {node} delete"),
            Hop::KvList { node } => format!("KV {node} list"),
            Hop::D1 {
                node, read_only, ..
            } => format!("D1 {node} {}", if *read_only { "read" } else { "write" }),
            Hop::Hyperdrive { node, read_only } => {
                format!(
                    "Hyperdrive {node} {}",
                    if *read_only { "read" } else { "write" }
                )
            }
        }
    }
}

/// One way a request can go, with its share of that request's traffic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestPath {
    /// Share of the request's traffic that takes this path (the paths of a request sum to 1).
    pub weight: f64,
    /// The status the path answers with.
    pub status: u16,
    pub hops: Vec<Hop>,
}

/// The paths of one sample request, with what the walk had to guess.
#[derive(Clone, Debug, Default)]
pub struct Paths {
    pub paths: Vec<RequestPath>,
    pub warnings: Vec<String>,
}

/// A path being built.
#[derive(Clone, Debug)]
struct Partial {
    weight: f64,
    status: Option<u16>,
    hops: Vec<Hop>,
}

/// What a handler knows statically: the request's inputs (`None` = unknown).
#[derive(Clone, Debug, Default)]
struct Scope {
    params: BTreeMap<String, String>,
    query: BTreeMap<String, String>,
    headers: Option<BTreeMap<String, String>>,
    body: Option<Value>,
    /// Names set by a `KvGet` in this handler: testing them is a cache lookup.
    kv_results: BTreeSet<String>,
    /// Chance that such a lookup finds its key.
    kv_hit_ratio: f64,
}

impl Scope {
    /// The value at a dotted path, when the path starts at a request input we know.
    fn lookup(&self, path: &str) -> Option<Value> {
        let mut segments = path.split('.');
        let root = segments.next()?;
        let mut value = match root {
            "params" => to_object(&self.params),
            "query" => to_object(&self.query),
            "headers" => to_object(self.headers.as_ref()?),
            "body" => self.body.clone()?,
            _ => return None,
        };
        for segment in segments {
            value = match &value {
                Value::Object(map) => map.get(segment).cloned().unwrap_or(Value::Null),
                Value::Array(items) => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i).cloned())
                    .unwrap_or(Value::Null),
                _ => Value::Null,
            };
        }
        Some(value)
    }

    fn eval(&self, expr: &Expr) -> Option<Value> {
        match expr {
            Expr::Ref(path) => self.lookup(path),
            Expr::Json(value) => Some(value.clone()),
            Expr::Text(template) => self.render(template).map(Value::String),
            Expr::Object(fields) => fields
                .iter()
                .map(|(k, e)| self.eval(e).map(|v| (k.clone(), v)))
                .collect::<Option<serde_json::Map<_, _>>>()
                .map(Value::Object),
        }
    }

    fn render(&self, template: &Template) -> Option<String> {
        let mut text = String::new();
        for part in template.parts().ok()? {
            match part {
                TemplatePart::Literal(literal) => text.push_str(&literal),
                TemplatePart::Path(path) => match self.lookup(path)? {
                    Value::String(s) => text.push_str(&s),
                    Value::Null => {}
                    other => text.push_str(&other.to_string()),
                },
            }
        }
        Some(text)
    }

    /// A template rendered with unknown values as `x` (enough to match `:name` segments).
    fn render_path(&self, template: &Template) -> String {
        let mut text = String::new();
        for part in template.parts().unwrap_or_default() {
            match part {
                TemplatePart::Literal(literal) => text.push_str(&literal),
                TemplatePart::Path(path) => match self.lookup(path) {
                    Some(Value::String(s)) => text.push_str(&s),
                    Some(Value::Null) => {}
                    Some(other) => text.push_str(&other.to_string()),
                    None => text.push('x'),
                },
            }
        }
        text
    }

    /// The chance that the condition holds: 1 or 0 when the sample decides it, the KV hit
    /// ratio for a cache lookup, else 1/2.
    fn chance(&self, cond: &Condition) -> f64 {
        let known = |holds: Option<bool>| holds.map_or(0.5, |h| if h { 1.0 } else { 0.0 });
        let is_kv = |path: &str| {
            self.kv_results
                .contains(path.split('.').next().unwrap_or_default())
        };
        match cond {
            Condition::Exists(path) if is_kv(path) => self.kv_hit_ratio,
            Condition::Missing(path) if is_kv(path) => 1.0 - self.kv_hit_ratio,
            Condition::Exists(path) => known(self.lookup(path).map(|v| !v.is_null())),
            Condition::Missing(path) => known(self.lookup(path).map(|v| v.is_null())),
            Condition::Equals(a, b) => known(
                self.eval(a)
                    .zip(self.eval(b))
                    .map(|(a, b)| json_equal(&a, &b)),
            ),
        }
    }
}

fn to_object(map: &BTreeMap<String, String>) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Split `path?query` into segments (trailing `/` ignored) and query pairs (first value wins).
fn split_path(full: &str) -> (Vec<&str>, BTreeMap<String, String>) {
    let (path, query) = full.split_once('?').unwrap_or((full, ""));
    let segments = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut pairs = BTreeMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        pairs.entry(k.to_owned()).or_insert_with(|| v.to_owned());
    }
    (segments, pairs)
}

/// Match pattern segments against the start of the path's segments; `:name` binds one segment.
fn match_segments(
    pattern: &str,
    path: &[&str],
    whole: bool,
) -> Option<(BTreeMap<String, String>, usize)> {
    let pattern: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    if pattern.len() > path.len() || (whole && pattern.len() != path.len()) {
        return None;
    }
    let mut params = BTreeMap::new();
    for (p, s) in pattern.iter().zip(path) {
        if let Some(name) = p.strip_prefix(':') {
            params.insert(name.to_owned(), (*s).to_owned());
        } else if p != s {
            return None;
        }
    }
    Some((params, pattern.len()))
}

/// The statement's words, upper case, outside quoted strings.
fn sql_words(sql: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    for ch in sql.chars() {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            }
            continue;
        }
        if ch == '\'' || ch == '"' {
            quote = Some(ch);
        }
        if ch.is_ascii_alphanumeric() || ch == '_' {
            word.push(ch.to_ascii_uppercase());
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether a statement only reads: it starts with SELECT (or WITH) and writes nothing.
/// For PostgreSQL, calls to volatile functions also make a query uncacheable.
pub fn is_read_only(sql: &str) -> bool {
    const WRITES: [&str; 10] = [
        "INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT", "CREATE", "DROP", "ALTER", "MERGE",
        "TRUNCATE",
    ];
    const VOLATILE: [&str; 7] = [
        "NEXTVAL",
        "LASTVAL",
        "CURRVAL",
        "SETVAL",
        "RANDOM",
        "CLOCK_TIMESTAMP",
        "GEN_RANDOM_UUID",
    ];
    let words = sql_words(sql);
    matches!(words.first().map(String::as_str), Some("SELECT" | "WITH"))
        && !words
            .iter()
            .any(|w| WRITES.contains(&w.as_str()) || VOLATILE.contains(&w.as_str()))
}

/// D1 rows read and written by one statement (the simulator's documented estimate).
fn d1_rows(sql: &str, mode: QueryMode) -> (f64, f64) {
    let words = sql_words(sql);
    if is_read_only(sql) {
        let limit = words
            .iter()
            .position(|w| w == "LIMIT")
            .and_then(|i| words.get(i + 1))
            .and_then(|n| n.parse::<f64>().ok());
        let rows = match mode {
            QueryMode::First | QueryMode::Run => 1.0,
            QueryMode::All => limit.unwrap_or(ALL_ROWS_READ),
        };
        (rows, 0.0)
    } else {
        let finds_row = words
            .first()
            .is_some_and(|w| w == "UPDATE" || w == "DELETE");
        (if finds_row { 1.0 } else { 0.0 }, 1.0)
    }
}

/// Derives paths for one design.
struct Walker<'a> {
    design: &'a Design,
    kv_hit_ratio: f64,
    warnings: Vec<String>,
}

impl Walker<'_> {
    fn warn(&mut self, text: String) {
        if !self.warnings.contains(&text) {
            self.warnings.push(text);
        }
    }

    fn target(&mut self, worker: &str, binding: &str) -> String {
        if let Some(wire) = self.design.binding(worker, binding) {
            return wire.to.clone();
        }
        self.warn(format!(
            "`{worker}` uses binding `{binding}`, which no wire provides; counted as local"
        ));
        format!("{worker}.{binding}")
    }

    /// Paths through a Gateway for a sample request.
    fn gateway(&mut self, id: &str, sample: &SampleRequest, depth: usize) -> Vec<Partial> {
        let Some(NodeKind::Gateway(gateway)) = self.design.node(id).map(|n| &n.kind) else {
            return Vec::new();
        };
        let hop = Hop::Worker {
            node: id.to_owned(),
            gateway: true,
        };
        let ends = |status: u16| {
            vec![Partial {
                weight: 1.0,
                status: Some(status),
                hops: vec![hop.clone()],
            }]
        };
        let headers = lower_headers(&sample.headers);
        if sample.method == HttpMethod::Options
            && headers.contains_key("access-control-request-method")
            && gateway.cors.is_some()
        {
            return ends(sample.expect_status);
        }
        if let (Some(max), Some(body)) = (gateway.max_body_bytes, &sample.body)
            && body.to_text().len() as u64 > max
        {
            return ends(413);
        }
        let has_credential = match &gateway.auth {
            Auth::None => true,
            Auth::ApiKey { header, .. } => headers
                .get(&header.to_ascii_lowercase())
                .is_some_and(|v| !v.is_empty()),
            Auth::Jwt { .. } => headers
                .get("authorization")
                .is_some_and(|v| v.starts_with("Bearer ")),
        };
        if !has_credential || (sample.expect_status == 401 && !gateway.auth.is_none()) {
            return ends(401);
        }
        if sample.expect_status == 429 && gateway.rate_limit.is_some() {
            return ends(429);
        }
        let (segments, _) = split_path(&sample.path);
        let mut path_matched = false;
        for route in &gateway.routes {
            let Some((_, used)) = match_segments(&route.path, &segments, false) else {
                continue;
            };
            path_matched = true;
            if !route.methods.is_empty() && !route.methods.contains(&sample.method) {
                continue;
            }
            let service = self.target(id, &route.service);
            let forwarded = if route.strip_prefix {
                let rest = segments[used..].join("/");
                let query = sample
                    .path
                    .split_once('?')
                    .map(|(_, q)| format!("?{q}"))
                    .unwrap_or_default();
                format!("/{rest}{query}")
            } else {
                sample.path.clone()
            };
            let body = sample_body(sample.body.as_ref());
            let inner = self.worker(
                &service,
                sample.method,
                &forwarded,
                body,
                Some(headers),
                depth + 1,
            );
            return prefix(&hop, inner);
        }
        ends(if path_matched { 405 } else { 404 })
    }

    /// Paths through a Worker for a request with this method and path.
    fn worker(
        &mut self,
        id: &str,
        method: HttpMethod,
        path: &str,
        body: Body,
        headers: Option<BTreeMap<String, String>>,
        depth: usize,
    ) -> Vec<Partial> {
        let hop = Hop::Worker {
            node: id.to_owned(),
            gateway: false,
        };
        let ends = |status: u16| {
            vec![Partial {
                weight: 1.0,
                status: Some(status),
                hops: vec![hop.clone()],
            }]
        };
        if depth > MAX_WORKER_INVOCATIONS {
            self.warn(format!(
                "a request reaches more than {MAX_WORKER_INVOCATIONS} Worker invocations at `{id}`; the walk stops there"
            ));
            return ends(500);
        }
        let Some(NodeKind::Worker(worker)) = self.design.node(id).map(|n| &n.kind) else {
            if let Some(NodeKind::Gateway(_)) = self.design.node(id).map(|n| &n.kind) {
                self.warn(format!(
                    "`{id}` is a Gateway reached through a service binding; counted as one hop"
                ));
            } else {
                self.warn(format!("`{id}` is not a Worker; the request ends there"));
            }
            return ends(500);
        };
        let (segments, query) = split_path(path);
        let Some((route, params)) = worker.routes.iter().find_map(|route| {
            (route.method == method)
                .then(|| match_segments(&route.path, &segments, true))
                .flatten()
                .map(|(params, _)| (route, params))
        }) else {
            return ends(404);
        };
        let body = match body {
            Body::Invalid => return ends(400),
            Body::Known(value) => Some(value),
            Body::Unknown => None,
        };
        if self.breaks_contract(route, &params, &query, body.as_ref()) {
            return ends(400);
        }
        let mut kv_results = BTreeSet::new();
        walk_steps(&route.steps, &mut |_, step| {
            if let Step::KvGet { into, .. } = step {
                kv_results.insert(into.clone());
            }
        });
        let scope = Scope {
            params,
            query,
            headers,
            body,
            kv_results,
            kv_hit_ratio: self.kv_hit_ratio,
        };
        let start = vec![Partial {
            weight: 1.0,
            status: None,
            hops: vec![hop],
        }];
        let mut partials = self.steps(id, &route.steps, &scope, start, depth);
        for partial in &mut partials {
            if partial.status.is_none() {
                partial.status = Some(500);
            }
        }
        partials
    }

    /// Whether a request with these known inputs breaks the route's contract: the Worker
    /// then answers 400 before its first step. A body that is not known (a service call's
    /// computed body) is taken to keep the contract.
    fn breaks_contract(
        &self,
        route: &crate::model::Route,
        params: &BTreeMap<String, String>,
        query: &BTreeMap<String, String>,
        body: Option<&Value>,
    ) -> bool {
        let Some(request) = route.request.as_ref().filter(|r| !r.is_empty()) else {
            return false;
        };
        let Some(body) = body else {
            return false;
        };
        let Ok(checker) = crate::contract::Checker::compile(request, &self.design.schemas) else {
            return false;
        };
        let text = |map: &BTreeMap<String, String>| -> serde_json::Map<String, Value> {
            map.iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect()
        };
        let body = (!body.is_null()).then_some(body);
        checker.check(&text(params), &text(query), body).is_err()
    }

    fn steps(
        &mut self,
        worker: &str,
        steps: &[Step],
        scope: &Scope,
        mut partials: Vec<Partial>,
        depth: usize,
    ) -> Vec<Partial> {
        for step in steps {
            let (mut done, open): (Vec<Partial>, Vec<Partial>) =
                partials.into_iter().partition(|p| p.status.is_some());
            if open.is_empty() {
                return done;
            }
            done.extend(self.step(worker, step, scope, open, depth));
            partials = self.cap(done);
        }
        partials
    }

    fn cap(&mut self, mut partials: Vec<Partial>) -> Vec<Partial> {
        if partials.len() > MAX_PATHS {
            partials.sort_by(|a, b| b.weight.total_cmp(&a.weight));
            partials.truncate(MAX_PATHS);
            self.warn(format!(
                "more than {MAX_PATHS} paths through a handler; only the {MAX_PATHS} most likely are kept"
            ));
        }
        partials
    }

    fn step(
        &mut self,
        worker: &str,
        step: &Step,
        scope: &Scope,
        mut open: Vec<Partial>,
        depth: usize,
    ) -> Vec<Partial> {
        let hop = match step {
            Step::KvGet { binding, .. } => Hop::KvRead {
                node: self.target(worker, binding),
            },
            Step::KvPut { binding, .. } => Hop::KvWrite {
                node: self.target(worker, binding),
            },
            Step::KvDelete { binding, .. } => Hop::KvDelete {
                node: self.target(worker, binding),
            },
            Step::KvList { binding, .. } => Hop::KvList {
                node: self.target(worker, binding),
            },
            Step::D1 {
                binding, sql, mode, ..
            } => {
                let (rows_read, rows_written) = d1_rows(sql, *mode);
                Hop::D1 {
                    node: self.target(worker, binding),
                    read_only: is_read_only(sql),
                    rows_read,
                    rows_written,
                }
            }
            Step::Hyperdrive { binding, sql, .. } => Hop::Hyperdrive {
                node: self.target(worker, binding),
                read_only: is_read_only(sql),
            },
            Step::Set { .. } => return open,
            Step::Respond { status, .. } => {
                for partial in &mut open {
                    partial.status = Some(*status);
                }
                return open;
            }
            Step::If {
                cond,
                then,
                otherwise,
            } => {
                let chance = scope.chance(cond);
                if chance >= 1.0 {
                    return self.steps(worker, then, scope, open, depth);
                }
                if chance <= 0.0 {
                    return self.steps(worker, otherwise, scope, open, depth);
                }
                let scaled = |k: f64| -> Vec<Partial> {
                    open.iter()
                        .map(|p| Partial {
                            weight: p.weight * k,
                            ..p.clone()
                        })
                        .collect()
                };
                let (yes, no) = (scaled(chance), scaled(1.0 - chance));
                let mut both = self.steps(worker, then, scope, yes, depth);
                both.extend(self.steps(worker, otherwise, scope, no, depth));
                return both;
            }
            Step::Call {
                binding,
                method,
                path,
                body,
                ..
            } => {
                let callee = self.target(worker, binding);
                let call_path = scope.render_path(path);
                let call_body = match body {
                    None => Body::Known(Value::Null),
                    Some(expr) => scope.eval(expr).map_or(Body::Unknown, Body::Known),
                };
                let inner = self.worker(
                    &callee,
                    *method,
                    &call_path,
                    call_body,
                    Some(BTreeMap::new()),
                    depth + 1,
                );
                let mut combined = Vec::with_capacity(open.len() * inner.len());
                for outer in &open {
                    for path in &inner {
                        let mut hops = outer.hops.clone();
                        hops.extend(path.hops.iter().cloned());
                        combined.push(Partial {
                            weight: outer.weight * path.weight,
                            status: None,
                            hops,
                        });
                    }
                }
                return combined;
            }
        };
        for partial in &mut open {
            partial.hops.push(hop.clone());
        }
        open
    }
}

/// What a Worker knows of the request body.
enum Body {
    Known(Value),
    Unknown,
    /// A body that is not JSON: the Worker answers 400 before any step.
    Invalid,
}

fn sample_body(body: Option<&RequestBody>) -> Body {
    match body {
        None => Body::Known(Value::Null),
        Some(RequestBody::Json(value)) => Body::Known(value.clone()),
        Some(RequestBody::Text(text)) if text.trim().is_empty() => Body::Known(Value::Null),
        Some(RequestBody::Text(text)) => {
            serde_json::from_str(text).map_or(Body::Invalid, Body::Known)
        }
    }
}

fn lower_headers(headers: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect()
}

fn prefix(hop: &Hop, inner: Vec<Partial>) -> Vec<Partial> {
    inner
        .into_iter()
        .map(|mut p| {
            p.hops.insert(0, hop.clone());
            p
        })
        .collect()
}

/// The paths a Client's sample request takes from the entry node `entry`; `kv_hit_ratio` is
/// the chance that a KV cache lookup finds its key.
pub fn request_paths(
    design: &Design,
    entry: &str,
    sample: &SampleRequest,
    kv_hit_ratio: f64,
) -> Paths {
    let mut walker = Walker {
        design,
        kv_hit_ratio,
        warnings: Vec::new(),
    };
    let partials = match design.node(entry).map(|n| &n.kind) {
        Some(NodeKind::Gateway(_)) => walker.gateway(entry, sample, 1),
        Some(NodeKind::Worker(_)) => walker.worker(
            entry,
            sample.method,
            &sample.path,
            sample_body(sample.body.as_ref()),
            Some(lower_headers(&sample.headers)),
            1,
        ),
        _ => Vec::new(),
    };
    let mut paths: Vec<RequestPath> = partials
        .into_iter()
        .map(|p| RequestPath {
            weight: p.weight,
            status: p.status.unwrap_or(500),
            hops: p.hops,
        })
        .collect();
    let expected: Vec<RequestPath> = paths
        .iter()
        .filter(|p| p.status == sample.expect_status)
        .cloned()
        .collect();
    if expected.is_empty() {
        if !paths.is_empty() {
            walker.warn(format!(
                "`{}`: no path answers the expected {}; every path is counted",
                sample.name, sample.expect_status
            ));
        }
    } else {
        paths = expected;
    }
    let total: f64 = paths.iter().map(|p| p.weight).sum();
    if total > 0.0 {
        for path in &mut paths {
            path.weight /= total;
        }
    }
    // Same hops, same status: one path.
    let mut merged: Vec<RequestPath> = Vec::with_capacity(paths.len());
    for path in paths {
        if let Some(same) = merged
            .iter_mut()
            .find(|m| m.status == path.status && m.hops == path.hops)
        {
            same.weight += path.weight;
        } else {
            merged.push(path);
        }
    }
    // Weights to 6 decimals: what the report shows, free of float noise.
    for path in &mut merged {
        path.weight = (path.weight * 1e6).round() / 1e6;
    }
    Paths {
        paths: merged,
        warnings: walker.warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_detection() {
        assert!(is_read_only("SELECT * FROM t WHERE id = ?1"));
        assert!(is_read_only("  select 'insert' from t"));
        assert!(!is_read_only(
            "INSERT INTO users (email) VALUES (?1) RETURNING id"
        ));
        assert!(!is_read_only(
            "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x"
        ));
        assert!(!is_read_only("SELECT nextval('s')"));
    }

    #[test]
    fn d1_rows_follow_mode_and_limit() {
        assert_eq!(
            d1_rows("SELECT * FROM t WHERE id = ?1", QueryMode::First),
            (1.0, 0.0)
        );
        assert_eq!(
            d1_rows("SELECT * FROM t", QueryMode::All),
            (ALL_ROWS_READ, 0.0)
        );
        assert_eq!(
            d1_rows("SELECT * FROM t LIMIT 20", QueryMode::All),
            (20.0, 0.0)
        );
        assert_eq!(d1_rows("UPDATE t SET a = 1", QueryMode::Run), (1.0, 1.0));
        assert_eq!(
            d1_rows("INSERT INTO t VALUES (1)", QueryMode::Run),
            (0.0, 1.0)
        );
    }

    #[test]
    fn segments_match_params_and_prefixes() {
        let (path, _) = split_path("/users/7/?a=1");
        assert_eq!(path, ["users", "7"]);
        let (params, used) = match_segments("/users/:id", &path, true).expect("matches");
        assert_eq!(params["id"], "7");
        assert_eq!(used, 2);
        assert!(match_segments("/users", &path, true).is_none());
        assert!(match_segments("/users", &path, false).is_some());
        assert!(match_segments("/userz", &path, false).is_none());
    }
}
