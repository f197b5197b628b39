//! Presentation mode (View > Present, F11): the canvas full screen with type 1.5 times
//! larger, the side and bottom panels hidden, and a caption strip. With a trace selected
//! (or the newest one), Space or → replays it hop by hop: a dot travels along the hop's
//! wire, its network and work time stand beside it, and the caption says what the hop did
//! (the text of a Note touching the node's card, else a description). ← goes back; Esc
//! leaves.

use std::fmt::Write as _;

use edgewire_engine::Design;
use edgewire_engine::model::NodeKind;
use edgewire_engine::runtime::{CacheOutcome, Hop, Trace};
use eframe::egui::{self, Key, Modifiers, RichText, ViewportCommand};

use super::run::{DOT_SECS, hop_facts, hop_wires};

/// How much larger everything is drawn while presenting.
pub const TYPE_SCALE: f32 = 1.5;

/// A Note this close to a node's card (canvas units) is that node's note.
pub const NOTE_REACH: f32 = 24.0;

/// Presentation state, while presenting.
#[derive(Clone, Debug)]
pub struct Presentation {
    /// The hop being replayed (an index into the trace's hops); `None` shows the design.
    pub step: Option<usize>,
    /// When the step began (egui time, seconds): the dot's journey along its wire.
    pub step_started: f64,
    /// The zoom factor to restore on leaving.
    saved_zoom: f32,
    /// The canvas size the design was last fitted to: the window and the type change size
    /// over the first frames, and the design is fitted again each time.
    pub fitted_to: Option<egui::Vec2>,
}

/// What a key did in presentation mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresentKey {
    Next,
    Back,
    Leave,
}

impl Presentation {
    /// Enter: full screen, type 1.5 times larger.
    pub fn enter(ctx: &egui::Context) -> Self {
        let saved_zoom = ctx.zoom_factor();
        ctx.set_zoom_factor(saved_zoom * TYPE_SCALE);
        ctx.send_viewport_cmd(ViewportCommand::Fullscreen(true));
        Self {
            step: None,
            step_started: 0.0,
            saved_zoom,
            fitted_to: None,
        }
    }

    /// Leave: the window and the type as they were.
    pub fn leave(self, ctx: &egui::Context) {
        ctx.set_zoom_factor(self.saved_zoom);
        ctx.send_viewport_cmd(ViewportCommand::Fullscreen(false));
    }

    /// The keys of presentation mode, consumed so nothing else acts on them.
    pub fn key(ctx: &egui::Context) -> Option<PresentKey> {
        ctx.input_mut(|i| {
            if i.consume_key(Modifiers::NONE, Key::Escape) {
                Some(PresentKey::Leave)
            } else if i.consume_key(Modifiers::NONE, Key::Space)
                || i.consume_key(Modifiers::NONE, Key::ArrowRight)
            {
                Some(PresentKey::Next)
            } else if i.consume_key(Modifiers::NONE, Key::ArrowLeft) {
                Some(PresentKey::Back)
            } else {
                None
            }
        })
    }

    /// One hop on (from the design to the first hop); stays on the last.
    pub fn next(&mut self, hops: usize, now: f64) {
        let step = match self.step {
            None if hops > 0 => Some(0),
            Some(step) if step + 1 < hops => Some(step + 1),
            other => other,
        };
        if step != self.step {
            self.step = step;
            self.step_started = now;
        }
    }

    /// One hop back (from the first hop to the design).
    pub fn back(&mut self, now: f64) {
        self.step = match self.step {
            Some(0) | None => None,
            Some(step) => Some(step - 1),
        };
        self.step_started = now;
    }

    /// How far the dot has come along the current hop's wire (0..=1).
    pub fn progress(&self, now: f64) -> f32 {
        #[allow(clippy::cast_possible_truncation)] // animation progress, 0..=1
        let t = ((now - self.step_started) / DOT_SECS).clamp(0.0, 1.0) as f32;
        t
    }
}

/// One hop as presentation mode shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct HopView {
    /// `Hop 2 of 6`.
    pub position: String,
    pub node: String,
    /// The wire the request came along, when one leads there.
    pub wire: Option<(String, String)>,
    /// `kv get CACHE product:1 · cache miss`.
    pub title: String,
    /// `20.0 ms network · 0.4 ms work` (beside the dot).
    pub times: String,
    /// The node's note, else a description of the hop.
    pub caption: String,
}

/// The hop `index` of `trace`; `note_of` gives the text of the Note beside a node.
pub fn hop_view(
    trace: &Trace,
    design: &Design,
    index: usize,
    note_of: &dyn Fn(&str) -> Option<String>,
) -> Option<HopView> {
    let hop = trace.hops.get(index)?;
    let wires = hop_wires(trace, design);
    let network = hop.network_ms.unwrap_or(0.0);
    let work = own_work_ms(trace, &wires, index);
    let mut title = format!("{} {}", hop.kind, hop.detail).trim().to_owned();
    for fact in hop_facts(hop) {
        let _ = write!(title, " · {fact}");
    }
    if let Some(fault) = &hop.fault {
        let _ = write!(title, " · FAULT: {fault}");
    }
    let times = if hop.network_ms.is_some() {
        format!("{network:.1} ms network · {work:.1} ms work")
    } else {
        format!("{work:.1} ms work")
    };
    let wire = wires.get(index).cloned().flatten();
    let caller = wire.as_ref().map(|(from, _)| from.as_str());
    let caption = note_of(&hop.node).unwrap_or_else(|| describe(hop, caller, network));
    Some(HopView {
        position: format!("Hop {} of {}", index + 1, trace.hops.len()),
        node: hop.node.clone(),
        wire,
        title,
        times,
        caption,
    })
}

