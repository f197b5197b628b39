//! The handler language: what a Worker route does, as a list of steps over named values.
//!
//! One meaning, three places: the local engine interprets these steps, the app renders them,
//! and the exporter compiles them to TypeScript. This page is the contract all three follow;
//! the shared constants live in [`crate::semantics`].
//!
//! # Routes
//! A Worker's routes are tried in order; the first whose method and path match runs. A path
//! is `/`-separated segments; a `:name` segment matches any one non-empty segment and binds
//! `params.name` (percent-decoded). A trailing `/` on the request path is ignored. No match
//! answers `404 {"error": "no route matches GET /path"}`.
//!
//! # The scope
//! A handler runs over a scope of named JSON values. Before the first step it holds:
//! - `params`: object of path parameters (strings).
//! - `query`: object of query parameters (strings; the first value of a repeated key).
//! - `headers`: object of request headers, names in lower case, values as strings.
//! - `body`: the request body parsed as JSON, or `null` when the request has no body. A
//!   request with a non-empty body that is not JSON is answered
//!   `400 {"error": "request body is not valid JSON"}` before any step runs.
//! - `auth`: what the gateway established: `{"method": "none"}`, `{"method": "api_key"}`, or
//!   `{"method": "jwt", "user_id": <sub or null>, "claims": {...}}`.
//!
//! Steps add names with `into` (or `Set`'s `name`). A name may be set again; the last value
//! wins. Names are plain identifiers (`product`, `rows`); the input names above are reserved
//! ([`Route::INPUTS`]). What each step reads and sets is answered in one place,
//! [`Step::for_each_read`] and [`Step::output`], for the runtime, validation and the exporter.
//!
//! # Values ([`Expr`])
//! - `Ref("a.b.c")`: look up `a` in the scope, then each further segment as an object key or,
//!   on an array, a decimal index. Anything missing on the way gives `null`.
//! - `Text(template)`: a string built from a [`Template`].
//! - `Json(value)`: a JSON literal.
//! - `Object({"k": expr, ...})`: a JSON object whose fields are evaluated expressions.
//!
//! # Templates ([`Template`])
//! `"product:{params.id}"`: each `{path}` is replaced by the text of that value: a string as is,
//! a number or boolean as its JSON text, `null` as the empty string, objects and arrays as
//! compact JSON. `{{` and `}}` stand for literal braces.
//!
//! # Steps and what they produce
//! - `KvGet`: the value under `key` as text (`KvFormat::Text`) or parsed JSON
//!   (`KvFormat::Json`); `null` when the key is missing or expired. Stored text that is not
//!   JSON in Json mode fails the step.
//! - `KvPut`: stores `value` (a string as is, anything else as compact JSON) with an optional
//!   `ttl_secs` expiration (at least 60, as on the platform). Produces nothing.
//! - `KvDelete`: removes `key`. Produces nothing.
//! - `KvList`: keys starting with `prefix`, sorted by their UTF-8 bytes, at most 1000:
//!   `{"keys": [{"name": "k1"}, ...], "list_complete": true}`.
//! - `D1`: runs `sql` with `params` bound to `?1`, `?2`, ... (or `?`). Parameters: `null` ->
//!   NULL, booleans -> 1/0, numbers -> REAL (as D1's JavaScript API binds every number; an
//!   INTEGER column's affinity stores a whole REAL as an integer), strings -> TEXT,
//!   objects/arrays -> their compact JSON text. Result by [`QueryMode`]: `First` -> the
//!   first row as an object (columns in select order) or `null`; `All` -> an array of row
//!   objects; `Run` -> `{"changes": n, "last_row_id": n}`. INTEGER and REAL columns become
//!   numbers, TEXT strings, NULL `null`.
//! - `Hyperdrive`: the same modes against PostgreSQL with `$1`, `$2`, ... parameters (sent as
//!   text, so the server infers types; cast in SQL where needed, `$1::int`). `Run` gives
//!   `{"changes": n}`. Columns: int2/int4/float4/float8 -> numbers; int8 and numeric ->
//!   strings (they may not fit a JSON number); bool -> boolean; json/jsonb -> JSON; everything
//!   else -> its PostgreSQL text form. Read-only queries may be answered from Hyperdrive's cache.
//! - `Call`: sends `method path` (a template; may carry a query string) to the Worker behind the
//!   service binding, with `body` as JSON when given, and the caller's `auth`. Produces
//!   `{"status": n, "body": <parsed JSON, or the text if it is not JSON, or null if empty>}`.
//! - `Set`: evaluates `value` into `name`.
//! - `If`: runs `then` when the condition holds, else `otherwise`. `Exists(path)` holds when the
//!   value is not `null`; `Missing(path)` when it is; `Equals(a, b)` when both are equal JSON
//!   (numbers compare by value: `1 == 1.0`).
//! - `Respond`: ends the handler with `status`, the JSON `body` (no body when absent) and
//!   headers built from templates. A body is sent with `content-type: application/json`.
//!
//! A handler that reaches its end without `Respond` is a validation error; should it happen
//! anyway, the answer is `500 {"error": "handler finished without a response", ...}`.
//!
//! # Failures
//! A step that fails (store error, SQL error, bad stored JSON, service call failure) ends the
//! request with `500 {"error": "<step kind> failed", "node": "<worker id>", "step": "<path>"}`;
//! `step` is the step's position (`"2"`, `"3.then.0"`, `"3.otherwise.1"`). A Hyperdrive
//! origin that cannot be reached answers 502 with the same shape. The full cause is logged
//! locally and never sent to the client.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::contract::{RequestContract, ResponseContract};
use super::nodes::HttpMethod;

