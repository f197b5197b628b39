//! The simulator: estimated latency per world region and monthly cost of a design, beside the
//! same design placed in one region.
//!
//! [`simulate`] is a pure function of a [`Design`] and [`WhatIf`] options; it is cheap enough
//! to rerun on every toggle. Its [`SimulationReport`] carries every number, the assumptions
//! behind it and the sources (page and date) of every published figure; [`render_text`] prints
//! it as tables.
//!
//! # The latency model
//! - Clients sit in the regions of their Client node, with its traffic shares. A request's
//!   latency is the client's round trip to the nearest edge (log-normal, median 20 ms, p95
//!   50 ms, from Cloudflare's "95% of the Internet-connected population within 50 ms", a figure
//!   marked unverified) plus the round trips its path makes beyond the edge.
//! - The path is derived statically from the design ([`paths`]): gateway checks and routes,
//!   the Worker route by method and path, its steps, `Call`s into other Workers.
//! - Global design: Workers run at the edge next to the client; service bindings and KV hot
//!   reads stay there (0 ms). A D1 query is one round trip from the client's region to the D1
//!   primary, or, with read replication on and a read-only statement (a SELECT), to the
//!   replica in the nearest location-hint region (replicas are used only through the Sessions
//!   API). A Hyperdrive query is one round trip to the origin's region (connections are pooled
//!   near the origin); a read-only query is a cache hit at the edge with the cache hit ratio.
//! - Single-region design: the same steps, with compute and data in one region: the client
//!   reaches its nearest edge and then that region (table round trip), and every D1 or
//!   Hyperdrive query is a round trip inside that region.
//! - Round trips between regions are the medians of the published table; inside one region
//!   they are 10 ms (the middle of the published 8-12 ms between neighbouring data centres).
//! - Percentiles are exact for this model ([`latency`]), so output is deterministic.
//!
//! # The cost model
//! See [`cost`]: monthly requests from the Clients' requests per second over a 30-day month,
//! operations per request from the same paths, prices from `assets/data/prices.json`.

pub mod cost;
pub mod data;
mod demand;
mod emulate;
mod failure;
pub mod geo;
mod kind;
pub mod latency;
pub mod paths;
mod report;
mod smart;
mod text;

use std::collections::BTreeMap;

use crate::model::Design;
pub use cost::CostReport;
pub use data::{REGIONS, Source, Tables};
use demand::{Demand, client_entry, traffic};
pub use emulate::{Geography, Layout};
pub use failure::{FailingShare, Failure};
pub(crate) use kind::KindHop;
pub(crate) use kind::Placing;
pub use latency::Percentiles;
use latency::{Access, Discrete};
pub use paths::{Hop, RequestPath};
use report::assumptions;
pub use report::{
    Assumption, Comparison, D1Placement, Gain, HyperdrivePlacement, Placement, RegionReport,
    RequestRegion, RequestReport, SimulateError, SimulationReport, WhatIf, WorkerPlacementReport,
};
pub use text::render_text;

/// Share of read-only Hyperdrive queries answered from the cache when caching is on, unless
/// the what-if options say otherwise. An assumption: no published figure exists.
pub const DEFAULT_CACHE_HIT_RATIO: f64 = 0.5;

/// Chance that a KV lookup tested by an `If` (`Exists`/`Missing` on a `KvGet` result) finds its
/// key, unless the what-if options say otherwise. An assumption: no published figure exists.
pub const DEFAULT_KV_HIT_RATIO: f64 = 0.9;

/// The single-region placement used unless the options say otherwise.
pub const DEFAULT_SINGLE_REGION: &str = "us-east";

/// Where a request runs.
#[derive(Clone, Copy)]
pub(crate) enum Mode {
    Global,
    SingleRegion(usize),
}

/// Resolved placement, by node id, as region indices.
#[derive(Default)]
pub(crate) struct Resolved {
    pub d1: BTreeMap<String, ResolvedD1>,
    /// Origin region and cache hit ratio.
    pub hyperdrive: BTreeMap<String, (usize, f64)>,
    /// The region of each Worker that Smart Placement moves.
    pub placed: BTreeMap<String, usize>,
}

pub(crate) struct ResolvedD1 {
    pub primary: usize,
    pub replication: bool,
}

/// The what-if options, checked.
struct Checked {
    /// The single region's index.
    single: usize,
    hit_ratio: f64,
    kv_hit_ratio: f64,
    failing: Option<failure::Failing>,
}

