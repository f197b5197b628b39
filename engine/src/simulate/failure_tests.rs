//! The failure what-if, with hand-computed shares.
//!
//! The design: clients in us-east (50%), eu-west (30%) and ap-southeast (20%) call a gateway
//! that forwards to the Worker `api`. Its scenario mixes a read (weight 3: a KV read, then a
//! D1 SELECT) and a write (weight 1: a D1 INSERT) and a Hyperdrive report (weight 0 unless a
//! test asks for it). The D1 primary is in `weur` (eu-west) with read replication on, so reads
//! go to the nearest replica: us-east -> enam (us-east), eu-west -> weur, ap-southeast -> apac.

use super::*;
use crate::format;

fn design(report_weight: f64, replication: bool) -> Design {
    let text = format!(
        r#"(
    version: 1,
    name: "Failing",
    nodes: [
        (id: "web", kind: Client(
            regions: {{"us-east": 0.5, "eu-west": 0.3, "ap-southeast": 0.2}},
            requests_per_second: 10.0,
            scenario: [
                (name: "read", method: GET, path: "/r/7", weight: 3.0, expect_status: 200),
                (name: "write", method: POST, path: "/w", weight: 1.0, expect_status: 201),
                (name: "report", method: GET, path: "/report", weight: {report_weight}, expect_status: 200),
            ],
        )),
        (id: "gateway", kind: Gateway(routes: [(path: "/", service: "API")])),
        (id: "api", kind: Worker(routes: [
            (method: GET, path: "/r/:id", steps: [
                KvGet(binding: "CACHE", key: "flag", into: "flag"),
                D1(binding: "DB", sql: "SELECT * FROM t WHERE id = ?1", params: [Ref("params.id")], mode: First, into: "row"),
                Respond(status: 200, body: Ref("row")),
            ]),
            (method: POST, path: "/w", steps: [
                D1(binding: "DB", sql: "INSERT INTO t (id) VALUES (1)", params: [], mode: Run),
                Respond(status: 201),
            ]),
            (method: GET, path: "/report", steps: [
                Hyperdrive(binding: "PG", sql: "SELECT count(*) FROM orders", params: [], mode: First, into: "n"),
                Respond(status: 200, body: Ref("n")),
            ]),
        ])),
        (id: "cache", kind: Kv()),
        (id: "db", kind: D1(location_hint: "weur", read_replication: {replication})),
        (id: "pg", kind: Hyperdrive(origin: Auto, origin_region: "us-east")),
        (id: "notes", kind: Note(text: "not a node that fails")),
    ],
    wires: [
        (from: "web", to: "gateway"),
        (from: "gateway", to: "api", binding: "API"),
        (from: "api", to: "cache", binding: "CACHE"),
        (from: "api", to: "db", binding: "DB"),
        (from: "api", to: "pg", binding: "PG"),
    ],
)"#
    );
    format::parse(&text).expect("test design parses")
}

fn failing(node: &str, region: Option<&str>) -> WhatIf {
    WhatIf {
        failure: Some(Failure {
            node: node.to_owned(),
            region: region.map(str::to_owned),
        }),
        ..WhatIf::default()
    }
}

/// Global and single-region failing shares per region (us-east, eu-west, ap-southeast) and
/// overall.
fn shares(report: &SimulationReport) -> (Vec<(f64, f64)>, (f64, f64)) {
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let regions = ["us-east", "eu-west", "ap-southeast"]
        .iter()
        .map(|name| {
            let region = report
                .regions
                .iter()
                .find(|r| r.region == *name)
                .expect("region");
            let f = region.failing.expect("a failing share");
            (f.global, f.single_region)
        })
        .collect();
    let overall = report.failing.expect("an overall failing share");
    (regions, (overall.global, overall.single_region))
}

fn close(actual: (f64, f64), expected: (f64, f64)) {
    assert!(
        (actual.0 - expected.0).abs() < 1e-4 && (actual.1 - expected.1).abs() < 1e-4,
        "expected {expected:?}, got {actual:?}"
    );
}

#[test]
fn the_d1_primary_failing_fails_every_write_and_the_reads_it_serves() {
    let report = simulate(&design(0.0, true), &failing("db", Some("eu-west"))).expect("runs");
    let (regions, overall) = shares(&report);
    // Writes (1 in 4) fail everywhere; eu-west's reads go to the weur replica, which fails.
    close(regions[0], (0.25, 0.0));
    close(regions[1], (1.0, 0.0));
    close(regions[2], (0.25, 0.0));
    // 0.5 * 0.25 + 0.3 * 1 + 0.2 * 0.25; the single-region design runs in us-east.
    close(overall, (0.475, 0.0));
    let write = report.requests.iter().find(|r| r.name == "write");
    assert_eq!(
        write.and_then(|r| r.failing),
        Some(FailingShare {
            global: 1.0,
            single_region: 0.0
        })
    );
    // A location hint names the same region.
    let by_hint = simulate(&design(0.0, true), &failing("db", Some("weur"))).expect("runs");
    assert_eq!(by_hint.regions, report.regions);
}

#[test]
fn without_replicas_the_primary_failing_fails_everything_that_queries_it() {
    let report = simulate(&design(0.0, false), &failing("db", Some("eu-west"))).expect("runs");
    let (regions, overall) = shares(&report);
    for region in regions {
        close(region, (1.0, 0.0));
    }
    close(overall, (1.0, 0.0));
}

