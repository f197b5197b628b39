//! Traces and metrics: every request gets an id and a list of hops (gateway, Worker, binding
//! operation), each with its node, start offset, duration, status, rows or bytes and cache
//! outcome. Finished traces go to a ring buffer (`GET /__edgewire/traces`), the event stream
//! (`/__edgewire/events`, and [`super::RunningEngine::subscribe`]) and per-node metrics.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
// The runtime's clock, so that a test on paused time sees the emulated network time.
use tokio::time::Instant;

use serde::Serialize;

/// How many finished traces are kept.
pub const TRACE_LOG_CAPACITY: usize = 256;
/// How many recent latencies per node the percentiles are computed over.
const LATENCY_WINDOW: usize = 2048;

/// Hyperdrive's cache outcome for one query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheOutcome {
    /// Served from a fresh cache entry.
    Hit,
    /// Served from a stale entry while it is refreshed in the background.
    Stale,
    /// Sent to the origin (and cached when read-only).
    Miss,
    /// Not cacheable (a write, a volatile function) or caching is off.
    Bypass,
}

/// One hop of a request.
#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    /// The node that did the work.
    pub node: String,
    /// `gateway`, `worker`, `kv get`, `d1 query`, `hyperdrive query`, ...
    pub kind: &'static str,
    /// What it did: `GET /products/1`, `product:1`, the SQL.
    pub detail: String,
    /// Milliseconds since the request started.
    pub start_ms: f64,
    pub duration_ms: f64,
    /// The part of `duration_ms` spent on the emulated network (`serve --from`), before the
    /// work; none without emulation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_ms: Option<f64>,
    /// HTTP status (gateway and Worker hops).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Rows returned (SQL) or keys listed (KV list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Bytes read or written (KV).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheOutcome>,
    /// D1's result meta.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<serde_json::Value>,
    /// The fault set on the node (`down`, `error`, `slow 250 ms`), shown in red.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    /// Why the hop failed (the full cause; local only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A finished request.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub id: String,
    /// Milliseconds since the Unix epoch when the request arrived.
    pub started_at_ms: u64,
    pub method: String,
    pub path: String,
    /// The entry point that received it.
    pub entry: String,
    pub status: u16,
    pub duration_ms: f64,
    pub hops: Vec<Hop>,
}

/// Collects the hops of one request while it runs.
#[derive(Debug)]
pub struct Recorder {
    pub id: String,
    started: Instant,
    hops: Mutex<Vec<Hop>>,
}

impl Recorder {
    pub fn new(id: String) -> Self {
        Self {
            id,
            started: Instant::now(),
            hops: Mutex::new(Vec::with_capacity(8)),
        }
    }

    /// Milliseconds since the request started.
    pub fn offset_ms(&self) -> f64 {
        micros_as_ms(self.started.elapsed())
    }

    /// Start timing a hop; finish it with [`HopTimer::finish`].
    pub fn start(&self, node: &str, kind: &'static str, detail: String) -> HopTimer {
        let now = Instant::now();
        HopTimer {
            hop: Hop {
                node: node.to_owned(),
                kind,
                detail,
                start_ms: micros_as_ms(now.duration_since(self.started)),
                duration_ms: 0.0,
                network_ms: None,
                status: None,
                rows: None,
                bytes: None,
                cache: None,
                meta: None,
                fault: None,
                error: None,
            },
            started: now,
        }
    }

    pub fn push(&self, mut timer: HopTimer) {
        timer.hop.duration_ms = micros_as_ms(timer.started.elapsed());
        if let Ok(mut hops) = self.hops.lock() {
            hops.push(timer.hop);
        }
    }

    /// The hops so far, in start order.
    pub fn take_hops(&self) -> Vec<Hop> {
        let mut hops = self
            .hops
            .lock()
            .map(|mut h| std::mem::take(&mut *h))
            .unwrap_or_default();
        hops.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
        hops
    }
}

