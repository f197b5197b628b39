//! The failure what-if: a node failing in one region or everywhere, and the share of requests
//! that fail because of it, per client region, global against single region.
//!
//! # What fails
//! Every hop of a request path is *served* somewhere ([`super::KindHop::served_in`]). A node
//! failing *everywhere* fails every hop to it. A node failing in region R fails the hops to it
//! that are served in R; a request fails when any of its hops fails (the first failure ends
//! it). Per kind, in the global design:
//! - Gateway and Worker: served where the Worker runs: the edge next to the client, or the
//!   region Smart Placement moves it to. A gateway failing in `eu-west` fails the requests of
//!   clients in `eu-west` only.
//! - KV: served by the edge next to the client (hot keys are read there; writes are accepted
//!   there). A KV namespace failing in R fails the KV operations of clients in R.
//! - D1: a query is served by the primary, or, for a read with read replication on, by the
//!   replica in the location-hint region nearest to the querying Worker. The primary in
//!   `weur` failing (region `eu-west`) fails every write from everywhere, and the reads of the
//!   clients whose nearest replica is `weur`. No failover to another replica is modelled.
//! - Hyperdrive: a query is served by Hyperdrive next to the querying Worker (where its cache
//!   is) and, unless it is a cache hit, by the origin database (through the pool near it).
//!   Failing in the origin's region is the origin going down: writes and cache misses fail,
//!   cache hits are still answered. Failing in another region R fails every query made in R.
//!
//! In the single-region design everything is served in that one region: a failure there fails
//! every request that reaches the node, a failure elsewhere fails nothing.
//!
//! Latency is unchanged by the what-if: the percentiles are those of the design as if every
//! request succeeded, and the failing share says how many do not.

use serde::{Deserialize, Serialize};

use super::data::{self, Tables};
use super::paths::RequestPath;
use super::{Mode, Resolved, SimulateError, smart};
use crate::model::Design;

/// A node failing in one region or everywhere (what-if only: the design is unchanged).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The failing node's id (a Gateway, Worker, KV namespace, D1 database or Hyperdrive).
    pub node: String,
    /// The region whose part of the node fails (a region, or a D1 location hint such as
    /// `weur`); `None`: the node fails everywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl Failure {
    /// `NODE` (everywhere) or `NODE@REGION`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (node, region) = match text.split_once('@') {
            Some((node, region)) => (node, Some(region)),
            None => (text, None),
        };
        if node.is_empty() || region.is_some_and(str::is_empty) {
            return Err(format!(
                "`{text}` is not NODE or NODE@REGION (e.g. app-db@eu-west, or gateway for everywhere)"
            ));
        }
        Ok(Self {
            node: node.to_owned(),
            region: region.map(str::to_owned),
        })
    }

    /// How reports name it: `app-db failing in eu-west`, `gateway failing everywhere`.
    pub fn describe(&self) -> String {
        match &self.region {
            Some(region) => format!("`{}` failing in {region}", self.node),
            None => format!("`{}` failing everywhere", self.node),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.region {
            Some(region) => write!(f, "{}@{region}", self.node),
            None => f.write_str(&self.node),
        }
    }
}

/// The share of requests (0 to 1, weighted by the scenario's mix) that fail, in the global
/// design and in the single-region one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct FailingShare {
    pub global: f64,
    pub single_region: f64,
}

impl FailingShare {
    /// Shares rounded to 4 decimals (0.01%), free of float noise.
    pub(super) fn rounded(self) -> Self {
        let r = |x: f64| (x.clamp(0.0, 1.0) * 10_000.0).round() / 10_000.0;
        Self {
            global: r(self.global),
            single_region: r(self.single_region),
        }
    }
}

/// A checked failure: the node, and the failing region's index (`None`: everywhere).
pub(super) struct Failing {
    pub node: String,
    pub region: Option<usize>,
}