fn checked_options(design: &Design, options: &WhatIf) -> Result<Checked, SimulateError> {
    let single = region_of("the single-region placement", &options.single_region)?;
    if let Some(hint) = &options.d1_primary
        && data::hint_region(hint).is_none()
    {
        return Err(SimulateError::UnknownHint(hint.clone()));
    }
    if let Some(origin) = &options.origin_region {
        region_of("the Hyperdrive origin", origin)?;
    }
    let hit_ratio = options.cache_hit_ratio.unwrap_or(DEFAULT_CACHE_HIT_RATIO);
    let kv_hit_ratio = options.kv_hit_ratio.unwrap_or(DEFAULT_KV_HIT_RATIO);
    for ratio in [hit_ratio, kv_hit_ratio] {
        if !(0.0..=1.0).contains(&ratio) {
            return Err(SimulateError::BadHitRatio(ratio));
        }
    }
    let failing = options
        .failure
        .as_ref()
        .map(|f| failure::check(design, f))
        .transpose()?;
    Ok(Checked {
        single,
        hit_ratio,
        kv_hit_ratio,
        failing,
    })
}

fn region_of(what: &'static str, name: &str) -> Result<usize, SimulateError> {
    Tables::region_index(name).ok_or_else(|| SimulateError::UnknownRegion {
        what,
        value: name.to_owned(),
    })
}

/// What one run evaluates a request's paths with.
struct Run<'r> {
    tables: &'r Tables,
    resolved: &'r Resolved,
    single: usize,
    failing: Option<&'r failure::Failing>,
}

/// One scenario request from one client region: the network time of its paths mixed by
/// weight, global and single region, and the share that fails (with a failure what-if).
struct Sampled {
    global: Discrete,
    single: Discrete,
    failing: Option<FailingShare>,
}

impl Run<'_> {
    fn sample(&self, paths: &[RequestPath], client: usize) -> Sampled {
        let single = Mode::SingleRegion(self.single);
        let mut sampled = Sampled {
            global: Discrete::default(),
            single: Discrete::default(),
            failing: self.failing.map(|_| FailingShare::default()),
        };
        for path in paths {
            let backbone = |mode| network_time(self.tables, self.resolved, path, client, mode);
            sampled.global.mix(&backbone(Mode::Global), path.weight);
            sampled.single.mix(&backbone(single), path.weight);
            if let (Some(failing), Some(share)) = (self.failing, sampled.failing.as_mut()) {
                let fails = |mode| {
                    failure::path_fails(failing, self.tables, self.resolved, path, client, mode)
                };
                share.global += fails(Mode::Global) * path.weight;
                share.single_region += fails(single) * path.weight;
            }
        }
        sampled
    }
}

/// The traffic-weighted mixes of a run: per client region, and over all regions.
#[derive(Default)]
struct Mixes {
    /// Global and single-region network time, and failing shares, per client region.
    regions: BTreeMap<usize, (Discrete, Discrete, failure::Tally)>,
    overall: (Discrete, Discrete, failure::Tally),
}

impl Mixes {
    fn add(&mut self, region: usize, sampled: &Sampled, traffic_weight: f64, total_traffic: f64) {
        let entry = self.regions.entry(region).or_default();
        entry.0.mix(&sampled.global, traffic_weight);
        entry.1.mix(&sampled.single, traffic_weight);
        if let Some(share) = sampled.failing {
            entry.2.add(share, traffic_weight);
            self.overall.2.add(share, traffic_weight);
        }
        if total_traffic > 0.0 {
            self.overall
                .0
                .mix(&sampled.global, traffic_weight / total_traffic);
            self.overall
                .1
                .mix(&sampled.single, traffic_weight / total_traffic);
        }
    }
}

