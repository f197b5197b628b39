//! The local engine: runs a design over HTTP on 127.0.0.1 with real SQLite (KV, D1) and a
//! real PostgreSQL pool (Hyperdrive), and records a trace for every request.
//!
//! # Using it
//! - [`Engine::start`] loads a design, listens on `127.0.0.1:<port>` and serves in the
//!   background of the current tokio runtime; [`RunningEngine::stop`] shuts down gracefully
//!   (in-flight requests finish, SQLite files are closed, private PostgreSQL clusters stop).
//! - [`Engine::new`] + [`Engine::router`] give the same service without a socket (tests use
//!   `tower::ServiceExt::oneshot`); [`run`] serves an engine on a listener until a shutdown
//!   future completes.
//! - [`RunningEngine::subscribe`] streams [`EngineEvent`]s (finished traces, notices);
//!   [`RunningEngine::metrics`] is a per-node snapshot (requests, errors, p50/p95 latency,
//!   cache hit rate).
//!
//! # Entry points and URLs
//! Public entry points are the nodes wired from a Client plus every Gateway, sorted by id.
//! The first is served at `/`. Every entry point (the first included) is also served under
//! `/__edgewire/entry/<id>/...`, so that any of them is reachable on the one port whatever
//! the `Host` header says. Reserved paths on the same port:
//! - `GET /__edgewire/traces?limit=N`: the most recent traces (JSON, oldest first, at most
//!   256).
//! - `GET /__edgewire/events`: a live Server-Sent Events stream; `event: trace` carries a
//!   finished trace, `event: notice` a node's state change (Hyperdrive ready or unavailable).
//! - `GET /__edgewire/metrics`: per-node metrics (JSON).
//!
//! Every response carries [`crate::semantics::TRACE_HEADER`] with the request's trace id.
//! Errors never leak internals: a failing step answers `{error, node, step}` (the cause is
//! logged and kept in the trace hop's `error`), a panic inside a request becomes
//! `500 {"error": "internal error"}`. One local-only addition: when a Hyperdrive origin
//! cannot be started or configured (no PostgreSQL installed, a bad connection string), its
//! 502 body also has a `help` field that says what to install or set; an origin that is
//! merely down answers the plain `{error, node, step}` 502.
//!
//! # Numbers
//! JavaScript has one number type, so the engine writes numbers as `JSON.stringify` does:
//! a whole float is an integer (`1.0` -> `1`) in response bodies, templates, stored KV text,
//! service call bodies and SQL parameters (a whole number binds as D1 INTEGER).
//!
//! # Local stand-ins for platform behaviour
//! - KV is strongly consistent here (the platform is eventually consistent across
//!   locations); limits and the 60 s minimum TTL are enforced as on the platform.
//! - D1's `rows_read` counts rows returned (SQLite does not report rows scanned).
//! - The rate limiter counts per gateway in memory; windows restart with the engine.
//!
//! # Layout
//! This folder is the machinery every kind shares; what the engine does with one kind of
//! node lives in that kind's folder under [`crate::kinds`], reached only through
//! [`crate::kinds::of`] and [`KindRuntime`].
//! - `kind.rs`: [`KindRuntime`], what the engine needs from a kind: its exposure (which
//!   nodes are public entry points), its state folder, opening its store (a `Store`: the
//!   binding it gives, start, settle, shutdown), a `Server` that answers requests at its
//!   nodes, the binding a wire to it gives.
//! - `engine.rs`: [`Engine`]: loading a design (secrets, stores, servers, the binding
//!   [`Registry`]), entry points, the lifecycle. `options.rs`: [`EngineOptions`],
//!   [`EngineError`], [`EngineEvent`]. `dispatch.rs`: the state requests read and the
//!   dispatcher (service bindings call Workers in process through it; at most
//!   [`crate::semantics::MAX_WORKER_INVOCATIONS`] per request), answering a request from
//!   outside (trace, panic safety, metrics).
//! - `server.rs`: [`run`] serves HTTP/1.1 with hyper (keep-alive, graceful shutdown) and
//!   answers entry-point requests directly; the axum router serves `/__edgewire/*` (traces,
//!   metrics, the event stream) and is also the socket-free [`Engine::router`].
//! - `bindings.rs`: one trait per binding kind behind `Arc<dyn ...>`, the [`Binding`] enum
//!   the Worker's steps match on, and the [`Registry`]. It imports only the layers below
//!   it: `context.rs` ([`RequestCtx`]), `http.rs`, `json.rs` (JSON text with JavaScript's
//!   number forms), `trace.rs`.
//! - `sqlite.rs`: one thread per SQLite file (KV and D1). `postgres/cluster/`: private
//!   throwaway PostgreSQL for Hyperdrive's `Origin::Auto` (with the `test-support` feature
//!   also the tests' `TestCluster`).
//! - `trace.rs`: traces and metrics. `clock.rs`: the injectable clock. Secrets arrive in
//!   [`EngineOptions::secrets`], read from `.dev.vars` by [`crate::secrets`].
//! - In the kinds' folders: `kinds/gateway/runtime/` (the API Gateway, below; `rate.rs`
//!   its rate limiter), `kinds/worker/runtime/` (routes and the handler interpreter),
//!   `kinds/kv/runtime.rs`, `kinds/d1/runtime.rs` (SQLite files, migrations, seeds),
//!   `kinds/hyperdrive/runtime/` (origin, pool and cache; `cache.rs`, `values.rs`),
//!   `kinds/client/runtime.rs` (a Client's wires make entry points).
//!
//! # Gateway and Worker HTTP semantics
//! The contract shared by this engine and the exporter (kept in sync with the handler
//! language docs in [`crate::model`]).
//!
//!
//! Both the local engine (engine/src/runtime) and the generated TypeScript (engine/src/export)
//! implement exactly this. Error texts come from engine/src/semantics.rs (`errors::*`). Every JSON
//! error body is `{"error": "<text>"}` unless stated. JSON responses: `content-type: application/json`,
//! compact JSON (no spaces).
//!
//! ## Gateway, in this order
//! 1. Remove any client-sent `x-edgewire-auth` header (semantics::AUTH_HEADER).
//! 2. CORS (only when `cors` is set):
//!    - Preflight = `OPTIONS` with an `access-control-request-method` header. Origin allowed
//!      (listed, or `*` configured) -> `204`, no body, headers: `access-control-allow-origin`
//!      (the request's Origin echoed; `*` when allow_origins contains "*"),
//!      `access-control-allow-methods` (union of the methods of all gateway routes, in
//!      HttpMethod::ALL order, a route with no methods counts as GET, HEAD, POST, PUT, PATCH, DELETE;
//!      joined with ", "), `access-control-allow-headers` (allow_headers joined ", "; omitted when
//!      empty), `access-control-max-age` (max_age_secs), `vary: Origin`. Origin not allowed ->
//!      `403 {"error": "origin not allowed"}`.
//!    - Any other request with an allowed `Origin` header: every response (errors included) gets
//!      `access-control-allow-origin` (as above) and `vary: Origin`.
//! 3. Body size (when `max_body_bytes` is set): body longer than max -> `413` errors::body_too_large(max).
//! 4. Auth:
//!    - ApiKey{header, secret}: header missing or empty -> 401 MISSING_API_KEY; not equal to the
//!      secret's value (constant-time compare) -> 401 INVALID_API_KEY. auth = `{"method":"api_key"}`.
//!    - Jwt{secret, issuer, audience}: no `authorization: Bearer <token>` -> 401 MISSING_TOKEN.
//!      Token must be three base64url parts; header `alg` must be exactly "HS256" (anything else,
//!      including "none" -> invalid); HMAC-SHA256 over `<header>.<payload>` with the secret's
//!      UTF-8 bytes; `exp` if present must be > now (seconds); `nbf` if present must be <= now;
//!      `iss` must equal issuer; `aud` must equal audience (or be an array containing it). Any
//!      failure -> 401 INVALID_TOKEN. auth = `{"method":"jwt","user_id":<sub or null>,"claims":<payload>}`.
//!    - None: auth = `{"method":"none"}`.
//! 5. Rate limit (when set): fixed windows of `period_secs` aligned to the Unix epoch
//!    (window = floor(now / period)); key = client IP (`cf-connecting-ip` header if present, else
//!    the peer address) or, for `Credential`, the API key / JWT sub. More than `requests` in a
//!    window -> `429 {"error": RATE_LIMITED}` with `retry-after: <seconds until the window ends, >= 1>`.
//!    The engine counts exactly: one counter per gateway and caller, for every request it serves.
//!    The exported gateway asks the Workers Rate Limiting binding instead (`ratelimits` in
//!    wrangler.jsonc, `env.RATE_LIMITER.limit({ key })`), whose period is 10 or 60 s only
//!    (GWY009). The platform counts per Cloudflare location and is eventually consistent: a
//!    client whose requests reach several locations, or a fast burst, may pass a few more than
//!    `requests` before 429s start. Locally (`wrangler dev`) it counts like the engine, in
//!    windows aligned to the epoch. The binding does not say when its window ends, so the
//!    export's `retry-after` is the same epoch-aligned estimate.
//! 6. Route: first gateway route whose path matches (prefix on segment boundaries: `/products`
//!    matches `/products`, `/products/`, `/products/7`, not `/productsx`; `:name` matches one
//!    segment) AND allows the method (empty methods = all). If some route's path matches but none
//!    allows the method -> `405` errors::method_not_allowed(method, path) with `allow: <methods of
//!    the path-matching routes, ", ">`. No path matches -> `404` errors::no_route(method, path).
//! 7. Forward through the service binding: same method, path (minus the matched prefix when
//!    `strip_prefix`: `/products/7` -> `/7`, `/products` -> `/`), same query string, same body.
//!    Headers: when `enrich.forward_headers` is non-empty only those plus `content-type`; else all
//!    client headers. Always removed: the API key header (ApiKey) or `authorization` (Jwt), and
//!    `x-edgewire-auth`. Added: `x-edgewire-auth: <auth JSON>`; `enrich.request_id_header` = a fresh
//!    UUID v4 (also set on the response to the client); `enrich.user_id_header` = auth.user_id when
//!    present.
//! 8. The service's response goes back as is (status, headers, body), plus the CORS and
//!    request-id headers of steps 2 and 7.
//!
//! ## Worker
//! - A Worker that is NOT wired from a Client (only reachable through service bindings) reads
//!   `auth` from the `x-edgewire-auth` header (JSON; invalid/missing -> `{"method":"none"}`).
//!   A public Worker (wired from a Client) ignores that header: auth = `{"method":"none"}`.
//! - Route matching, scope, steps, results and failures: see engine/src/model/handler/mod.rs docs.
//! - Non-empty body that is not JSON -> 400 INVALID_JSON before any step.
//! - Respond: status, compact JSON body (object fields in the order the model gives: Object is a
//!   BTreeMap, so sorted keys; D1/PG rows keep column order), `content-type: application/json` when
//!   there is a body, plus the step's headers.
//!
//! ## Volatile fields (masked when comparing engine and export)
//! Response headers `x-edgewire-trace`, the request-id header's value, `date`, `retry-after`,
//! `server`, `content-length`; JSON bodies: none by default.

