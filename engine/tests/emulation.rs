//! `serve --from REGION`: the engine waits each hop's network time from the simulator's own
//! model, so the running design is as far away as the simulator says. On paused time, the
//! waits take no real time and the measured times are exact.

mod runtime_support;

use std::path::Path;

use edgewire_engine::model::NodeKind;
use edgewire_engine::runtime::{Engine, EngineOptions};
use edgewire_engine::simulate::{self, Geography, Layout, WhatIf};
use runtime_support::send_sample;

/// Draws per scenario request and region: enough for a median within a few percent.
const DRAWS: usize = 101;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Every scenario request from each of the Client's regions, global and in one region: the
/// median measured time minus the engine's own work is the simulator's p50, within 10%.
async fn emulated_medians_match_the_simulator(file: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(file);
    let design = edgewire_engine::format::load(&path).expect("example loads");
    let report = simulate::simulate(&design, &WhatIf::default()).expect("simulates");
    let client = design
        .nodes
        .iter()
        .find_map(|n| match &n.kind {
            NodeKind::Client(c) => Some(c),
            _ => None,
        })
        .expect("a client");
    let layouts = [
        Layout::Global,
        Layout::SingleRegion(simulate::DEFAULT_SINGLE_REGION.to_owned()),
    ];
    for region in client.regions.keys() {
        for layout in &layouts {
            let state = tempfile::tempdir().expect("temp dir");
            let mut options = EngineOptions::new(state.path());
            options.read_environment = false;
            let geography = Geography::new(&design, region, layout, 7).expect("geography");
            options.geography = Some(std::sync::Arc::new(geography));
            let engine = Engine::new(design.clone(), options)
                .await
                .expect("engine starts");
            for (sample, request) in client.scenario.iter().zip(&report.requests) {
                let expected = request
                    .regions
                    .iter()
                    .find(|r| &r.region == region)
                    .map(|r| match layout {
                        Layout::Global => r.latency.global.p50_ms,
                        Layout::SingleRegion(_) => r.latency.single_region.p50_ms,
                    })
                    .expect("the simulator reports the region");
                let (measured, work) = measure(&engine, sample).await;
                let network = measured - work;
                assert!(
                    (network - expected).abs() <= expected * 0.10,
                    "{file}, `{}` from {region} ({layout}): measured {measured:.1} ms, work \
                     {work:.1} ms, so {network:.1} ms of network; the simulator says p50 \
                     {expected} ms",
                    sample.name
                );
            }
            engine.shutdown().await;
        }
    }
}

/// The median duration of `DRAWS` sends of `sample`, and the median engine work (the time
/// not spent waiting on the emulated network).
async fn measure(engine: &Engine, sample: &edgewire_engine::model::SampleRequest) -> (f64, f64) {
    let mut durations = Vec::new();
    let mut works = Vec::new();
    for draw in 0..DRAWS {
        let answer = send_sample(engine, sample).await;
        // Repeats of a write may answer differently (a deleted key is gone).
        if draw == 0 {
            assert_eq!(answer.status, sample.expect_status, "{}", sample.name);
        }
        let trace = engine.traces(1).pop().expect("a trace");
        let network: f64 = trace.hops.iter().filter_map(|h| h.network_ms).sum();
        durations.push(trace.duration_ms);
        works.push(trace.duration_ms - network);
    }
    (median(durations), median(works))
}

#[tokio::test(start_paused = true)]
async fn d1_requests_from_every_region_take_the_simulators_p50() {
    emulated_medians_match_the_simulator("d1-only.ron").await;
}

#[tokio::test(start_paused = true)]
async fn kv_requests_from_every_region_take_the_simulators_p50() {
    emulated_medians_match_the_simulator("kv-only.ron").await;
}

#[test]
fn layouts_parse_and_say_what_is_wrong() {
    assert_eq!(Layout::parse("global"), Ok(Layout::Global));
    assert_eq!(
        Layout::parse("single-region:eu-west"),
        Ok(Layout::SingleRegion("eu-west".to_owned()))
    );
    assert!(Layout::parse("single-region:mars").is_err());
    assert!(Layout::parse("everywhere").is_err());
}