/// Checks a failure what-if against the design: the node exists and can fail, the region is
/// a region or a D1 location hint.
pub(super) fn check(design: &Design, failure: &Failure) -> Result<Failing, SimulateError> {
    let can_fail = |kind: crate::model::Kind| kind.is_worker() || kind.is_store();
    let choices = || {
        let mut ids: Vec<&str> = design
            .nodes
            .iter()
            .filter(|n| can_fail(n.kind.kind()))
            .map(|n| n.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.join(", ")
    };
    match design.node(&failure.node) {
        None => {
            return Err(SimulateError::UnknownFailingNode {
                node: failure.node.clone(),
                choices: choices(),
            });
        }
        Some(node) if !can_fail(node.kind.kind()) => {
            return Err(SimulateError::CannotFail {
                node: failure.node.clone(),
                choices: choices(),
            });
        }
        Some(_) => {}
    }
    let region = match &failure.region {
        None => None,
        Some(name) => {
            let name = data::hint_region(name).unwrap_or(name);
            Some(super::region_of("the failing region", name)?)
        }
    };
    Ok(Failing {
        node: failure.node.clone(),
        region,
    })
}

/// The chance that a request taking `path` from a client in `client` fails.
pub(super) fn path_fails(
    failing: &Failing,
    tables: &Tables,
    resolved: &Resolved,
    path: &RequestPath,
    client: usize,
    mode: Mode,
) -> f64 {
    let mut survives = 1.0;
    let mut locations = smart::Locations::new(client);
    for hop in &path.hops {
        let (from, _) = locations.enter(hop, mode, tables, resolved);
        if hop.node() != failing.node {
            continue;
        }
        let fails: f64 = crate::kinds::def(hop.kind())
            .served_in(hop, from, mode, tables, resolved)
            .iter()
            .filter(|(regions, _)| failing.region.is_none_or(|r| regions.contains(&r)))
            .map(|(_, chance)| chance)
            .sum();
        survives *= 1.0 - fails.clamp(0.0, 1.0);
    }
    1.0 - survives
}

/// The assumption a report with a failure what-if states.
pub(super) fn assumption(failure: &Failure) -> super::Assumption {
    super::Assumption {
        name: "failure what-if".to_owned(),
        value: format!(
            "{}: a request fails when one of its hops to it is served {}",
            failure.describe(),
            failure
                .region
                .as_ref()
                .map_or_else(|| "anywhere".to_owned(), |r| format!("in {r}"))
        ),
        why: "Workers, gateways and KV serve from the edge next to the client (or where Smart \
            Placement runs the Worker); D1 from its primary, or a read with replication from the \
            nearest replica (no failover); Hyperdrive next to the querying Worker and, unless a \
            cache hit, at the origin; latency is shown as if every request succeeded"
            .to_owned(),
    }
}

/// Failing shares added up over weighted traffic.
#[derive(Clone, Copy, Default)]
pub(super) struct Tally {
    failing: FailingShare,
    weight: f64,
}

impl Tally {
    pub(super) fn add(&mut self, share: FailingShare, weight: f64) {
        self.failing.global += share.global * weight;
        self.failing.single_region += share.single_region * weight;
        self.weight += weight;
    }

    /// The weighted mean, rounded.
    pub(super) fn share(self) -> FailingShare {
        if self.weight > 0.0 {
            FailingShare {
                global: self.failing.global / self.weight,
                single_region: self.failing.single_region / self.weight,
            }
            .rounded()
        } else {
            FailingShare::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_parse_with_or_without_a_region() {
        assert_eq!(
            Failure::parse("app-db@weur"),
            Ok(Failure {
                node: "app-db".to_owned(),
                region: Some("weur".to_owned()),
            })
        );
        let everywhere = Failure::parse("gateway").expect("parses");
        assert_eq!(everywhere.region, None);
        assert_eq!(everywhere.to_string(), "gateway");
        assert_eq!(everywhere.describe(), "`gateway` failing everywhere");
        assert!(Failure::parse("@eu-west").is_err());
        assert!(Failure::parse("db@").is_err());
    }
}
