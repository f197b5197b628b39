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
mod emulate;
mod kind;
pub mod latency;
pub mod paths;
mod report;
mod smart;
mod text;

use std::collections::BTreeMap;

use crate::model::{Design, NodeKind};
pub use cost::CostReport;
pub use data::{REGIONS, Source, Tables};
pub use emulate::{Geography, Layout};
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

/// One client's traffic from one region.
struct ClientRegion {
    region: usize,
    requests_per_second: f64,
}

/// The what-if options, checked: the single region's index and the two hit ratios.
fn checked_options(options: &WhatIf) -> Result<(usize, f64, f64), SimulateError> {
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
    Ok((single, hit_ratio, kv_hit_ratio))
}

fn region_of(what: &'static str, name: &str) -> Result<usize, SimulateError> {
    Tables::region_index(name).ok_or_else(|| SimulateError::UnknownRegion {
        what,
        value: name.to_owned(),
    })
}

/// Simulate a design: latency per region and request, global vs single region, and cost.
pub fn simulate(design: &Design, options: &WhatIf) -> Result<SimulationReport, SimulateError> {
    let tables = Tables::embedded().map_err(SimulateError::Data)?;
    let (single, hit_ratio, kv_hit_ratio) = checked_options(options)?;
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
        (single, hit_ratio),
        (busiest, &traffic_by_region),
        &mut warnings,
    );

    let access = Access::from_median_p95(
        tables.client_to_edge.median_ms,
        tables.client_to_edge.p95_ms,
    );
    let backbone = |path: &RequestPath, client: usize, mode: Mode| {
        network_time(tables, &resolved, path, client, mode)
    };

    // Requests.
    let mut requests = Vec::new();
    let mut region_mix: BTreeMap<usize, (Discrete, Discrete, f64)> = BTreeMap::new();
    let mut overall_mix = (Discrete::default(), Discrete::default());
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
            let found = paths::request_paths(design, entry, sample, kv_hit_ratio);
            for warning in found.warnings {
                if !warnings.contains(&warning) {
                    warnings.push(warning);
                }
            }
            let mut per_region = Vec::new();
            let mut request_mix = (Discrete::default(), Discrete::default());
            for cr in regions {
                let mut global = Discrete::default();
                let mut single_mix = Discrete::default();
                for path in &found.paths {
                    global.mix(&backbone(path, cr.region, Mode::Global), path.weight);
                    single_mix.mix(
                        &backbone(path, cr.region, Mode::SingleRegion(single)),
                        path.weight,
                    );
                }
                per_region.push(RequestRegion {
                    region: REGIONS[cr.region].to_owned(),
                    latency: Comparison::new(
                        latency::percentiles(access, &global),
                        latency::percentiles(access, &single_mix),
                    ),
                });
                let region_weight = if client_rps > 0.0 {
                    cr.requests_per_second / client_rps
                } else {
                    0.0
                };
                request_mix.0.mix(&global, region_weight);
                request_mix.1.mix(&single_mix, region_weight);
                let traffic_weight = cr.requests_per_second * share;
                let entry = region_mix.entry(cr.region).or_default();
                entry.0.mix(&global, traffic_weight);
                entry.1.mix(&single_mix, traffic_weight);
                entry.2 += traffic_weight;
                if total_traffic > 0.0 {
                    overall_mix.0.mix(&global, traffic_weight / total_traffic);
                    overall_mix
                        .1
                        .mix(&single_mix, traffic_weight / total_traffic);
                }
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
                regions: per_region,
            });
        }
    }

    let regions = region_reports(&region_mix, &traffic_by_region, total_rps, access);
    let overall = Comparison::new(
        latency::percentiles(access, &overall_mix.0),
        latency::percentiles(access, &overall_mix.1),
    );

    let cost = cost::estimate(tables, &mixes_for_cost, &resolved_ratios(&resolved));

    let (sources, unverified) = sources(tables, &placement);

    Ok(SimulationReport {
        design: design.name.clone(),
        options: options.clone(),
        placement,
        regions,
        overall,
        requests,
        cost,
        assumptions: assumptions(design, tables, hit_ratio, kv_hit_ratio),
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

/// The Clients with regions, their traffic per region, and the busiest region.
struct Demand<'d> {
    clients: Vec<(&'d str, &'d crate::model::Client)>,
    client_regions: BTreeMap<&'d str, Vec<ClientRegion>>,
    traffic_by_region: BTreeMap<usize, f64>,
    busiest: usize,
    total_rps: f64,
}

fn traffic<'d>(
    design: &'d Design,
    warnings: &mut Vec<String>,
) -> Result<Demand<'d>, SimulateError> {
    let clients: Vec<(&str, &crate::model::Client)> = design
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Client(c) if !c.regions.is_empty() => Some((n.id.as_str(), c)),
            _ => None,
        })
        .collect();
    if clients.is_empty() {
        return Err(SimulateError::NoClient);
    }
    let total_rps: f64 = clients.iter().map(|(_, c)| c.requests_per_second).sum();
    let mut client_regions: BTreeMap<&str, Vec<ClientRegion>> = BTreeMap::new();
    for (id, client) in &clients {
        let share_total: f64 = client.regions.values().filter(|s| **s > 0.0).sum();
        let rps = if total_rps > 0.0 {
            client.requests_per_second
        } else {
            1.0
        };
        let mut list = Vec::new();
        for (name, share) in &client.regions {
            let Some(region) = Tables::region_index(name) else {
                warnings.push(format!(
                    "client `{id}`: unknown region `{name}` is left out; regions are: {}",
                    REGIONS.join(", ")
                ));
                continue;
            };
            if *share > 0.0 && share_total > 0.0 {
                list.push(ClientRegion {
                    region,
                    requests_per_second: rps * share / share_total,
                });
            }
        }
        list.sort_by_key(|cr| cr.region);
        client_regions.insert(id, list);
    }
    let traffic_by_region = {
        let mut traffic: BTreeMap<usize, f64> = BTreeMap::new();
        for list in client_regions.values() {
            for cr in list {
                *traffic.entry(cr.region).or_default() += cr.requests_per_second;
            }
        }
        traffic
    };
    let busiest = traffic_by_region
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
        .map_or(0, |(r, _)| *r);

    Ok(Demand {
        clients,
        client_regions,
        traffic_by_region,
        busiest,
        total_rps,
    })
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

