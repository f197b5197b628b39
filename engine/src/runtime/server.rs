//! The HTTP side: one axum router for every entry point and the `/__edgewire/*` endpoints,
//! served on a listener until a shutdown future completes.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use futures_util::stream;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::semantics::errors;

use super::engine::{Engine, EngineEvent};
use super::http::error_response;
use super::trace::TRACE_LOG_CAPACITY;

/// Entry points other than the first are served under `/__edgewire/entry/<id>/...`.
pub const ENTRY_PREFIX: &str = "/__edgewire/entry/";

/// The largest request body the engine reads (the platform's request limit on the free
/// plan, 100 MB). Gateways usually set a much smaller `max_body_bytes`.
pub const MAX_REQUEST_BODY_BYTES: usize = 100 * 1000 * 1000;

/// The router: `/__edgewire/traces`, `/__edgewire/events`, `/__edgewire/metrics`, and every
/// other path to an entry point.
pub fn router(engine: Engine) -> Router {
    Router::new()
        .route("/__edgewire/traces", get(traces))
        .route("/__edgewire/events", get(events))
        .route("/__edgewire/metrics", get(metrics))
        .fallback(handle)
        .with_state(engine)
}

/// Serve `engine` on `listener` until `shutdown` completes; in-flight requests finish and
/// event streams end before this returns.
pub async fn run(
    engine: Engine,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let closing = engine.shared.closing.clone();
    let app = router(engine).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = closing.send_replace(true);
        })
        .await
}

async fn handle(State(engine): State<Engine>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let shared = &engine.shared;
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let (entry, rest) = if let Some(rest) = path.strip_prefix(ENTRY_PREFIX) {
        let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
        (id.to_owned(), format!("/{tail}"))
    } else {
        match shared.entry_points.first() {
            Some(first) => (first.clone(), path.clone()),
            None => {
                return error_response(
                    404,
                    "this design has no public entry point: wire a Client to a Gateway or Worker",
                )
                .map(Body::from);
            }
        }
    };
    if !shared.entry_points.contains(&entry) {
        return error_response(404, &errors::no_route(parts.method.as_str(), &path))
            .map(Body::from);
    }
    if rest != path {
        let uri = match parts.uri.query() {
            Some(query) => format!("{rest}?{query}"),
            None => rest,
        };
        match uri.parse() {
            Ok(uri) => parts.uri = uri,
            Err(_) => {
                return error_response(404, &errors::no_route(parts.method.as_str(), &path))
                    .map(Body::from);
            }
        }
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_REQUEST_BODY_BYTES).await else {
        return error_response(413, &errors::body_too_large(MAX_REQUEST_BODY_BYTES as u64))
            .map(Body::from);
    };
    let request = axum::http::Request::from_parts(parts, bytes);
    shared
        .handle_entry(&entry, request, peer)
        .await
        .map(Body::from)
}

#[derive(Deserialize)]
struct TracesQuery {
    limit: Option<usize>,
}

async fn traces(State(engine): State<Engine>, Query(query): Query<TracesQuery>) -> Response {
    let limit = query.limit.unwrap_or(50).min(TRACE_LOG_CAPACITY);
    let recent = engine.traces(limit);
    let traces: Vec<&super::trace::Trace> = recent.iter().map(AsRef::as_ref).collect();
    axum::Json(json!({ "traces": traces })).into_response()
}

async fn metrics(State(engine): State<Engine>) -> Response {
    axum::Json(json!({ "nodes": engine.metrics() })).into_response()
}

async fn events(
    State(engine): State<Engine>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = engine.subscribe();
    let closing = engine.shared.closing.subscribe();
    let stream = stream::unfold(
        (receiver, closing),
        |(mut receiver, mut closing)| async move {
            {
                if *closing.borrow() {
                    return None;
                }
                let next = tokio::select! {
                    next = receiver.recv() => next,
                    _ = closing.changed() => return None,
                };
                let event = match next {
                    Ok(EngineEvent::Request(trace)) => Event::default()
                        .event("trace")
                        .json_data(&*trace)
                        .unwrap_or_else(|_| Event::default().comment("unserializable trace")),
                    Ok(EngineEvent::Notice { node, message }) => Event::default()
                        .event("notice")
                        .json_data(json!({ "node": node, "message": message }))
                        .unwrap_or_else(|_| Event::default().comment("unserializable notice")),
                    Err(RecvError::Lagged(missed)) => {
                        Event::default().event("lagged").data(missed.to_string())
                    }
                    Err(RecvError::Closed) => return None,
                };
                Some((Ok(event), (receiver, closing)))
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
