//! `edgewire scenario FILE [--url URL]`: send every request of the design's Client scenarios
//! and compare each status with the expected one.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bytes::Bytes;
use edgewire_engine::Design;
use edgewire_engine::model::{SampleRequest, json_contains};
use edgewire_engine::runtime::{ENTRY_PREFIX, Engine, EngineOptions, entry_points};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Send the design's scenario requests and check their statuses.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file.
    pub file: PathBuf,
    /// A running engine (`http://127.0.0.1:8787`); without it an in-process engine with a
    /// fresh temporary state answers.
    #[arg(long)]
    pub url: Option<String>,
    /// Secrets file for the in-process engine; default `<stem>.dev.vars` beside the design.
    #[arg(long)]
    pub vars: Option<PathBuf>,
}

/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn run(args: &Args) -> ExitCode {
    super::serve::init_logging_quiet();
    super::exit_code(scenario(args))
}

/// `(client id, entry path prefix, request)` for every scenario request, in design order:
/// the first entry point is served at `/`, the others under their prefix.
fn requests(design: &Design) -> Vec<(String, String, SampleRequest)> {
    let entries = entry_points(design);
    edgewire_engine::graph::scenario_requests(design)
        .into_iter()
        .map(|s| {
            let prefix = if entries.first().is_some_and(|first| first == s.entry) {
                String::new()
            } else {
                format!("{ENTRY_PREFIX}{}", s.entry)
            };
            (s.client.to_owned(), prefix, s.request.clone())
        })
        .collect()
}

fn scenario(args: &Args) -> anyhow::Result<ExitCode> {
    let Some(design) = super::serve::load_valid_design(&args.file)? else {
        return Ok(ExitCode::FAILURE);
    };
    let requests = requests(&design);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let (base, running, _state) = if let Some(url) = &args.url {
            reachable(url).await?;
            (url.trim_end_matches('/').to_owned(), None, None)
        } else {
            let state = tempfile::tempdir().context("cannot create a temporary state folder")?;
            let mut options = EngineOptions::new(state.path());
            options.port = 0;
            options.secrets = super::serve::load_vars(&args.file, args.vars.as_deref())?;
            let running = Engine::start(design.clone(), options).await?;
            running.engine().ready().await;
            for (node, message) in running.engine().notices() {
                eprintln!("{node}: {message}");
            }
            (running.url(), Some(running), Some(state))
        };
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let (mut passed, mut failed) = (0usize, 0usize);
        for (_client, prefix, request) in &requests {
            let started = Instant::now();
            let outcome = send(&client, &base, prefix, request).await;
            let ms = started.elapsed().as_millis();
            let (ok, status) = match &outcome {
                Ok((status, body)) => match body_mismatch(request, body) {
                    Some(why) if *status == request.expect_status => {
                        (false, format!("{status}, body differs at {why}"))
                    }
                    _ => (*status == request.expect_status, status.to_string()),
                },
                Err(err) => (false, format!("error ({err:#})")),
            };
            if ok {
                passed += 1;
            } else {
                failed += 1;
            }
            println!(
                "{:<4} {}: {} {} -> {} (expected {}) {} ms",
                if ok { "ok" } else { "FAIL" },
                request.name,
                request.method,
                request.path,
                status,
                request.expect_status,
                ms
            );
        }
        if let Some(running) = running {
            running.stop().await?;
        }
        println!("{passed} passed, {failed} failed");
        anyhow::Ok(if failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    })
}

/// Whether something listens at `url`: one message instead of a failure per request.
async fn reachable(url: &str) -> anyhow::Result<()> {
    let uri: hyper::Uri = url
        .parse()
        .with_context(|| format!("`{url}` is not a URL; write it as http://127.0.0.1:8787"))?;
    let host = uri.host().unwrap_or("127.0.0.1").to_owned();
    let port = uri.port_u16().unwrap_or(80);
    match tokio::time::timeout(
        REQUEST_TIMEOUT,
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        _ => anyhow::bail!(
            "nothing answers at {url}; start the design there first (`edgewire serve FILE`), \
             or leave out --url to run the scenario on a fresh engine"
        ),
    }
}

/// Why the body does not have what the request's `expect_body` asks for, if it does not.
fn body_mismatch(request: &SampleRequest, body: &[u8]) -> Option<String> {
    let expected = request.expect_body.as_ref()?;
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(actual) => json_contains(&actual, expected).err(),
        Err(_) => Some(format!(
            "/: not JSON ({} bytes), expected {expected}",
            body.len()
        )),
    }
}

async fn send(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    base: &str,
    prefix: &str,
    request: &SampleRequest,
) -> anyhow::Result<(u16, Bytes)> {
    let uri = format!("{base}{prefix}{}", request.path);
    let mut builder = hyper::Request::builder()
        .method(request.method.as_str())
        .uri(&uri);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = match &request.body {
        Some(body) => {
            let has_type = request
                .headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("content-type"));
            if !has_type {
                builder = builder.header("content-type", "application/json");
            }
            Bytes::from(body.to_text())
        }
        None => Bytes::new(),
    };
    let http_request = builder
        .body(Full::new(body))
        .with_context(|| format!("cannot build a request for {uri}"))?;
    let response = tokio::time::timeout(REQUEST_TIMEOUT, client.request(http_request))
        .await
        .with_context(|| format!("{uri} did not answer within {REQUEST_TIMEOUT:?}"))?
        .with_context(|| format!("cannot reach {uri}"))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .with_context(|| format!("cannot read the answer of {uri}"))?
        .to_bytes();
    Ok((status, body))
}
