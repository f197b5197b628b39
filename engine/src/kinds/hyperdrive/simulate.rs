//! Hyperdrive in the simulator: its origin's region and cache, and a query's round trip to
//! the origin (connections are pooled near it), or a cache hit at the edge for a read-only
//! query.

use crate::model::{Node, NodeKind};
use crate::simulate::data::Tables;
use crate::simulate::paths::Hop;
use crate::simulate::{
    DEFAULT_SINGLE_REGION, HyperdrivePlacement, KindHop, Mode, Placing, REGIONS, Resolved,
};

impl KindHop for super::Def {
    fn place(&self, node: &Node, at: &mut Placing<'_>) {
        let NodeKind::Hyperdrive(hd) = &node.kind else {
            return;
        };
        let origin_name = at
            .options
            .origin_region
            .clone()
            .unwrap_or_else(|| hd.origin_region.clone());
        let origin = if let Some(origin) = Tables::region_index(&origin_name) {
            origin
        } else {
            at.warnings.push(format!(
                "Hyperdrive `{}`: unknown origin region `{origin_name}`; {DEFAULT_SINGLE_REGION} is used",
                node.id
            ));
            Tables::region_index(DEFAULT_SINGLE_REGION).unwrap_or(0)
        };
        let cache = at.options.hyperdrive_cache.unwrap_or(hd.caching.enabled);
        let ratio = if cache { at.hit_ratio } else { 0.0 };
        at.resolved
            .hyperdrive
            .insert(node.id.clone(), (origin, ratio));
        at.placement.hyperdrive.push(HyperdrivePlacement {
            node: node.id.clone(),
            origin_region: REGIONS[origin].to_owned(),
            cache,
            cache_hit_ratio: ratio,
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
        let Hop::Hyperdrive {
            node, read_only, ..
        } = hop
        else {
            return None;
        };
        let &(origin, ratio) = resolved.hyperdrive.get(node)?;
        let miss = match mode {
            Mode::SingleRegion(r) => tables.rtt_ms(r, r),
            Mode::Global => tables.rtt_ms(client, origin),
        };
        if *read_only && ratio > 0.0 {
            Some(vec![(0.0, ratio), (miss, 1.0 - ratio)])
        } else {
            Some(vec![(miss, 1.0)])
        }
    }

    /// Hyperdrive next to the querying Worker (its cache), and the origin unless the query is
    /// a cache hit; the one region in the single-region design.
    fn served_in(
        &self,
        hop: &Hop,
        from: usize,
        mode: Mode,
        _tables: &Tables,
        resolved: &Resolved,
    ) -> Vec<(Vec<usize>, f64)> {
        let Hop::Hyperdrive {
            node, read_only, ..
        } = hop
        else {
            return Vec::new();
        };
        let Some(&(origin, ratio)) = resolved.hyperdrive.get(node) else {
            return Vec::new();
        };
        match mode {
            Mode::SingleRegion(r) => vec![(vec![r], 1.0)],
            Mode::Global if *read_only && ratio > 0.0 => {
                vec![(vec![from], ratio), (vec![from, origin], 1.0 - ratio)]
            }
            Mode::Global => vec![(vec![from, origin], 1.0)],
        }
    }
}
