//! What the canvas shows of a run: the selected trace's wires, requests travelling as dots,
//! failing nodes flashing, and a metrics line per node.

use std::fmt::Write as _;

use edgewire_engine::runtime::Trace;
use edgewire_engine::{Design, Kind};

use super::RunState;

/// How long a request dot takes to travel along one wire, in seconds.
pub const DOT_SECS: f64 = 0.6;

/// A request animated on the canvas: dots along the wires it took.
#[derive(Clone, Debug)]
pub struct Flight {
    /// When it arrived (egui time, seconds).
    pub started: f64,
    /// `(from node, to node)` in the order the request took them.
    pub wires: Vec<(String, String)>,
    /// Nodes whose hop failed (they flash).
    pub failed: Vec<String>,
}

/// The wires a trace took: from a Client to its entry, then between consecutive hops whose
/// nodes are wired.
pub fn trace_wires(trace: &Trace, design: &Design) -> Vec<(String, String)> {
    let mut wires = Vec::new();
    for wire in hop_wires(trace, design).into_iter().flatten() {
        if !wires.contains(&wire) {
            wires.push(wire);
        }
    }
    wires
}

/// The wire each hop of a trace came along: a Client's wire to the entry for the first hop,
/// else the wire from the hop's caller (the nearest earlier Worker wired to it); `None` where
/// no wire leads there.
pub fn hop_wires(trace: &Trace, design: &Design) -> Vec<Option<(String, String)>> {
    let mut stack: Vec<&str> = vec![trace.entry.as_str()];
    let mut wires = Vec::with_capacity(trace.hops.len());
    for (index, hop) in trace.hops.iter().enumerate() {
        if index == 0 && hop.node == trace.entry {
            let client = design.wires_to(&trace.entry).find(|w| {
                design
                    .node(&w.from)
                    .is_some_and(|n| n.kind.kind() == Kind::Client)
            });
            wires.push(client.map(|w| (w.from.clone(), trace.entry.clone())));
            continue;
        }
        let caller = stack
            .iter()
            .rev()
            .find(|from| design.wires_from(from).any(|w| w.to.as_str() == hop.node));
        wires.push(caller.map(|from| ((*from).to_owned(), hop.node.clone())));
        if design
            .node(&hop.node)
            .is_some_and(|n| n.kind.kind().is_worker())
        {
            stack.push(hop.node.as_str());
        }
    }
    wires
}

pub(super) fn flight(trace: &Trace, design: &Design, now: f64) -> Flight {
    Flight {
        started: now,
        wires: trace_wires(trace, design),
        failed: trace
            .hops
            .iter()
            .filter(|h| h.error.is_some() || h.status.is_some_and(|s| s >= 500))
            .map(|h| h.node.clone())
            .collect(),
    }
}

/// What the canvas draws over the design while the engine runs.
#[derive(Clone, Debug, Default)]
pub struct CanvasOverlay {
    /// Wires of the selected trace.
    pub highlighted: Vec<(String, String)>,
    /// Dots travelling along wires: `(from, to, 0..=1 along the wire)`.
    pub dots: Vec<(String, String, f32)>,
    /// Nodes flashing because a request failed there (`0..=1` strength).
    pub flashing: Vec<(String, f32)>,
    /// A metrics line under a node's card.
    pub metrics: Vec<(String, String)>,
    /// Nodes with a fault, and what it is (`down`, `error`, `slow 500 ms`): red cards.
    pub faults: Vec<(String, String)>,
    /// The hop presentation mode replays.
    pub replay: Option<Replay>,
}

/// A hop replayed in presentation mode: a dot on its way along the wire the request took,
/// the node it reaches, and its times beside the dot.
#[derive(Clone, Debug, Default)]
pub struct Replay {
    pub node: String,
    pub wire: Option<(String, String)>,
    /// How far along the wire the dot is (0..=1).
    pub t: f32,
    /// `20.0 ms network · 0.4 ms work`.
    pub times: String,
}

impl CanvasOverlay {
    pub fn is_empty(&self) -> bool {
        self.highlighted.is_empty()
            && self.dots.is_empty()
            && self.flashing.is_empty()
            && self.metrics.is_empty()
            && self.faults.is_empty()
            && self.replay.is_none()
    }
}

impl RunState {
    /// The wires of the selected trace (highlighted on the canvas).
    pub fn highlighted_wires(&self, design: &Design) -> Vec<(String, String)> {
        self.selected()
            .map(|trace| trace_wires(trace, design))
            .unwrap_or_default()
    }

    /// The canvas overlay for this frame.
    pub fn overlay(&self, design: &Design, now: f64) -> CanvasOverlay {
        let mut overlay = CanvasOverlay {
            highlighted: self.highlighted_wires(design),
            faults: self
                .faults
                .iter()
                .map(|(node, fault)| (node.clone(), fault.label()))
                .collect(),
            ..CanvasOverlay::default()
        };
        for flight in &self.flights {
            let elapsed = now - flight.started;
            #[allow(clippy::cast_possible_truncation)] // animation progress, 0..=1
            for (index, (from, to)) in flight.wires.iter().enumerate() {
                let t = (elapsed - DOT_SECS * index as f64) / DOT_SECS;
                if (0.0..=1.0).contains(&t) {
                    overlay.dots.push((from.clone(), to.clone(), t as f32));
                }
            }
            let total = DOT_SECS * flight.wires.len().max(1) as f64 + 0.4;
            #[allow(clippy::cast_possible_truncation)] // animation strength, 0..=1
            let strength = (1.0 - elapsed / total).clamp(0.0, 1.0) as f32;
            for node in &flight.failed {
                overlay.flashing.push((node.clone(), strength));
            }
        }
        if self.is_running() {
            for (node, m) in &self.metrics {
                if m.requests == 0 {
                    continue;
                }
                let mut line = format!(
                    "{} req · {} err · p50 {:.1} · p95 {:.1} ms",
                    m.requests, m.errors, m.p50_ms, m.p95_ms
                );
                if let Some(rate) = m.cache_hit_rate {
                    let _ = write!(line, " · hit {:.0}%", rate * 100.0);
                }
                overlay.metrics.push((node.clone(), line));
            }
        }
        overlay
    }
}
