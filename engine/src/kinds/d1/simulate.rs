//! A D1 database in the simulator: its primary's region (location hint, or near the busiest
//! clients), read replication, and a query's round trip to the primary or, for a read with
//! replication on, to the nearest replica.

use crate::model::{Node, NodeKind};
use crate::simulate::data::{self, Tables};
use crate::simulate::paths::Hop;
use crate::simulate::{
    D1Placement, DEFAULT_SINGLE_REGION, KindHop, Mode, Placing, REGIONS, Resolved, ResolvedD1,
};

impl KindHop for super::Def {
    fn place(&self, node: &Node, at: &mut Placing<'_>) {
        let NodeKind::D1(d1) = &node.kind else {
            return;
        };
        let hint = at
            .options
            .d1_primary
            .clone()
            .or_else(|| d1.location_hint.clone());
        let (hint, automatic) = match hint {
            Some(h) if data::hint_region(&h).is_some() => (h.to_ascii_lowercase(), false),
            Some(h) => {
                at.warnings.push(format!(
                    "D1 `{}`: unknown location hint `{h}`; placed automatically",
                    node.id
                ));
                (at.tables.nearest_hint(at.busiest).0.to_owned(), true)
            }
            None => (at.tables.nearest_hint(at.busiest).0.to_owned(), true),
        };
        let primary_name = data::hint_region(&hint).unwrap_or(DEFAULT_SINGLE_REGION);
        let primary = Tables::region_index(primary_name).unwrap_or(0);
        let replication = at.options.read_replication.unwrap_or(d1.read_replication);
        let read_from = at
            .traffic_by_region
            .keys()
            .map(|&r| {
                let from = if replication {
                    at.tables.nearest_hint(r).0.to_owned()
                } else {
                    hint.clone()
                };
                (REGIONS[r].to_owned(), from)
            })
            .collect();
        at.resolved.d1.insert(
            node.id.clone(),
            ResolvedD1 {
                primary,
                replication,
            },
        );
        at.placement.d1.push(D1Placement {
            node: node.id.clone(),
            primary_hint: hint,
            primary_region: primary_name.to_owned(),
            automatic,
            read_replication: replication,
            read_from,
        });
    }

    fn leg(
        &self,
        hop: &Hop,
        client: usize,
        mode: Mode,
        tables: &Tables,
        resolved: &Resolved,
    ) -> Option<Vec<(f64, f64)>> {
        let Hop::D1 {
            node, read_only, ..
        } = hop
        else {
            return None;
        };
        let d1 = resolved.d1.get(node)?;
        let ms = match mode {
            Mode::SingleRegion(r) => tables.rtt_ms(r, r),
            Mode::Global if *read_only && d1.replication => {
                tables.rtt_ms(client, tables.nearest_hint(client).1)
            }
            Mode::Global => tables.rtt_ms(client, d1.primary),
        };
        Some(vec![(ms, 1.0)])
    }

    /// The primary, or for a read with replication on the replica nearest the querying
    /// Worker; the one region in the single-region design.
    fn served_in(
        &self,
        hop: &Hop,
        from: usize,
        mode: Mode,
        tables: &Tables,
        resolved: &Resolved,
    ) -> Vec<(Vec<usize>, f64)> {
        let Hop::D1 {
            node, read_only, ..
        } = hop
        else {
            return Vec::new();
        };
        let Some(d1) = resolved.d1.get(node) else {
            return Vec::new();
        };
        let region = match mode {
            Mode::SingleRegion(r) => r,
            Mode::Global if *read_only && d1.replication => tables.nearest_hint(from).1,
            Mode::Global => d1.primary,
        };
        vec![(vec![region], 1.0)]
    }
}