/// Simulate a design: latency per region and request, global vs single region, and cost.
pub fn simulate(design: &Design, options: &WhatIf) -> Result<SimulationReport, SimulateError> {
    let tables = Tables::embedded().map_err(SimulateError::Data)?;
    let checked = checked_options(design, options)?;
    let mut warnings = Vec::new();

    // Clients, their regions and traffic.
    let Demand {
        clients,
        client_regions,
        traffic_by_region,
        busiest,
        total_rps,
    } = traffic(design, &mut warnings)?;

    let (resolved, placement) = place(
        design,
        options,
        tables,
        (checked.single, checked.hit_ratio),
        (busiest, &traffic_by_region),
        &mut warnings,
    );

    let access = Access::from_median_p95(
        tables.client_to_edge.median_ms,
        tables.client_to_edge.p95_ms,
    );
    let run = Run {
        tables,
        resolved: &resolved,
        single: checked.single,
        failing: checked.failing.as_ref(),
    };

    // Requests.
    let mut requests = Vec::new();
    let mut mixes = Mixes::default();
    let total_traffic: f64 = traffic_by_region.values().sum();
    let mut mixes_for_cost = Vec::new();
    for (client_id, client) in &clients {
        let Some(entry) = client_entry(design, client_id, &mut warnings) else {
            continue;
        };
        let total_weight: f64 = client
            .scenario
            .iter()
            .map(|s| s.weight.max(0.0))
            .sum::<f64>();
        if client.scenario.is_empty() || total_weight <= 0.0 {
            warnings.push(format!(
                "client `{client_id}` has no scenario requests; add some to simulate its traffic"
            ));
            continue;
        }
        let regions = client_regions.get(client_id).map_or(&[][..], Vec::as_slice);
        let client_rps: f64 = regions.iter().map(|r| r.requests_per_second).sum();
        for sample in &client.scenario {
            let share = sample.weight.max(0.0) / total_weight;
            let found = paths::request_paths(design, entry, sample, checked.kv_hit_ratio);
            for warning in found.warnings {
                if !warnings.contains(&warning) {
                    warnings.push(warning);
                }
            }
            let mut per_region = Vec::new();
            let mut request_mix = (Discrete::default(), Discrete::default());
            let mut request_failing = failure::Tally::default();
            for cr in regions {
                let sampled = run.sample(&found.paths, cr.region);
                per_region.push(RequestRegion {
                    region: REGIONS[cr.region].to_owned(),
                    latency: Comparison::new(
                        latency::percentiles(access, &sampled.global),
                        latency::percentiles(access, &sampled.single),
                    ),
                });
                let region_weight = if client_rps > 0.0 {
                    cr.requests_per_second / client_rps
                } else {
                    0.0
                };
                request_mix.0.mix(&sampled.global, region_weight);
                request_mix.1.mix(&sampled.single, region_weight);
                if let Some(failing) = sampled.failing {
                    request_failing.add(failing, region_weight);
                }
                mixes.add(
                    cr.region,
                    &sampled,
                    cr.requests_per_second * share,
                    total_traffic,
                );
            }
            mixes_for_cost.push(cost::RequestMix {
                requests_per_second: client.requests_per_second.max(0.0) * share,
                paths: found.paths.clone(),
            });
            requests.push(RequestReport {
                client: (*client_id).to_owned(),
                name: sample.name.clone(),
                method: sample.method.as_str().to_owned(),
                path: sample.path.clone(),
                expect_status: sample.expect_status,
                share: (share * 10_000.0).round() / 10_000.0,
                paths: found.paths,
                latency: Comparison::new(
                    latency::percentiles(access, &request_mix.0),
                    latency::percentiles(access, &request_mix.1),
                ),
                failing: run.failing.map(|_| request_failing.share()),
                regions: per_region,
            });
        }
    }

    let has_failure = run.failing.is_some();
    let regions = region_reports(&mixes, &traffic_by_region, total_rps, access, has_failure);
    let overall = Comparison::new(
        latency::percentiles(access, &mixes.overall.0),
        latency::percentiles(access, &mixes.overall.1),
    );

    let cost = cost::estimate(tables, &mixes_for_cost, &resolved_ratios(&resolved));

    let (sources, unverified) = sources(tables, &placement);
    let mut assumptions = assumptions(design, tables, checked.hit_ratio, checked.kv_hit_ratio);
    assumptions.extend(options.failure.as_ref().map(failure::assumption));

    Ok(SimulationReport {
        design: design.name.clone(),
        options: options.clone(),
        placement,
        regions,
        overall,
        failing: has_failure.then(|| mixes.overall.2.share()),
        requests,
        cost,
        assumptions,
        sources,
        unverified,
        warnings,
    })
}

