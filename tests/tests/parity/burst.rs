//! The rate-limit check: the same burst to both servers inside one rate-limit window.

use std::net::SocketAddr;
use std::time::Duration;

use edgewire_engine::model::{Design, NodeKind, RateLimitKey};
use edgewire_tests::http;

use crate::cases::{Case, cases};
use crate::compare::{differences, send};
use crate::verbose_enabled;

/// A request repeated until the gateway's rate limit answers 429.
pub(crate) struct Burst {
    pub(crate) case: Case,
    period_secs: u64,
    max_requests: u32,
    /// Whether callers are told apart by credential: then the burst shares its counter
    /// with the earlier requests (the client address is its own).
    by_credential: bool,
}

/// The first good GET of the scenario, repeated past the first gateway's rate limit.
pub(crate) fn rate_limit_burst(design: &Design) -> Option<Burst> {
    let limit = design.nodes.iter().find_map(|n| match &n.kind {
        NodeKind::Gateway(g) => g.rate_limit.clone(),
        _ => None,
    })?;
    let case = cases(design)
        .into_iter()
        .find(|c| c.method == "GET" && c.expect_status.is_some_and(|s| (200..300).contains(&s)))?;
    // A client address of its own, so earlier requests do not count (documentation range).
    let mut headers = case.headers.clone();
    headers.push(("cf-connecting-ip".to_owned(), "203.0.113.7".to_owned()));
    Some(Burst {
        case: Case {
            name: format!("extra: burst of {} past the rate limit", case.path),
            headers,
            ..case
        },
        period_secs: u64::from(limit.period_secs.max(1)),
        max_requests: limit.requests.saturating_add(5),
        by_credential: limit.key == RateLimitKey::Credential,
    })
}

/// Sends the burst to one server: how many requests passed before the first 429, and it.
fn burst_until_limited(addr: SocketAddr, burst: &Burst) -> Result<(u32, http::Response), String> {
    for count in 0..burst.max_requests {
        let response = send(addr, &burst.case)?;
        if response.status == 429 {
            return Ok((count, response));
        }
    }
    Err(format!(
        "no 429 after {} requests to {}",
        burst.max_requests, burst.case.path
    ))
}

/// Both servers get the same burst inside one rate-limit window (the suite waits for a
/// fresh window when the current one is about to end); the 429s must come at the same count.
pub(crate) fn compare_bursts(
    burst: &Burst,
    wrangler: SocketAddr,
    engine: SocketAddr,
    compared: &[String],
    presence: &[String],
    first_request_ms: u128,
) -> Vec<String> {
    let period_ms = u128::from(burst.period_secs) * 1000;
    let left_ms = period_ms - epoch_millis() % period_ms;
    if left_ms < 10_000 {
        std::thread::sleep(Duration::from_millis(
            u64::try_from(left_ms).unwrap_or(10_000) + 500,
        ));
    }
    // With a credential key, the earlier requests count too; if a window ended while they
    // were sent, one server may have counted one of them in the old window and the other
    // in the new one, so only the 429 answers are compared, not when they came.
    let counts_comparable =
        !burst.by_credential || first_request_ms / period_ms == epoch_millis() / period_ms;
    match (
        burst_until_limited(wrangler, burst),
        burst_until_limited(engine, burst),
    ) {
        (Ok((w_count, w)), Ok((e_count, e))) => {
            let mut problems = differences(&w, &e, compared, presence);
            if verbose_enabled() {
                eprintln!("  [burst] 429 after {w_count} (wrangler) and {e_count} (engine)");
            }
            if counts_comparable && w_count != e_count {
                problems.push(format!(
                    "429 after {w_count} more requests in wrangler, {e_count} in the engine"
                ));
            }
            problems
        }
        (w, e) => [("wrangler", w.err()), ("engine", e.err())]
            .into_iter()
            .filter_map(|(side, error)| error.map(|e| format!("{side}: {e}")))
            .collect(),
    }
}

pub(crate) fn epoch_millis() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}
