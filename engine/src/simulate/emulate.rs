//! The simulator's latency model for the running engine (`edgewire serve --from REGION`):
//! [`Geography`] answers how long each leg of a request takes over the network for clients
//! in one region, from the same placement ([`super::place`]), the same legs
//! ([`super::KindHop::leg`]) and the same data files as [`super::simulate`]. The engine
//! sleeps that long on its async runtime; the simulator's p50 is the median of these draws.

use std::sync::Mutex;

use super::latency::Access;
use super::{
    DEFAULT_CACHE_HIT_RATIO, Hop, Mode, REGIONS, Resolved, SimulateError, Tables, WhatIf, region_of,
};
use crate::model::Design;

/// Where the design runs: at the edge next to every client, or all in one region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    Global,
    SingleRegion(String),
}

impl Layout {
    /// `global` or `single-region:REGION`.
    pub fn parse(text: &str) -> Result<Self, SimulateError> {
        match text.split_once(':') {
            None if text == "global" => Ok(Self::Global),
            Some(("single-region", region)) => {
                region_of("the single-region layout", region)?;
                Ok(Self::SingleRegion(region.to_owned()))
            }
            _ => Err(SimulateError::UnknownRegion {
                what: "the layout (global or single-region:REGION)",
                value: text.to_owned(),
            }),
        }
    }
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Global => f.write_str("global"),
            Self::SingleRegion(region) => write!(f, "single-region:{region}"),
        }
    }
}

/// Network time per leg for clients in one region (see the module docs).
pub struct Geography {
    tables: &'static Tables,
    resolved: Resolved,
    mode: Mode,
    client: usize,
    access: Access,
    /// Where the draws of the access leg are in their sequence (see [`Geography::draw`]).
    draws: Mutex<f64>,
}

impl std::fmt::Debug for Geography {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Geography")
            .field("from", &REGIONS[self.client])
            .finish_non_exhaustive()
    }
}

impl Geography {
    /// Clients in `from`, the design laid out as `layout`, draws from `seed`.
    pub fn new(
        design: &Design,
        from: &str,
        layout: &Layout,
        seed: u64,
    ) -> Result<Self, SimulateError> {
        let tables = Tables::embedded().map_err(SimulateError::Data)?;
        let client = region_of("the clients' region", from)?;
        let options = WhatIf {
            single_region: match layout {
                Layout::Global => super::DEFAULT_SINGLE_REGION.to_owned(),
                Layout::SingleRegion(r) => r.clone(),
            },
            ..WhatIf::default()
        };
        let single = region_of("the single-region layout", &options.single_region)?;
        let mode = match layout {
            Layout::Global => Mode::Global,
            Layout::SingleRegion(_) => Mode::SingleRegion(single),
        };
        // Automatic placement goes near the busiest region of the design's own traffic.
        let mut warnings = Vec::new();
        let demand = super::traffic(design, &mut warnings).ok();
        let traffic = demand
            .as_ref()
            .map(|d| d.traffic_by_region.clone())
            .unwrap_or_default();
        let busiest = demand.as_ref().map_or(client, |d| d.busiest);
        let (resolved, _) = super::place(
            design,
            &options,
            tables,
            (single, DEFAULT_CACHE_HIT_RATIO),
            (busiest, &traffic),
            &mut warnings,
        );
        Ok(Self {
            tables,
            resolved,
            mode,
            client,
            access: Access::from_median_p95(
                tables.client_to_edge.median_ms,
                tables.client_to_edge.p95_ms,
            ),
            draws: Mutex::new(start_of_draws(seed)),
        })
    }

    /// The clients' region.
    pub fn region(&self) -> &'static str {
        REGIONS[self.client]
    }

    /// One request's way in: a draw of the client's round trip to its edge, plus (single
    /// region) the round trip from that edge to the region.
    pub fn way_in_ms(&self) -> f64 {
        let start = match self.mode {
            Mode::SingleRegion(r) if r != self.client => self.tables.rtt_ms(self.client, r),
            _ => 0.0,
        };
        start + self.access.quantile(self.draw())
    }

    /// The round trip of one query by `worker` to the D1 database or Hyperdrive `store`
    /// (`hyperdrive` says which), as the simulator's leg for it gives: a read-only D1 query
    /// may go to a replica; a Hyperdrive cache hit stays at the edge.
    pub fn query_ms(
        &self,
        store: &str,
        worker: &str,
        hyperdrive: bool,
        sql: &str,
        cache_hit: bool,
    ) -> f64 {
        let (node, by) = (store.to_owned(), worker.to_owned());
        let read_only = super::paths::is_read_only(sql);
        let hop = if hyperdrive {
            Hop::Hyperdrive {
                node,
                read_only,
                by,
            }
        } else {
            Hop::D1 {
                node,
                read_only,
                rows_read: 0.0,
                rows_written: 0.0,
                by,
            }
        };
        let from = match self.mode {
            Mode::Global => self
                .resolved
                .placed
                .get(worker)
                .copied()
                .unwrap_or(self.client),
            Mode::SingleRegion(_) => self.client,
        };
        let leg = crate::kinds::def(hop.kind())
            .leg(&hop, from, self.mode, self.tables, &self.resolved)
            .unwrap_or_default();
        let atoms = leg.iter().map(|a| a.0);
        // The leg mixes hits and misses by the hit ratio; the engine knows which it was.
        if cache_hit {
            atoms.reduce(f64::min).unwrap_or(0.0)
        } else {
            atoms.reduce(f64::max).unwrap_or(0.0)
        }
    }

    /// The extra way into `worker` when Smart Placement runs it away from the client (global
    /// layout), as the simulator counts it.
    pub fn enter_worker_ms(&self, worker: &str) -> f64 {
        match (self.mode, self.resolved.placed.get(worker)) {
            (Mode::Global, Some(&here)) if here != self.client => {
                self.tables.rtt_ms(self.client, here)
            }
            _ => 0.0,
        }
    }

    /// The next share in (0, 1): the golden-ratio sequence from the seed's start, which
    /// spreads any run of draws evenly over the distribution, so that the median of a few
    /// hundred requests is the model's median (random draws would need many thousands).
    fn draw(&self) -> f64 {
        let mut at = self
            .draws
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *at = (*at + GOLDEN).fract();
        at.clamp(1e-6, 1.0 - 1e-6)
    }
}

/// The fractional part of the golden ratio.
const GOLDEN: f64 = 0.618_033_988_749_894_8;

/// The sequence's start for `seed`: splitmix64's first output as a share.
fn start_of_draws(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}
