//! A report as a map: where the data and placed Workers are ([`Site`]), and, per client
//! region, the regions its requests travel to beyond their edge ([`Flow`]), for the global
//! design or the single-region one. The app draws it; this module only reads the report.
//!
//! Global design: a request is served at the edge next to its client and travels to a D1
//! primary (writes, or reads without replication), to the replica its region reads from (when
//! it is in another region), to a Hyperdrive origin (writes and cache misses), or to the region
//! Smart Placement runs a Worker in. Single region: every request travels to that region.
//! A flow's share is the part of the region's requests that make the trip (scenario requests
//! weighted by their share of their Client's traffic).

use std::collections::BTreeMap;

use serde::Serialize;

use super::data::hint_region;
use super::paths::{Hop, RequestPath};
use super::{Failure, SimulationReport};

/// Which design the map shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MapLayout {
    Global,
    SingleRegion,
}

/// What sits in a region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum SiteKind {
    D1Primary,
    D1Replica,
    HyperdriveOrigin,
    /// A Worker that Smart Placement runs away from the client.
    PlacedWorker,
    /// Everything, in the single-region design.
    SingleRegion,
}

/// A node's place on the map.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Site {
    pub kind: SiteKind,
    /// The node (empty for [`SiteKind::SingleRegion`]).
    pub node: String,
    pub region: String,
}

/// The requests of one client region that travel to another region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flow {
    pub from: String,
    pub to: String,
    /// Share of the client region's requests that make this trip (0 to 1).
    pub share: f64,
    /// What they go there for (`app-db primary`, `orders-db origin`), sorted.
    pub why: Vec<String>,
}

/// Everything the map shows besides the client regions themselves.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MapView {
    pub sites: Vec<Site>,
    pub flows: Vec<Flow>,
    /// With a failure what-if: the regions where the failing node fails.
    pub failing_regions: Vec<String>,
}

/// The map of `report` for `layout`.
pub fn map_view(report: &SimulationReport, layout: MapLayout) -> MapView {
    let single = report.placement.single_region.clone();
    let mut view = MapView::default();
    match layout {
        MapLayout::SingleRegion => {
            view.sites.push(Site {
                kind: SiteKind::SingleRegion,
                node: String::new(),
                region: single.clone(),
            });
            for region in &report.regions {
                if region.region != single {
                    view.flows.push(Flow {
                        from: region.region.clone(),
                        to: single.clone(),
                        share: 1.0,
                        why: vec!["everything".to_owned()],
                    });
                }
            }
        }
        MapLayout::Global => {
            view.sites = sites(report);
            view.flows = flows(report);
        }
    }
    view.failing_regions = report
        .options
        .failure
        .as_ref()
        .map(|f| failing_regions(report, f, layout, &view.sites))
        .unwrap_or_default();
    view
}

fn sites(report: &SimulationReport) -> Vec<Site> {
    let mut sites = Vec::new();
    let mut add = |kind, node: &str, region: &str| {
        let site = Site {
            kind,
            node: node.to_owned(),
            region: region.to_owned(),
        };
        if !sites.contains(&site) {
            sites.push(site);
        }
    };
    for d1 in &report.placement.d1 {
        add(SiteKind::D1Primary, &d1.node, &d1.primary_region);
        if d1.read_replication {
            for hint in d1.read_from.values() {
                if let Some(region) = hint_region(hint).filter(|r| *r != d1.primary_region) {
                    add(SiteKind::D1Replica, &d1.node, region);
                }
            }
        }
    }
    for hd in &report.placement.hyperdrive {
        add(SiteKind::HyperdriveOrigin, &hd.node, &hd.origin_region);
    }
    for worker in &report.placement.workers {
        add(SiteKind::PlacedWorker, &worker.node, &worker.region);
    }
    sites.sort_by(|a, b| (a.kind, &a.node, &a.region).cmp(&(b.kind, &b.node, &b.region)));
    sites
}

/// Where one path from `client` travels: destination region -> (chance, reasons).
fn destinations(
    report: &SimulationReport,
    path: &RequestPath,
    client: &str,
) -> BTreeMap<String, (f64, Vec<String>)> {
    let placed = |worker: &str| {
        report
            .placement
            .workers
            .iter()
            .find(|w| w.node == worker)
            .map(|w| w.region.clone())
    };
    let mut out: BTreeMap<String, (f64, Vec<String>)> = BTreeMap::new();
    let mut reach = |region: String, chance: f64, why: String| {
        if region == client || chance <= 0.0 {
            return;
        }
        let entry = out.entry(region).or_insert((0.0, Vec::new()));
        entry.0 = 1.0 - (1.0 - entry.0) * (1.0 - chance);
        if !entry.1.contains(&why) {
            entry.1.push(why);
        }
    };
    for hop in &path.hops {
        match hop {
            Hop::Worker { node, .. } => {
                if let Some(region) = placed(node) {
                    reach(region, 1.0, format!("{node} (Smart Placement)"));
                }
            }
            Hop::D1 {
                node,
                read_only,
                by,
                ..
            } => {
                let Some(d1) = report.placement.d1.iter().find(|d| d.node == *node) else {
                    continue;
                };
                if let Some(region) = placed(by) {
                    reach(region, 1.0, format!("{by} (Smart Placement)"));
                } else if *read_only && d1.read_replication {
                    let hint = d1.read_from.get(client).map_or("", String::as_str);
                    if let Some(region) = hint_region(hint) {
                        reach(region.to_owned(), 1.0, format!("{node} replica"));
                    }
                } else {
                    reach(d1.primary_region.clone(), 1.0, format!("{node} primary"));
                }
            }
            Hop::Hyperdrive {
                node,
                read_only,
                by,
            } => {
                let Some(hd) = report.placement.hyperdrive.iter().find(|h| h.node == *node) else {
                    continue;
                };
                if let Some(region) = placed(by) {
                    reach(region, 1.0, format!("{by} (Smart Placement)"));
                } else {
                    let miss = if *read_only {
                        1.0 - hd.cache_hit_ratio
                    } else {
                        1.0
                    };
                    reach(hd.origin_region.clone(), miss, format!("{node} origin"));
                }
            }
            _ => {}
        }
    }
    out
}