mod template;
mod visit;

pub use template::{Template, TemplateError, TemplatePart};
pub use visit::Piece;

/// A Worker route: method, path pattern, its contract and the steps that answer it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub method: HttpMethod,
    /// Path pattern with `:name` segments: `/products/:id`.
    pub path: String,
    /// What the route accepts, checked before the first step (format version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestContract>,
    /// What the route answers, by status (format version 2).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub responses: BTreeMap<u16, ResponseContract>,
    pub steps: Vec<Step>,
}

impl Route {
    /// A route with no contract.
    pub fn new(method: HttpMethod, path: impl Into<String>, steps: Vec<Step>) -> Self {
        Self {
            method,
            path: path.into(),
            request: None,
            responses: BTreeMap::new(),
            steps,
        }
    }

    /// The names of the path's `:name` segments, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &str> {
        path_params(&self.path)
    }

    /// Whether the route declares anything of a contract.
    pub fn has_contract(&self) -> bool {
        self.request.as_ref().is_some_and(|r| !r.is_empty()) || !self.responses.is_empty()
    }
}

/// The names of a route path's `:name` segments, in order.
pub fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix(':'))
}

/// One step of a handler. See the module docs for exactly what each does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Step {
    KvGet {
        binding: String,
        key: Template,
        #[serde(default, skip_serializing_if = "KvFormat::is_text")]
        format: KvFormat,
        into: String,
    },
    KvPut {
        binding: String,
        key: Template,
        value: Expr,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ttl_secs: Option<u32>,
    },
    KvDelete {
        binding: String,
        key: Template,
    },
    KvList {
        binding: String,
        prefix: Template,
        into: String,
    },
    D1 {
        binding: String,
        sql: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        params: Vec<Expr>,
        mode: QueryMode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        into: Option<String>,
    },
    Hyperdrive {
        binding: String,
        sql: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        params: Vec<Expr>,
        mode: QueryMode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        into: Option<String>,
    },
    Call {
        binding: String,
        method: HttpMethod,
        path: Template,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<Expr>,
        into: String,
    },
    Set {
        name: String,
        value: Expr,
    },
    If {
        cond: Condition,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        then: Vec<Step>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        otherwise: Vec<Step>,
    },
    Respond {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<Expr>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        headers: BTreeMap<String, Template>,
    },
}