#[test]
fn a_failure_in_the_single_region_fails_all_of_its_requests() {
    let what_if = WhatIf {
        single_region: "eu-west".to_owned(),
        ..failing("db", Some("eu-west"))
    };
    let report = simulate(&design(0.0, true), &what_if).expect("runs");
    let (regions, overall) = shares(&report);
    close(regions[0], (0.25, 1.0));
    close(overall, (0.475, 1.0));
}

#[test]
fn kv_and_the_gateway_fail_only_for_the_clients_of_their_region() {
    // Only reads use KV: 3 in 4 of ap-southeast's requests.
    let report = simulate(&design(0.0, true), &failing("cache", Some("ap-southeast"))).expect("ok");
    let (regions, overall) = shares(&report);
    close(regions[0], (0.0, 0.0));
    close(regions[1], (0.0, 0.0));
    close(regions[2], (0.75, 0.0));
    close(overall, (0.15, 0.0));
    // The gateway in us-east: every us-east request, and every request of the single-region
    // design in us-east.
    let report = simulate(&design(0.0, true), &failing("gateway", Some("us-east"))).expect("ok");
    let (regions, overall) = shares(&report);
    close(regions[0], (1.0, 1.0));
    close(regions[1], (0.0, 1.0));
    close(regions[2], (0.0, 1.0));
    close(overall, (0.5, 1.0));
}

#[test]
fn failing_everywhere_fails_every_request_through_the_node() {
    let report = simulate(&design(0.0, true), &failing("api", None)).expect("runs");
    let (_, overall) = shares(&report);
    close(overall, (1.0, 1.0));
    let report = simulate(&design(0.0, true), &failing("cache", None)).expect("runs");
    let (_, overall) = shares(&report);
    close(overall, (0.75, 0.75));
}

#[test]
fn a_hyperdrive_origin_down_still_answers_cache_hits() {
    // Only the report (a read-only query, cache hit ratio 0.5): weights 0, 0 and 1.
    let mut d = design(1.0, true);
    if let Some(crate::model::NodeKind::Client(client)) = d.node_mut("web").map(|n| &mut n.kind) {
        for sample in &mut client.scenario {
            if sample.name != "report" {
                sample.weight = 0.0;
            }
        }
    }
    // The origin in us-east goes down: a miss fails everywhere; a hit fails only where the
    // query is made in us-east itself.
    let report = simulate(&d, &failing("pg", Some("us-east"))).expect("runs");
    let (regions, overall) = shares(&report);
    close(regions[0], (1.0, 1.0));
    close(regions[1], (0.5, 1.0));
    close(regions[2], (0.5, 1.0));
    close(overall, (0.5 + 0.3 * 0.5 + 0.2 * 0.5, 1.0));
    // Hyperdrive next to the clients in eu-west fails: their queries, hits or not.
    let report = simulate(&d, &failing("pg", Some("eu-west"))).expect("runs");
    let (regions, _) = shares(&report);
    close(regions[0], (0.0, 0.0));
    close(regions[1], (1.0, 0.0));
    // Cache off: every query reaches the origin.
    let what_if = WhatIf {
        hyperdrive_cache: Some(false),
        ..failing("pg", Some("us-east"))
    };
    let (_, overall) = shares(&simulate(&d, &what_if).expect("runs"));
    close(overall, (1.0, 1.0));
}

#[test]
fn a_smart_placed_worker_failing_in_its_region_fails_everyone() {
    let what_if = WhatIf {
        smart_placement: Some(true),
        ..failing("api", Some("eu-west"))
    };
    let report = simulate(&design(0.0, true), &what_if).expect("runs");
    assert_eq!(report.placement.workers[0].region, "eu-west");
    let (_, overall) = shares(&report);
    close(overall, (1.0, 0.0));
}

#[test]
fn a_failure_names_a_node_that_can_fail_and_a_known_region() {
    let d = design(0.0, true);
    let err = simulate(&d, &failing("nope", None)).expect_err("unknown node");
    assert!(
        err.to_string().contains("api, cache, db, gateway, pg"),
        "{err}"
    );
    let err = simulate(&d, &failing("web", None)).expect_err("a client cannot fail");
    assert!(err.to_string().contains("cannot fail"), "{err}");
    let err = simulate(&d, &failing("notes", None)).expect_err("a note cannot fail");
    assert!(err.to_string().contains("cannot fail"), "{err}");
    let err = simulate(&d, &failing("db", Some("mars"))).expect_err("unknown region");
    assert!(err.to_string().contains("ap-southeast"), "{err}");
}

#[test]
fn without_a_failure_the_report_has_no_failing_shares() {
    let report = simulate(&design(0.0, true), &WhatIf::default()).expect("runs");
    assert_eq!(report.failing, None);
    assert!(report.regions.iter().all(|r| r.failing.is_none()));
    let json = serde_json::to_string(&report).expect("serializes");
    assert!(!json.contains("failing") && !json.contains("failure"));
    let with = simulate(&design(0.0, true), &failing("db", Some("eu-west"))).expect("runs");
    let text = render_text(&with);
    assert!(
        text.contains("Failure what-if: `db` failing in eu-west"),
        "{text}"
    );
    assert!(
        text.contains("all regions      100%     47.5%      0.0%"),
        "{text}"
    );
    // Latency is the design's own, failure or not.
    assert_eq!(with.overall, report.overall);
}
