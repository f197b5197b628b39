//! Bindings: what a Worker's steps talk to. Every kind is a trait behind `Arc<dyn ...>`, and
//! [`Registry`] maps `(worker id, binding name)` to one of them. Adding a binding kind is a
//! trait here when no existing one fits, one [`Binding`] variant (the Worker's steps match
//! on it), and in the kind's folder a `Store` whose `binding` gives that variant (see
//! [`super::KindRuntime`]); the engine fills the registry from the design's wires.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use serde::Serialize;
use serde_json::Value;

use crate::model::QueryMode;

use super::context::RequestCtx;
use super::http::{Req, Resp};
use super::trace::CacheOutcome;

/// Why a binding operation failed. The message is logged and shown in traces, never sent
/// to HTTP clients (they get `{"error": "<step kind> failed", ...}`).
#[derive(Debug, Clone, thiserror::Error)]
pub enum BindingError {
    /// The operation was refused or failed (a platform limit, an SQL error, ...).
    #[error("{0}")]
    Failed(String),
    /// The store behind the binding cannot be reached (answers 502).
    #[error("{message}")]
    Unavailable {
        message: String,
        /// What the user can do about it (install PostgreSQL, set a variable, ...).
        help: Option<String>,
    },
}

impl BindingError {
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed(message.into())
    }
}

/// One KV namespace.
pub trait KvNamespace: Send + Sync {
    /// The stored text, or `None` when missing or expired.
    fn get(&self, key: String) -> BoxFuture<'_, Result<Option<Arc<str>>, BindingError>>;
    /// The stored text parsed as JSON, or `None` when missing or expired. Namespaces may keep
    /// the parsed value until the key is written again.
    fn get_json(&self, key: String) -> BoxFuture<'_, Result<Option<JsonText>, BindingError>> {
        async move { Ok(self.get(key).await?.map(|text| JsonText::parse(&text))) }.boxed()
    }
    /// Store `value`, expiring after `ttl_secs` when given.
    fn put(
        &self,
        key: String,
        value: String,
        ttl_secs: Option<u32>,
    ) -> BoxFuture<'_, Result<(), BindingError>>;
    fn delete(&self, key: String) -> BoxFuture<'_, Result<(), BindingError>>;
    /// Live keys starting with `prefix`, sorted by bytes, at most `limit`.
    fn list(
        &self,
        prefix: String,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<String>, BindingError>>;
}

/// A KV value read as JSON: its size and what parsing it gave.
#[derive(Debug, Clone)]
pub struct JsonText {
    /// Bytes of the stored text.
    pub bytes: usize,
    /// The parsed value, or serde_json's reason why the text is not JSON.
    pub parsed: Result<Arc<ParsedJson>, String>,
}

impl JsonText {
    pub fn parse(text: &str) -> Self {
        Self {
            bytes: text.len(),
            parsed: serde_json::from_str(text)
                .map(|value| Arc::new(ParsedJson::new(value)))
                .map_err(|e| e.to_string()),
        }
    }
}

/// A parsed JSON value that many requests read: its compact JSON text (the bytes a Worker's
/// `JSON.stringify` gives) is written once, when first needed.
#[derive(Debug)]
pub struct ParsedJson {
    value: Value,
    js_json: std::sync::OnceLock<Box<[u8]>>,
}

impl ParsedJson {
    pub fn new(value: Value) -> Self {
        Self {
            value,
            js_json: std::sync::OnceLock::new(),
        }
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    /// [`super::json::js_json`] of the value.
    pub fn js_json(&self) -> &[u8] {
        self.js_json.get_or_init(|| {
            let mut out = Vec::new();
            super::json::write_js_json(&self.value, &mut out);
            out.into_boxed_slice()
        })
    }
}

/// What a SQL query produced, plus what the trace records.
#[derive(Debug, Clone, Default, Serialize)]
pub struct QueryOutput {
    /// The step's value, shaped by its [`QueryMode`].
    pub value: Value,
    /// Rows returned.
    pub rows: u64,
    /// D1's `meta` (changes, last_row_id, rows_read, rows_written, duration), when D1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
    /// Hyperdrive's cache outcome, when Hyperdrive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheOutcome>,
}

/// A SQL database (D1 or Hyperdrive).
pub trait SqlDatabase: Send + Sync {
    fn query(
        &self,
        sql: String,
        params: Vec<Value>,
        mode: QueryMode,
    ) -> BoxFuture<'_, Result<QueryOutput, BindingError>>;
}

/// A service binding: an in-process `fetch` to another Worker.
pub trait ServiceBinding: Send + Sync {
    /// The Worker behind the binding.
    fn target(&self) -> &str;
    fn fetch<'a>(
        &'a self,
        ctx: &'a RequestCtx,
        request: Req,
    ) -> BoxFuture<'a, Result<Resp, BindingError>>;
}

/// One binding of a Worker.
#[derive(Clone)]
pub enum Binding {
    Kv {
        node: String,
        kv: Arc<dyn KvNamespace>,
    },
    D1 {
        node: String,
        db: Arc<dyn SqlDatabase>,
    },
    Hyperdrive {
        node: String,
        db: Arc<dyn SqlDatabase>,
    },
    Service(Arc<dyn ServiceBinding>),
}

impl std::fmt::Debug for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Binding::Kv { .. } => "Kv",
            Binding::D1 { .. } => "D1",
            Binding::Hyperdrive { .. } => "Hyperdrive",
            Binding::Service(_) => "Service",
        };
        f.debug_tuple(kind).field(&self.node()).finish()
    }
}

impl Binding {
    /// The node the binding reaches.
    pub fn node(&self) -> &str {
        match self {
            Binding::Kv { node, .. }
            | Binding::D1 { node, .. }
            | Binding::Hyperdrive { node, .. } => node,
            Binding::Service(service) => service.target(),
        }
    }
}

/// Every binding of every Worker: `(worker id, binding name) -> Binding`.
#[derive(Clone, Default)]
pub struct Registry {
    bindings: BTreeMap<(String, String), Binding>,
}

impl Registry {
    pub fn insert(&mut self, worker: &str, name: &str, binding: Binding) {
        self.bindings
            .insert((worker.to_owned(), name.to_owned()), binding);
    }

    pub fn get(&self, worker: &str, name: &str) -> Option<&Binding> {
        // BTreeMap lookups need an owned tuple; bindings are few, so a scan is as fast.
        self.bindings
            .iter()
            .find(|((w, n), _)| w == worker && n == name)
            .map(|(_, binding)| binding)
    }
}