impl Step {
    /// Short name of the step kind, as used in error bodies (`"d1 query"`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Step::KvGet { .. } => "kv get",
            Step::KvPut { .. } => "kv put",
            Step::KvDelete { .. } => "kv delete",
            Step::KvList { .. } => "kv list",
            Step::D1 { .. } => "d1 query",
            Step::Hyperdrive { .. } => "hyperdrive query",
            Step::Call { .. } => "service call",
            Step::Set { .. } => "set",
            Step::If { .. } => "if",
            Step::Respond { .. } => "respond",
        }
    }

    /// The binding this step uses, if any.
    pub fn binding(&self) -> Option<&str> {
        match self {
            Step::KvGet { binding, .. }
            | Step::KvPut { binding, .. }
            | Step::KvDelete { binding, .. }
            | Step::KvList { binding, .. }
            | Step::D1 { binding, .. }
            | Step::Hyperdrive { binding, .. }
            | Step::Call { binding, .. } => Some(binding),
            Step::Set { .. } | Step::If { .. } | Step::Respond { .. } => None,
        }
    }

    /// The binding this step uses, mutably (for renames).
    pub fn binding_mut(&mut self) -> Option<&mut String> {
        match self {
            Step::KvGet { binding, .. }
            | Step::KvPut { binding, .. }
            | Step::KvDelete { binding, .. }
            | Step::KvList { binding, .. }
            | Step::D1 { binding, .. }
            | Step::Hyperdrive { binding, .. }
            | Step::Call { binding, .. } => Some(binding),
            Step::Set { .. } | Step::If { .. } | Step::Respond { .. } => None,
        }
    }

    /// Nested step lists (`If`'s branches), for walking a handler.
    pub fn children_mut(&mut self) -> Vec<&mut Vec<Step>> {
        match self {
            Step::If {
                then, otherwise, ..
            } => vec![then, otherwise],
            _ => vec![],
        }
    }
}

/// Visit every step of a list, depth first, with its position path (`"3.then.0"`).
pub fn walk_steps<'a>(steps: &'a [Step], visit: &mut dyn FnMut(&str, &'a Step)) {
    fn go<'a>(prefix: &str, steps: &'a [Step], visit: &mut dyn FnMut(&str, &'a Step)) {
        for (index, step) in steps.iter().enumerate() {
            let path = if prefix.is_empty() {
                index.to_string()
            } else {
                format!("{prefix}.{index}")
            };
            visit(&path, step);
            if let Step::If {
                then, otherwise, ..
            } = step
            {
                go(&format!("{path}.then"), then, visit);
                go(&format!("{path}.otherwise"), otherwise, visit);
            }
        }
    }
    go("", steps, visit);
}

/// Visit every step of a list mutably, depth first.
pub fn walk_steps_mut(steps: &mut [Step], visit: &mut dyn FnMut(&mut Step)) {
    for step in steps {
        visit(step);
        for child in step.children_mut() {
            walk_steps_mut(child, visit);
        }
    }
}

/// How a KV value is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvFormat {
    #[default]
    Text,
    Json,
}

impl KvFormat {
    pub fn is_text(&self) -> bool {
        matches!(self, KvFormat::Text)
    }
}

/// What a SQL step returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueryMode {
    /// The first row, or `null`.
    #[default]
    First,
    /// Every row.
    All,
    /// Changes (and, on D1, the last row id).
    Run,
}

/// A value expression. See the module docs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expr {
    /// A dotted path into the scope: `params.id`, `product.price`, `rows.0`.
    Ref(String),
    /// A string template: `user:{params.id}`.
    Text(Template),
    /// A JSON literal.
    Json(serde_json::Value),
    /// An object built from expressions.
    Object(BTreeMap<String, Expr>),
}

/// A condition of an `If` step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    /// The value at the path is not `null`.
    Exists(String),
    /// The value at the path is `null`.
    Missing(String),
    /// Both values are equal JSON.
    Equals(Expr, Expr),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_steps_reports_nested_positions() {
        let steps = crate::testing::branching_steps();
        let mut seen = Vec::new();
        walk_steps(&steps, &mut |path, step| {
            seen.push(format!("{path}:{}", step.kind_name()));
        });
        assert_eq!(
            seen,
            ["0:set", "1:if", "1.then.0:respond", "1.otherwise.0:respond"]
        );
    }
}