// The contract above is GATEWAY.md copied word for word; identifiers in it stay unquoted.
#![allow(clippy::doc_markdown)]

pub(crate) mod bindings;
pub(crate) mod clock;
pub(crate) mod context;
pub(crate) mod dispatch;
mod engine;
mod faults;
pub(crate) mod http;
pub(crate) mod json;
pub(crate) mod kind;
pub(crate) mod options;
pub mod postgres;
mod server;
pub(crate) mod sqlite;
pub(crate) mod trace;

pub use crate::kinds::d1::runtime::migration_file_name;
pub use crate::kinds::gateway::runtime::{sign_jwt, verify_jwt};
pub use crate::kinds::hyperdrive::runtime::is_cacheable;
pub use bindings::{
    Binding, BindingError, KvNamespace, QueryOutput, Registry, ServiceBinding, SqlDatabase,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use context::RequestCtx;
pub use engine::{Engine, RunningEngine, entry_points};
pub use faults::{Fault, Faults};
pub use kind::KindRuntime;
pub use options::{ConnectionLimits, EngineError, EngineEvent, EngineOptions, default_state_dir};
pub use server::{ENTRY_PREFIX, MAX_REQUEST_BODY_BYTES, run};
pub use trace::{CacheOutcome, Hop, MetricsSnapshot, NodeMetrics, Trace};

/// What `edgewire serve` and the Run tab say when they start a design with code Workers:
/// those answer 501 here, since their code is the user's own project's.
pub fn code_worker_notice(design: &crate::Design) -> Option<String> {
    let ids: Vec<&str> = design
        .nodes
        .iter()
        .filter(|n| matches!(&n.kind, crate::NodeKind::Worker(w) if w.is_code()))
        .map(|n| n.id.as_str())
        .collect();
    (!ids.is_empty()).then(|| {
        format!(
            "code Workers answer 501 here (their code is your project's; run it with `wrangler dev`): {}",
            ids.join(", ")
        )
    })
}
