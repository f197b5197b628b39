//! UI CPU time per frame while panning a large design (1,000 nodes, 1,500 wires), measured
//! headless with `egui_kittest`: the egui pass (layout, hit-testing, painting) and the
//! tessellation of what it painted. Prints the median and the 95th percentile.
//!
//! Run: `cargo bench -p edgewire --bench ui_frame`

use std::time::{Duration, Instant};

use edgewire::ui::{AppOptions, EdgewireApp};
use edgewire_engine::{Design, Kind, Node, Pos, Wire};
use eframe::egui;
use egui_kittest::Harness;

/// A deterministic design of `nodes` nodes and `wires` wires on a grid.
fn generated(nodes: usize, wires: usize) -> Design {
    let mut design = Design::new("Large generated design");
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % n as u64).unwrap_or(0)
    };
    let columns = 40;
    let mut workers = Vec::new();
    let mut stores = Vec::new();
    let mut callers = Vec::new();
    for i in 0..nodes {
        let kind = match i % 20 {
            0 => Kind::Client,
            1 => Kind::Gateway,
            2..=9 => Kind::Worker,
            10..=13 => Kind::Kv,
            14..=17 => Kind::D1,
            _ => Kind::Hyperdrive,
        };
        let id = format!("{}-{i}", kind.id_base());
        match kind {
            Kind::Worker => workers.push(id.clone()),
            Kind::Kv | Kind::D1 | Kind::Hyperdrive => stores.push((id.clone(), kind)),
            _ => {}
        }
        if matches!(kind, Kind::Gateway | Kind::Worker) {
            callers.push(id.clone());
        }
        let pos = Pos::new((i % columns) as f32 * 280.0, (i / columns) as f32 * 200.0);
        design.nodes.push(Node::new(&id, kind.default_node_kind()));
        design.layout.insert(id, pos);
    }
    let mut seen = std::collections::BTreeSet::new();
    while design.wires.len() < wires {
        let from = &callers[next(callers.len())];
        let (to, binding) = if next(3) == 0 {
            let to = &workers[next(workers.len())];
            (to.clone(), to.to_uppercase().replace('-', "_"))
        } else {
            let (to, kind) = &stores[next(stores.len())];
            (
                to.clone(),
                format!("{}_{}", kind.default_binding(), design.wires.len()),
            )
        };
        if *from == to || !seen.insert((from.clone(), to.clone())) {
            continue;
        }
        design.wires.push(Wire::new(from.clone(), to, binding));
    }
    design
}

fn measure(harness: &mut Harness<'_, EdgewireApp>, frames: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(frames);
    for frame in 0..frames {
        let delta = if (frame / 60) % 2 == 0 { 7.0 } else { -7.0 };
        harness.state_mut().canvas_mut().pan += egui::vec2(delta, delta * 0.4);
        let start = Instant::now();
        harness.step();
        let output = harness.output().clone();
        let ppp = output.pixels_per_point;
        let primitives = harness.ctx.tessellate(output.shapes, ppp);
        times.push(start.elapsed());
        std::hint::black_box(primitives);
    }
    times.sort();
    times
}

fn report(label: &str, times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = times[times.len() / 2];
    let p95 = times[times.len() * 95 / 100];
    println!(
        "{label:<34} median {:>6.2} ms   p95 {:>6.2} ms   ({} frames)",
        ms(median),
        ms(p95),
        times.len()
    );
}

fn main() {
    let design = generated(1000, 1500);
    println!(
        "design: {} nodes, {} wires",
        design.nodes.len(),
        design.wires.len()
    );
    let mut harness = Harness::builder()
        .with_size([1600.0, 1000.0])
        .with_max_steps(20)
        .build_eframe(|cc| EdgewireApp::new(cc, AppOptions::headless()));
    harness.state_mut().set_design(design);
    harness.run_ok();
    for _ in 0..30 {
        harness.step();
    }
    harness.state_mut().canvas_mut().set_zoom(1.0);
    let times = measure(&mut harness, 300);
    report("panning at 100% zoom", &times);

    harness.state_mut().canvas_mut().set_zoom(0.5);
    let times = measure(&mut harness, 300);
    report("panning at 50% zoom", &times);

    harness.state_mut().canvas_mut().request_fit();
    harness.step();
    let zoom = harness.state().canvas().zoom;
    let times = measure(&mut harness, 300);
    report(
        &format!("panning, whole design ({:.0}%)", zoom * 100.0),
        &times,
    );
}