/// Latency and traffic per client region.
fn region_reports(
    region_mix: &BTreeMap<usize, (Discrete, Discrete, f64)>,
    traffic_by_region: &BTreeMap<usize, f64>,
    total_rps: f64,
    access: Access,
) -> Vec<RegionReport> {
    let total_traffic: f64 = traffic_by_region.values().sum();
    region_mix
        .iter()
        .map(|(&region, (global, single_mix, _))| RegionReport {
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
        })
        .collect()
}

/// The entry a Client's requests go to: the first Gateway or Worker it is wired to.
fn client_entry<'d>(
    design: &'d Design,
    client_id: &'d str,
    warnings: &mut Vec<String>,
) -> Option<&'d str> {
    let entries: Vec<&str> = design
        .wires_from(client_id)
        .filter(|w| {
            design
                .node(&w.to)
                .is_some_and(|n| n.kind.kind().is_worker())
        })
        .map(|w| w.to.as_str())
        .collect();
    let Some(&entry) = entries.first() else {
        warnings.push(format!(
            "client `{client_id}` is not wired to a Gateway or Worker; its requests are left out"
        ));
        return None;
    };
    if entries.len() > 1 {
        warnings.push(format!(
            "client `{client_id}` is wired to several entries; requests go to `{entry}`"
        ));
    }
    Some(entry)
}

fn resolved_ratios(resolved: &Resolved) -> BTreeMap<String, f64> {
    resolved
        .hyperdrive
        .iter()
        .map(|(id, (_, ratio))| (id.clone(), *ratio))
        .collect()
}

#[cfg(test)]
mod tests;