/// Milliseconds, rounded to whole microseconds.
fn micros_as_ms(elapsed: std::time::Duration) -> f64 {
    (elapsed.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// A hop being timed.
#[derive(Debug)]
pub struct HopTimer {
    pub hop: Hop,
    started: Instant,
}

impl HopTimer {
    /// Wait `ms` of emulated network time (on the async runtime), counted in the hop's
    /// `network_ms`.
    pub async fn network(&mut self, ms: f64) {
        if ms > 0.0 {
            tokio::time::sleep(std::time::Duration::from_secs_f64(ms / 1000.0)).await;
            *self.hop.network_ms.get_or_insert(0.0) += (ms * 1000.0).round() / 1000.0;
        }
    }
}

/// The recent traces.
#[derive(Debug, Default)]
pub struct TraceLog {
    traces: Mutex<VecDeque<std::sync::Arc<Trace>>>,
}

impl TraceLog {
    pub fn push(&self, trace: std::sync::Arc<Trace>) {
        if let Ok(mut traces) = self.traces.lock() {
            if traces.len() == TRACE_LOG_CAPACITY {
                traces.pop_front();
            }
            traces.push_back(trace);
        }
    }

    /// The most recent `limit` traces, oldest first.
    pub fn recent(&self, limit: usize) -> Vec<std::sync::Arc<Trace>> {
        self.traces
            .lock()
            .map(|traces| {
                let skip = traces.len().saturating_sub(limit);
                traces.iter().skip(skip).cloned().collect()
            })
            .unwrap_or_default()
    }
}

/// Per-node counters over the engine's life.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct NodeMetrics {
    /// Hops handled (requests for gateways and Workers, operations for stores).
    pub requests: u64,
    /// Hops that failed (status >= 500, or a failed operation).
    pub errors: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub cache_hits: u64,
    pub cache_misses: u64,
    /// Hits (fresh or stale) over cacheable lookups; `None` before the first one.
    pub cache_hit_rate: Option<f64>,
}

#[derive(Debug, Default)]
struct NodeStats {
    requests: u64,
    errors: u64,
    latencies: Vec<f64>,
    next: usize,
    cache_hits: u64,
    cache_misses: u64,
}

/// A snapshot of every node's metrics, sorted by node id.
pub type MetricsSnapshot = BTreeMap<String, NodeMetrics>;

/// Per-node metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    nodes: Mutex<BTreeMap<String, NodeStats>>,
}

impl Metrics {
    pub fn record(&self, hops: &[Hop]) {
        let Ok(mut nodes) = self.nodes.lock() else {
            return;
        };
        for hop in hops {
            let stats = match nodes.get_mut(hop.node.as_str()) {
                Some(stats) => stats,
                None => nodes.entry(hop.node.clone()).or_default(),
            };
            stats.requests += 1;
            if hop.error.is_some() || hop.status.is_some_and(|s| s >= 500) {
                stats.errors += 1;
            }
            if stats.latencies.len() < LATENCY_WINDOW {
                stats.latencies.push(hop.duration_ms);
            } else {
                stats.latencies[stats.next] = hop.duration_ms;
                stats.next = (stats.next + 1) % LATENCY_WINDOW;
            }
            match hop.cache {
                Some(CacheOutcome::Hit | CacheOutcome::Stale) => stats.cache_hits += 1,
                Some(CacheOutcome::Miss) => stats.cache_misses += 1,
                Some(CacheOutcome::Bypass) | None => {}
            }
        }
    }

    pub fn snapshot(&self) -> MetricsSnapshot {
        let Ok(nodes) = self.nodes.lock() else {
            return BTreeMap::new();
        };
        nodes
            .iter()
            .map(|(node, stats)| {
                let mut sorted = stats.latencies.clone();
                sorted.sort_by(f64::total_cmp);
                let lookups = stats.cache_hits + stats.cache_misses;
                let metrics = NodeMetrics {
                    requests: stats.requests,
                    errors: stats.errors,
                    p50_ms: percentile(&sorted, 0.50),
                    p95_ms: percentile(&sorted, 0.95),
                    cache_hits: stats.cache_hits,
                    cache_misses: stats.cache_misses,
                    cache_hit_rate: (lookups > 0).then(|| stats.cache_hits as f64 / lookups as f64),
                };
                (node.clone(), metrics)
            })
            .collect()
    }
}

/// Nearest-rank percentile of sorted values (0 when empty).
fn percentile(sorted: &[f64], quantile: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a rank between 1 and len, computed from a quantile in [0, 1]"
    )]
    let rank = ((quantile * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((percentile(&values, 0.5) - 50.0).abs() < f64::EPSILON);
        assert!((percentile(&values, 0.95) - 95.0).abs() < f64::EPSILON);
        assert!(percentile(&[], 0.5).abs() < f64::EPSILON);
    }
}