fn flows(report: &SimulationReport) -> Vec<Flow> {
    // (from, to) -> (weighted share, reasons); from -> total weight.
    let mut trips: BTreeMap<(String, String), (f64, Vec<String>)> = BTreeMap::new();
    let mut totals: BTreeMap<String, f64> = BTreeMap::new();
    for request in &report.requests {
        for region in &request.regions {
            let from = &region.region;
            *totals.entry(from.clone()).or_default() += request.share;
            for path in &request.paths {
                for (to, (chance, why)) in destinations(report, path, from) {
                    let entry = trips.entry((from.clone(), to)).or_insert((0.0, Vec::new()));
                    entry.0 += request.share * path.weight * chance;
                    for reason in why {
                        if !entry.1.contains(&reason) {
                            entry.1.push(reason);
                        }
                    }
                }
            }
        }
    }
    trips
        .into_iter()
        .map(|((from, to), (weight, mut why))| {
            let total = totals.get(&from).copied().unwrap_or(0.0);
            why.sort();
            Flow {
                share: if total > 0.0 {
                    ((weight / total).min(1.0) * 10_000.0).round() / 10_000.0
                } else {
                    0.0
                },
                from,
                to,
                why,
            }
        })
        .filter(|f| f.share > 0.0)
        .collect()
}

/// Where the failing node fails: its region, or everywhere it is (its sites; a Worker,
/// gateway or KV namespace at every client region's edge).
fn failing_regions(
    report: &SimulationReport,
    failure: &Failure,
    layout: MapLayout,
    sites: &[Site],
) -> Vec<String> {
    if let Some(region) = &failure.region {
        return vec![hint_region(region).unwrap_or(region).to_owned()];
    }
    if layout == MapLayout::SingleRegion {
        return vec![report.placement.single_region.clone()];
    }
    let mut regions: Vec<String> = sites
        .iter()
        .filter(|s| s.node == failure.node)
        .map(|s| s.region.clone())
        .collect();
    if regions.is_empty() {
        regions.extend(report.regions.iter().map(|r| r.region.clone()));
    }
    regions.sort();
    regions.dedup();
    regions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format;
    use crate::simulate::{WhatIf, simulate};

    fn reference() -> SimulationReport {
        let design =
            format::parse(include_str!("../../../examples/global-api.ron")).expect("parses");
        simulate(&design, &WhatIf::default()).expect("simulates")
    }

    #[test]
    fn the_global_map_has_the_primary_replicas_origin_and_trips_to_them() {
        let report = reference();
        let view = map_view(&report, MapLayout::Global);
        let site = |kind, region: &str| {
            view.sites
                .iter()
                .any(|s| s.kind == kind && s.region == region)
        };
        assert!(site(SiteKind::D1Primary, "eu-west"));
        assert!(site(SiteKind::D1Replica, "us-east"));
        assert!(site(SiteKind::D1Replica, "ap-southeast"));
        assert!(site(SiteKind::HyperdriveOrigin, "us-east"));
        // Clients in ap-southeast write to the primary in eu-west and miss the cache in us-east.
        let flow = |from: &str, to: &str| {
            view.flows
                .iter()
                .find(|f| f.from == from && f.to == to)
                .cloned()
        };
        let to_primary = flow("ap-southeast", "eu-west").expect("a trip to the primary");
        assert_eq!(to_primary.why, ["app-db primary"]);
        assert!(to_primary.share > 0.0 && to_primary.share < 0.5);
        let to_origin = flow("ap-southeast", "us-east").expect("a trip to the origin");
        assert_eq!(to_origin.why, ["orders-db origin"]);
        // Nobody travels to their own region.
        assert!(view.flows.iter().all(|f| f.from != f.to));
        assert!(view.failing_regions.is_empty());
    }

    #[test]
    fn the_single_region_map_sends_everyone_there_and_marks_failures() {
        let design =
            format::parse(include_str!("../../../examples/global-api.ron")).expect("parses");
        let what_if = WhatIf {
            failure: Some(Failure {
                node: "app-db".to_owned(),
                region: Some("weur".to_owned()),
            }),
            ..WhatIf::default()
        };
        let report = simulate(&design, &what_if).expect("simulates");
        let view = map_view(&report, MapLayout::SingleRegion);
        assert_eq!(view.sites.len(), 1);
        assert_eq!(view.sites[0].region, "us-east");
        assert_eq!(view.flows.len(), 2);
        assert!(
            view.flows
                .iter()
                .all(|f| f.to == "us-east" && (f.share - 1.0).abs() < 1e-9)
        );
        assert_eq!(view.failing_regions, ["eu-west"]);
        let everywhere = WhatIf {
            failure: Some(Failure {
                node: "gateway".to_owned(),
                region: None,
            }),
            ..WhatIf::default()
        };
        let report = simulate(&design, &everywhere).expect("simulates");
        let view = map_view(&report, MapLayout::Global);
        assert_eq!(view.failing_regions, ["ap-southeast", "eu-west", "us-east"]);
    }
}
