//! The HTTP side: one axum router for every entry point and the `/__edgewire/*` endpoints,
//! served on a listener until a shutdown future completes.

use std::borrow::Cow;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use futures_util::Stream;
use futures_util::stream;
use http_body_util::BodyExt as _;
use hyper::body::Body as HttpBody;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt as _;

use crate::semantics::{HTTP2_KEEP_ALIVE_SECS, HTTP2_MAX_STREAMS, errors};

use super::engine::Engine;
use super::http::{Resp, error_response};
use super::options::{ConnectionLimits, EngineEvent};
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
        .route(
            "/__edgewire/faults",
            get(faults).post(set_fault).delete(clear_faults),
        )
        .fallback(handle)
        .with_state(engine)
}

/// Serve `engine` on `listener` until `shutdown` completes; in-flight requests finish and
/// event streams end before this returns.
///
/// Connections are served by hyper directly (HTTP/1.1 with keep-alive, or HTTP/2): entry-point
/// requests go straight to the engine, and only `/__edgewire/*` goes through the axum router.
///
/// Each connection has [`ConnectionLimits::header_read_timeout`] to send a request's headers
/// (and to start the next one when idle), and at most [`ConnectionLimits::max_connections`]
/// are served at once: the next one is accepted when one closes.
pub async fn run(
    engine: Engine,
    listener: tokio::net::TcpListener,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let closing = engine.shared.closing.clone();
    let tools = router(engine.clone());
    let server = http_server(limits.header_read_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(connection_bound(limits.max_connections)));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = accept(&listener, &permits) => {
                let Some((stream, peer, permit)) = accepted else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let engine = engine.clone();
                let tools = tools.clone();
                let service = hyper::service::service_fn(move |request| {
                    serve_one(engine.clone(), tools.clone(), peer.ip(), request)
                });
                let server = server.clone();
                let watcher = graceful.watcher();
                let timeout = limits.header_read_timeout;
                tokio::spawn(async move {
                    let _permit = permit;
                    // Which HTTP version the client speaks is read before hyper's own header
                    // timer starts: a client that sends nothing is closed here.
                    if !sent_something(&stream, timeout).await {
                        return;
                    }
                    let connection = server
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .into_owned();
                    if let Err(err) = watcher.watch(connection).await {
                        tracing::debug!("connection from {peer}: {err}");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    // Event streams end when `closing` is set; keep-alive connections close when idle.
    let _ = closing.send_replace(true);
    graceful.shutdown().await;
    Ok(())
}

/// HTTP/1.1, and HTTP/2 for clients that start with its preface (h2c), with the timers that
/// close silent connections.
fn http_server(
    header_read_timeout: Duration,
) -> hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor> {
    let mut server =
        hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    server
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    server
        .http2()
        .timer(hyper_util::rt::TokioTimer::new())
        .max_concurrent_streams(HTTP2_MAX_STREAMS)
        .keep_alive_interval(Duration::from_secs(HTTP2_KEEP_ALIVE_SECS))
        .keep_alive_timeout(Duration::from_secs(HTTP2_KEEP_ALIVE_SECS));
    server
}

/// The next connection, once a permit is free: `None` when accepting failed (the loop goes
/// on).
async fn accept(
    listener: &tokio::net::TcpListener,
    permits: &Arc<Semaphore>,
) -> Option<(tokio::net::TcpStream, SocketAddr, OwnedSemaphorePermit)> {
    let permit = permits.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, peer)) => Some((stream, peer, permit)),
        Err(err) => {
            accept_failed(&err).await;
            None
        }
    }
}

/// Whether the client sends a first byte within `timeout` (and did not just close).
async fn sent_something(stream: &tokio::net::TcpStream, timeout: Duration) -> bool {
    let mut first = [0_u8; 1];
    matches!(
        tokio::time::timeout(timeout, stream.peek(&mut first)).await,
        Ok(Ok(1..))
    )
}

/// `wanted`, but under half the process's limit on open files (the stores, PostgreSQL and
/// the log need descriptors too), and at least 16.
fn connection_bound(wanted: usize) -> usize {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    let half = limit.current.map_or(usize::MAX, |open| {
        usize::try_from(open / 2).unwrap_or(usize::MAX)
    });
    wanted.min(half).max(16)
}

/// Like hyper's and axum's servers: a refused or reset connection is the client's business;
/// anything else (too many open files) is logged and accepting pauses for a second.
async fn accept_failed(err: &std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!("cannot accept a connection: {err}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// A response body: the engine's answers are whole in memory; the axum router's (the event
/// stream) may be streamed.
type ServedBody = http_body_util::Either<http_body_util::Full<Bytes>, Body>;

async fn serve_one(
    engine: Engine,
    tools: Router,
    peer: IpAddr,
    request: axum::http::Request<hyper::body::Incoming>,
) -> Result<axum::http::Response<ServedBody>, Infallible> {
    let path = request.uri().path();
    if path.starts_with("/__edgewire/") && !path.starts_with(ENTRY_PREFIX) {
        let response = tools
            .oneshot(request)
            .await
            .unwrap_or_else(|never| match never {});
        return Ok(response.map(http_body_util::Either::Right));
    }
    let response = answer(&engine, request, Some(peer)).await;
    Ok(response.map(|body| http_body_util::Either::Left(http_body_util::Full::new(body))))
}

/// The router's fallback: every path that is not one of the `/__edgewire/*` endpoints.
async fn handle(State(engine): State<Engine>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    answer(&engine, request, peer).await.map(Body::from)
}

/// Answer a request to an entry point: the first is served at `/`, the others under
/// [`ENTRY_PREFIX`].
async fn answer<B>(engine: &Engine, request: axum::http::Request<B>, peer: Option<IpAddr>) -> Resp
where
    B: HttpBody<Data = Bytes>,
    B::Error: Into<axum::BoxError>,
{
    let shared = &engine.shared;
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path();
    let entry = if let Some(rest) = path.strip_prefix(ENTRY_PREFIX) {
        let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
        if !shared.entry_points.iter().any(|entry| entry == id) {
            return error_response(404, &errors::no_route(parts.method.as_str(), path));
        }
        let id = id.to_owned();
        let uri = match parts.uri.query() {
            Some(query) => format!("/{tail}?{query}"),
            None => format!("/{tail}"),
        };
        match uri.parse() {
            Ok(uri) => parts.uri = uri,
            Err(_) => {
                return error_response(404, &errors::no_route(parts.method.as_str(), path));
            }
        }
        Cow::Owned(id)
    } else {
        match shared.entry_points.first() {
            Some(first) => Cow::Borrowed(first.as_str()),
            None => {
                return error_response(
                    404,
                    "this design has no public entry point: wire a Client to a Gateway or Worker",
                );
            }
        }
    };
    let bytes = if body.is_end_stream() {
        Bytes::new()
    } else {
        match http_body_util::Limited::new(body, MAX_REQUEST_BODY_BYTES)
            .collect()
            .await
        {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                return error_response(413, &errors::body_too_large(MAX_REQUEST_BODY_BYTES as u64));
            }
        }
    };
    let request = axum::http::Request::from_parts(parts, bytes);
    shared.handle_entry(&entry, request, peer).await
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

async fn faults(State(engine): State<Engine>) -> Response {
    axum::Json(json!({ "faults": engine.faults().snapshot() })).into_response()
}

/// `{"node": "orders-db", "fault": "down"}` sets a fault (`slow:MS`, `error`, `down`);
/// `"fault": null` clears it.
#[derive(Deserialize)]
struct SetFault {
    node: String,
    fault: Option<String>,
}

async fn set_fault(State(engine): State<Engine>, body: Bytes) -> Response {
    let request: SetFault = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(err) => {
            let text = format!(
                "expected {{\"node\": \"<id>\", \"fault\": \"slow:MS\" | \"error\" | \"down\" | null}}: {err}"
            );
            return tool_error(400, &text);
        }
    };
    if engine.shared.design.node(&request.node).is_none() {
        return tool_error(404, &format!("there is no node `{}`", request.node));
    }
    let fault = match request
        .fault
        .as_deref()
        .map(super::Fault::parse)
        .transpose()
    {
        Ok(fault) => fault,
        Err(message) => return tool_error(400, &message),
    };
    engine.faults().set(&request.node, fault);
    faults(State(engine)).await
}

/// A JSON error answer from a `/__edgewire/*` endpoint.
fn tool_error(status: u16, text: &str) -> Response {
    error_response(status, text).map(Body::from).into_response()
}

/// Clear every fault.
async fn clear_faults(State(engine): State<Engine>) -> Response {
    engine.faults().clear();
    faults(State(engine)).await
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