/// The hop's own work: its time less its network time and the hops it called.
fn own_work_ms(trace: &Trace, wires: &[Option<(String, String)>], index: usize) -> f64 {
    let hop = &trace.hops[index];
    let end = hop.start_ms + hop.duration_ms;
    let called: f64 = trace
        .hops
        .iter()
        .zip(wires)
        .skip(index + 1)
        .filter(|(h, wire)| {
            h.start_ms <= end && wire.as_ref().is_some_and(|(from, _)| *from == hop.node)
        })
        .map(|(h, _)| h.duration_ms)
        .sum();
    (hop.duration_ms - hop.network_ms.unwrap_or(0.0) - called).max(0.0)
}

/// A caption for a node without a note: who did what there, in words.
fn describe(hop: &Hop, caller: Option<&str>, network_ms: f64) -> String {
    let node = &hop.node;
    let by = caller.unwrap_or("the Worker");
    let detail = hop.detail.as_str();
    let mut text = match hop.kind {
        "gateway" => format!(
            "The gateway {node} takes {detail} at the edge, checks it and routes it to a Worker"
        ),
        "worker" => format!("The Worker {node} handles {detail}"),
        "validate" => format!("{node} checks the request against the route's contract"),
        "kv get" => format!("{by} reads `{detail}` from the KV namespace {node}"),
        "kv put" => format!("{by} writes `{detail}` to the KV namespace {node}"),
        "kv delete" => format!("{by} deletes `{detail}` from the KV namespace {node}"),
        "kv list" => format!("{by} lists the keys under `{detail}` in the KV namespace {node}"),
        "d1 query" => format!("{by} queries the D1 database {node}: {detail}"),
        "hyperdrive query" => {
            format!("{by} queries PostgreSQL through the Hyperdrive {node}: {detail}")
        }
        other => format!("{node}: {other} {detail}"),
    };
    match hop.cache {
        Some(CacheOutcome::Hit) => text.push_str(", and finds it in the cache"),
        Some(CacheOutcome::Miss) => text.push_str(", and misses the cache"),
        Some(CacheOutcome::Stale) => text.push_str(", and gets a stale cached answer"),
        Some(CacheOutcome::Bypass) | None => {}
    }
    if let Some(status) = hop.status {
        let _ = write!(text, "; it answers {status}");
    }
    text.push('.');
    if network_ms > 0.0 {
        let _ = write!(
            text,
            " Getting there crosses {network_ms:.1} ms of network."
        );
    }
    if let Some(fault) = &hop.fault {
        let _ = write!(
            text,
            " The node is {fault} (a fault you set), so this step fails."
        );
    }
    text
}

/// The text of the Note whose card touches (or nearly touches) `node`'s card.
pub fn note_beside(
    design: &Design,
    node: &str,
    rect_of: &dyn Fn(&edgewire_engine::model::Node) -> egui::Rect,
) -> Option<String> {
    let target = rect_of(design.node(node)?).expand(NOTE_REACH);
    design
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Note(text_note) if rect_of(n).intersects(target) => {
                Some(text_note.text.clone())
            }
            _ => None,
        })
        .find(|text| !text.trim().is_empty())
}

/// The caption strip: the design, the hop being replayed, and the keys.
pub fn caption_ui(
    ui: &mut egui::Ui,
    present: &Presentation,
    design: &Design,
    trace: Option<&Trace>,
    hop: Option<&HopView>,
) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(&design.name).strong().size(18.0));
        if let Some(trace) = trace {
            ui.separator();
            ui.monospace(format!(
                "{} {} → {} in {:.1} ms",
                trace.method, trace.path, trace.status, trace.duration_ms
            ));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.weak("Space/→ next · ← back · Esc leave");
            if let Some(hop) = hop {
                ui.strong(&hop.position);
            }
        });
    });
    match (trace, hop) {
        (None, _) => {
            ui.label("Send a request (Run tab, curl or a load run) and select it to replay it here hop by hop.");
        }
        (Some(trace), None) => {
            let first = if present.step.is_none() {
                "Space or → starts the replay"
            } else {
                ""
            };
            ui.label(format!(
                "{} hops through {} nodes. {first}",
                trace.hops.len(),
                distinct_nodes(trace)
            ));
        }
        (Some(_), Some(hop)) => {
            ui.horizontal(|ui| {
                ui.label(RichText::new(&hop.node).strong());
                ui.label(&hop.title);
                ui.weak(&hop.times);
            });
            ui.label(RichText::new(&hop.caption).size(16.0));
        }
    }
    ui.add_space(4.0);
}

fn distinct_nodes(trace: &Trace) -> usize {
    let mut nodes: Vec<&str> = trace.hops.iter().map(|h| h.node.as_str()).collect();
    nodes.sort_unstable();
    nodes.dedup();
    nodes.len()
}
