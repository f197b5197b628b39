//! Sending one case to a server, and how two answers are compared: status, the body as
//! normalised JSON, the headers the contract sets, and the presence of volatile headers.

use std::net::SocketAddr;
use std::time::Duration;

use edgewire_engine::model::{Design, NodeKind, Step, walk_steps};
use edgewire_tests::http;

use crate::cases::Case;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) fn send(addr: SocketAddr, case: &Case) -> Result<http::Response, String> {
    http::send(
        addr,
        &case.method,
        &case.path,
        &case.headers,
        case.body.as_deref(),
        REQUEST_TIMEOUT,
    )
    .map_err(|e| format!("{} {}: {e}", case.method, case.path))
}

/// Sends `case` to both servers: each must answer with the expected status (when there is
/// one), and the two answers must agree. Every problem found, none when they match.
pub(crate) fn compare_case(
    case: &Case,
    wrangler: SocketAddr,
    engine: Option<SocketAddr>,
    compared: &[String],
    presence: &[String],
    verbose: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    let from_wrangler = send(wrangler, case);
    let from_engine = engine.map(|addr| send(addr, case));
    for (side, result) in [
        ("wrangler", Some(&from_wrangler)),
        ("engine", from_engine.as_ref()),
    ] {
        match result {
            Some(Ok(response)) => {
                if let Some(expected) = case.expect_status
                    && response.status != expected
                {
                    problems.push(format!(
                        "{side} answered {} (expected {expected}): {}",
                        response.status,
                        response.text()
                    ));
                }
            }
            Some(Err(error)) => problems.push(format!("{side}: {error}")),
            None => {}
        }
    }
    if verbose {
        if let Ok(w) = &from_wrangler {
            eprintln!("  [{}] wrangler {} {}", case.name, w.status, w.text());
        }
        if let Some(Ok(e)) = &from_engine {
            eprintln!("  [{}] engine   {} {}", case.name, e.status, e.text());
        }
    }
    if let (Ok(w), Some(Ok(e))) = (&from_wrangler, &from_engine) {
        problems.extend(differences(w, e, compared, presence));
    }
    problems
}

/// Headers whose presence (not value) is compared: request ids and `retry-after` vary.
pub(crate) fn presence_headers(design: &Design) -> Vec<String> {
    let mut names = vec!["retry-after".to_owned()];
    for node in &design.nodes {
        if let NodeKind::Gateway(g) = &node.kind
            && let Some(header) = &g.enrich.request_id_header
        {
            names.push(header.to_ascii_lowercase());
        }
    }
    names
}

/// A body as compact JSON text (order kept) when it is JSON, else as text.
fn normalized_body(response: &http::Response) -> String {
    match serde_json::from_slice::<serde_json::Value>(&response.body) {
        Ok(value) => value.to_string(),
        Err(_) => response.text(),
    }
}

/// Every way the two answers differ (volatile headers masked).
pub(crate) fn differences(
    wrangler: &http::Response,
    engine: &http::Response,
    compared: &[String],
    presence: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    if wrangler.status != engine.status {
        out.push(format!(
            "status: wrangler {} vs engine {}",
            wrangler.status, engine.status
        ));
    }
    let (wb, eb) = (normalized_body(wrangler), normalized_body(engine));
    if wb != eb {
        out.push(format!("body:\n    wrangler {wb}\n    engine   {eb}"));
    }
    for name in compared {
        let (w, e) = (wrangler.header(name), engine.header(name));
        if w != e {
            out.push(format!("header {name}: wrangler {w:?} vs engine {e:?}"));
        }
    }
    for name in presence {
        let (w, e) = (wrangler.header(name), engine.header(name));
        if w.is_some() != e.is_some() {
            out.push(format!(
                "header {name} present: wrangler {} vs engine {}",
                w.is_some(),
                e.is_some()
            ));
        }
    }
    out
}

/// Response headers set by the gateway contract or the design's Respond steps.
pub(crate) fn compared_headers(design: &Design) -> Vec<String> {
    let mut names: Vec<String> = [
        "content-type",
        "location",
        "allow",
        "vary",
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-max-age",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for node in &design.nodes {
        if let NodeKind::Worker(worker) = &node.kind {
            for route in &worker.routes {
                walk_steps(&route.steps, &mut |_, step| {
                    if let Step::Respond { headers, .. } = step {
                        names.extend(headers.keys().map(|h| h.to_ascii_lowercase()));
                    }
                });
            }
        }
    }
    names.sort();
    names.dedup();
    names
}
