//! What a simulation takes (the what-if options) and what it gives: the report, its
//! comparisons, placements and assumptions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::cost::CostReport;
use super::data::Source;
use super::failure::{FailingShare, Failure};
use super::latency::{Percentiles, round1};
use super::paths::RequestPath;
use super::{DEFAULT_SINGLE_REGION, REGIONS, Tables, cost, paths};

/// Workshop what-ifs: each overrides the design for this simulation only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WhatIf {
    /// Where the single-region alternative puts all compute and data (a table region).
    pub single_region: String,
    /// Move every D1 primary to this location hint (`weur`, `apac`, ...).
    pub d1_primary: Option<String>,
    /// Turn D1 read replication on or off for every D1 database.
    pub read_replication: Option<bool>,
    /// Turn the Hyperdrive query cache on or off for every Hyperdrive.
    pub hyperdrive_cache: Option<bool>,
    /// Share of read-only Hyperdrive queries served from the cache when it is on (0..=1);
    /// `None` uses [`DEFAULT_CACHE_HIT_RATIO`].
    pub cache_hit_ratio: Option<f64>,
    /// Chance that a KV cache lookup finds its key (0..=1); `None` uses
    /// [`DEFAULT_KV_HIT_RATIO`].
    pub kv_hit_ratio: Option<f64>,
    /// Move every Hyperdrive origin to this region.
    pub origin_region: Option<String>,
    /// Smart Placement on for every Worker that queries D1 or Hyperdrive, or off for all;
    /// `None` keeps each Worker's own setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smart_placement: Option<bool>,
    /// A node failing in one region or everywhere: the report then gives the share of
    /// requests that fail ([`super::failure`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

impl Default for WhatIf {
    fn default() -> Self {
        Self {
            single_region: DEFAULT_SINGLE_REGION.to_owned(),
            d1_primary: None,
            read_replication: None,
            hyperdrive_cache: None,
            cache_hit_ratio: None,
            kv_hit_ratio: None,
            origin_region: None,
            smart_placement: None,
            failure: None,
        }
    }
}

/// Why a simulation cannot run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SimulateError {
    #[error(
        "the design has no Client node with traffic; add a Client with regions (`eu-west: 1.0`) and a scenario"
    )]
    NoClient,
    #[error("unknown region `{value}` for {what}; regions are: {}", REGIONS.join(", "))]
    UnknownRegion { what: &'static str, value: String },
    #[error("unknown D1 location hint `{0}`; hints are: wnam, enam, weur, eeur, apac, oc")]
    UnknownHint(String),
    #[error("a hit ratio must be between 0 and 1, not {0}")]
    BadHitRatio(f64),
    #[error(
        "no node `{node}` in the design for the failure what-if; nodes that can fail: {choices}"
    )]
    UnknownFailingNode { node: String, choices: String },
    #[error(
        "`{node}` cannot fail in the what-if (only a Gateway, Worker, KV, D1 or Hyperdrive can); nodes that can fail: {choices}"
    )]
    CannotFail { node: String, choices: String },
    #[error("the simulator's embedded data files are broken: {0}")]
    Data(String),
}

/// Everything the simulator found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimulationReport {
    pub design: String,
    /// The what-if options used.
    pub options: WhatIf,
    /// Where the data lives in the global design, and the single-region choice.
    pub placement: Placement,
    /// Per client region: global vs single-region percentiles over the scenario mix.
    pub regions: Vec<RegionReport>,
    /// All regions together, weighted by traffic.
    pub overall: Comparison,
    /// With a failure what-if: the share of all requests that fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing: Option<FailingShare>,
    /// Per scenario request.
    pub requests: Vec<RequestReport>,
    pub cost: CostReport,
    /// Modelling choices that are not published numbers.
    pub assumptions: Vec<Assumption>,
    /// Every source of a published number used, sorted by id.
    pub sources: Vec<Source>,
    /// Sources whose numbers were not read on the page itself, with how they are used.
    pub unverified: Vec<String>,
    /// What the simulator had to guess about this design.
    pub warnings: Vec<String>,
}

/// Global vs single-region percentiles and the gain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Comparison {
    pub global: Percentiles,
    pub single_region: Percentiles,
    pub gain: Gain,
}

