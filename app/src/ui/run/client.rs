//! The HTTP client of the request console and the scenario runner (hyper-util's client on
//! the app's tokio runtime; only ever talks to the local engine on 127.0.0.1).

use std::time::Instant;

use bytes::Bytes;
use edgewire_engine::model::SampleRequest;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

pub type Client = hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>;

/// How long one console request may take before it is reported as failed.
const TIMEOUT_SECS: u64 = 30;

pub fn new_client() -> Client {
    hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http()
}

/// A request written in the console.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsoleRequest {
    pub method: String,
    /// Path and query: `/products/1`.
    pub path: String,
    /// One `name: value` per line.
    pub headers: String,
    /// Sent as is; `content-type: application/json` is added when not empty.
    pub body: String,
}

impl Default for ConsoleRequest {
    fn default() -> Self {
        Self {
            method: "GET".to_owned(),
            path: "/".to_owned(),
            headers: String::new(),
            body: String::new(),
        }
    }
}

impl ConsoleRequest {
    pub fn from_sample(sample: &SampleRequest) -> Self {
        Self {
            method: sample.method.to_string(),
            path: sample.path.clone(),
            headers: sample
                .headers
                .iter()
                .map(|(name, value)| format!("{name}: {value}"))
                .collect::<Vec<_>>()
                .join("\n"),
            body: sample
                .body
                .as_ref()
                .map(|b| match b {
                    edgewire_engine::model::RequestBody::Json(value) => {
                        serde_json::to_string_pretty(value).unwrap_or_default()
                    }
                    edgewire_engine::model::RequestBody::Text(text) => text.clone(),
                })
                .unwrap_or_default(),
        }
    }

    /// The header lines as pairs (lines without a colon are skipped).
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        self.headers
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .filter(|(name, _)| !name.is_empty())
            .collect()
    }
}

/// What came back.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsoleResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Pretty-printed when it is JSON.
    pub body: String,
    pub millis: f64,
    /// The engine's trace id (`x-edgewire-trace`).
    pub trace: Option<String>,
}

/// Send one request to the engine at `base` (`http://127.0.0.1:port`).
pub async fn send(
    client: &Client,
    base: &str,
    request: &ConsoleRequest,
) -> Result<ConsoleResponse, String> {
    let path = if request.path.starts_with('/') {
        request.path.clone()
    } else {
        format!("/{}", request.path)
    };
    let mut builder = hyper::Request::builder()
        .method(request.method.trim().to_ascii_uppercase().as_str())
        .uri(format!("{base}{path}"));
    for (name, value) in request.header_pairs() {
        builder = builder.header(name, value);
    }
    if !request.body.trim().is_empty() {
        builder = builder.header("content-type", "application/json");
    }
    let http_request = builder
        .body(Full::new(Bytes::from(request.body.clone())))
        .map_err(|err| format!("the request is not valid: {err}"))?;
    let started = Instant::now();
    let response = tokio::time::timeout(
        std::time::Duration::from_secs(TIMEOUT_SECS),
        client.request(http_request),
    )
    .await
    .map_err(|_| format!("no answer within {TIMEOUT_SECS} s"))?
    .map_err(|err| format!("the request failed: {err}"))?;
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|err| format!("reading the body failed: {err}"))?
        .to_bytes();
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let text = String::from_utf8_lossy(&body).into_owned();
    let body = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or(text);
    let trace = headers
        .iter()
        .find(|(name, _)| name == edgewire_engine::semantics::TRACE_HEADER)
        .map(|(_, value)| value.clone());
    Ok(ConsoleResponse {
        status,
        headers,
        body,
        millis,
        trace,
    })
}