/// Where every store and placed Worker is for this run (the simulator's and the emulation's
/// one placement).
fn place(
    design: &Design,
    options: &WhatIf,
    tables: &Tables,
    (single, hit_ratio): (usize, f64),
    (busiest, traffic_by_region): (usize, &BTreeMap<usize, f64>),
    warnings: &mut Vec<String>,
) -> (Resolved, Placement) {
    let mut resolved = Resolved::default();
    let mut placement = Placement::empty(REGIONS[single]);
    for node in &design.nodes {
        let mut placing = Placing {
            options,
            tables,
            busiest,
            traffic_by_region,
            hit_ratio,
            warnings,
            resolved: &mut resolved,
            placement: &mut placement,
        };
        crate::kinds::of(&node.kind).place(node, &mut placing);
    }
    smart::place_workers(
        design,
        options.smart_placement,
        &mut resolved,
        &mut placement,
        warnings,
    );
    (resolved, placement)
}

/// The published figures the report used, and a line for each that was not read on its own
/// page.
fn sources(tables: &Tables, placement: &Placement) -> (Vec<Source>, Vec<String>) {
    let mut used_sources = vec![
        "rtt-table",
        "client-to-edge",
        "intra-region",
        "cf-workers-pricing",
        "cf-kv-pricing",
        "cf-d1-pricing",
        "cf-hyperdrive-pricing",
        "aws-lambda-pricing",
        "aws-api-gateway-pricing",
    ];
    if !placement.d1.is_empty() {
        used_sources.push("d1-locations");
    }
    if !placement.hyperdrive.is_empty() {
        used_sources.push("hyperdrive-caching");
    }
    let sources: Vec<Source> = tables
        .sources
        .values()
        .filter(|s| used_sources.contains(&s.id.as_str()))
        .cloned()
        .collect();
    let unverified = sources
        .iter()
        .filter(|s| !s.verified)
        .map(|s| {
            let used_for = match s.id.as_str() {
                "client-to-edge" => "the client-to-edge leg of every latency",
                "aws-lambda-pricing" => "the AWS Lambda lines of the cost baseline",
                _ => "this report",
            };
            let how = if s.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", s.note)
            };
            format!(
                "{}: not read on {} itself{how}; used for {used_for}",
                s.what, s.url
            )
        })
        .collect();

    (sources, unverified)
}

/// The network time of one request path from a client in `client`: the way in (single
/// region: the round trip from the client's edge to that region) plus each hop's leg, as
/// its kind says, from where its Worker runs (see [`smart`]).
fn network_time(
    tables: &Tables,
    resolved: &Resolved,
    path: &RequestPath,
    client: usize,
    mode: Mode,
) -> Discrete {
    let start = match mode {
        Mode::Global => 0.0,
        Mode::SingleRegion(r) if r == client => 0.0,
        Mode::SingleRegion(r) => tables.rtt_ms(client, r),
    };
    let mut total = Discrete::constant(start);
    let mut locations = smart::Locations::new(client);
    for hop in &path.hops {
        let (from, way) = locations.enter(hop, mode, tables, resolved);
        if let Some(ms) = way {
            total = total.add(&[(ms, 1.0)]);
        }
        if let Some(leg) = crate::kinds::def(hop.kind()).leg(hop, from, mode, tables, resolved) {
            total = total.add(&leg);
        }
    }
    total
}

/// Latency, traffic and (with a failure what-if) the failing share per client region.
fn region_reports(
    mixes: &Mixes,
    traffic_by_region: &BTreeMap<usize, f64>,
    total_rps: f64,
    access: Access,
    has_failure: bool,
) -> Vec<RegionReport> {
    let total_traffic: f64 = traffic_by_region.values().sum();
    mixes
        .regions
        .iter()
        .map(|(&region, (global, single_mix, failing))| RegionReport {
            region: REGIONS[region].to_owned(),
            traffic_share: if total_traffic > 0.0 {
                (traffic_by_region.get(&region).copied().unwrap_or(0.0) / total_traffic * 10_000.0)
                    .round()
                    / 10_000.0
            } else {
                0.0
            },
            requests_per_second: if total_rps > 0.0 {
                traffic_by_region.get(&region).copied().unwrap_or(0.0)
            } else {
                0.0
            },
            latency: Comparison::new(
                latency::percentiles(access, global),
                latency::percentiles(access, single_mix),
            ),
            failing: has_failure.then(|| failing.share()),
        })
        .collect()
}

fn resolved_ratios(resolved: &Resolved) -> BTreeMap<String, f64> {
    resolved
        .hyperdrive
        .iter()
        .map(|(id, (_, ratio))| (id.clone(), *ratio))
        .collect()
}

#[cfg(test)]
mod failure_tests;
#[cfg(test)]
mod tests;