impl Comparison {
    pub(super) fn new(global: Percentiles, single_region: Percentiles) -> Self {
        let ratio = |single: f64, global: f64| {
            if global > 0.0 {
                (single / global * 100.0).round() / 100.0
            } else {
                1.0
            }
        };
        Self {
            global,
            single_region,
            gain: Gain {
                p50_ms: round1(single_region.p50_ms - global.p50_ms),
                p95_ms: round1(single_region.p95_ms - global.p95_ms),
                p99_ms: round1(single_region.p99_ms - global.p99_ms),
                p50_ratio: ratio(single_region.p50_ms, global.p50_ms),
                p95_ratio: ratio(single_region.p95_ms, global.p95_ms),
                p99_ratio: ratio(single_region.p99_ms, global.p99_ms),
            },
        }
    }
}

/// How much faster the global design is: ms saved (single - global) and the ratio
/// single / global (2.0 = twice as fast). Negative ms means the global design is slower.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Gain {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub p50_ratio: f64,
    pub p95_ratio: f64,
    pub p99_ratio: f64,
}

/// One client region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionReport {
    pub region: String,
    /// Share of all requests that come from this region.
    pub traffic_share: f64,
    pub requests_per_second: f64,
    #[serde(flatten)]
    pub latency: Comparison,
    /// With a failure what-if: the share of this region's requests that fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing: Option<FailingShare>,
}

/// One scenario request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestReport {
    pub client: String,
    pub name: String,
    pub method: String,
    pub path: String,
    pub expect_status: u16,
    /// Share of its client's requests.
    pub share: f64,
    /// The ways it goes through the design, with their weights.
    pub paths: Vec<RequestPath>,
    /// Over all of its client's regions, weighted by traffic.
    #[serde(flatten)]
    pub latency: Comparison,
    /// With a failure what-if: the share of this request's traffic that fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing: Option<FailingShare>,
    pub regions: Vec<RequestRegion>,
}

/// One scenario request from one region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestRegion {
    pub region: String,
    #[serde(flatten)]
    pub latency: Comparison,
}

/// Where the data lives.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Placement {
    pub single_region: String,
    pub d1: Vec<D1Placement>,
    pub hyperdrive: Vec<HyperdrivePlacement>,
    /// Workers that Smart Placement runs away from the client's location.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workers: Vec<WorkerPlacementReport>,
}

impl Placement {
    /// Nothing placed yet, with this single-region choice.
    pub(super) fn empty(single_region: &str) -> Self {
        Self {
            single_region: single_region.to_owned(),
            d1: Vec::new(),
            hyperdrive: Vec::new(),
            workers: Vec::new(),
        }
    }
}

/// A Worker that Smart Placement moves: the region it runs in, near which store.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkerPlacementReport {
    pub node: String,
    pub region: String,
    pub near: String,
}

/// A D1 database's primary and replicas.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct D1Placement {
    pub node: String,
    /// The primary's location hint, and the table region that stands for it.
    pub primary_hint: String,
    pub primary_region: String,
    /// Whether the hint was chosen by the simulator (no hint in the design: the platform
    /// places the database near the first requests; modelled as nearest to the largest region).
    pub automatic: bool,
    pub read_replication: bool,
    /// Per client region, the hint region whose replica serves its reads (with replication on).
    pub read_from: BTreeMap<String, String>,
}

/// A Hyperdrive's origin and cache.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HyperdrivePlacement {
    pub node: String,
    pub origin_region: String,
    pub cache: bool,
    /// Share of read-only queries answered from the cache (0 when the cache is off).
    pub cache_hit_ratio: f64,
}

/// A modelling choice that is not a published number.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assumption {
    pub name: String,
    pub value: String,
    pub why: String,
}

