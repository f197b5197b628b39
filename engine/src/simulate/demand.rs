//! Who calls the design: the Clients with regions, their traffic per region, the busiest
//! region, and the entry each Client's requests go to.

use std::collections::BTreeMap;

use super::{REGIONS, SimulateError, Tables};
use crate::model::{Design, NodeKind};

/// One client's traffic from one region.
pub(super) struct ClientRegion {
    pub region: usize,
    pub requests_per_second: f64,
}

/// The Clients with regions, their traffic per region, and the busiest region.
pub(super) struct Demand<'d> {
    pub clients: Vec<(&'d str, &'d crate::model::Client)>,
    pub client_regions: BTreeMap<&'d str, Vec<ClientRegion>>,
    pub traffic_by_region: BTreeMap<usize, f64>,
    pub busiest: usize,
    pub total_rps: f64,
}

pub(super) fn traffic<'d>(
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

/// The entry a Client's requests go to: the first Gateway or Worker it is wired to.
pub(super) fn client_entry<'d>(
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