pub(super) fn assumptions(
    design: &crate::model::Design,
    tables: &Tables,
    hit_ratio: f64,
    kv_hit_ratio: f64,
) -> Vec<Assumption> {
    let a = |name: &str, value: String, why: &str| Assumption {
        name: name.to_owned(),
        value,
        why: why.to_owned(),
    };
    let mut out = vec![
        a(
            "client to edge",
            format!(
                "log-normal, median {} ms, p95 {} ms",
                tables.client_to_edge.median_ms, tables.client_to_edge.p95_ms
            ),
            "fits the published 'within 50 ms for 95%' with a median in the suggested 15-25 ms",
        ),
        a(
            "round trips between regions",
            "the table's median, no spread".to_owned(),
            "the table publishes medians only; percentiles spread through the client leg and the mix of paths",
        ),
        a(
            "round trip inside one region",
            format!("{} ms", tables.intra_region_ms),
            "the middle of the published 8-12 ms between neighbouring data centres",
        ),
        a(
            "Workers, service bindings, KV",
            "0 ms beyond the edge".to_owned(),
            "Workers and service bindings run in the edge location; hot KV keys are served there (KV writes are not modelled as round trips)",
        ),
        a(
            "If branches",
            "decided from the sample request when it can be, else 1/2 each; then only paths ending with the expected status".to_owned(),
            "the handler is walked statically",
        ),
        a(
            "KV cache hit ratio",
            format!("{kv_hit_ratio}: an If testing a KvGet result (Exists/Missing) finds the key this often"),
            "no published figure; set it with the what-if options",
        ),
        a(
            "Hyperdrive cache hit ratio",
            format!("{hit_ratio} of read-only queries when caching is on"),
            "no published figure; set it with the what-if options",
        ),
        a(
            "D1 automatic placement",
            "the hint region nearest the busiest client region".to_owned(),
            "without a location hint the platform places the database near its first requests",
        ),
        a(
            "D1 replicas",
            "reads (SELECT) go to the nearest hint region's replica".to_owned(),
            "replicas exist in every hint region and need the Sessions API (withSession)",
        ),
        a(
            "single-region design",
            "all compute and data in one region; each D1 or Hyperdrive query is a round trip inside it".to_owned(),
            "the same design, placed in one region, for comparison",
        ),
        a(
            "CPU time",
            format!("{} ms per Worker invocation", cost::CPU_MS_PER_INVOCATION),
            "small handlers that mostly wait on bindings",
        ),
        a(
            "D1 rows",
            format!(
                "First 1 row read, All its LIMIT or {} rows, a write 1 row written (+1 read for UPDATE/DELETE); indexes not counted",
                paths::ALL_ROWS_READ
            ),
            "D1 bills rows scanned, which depends on data and indexes",
        ),
        a(
            "month",
            "30 days (2,592,000 s) of the Clients' average requests per second".to_owned(),
            "a billing month",
        ),
        a(
            "what is priced",
            "Workers Paid plan usage; storage, egress and the origin database are not priced".to_owned(),
            "they depend on data size and the origin's provider",
        ),
        a(
            "AWS baseline",
            format!(
                "API Gateway HTTP API for every request; one Lambda ({} MB, x86) per service Worker invocation, billed for its CPU time and its in-region query waits; API Gateway's 12-month free tier not applied",
                cost::LAMBDA_MEMORY_MB
            ),
            "the same design on a single-region serverless stack",
        ),
        a(
            "Lambda cold starts",
            "not added to the single-region latency".to_owned(),
            "AWS: typically under 1% of invocations, under 100 ms to over 1 second (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#cold-start-latency); they would lengthen the single-region tail",
        ),
    ];
    out.extend(rate_limit_assumption(design));
    out
}

/// What the simulator assumes of a gateway's rate limit, when the design has one.
fn rate_limit_assumption(design: &crate::model::Design) -> Option<Assumption> {
    design.nodes.iter().find_map(|node| match &node.kind {
        crate::model::NodeKind::Gateway(g) => g.rate_limit.as_ref().map(|limit| Assumption {
            name: "rate limit".to_owned(),
            value: format!(
                "{} requests per {} s, reached only by scenario requests that expect 429",
                limit.requests, limit.period_secs
            ),
            why: "the engine counts exactly, across all clients; the deployed gateway uses the Workers Rate Limiting binding, which counts per Cloudflare location and is eventually consistent, so a client spread over locations, or a fast burst, can pass a few more requests".to_owned(),
        }),
        _ => None,
    })
}
