//! Hand-computed cases for the latency and cost models.
//!
//! Numbers used below, from `assets/data/`: client to edge median 20 ms; eu-west <-> ap-southeast
//! 167 ms; ap-southeast <-> us-east 224 ms; eu-west <-> us-east 78 ms; inside one region 10 ms.

use super::*;
use crate::format;
use crate::model::NodeKind;

/// A one-Worker design: a client in `region` calls `api`, whose only route is `route`.
fn design(region: &str, rps: f64, route: &str, stores: &str, wires: &str) -> Design {
    let text = format!(
        r#"(
    version: 1,
    name: "Test",
    nodes: [
        (id: "web", kind: Client(
            regions: {{"{region}": 1.0}},
            requests_per_second: {rps},
            scenario: [(name: "r", method: GET, path: "/r/7", expect_status: 200)],
        )),
        (id: "api", kind: Worker(routes: [{route}])),
        {stores}
    ],
    wires: [(from: "web", to: "api"), {wires}],
)"#
    );
    format::parse(&text).expect("test design parses")
}

fn d1_design(region: &str, sql: &str, hint: &str, replication: bool) -> Design {
    design(
        region,
        10.0,
        &format!(
            r#"(method: GET, path: "/r/:id", steps: [
                D1(binding: "DB", sql: "{sql}", params: [Ref("params.id")], mode: First, into: "row"),
                Respond(status: 200, body: Ref("row")),
            ])"#
        ),
        &format!(
            r#"(id: "db", kind: D1(location_hint: "{hint}", read_replication: {replication})),"#
        ),
        r#"(from: "api", to: "db", binding: "DB"),"#,
    )
}

fn hyperdrive_design(region: &str, origin: &str) -> Design {
    design(
        region,
        10.0,
        r#"(method: GET, path: "/r/:id", steps: [
            Hyperdrive(binding: "PG", sql: "SELECT * FROM orders WHERE id = $1::int", params: [Ref("params.id")], mode: First, into: "row"),
            Respond(status: 200, body: Ref("row")),
        ])"#,
        &format!(r#"(id: "pg", kind: Hyperdrive(origin: Auto, origin_region: "{origin}")),"#),
        r#"(from: "api", to: "pg", binding: "PG"),"#,
    )
}

fn only_region(report: &SimulationReport) -> &RegionReport {
    assert_eq!(report.regions.len(), 1, "{:?}", report.regions);
    &report.regions[0]
}

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 0.1,
        "expected {expected}, got {actual}"
    );
}

#[test]
fn a_kv_read_from_eu_west_costs_only_the_client_to_edge_round_trip() {
    let d = design(
        "eu-west",
        10.0,
        r#"(method: GET, path: "/r/:id", steps: [
            KvGet(binding: "CACHE", key: "k:{params.id}", into: "v"),
            Respond(status: 200, body: Ref("v")),
        ])"#,
        r#"(id: "kv", kind: Kv()),"#,
        r#"(from: "api", to: "kv", binding: "CACHE"),"#,
    );
    let report = simulate(&d, &WhatIf::default()).expect("simulates");
    let eu = only_region(&report);
    close(eu.latency.global.p50_ms, 20.0);
    close(eu.latency.global.p95_ms, 50.0);
    // Everything in us-east: the client also crosses eu-west -> us-east (78 ms).
    close(eu.latency.single_region.p50_ms, 20.0 + 78.0);
    close(eu.latency.gain.p50_ms, 78.0);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn a_d1_write_from_ap_southeast_crosses_to_the_weur_primary() {
    let d = d1_design(
        "ap-southeast",
        "INSERT INTO t (id) VALUES (?1) RETURNING id",
        "weur",
        true,
    );
    let report = simulate(&d, &WhatIf::default()).expect("simulates");
    let ap = only_region(&report);
    close(ap.latency.global.p50_ms, 20.0 + 167.0);
    // Single region us-east: 224 ms to get there, then 10 ms to the database.
    close(ap.latency.single_region.p50_ms, 20.0 + 224.0 + 10.0);
}

#[test]
fn read_replication_makes_a_d1_read_local_to_the_apac_replica() {
    let sql = "SELECT * FROM t WHERE id = ?1";
    let on = simulate(
        &d1_design("ap-southeast", sql, "weur", true),
        &WhatIf::default(),
    )
    .expect("simulates");
    close(only_region(&on).latency.global.p50_ms, 20.0 + 10.0);
    assert_eq!(on.placement.d1[0].read_from["ap-southeast"], "apac");

    let off = simulate(
        &d1_design("ap-southeast", sql, "weur", false),
        &WhatIf::default(),
    )
    .expect("simulates");
    close(only_region(&off).latency.global.p50_ms, 20.0 + 167.0);

    // The what-if turns it off without touching the design.
    let what_if = WhatIf {
        read_replication: Some(false),
        ..WhatIf::default()
    };
    let toggled =
        simulate(&d1_design("ap-southeast", sql, "weur", true), &what_if).expect("simulates");
    close(only_region(&toggled).latency.global.p50_ms, 20.0 + 167.0);
}

#[test]
fn moving_the_d1_primary_moves_the_write_round_trip() {
    let d = d1_design(
        "ap-southeast",
        "UPDATE t SET a = 1 WHERE id = ?1",
        "weur",
        false,
    );
    let what_if = WhatIf {
        d1_primary: Some("apac".to_owned()),
        ..WhatIf::default()
    };
    let report = simulate(&d, &what_if).expect("simulates");
    close(only_region(&report).latency.global.p50_ms, 20.0 + 10.0);
    assert_eq!(report.placement.d1[0].primary_region, "ap-southeast");
}

#[test]
fn a_hyperdrive_cache_hit_has_no_origin_round_trip() {
    let d = hyperdrive_design("ap-southeast", "us-east");
    let all_hits = WhatIf {
        cache_hit_ratio: Some(1.0),
        ..WhatIf::default()
    };
    let report = simulate(&d, &all_hits).expect("simulates");
    close(only_region(&report).latency.global.p50_ms, 20.0);

    let cache_off = WhatIf {
        hyperdrive_cache: Some(false),
        ..WhatIf::default()
    };
    let report = simulate(&d, &cache_off).expect("simulates");
    close(only_region(&report).latency.global.p50_ms, 20.0 + 224.0);

    let moved = WhatIf {
        hyperdrive_cache: Some(false),
        origin_region: Some("ap-southeast".to_owned()),
        ..WhatIf::default()
    };
    let report = simulate(&d, &moved).expect("simulates");
    close(only_region(&report).latency.global.p50_ms, 20.0 + 10.0);
}

#[test]
fn the_cost_of_a_known_traffic_level_matches_the_price_table() {
    // 100 requests/s, each: one Worker, one KV read, one D1 insert (1 row written).
    let d = design(
        "eu-west",
        100.0,
        r#"(method: GET, path: "/r/:id", steps: [
            KvGet(binding: "CACHE", key: "k", into: "v"),
            D1(binding: "DB", sql: "INSERT INTO t (id) VALUES (?1)", params: [Ref("params.id")], mode: Run),
            Respond(status: 200),
        ])"#,
        r#"(id: "kv", kind: Kv()), (id: "db", kind: D1(location_hint: "weur")),"#,
        r#"(from: "api", to: "kv", binding: "CACHE"), (from: "api", to: "db", binding: "DB"),"#,
    );
    let cost = simulate(&d, &WhatIf::default()).expect("simulates").cost;
    // 100 * 2,592,000 = 259,200,000 requests.
    close(cost.monthly_requests, 259_200_000.0);
    let usd = |side: &cost::CostSide, item: &str| {
        side.lines
            .iter()
            .find(|l| l.item.starts_with(item))
            .map(|l| l.usd)
            .expect("line exists")
    };
    let cf = &cost.cloudflare;
    close(usd(cf, "Workers Paid plan"), 5.0);
    close(usd(cf, "Workers requests"), (259.2 - 10.0) * 0.30); // 74.76
    close(usd(cf, "Workers CPU ms"), (259.2 - 30.0) * 0.02); // 4.58 (1 ms per invocation)
    close(usd(cf, "KV reads"), (259.2 - 10.0) * 0.50); // 124.60
    close(usd(cf, "D1 rows written"), (259.2 - 50.0) * 1.00); // 209.20
    close(usd(cf, "D1 rows read"), 0.0);
    close(cf.total_usd, 5.0 + 74.76 + 4.58 + 124.6 + 209.2); // 418.14
    let aws = &cost.aws;
    close(usd(aws, "API Gateway"), 259.2 * 1.00);
    close(usd(aws, "Lambda requests"), (259.2 - 1.0) * 0.20); // 51.64
    // 11 ms (1 ms CPU + one 10 ms in-region query) * 0.125 GB * 259.2M = 356,400 GB-s < 400,000 free.
    close(usd(aws, "Lambda GB-seconds"), 0.0);
    close(aws.total_usd, 259.2 + 51.64);
    assert!(!cost.fits_free_plan);
}

#[test]
fn gateway_checks_and_branches_follow_the_sample_request() {
    let d = format::parse(include_str!("../../../examples/global-api.ron")).expect("parses");
    let report = simulate(&d, &WhatIf::default()).expect("simulates");
    let request = |name: &str| {
        report
            .requests
            .iter()
            .find(|r| r.name == name)
            .expect("request exists")
    };
    // No API key: the gateway answers alone.
    let missing = request("missing API key");
    assert_eq!(missing.paths.len(), 1);
    assert_eq!(missing.paths[0].status, 401);
    assert_eq!(missing.paths[0].hops.len(), 1);
    // The body has an email: the 400 branch is not taken; the insert is a D1 write.
    let create = request("create user");
    assert_eq!(create.paths.len(), 1);
    assert!(create.paths[0].hops.iter().any(|h| matches!(
        h,
        Hop::D1 {
            read_only: false,
            ..
        }
    )));
    // Without an email, the handler answers 400 before touching D1.
    let invalid = request("create user without email");
    assert_eq!(invalid.paths[0].hops.len(), 2);
    // A request that breaks the route's contract ends at the Worker, before any step.
    let malformed = request("get user with a malformed id");
    assert_eq!(malformed.paths.len(), 1);
    assert_eq!(malformed.paths[0].status, 400);
    assert_eq!(malformed.paths[0].hops.len(), 2);
    // A 200 product read is a KV cache hit or a D1 read then a KV write.
    let product = request("get product");
    assert_eq!(product.paths.len(), 2);
    let unknown = request("unknown product");
    assert_eq!(unknown.paths.len(), 1);
    assert_eq!(unknown.paths[0].status, 404);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn output_is_deterministic_and_flags_unverified_sources() {
    let d = format::parse(include_str!("../../../examples/global-api.ron")).expect("parses");
    let a = simulate(&d, &WhatIf::default()).expect("simulates");
    let b = simulate(&d, &WhatIf::default()).expect("simulates");
    assert_eq!(a, b);
    assert!(
        a.unverified
            .iter()
            .any(|u| u.contains("cloudflare.com/network"))
    );
    assert!(render_text(&a).contains("[NOT VERIFIED]"));
}

#[test]
fn bad_what_ifs_are_errors_that_name_the_choices() {
    let d = hyperdrive_design("eu-west", "us-east");
    let err = simulate(
        &d,
        &WhatIf {
            single_region: "mars".to_owned(),
            ..WhatIf::default()
        },
    )
    .expect_err("unknown region");
    assert!(err.to_string().contains("us-east, us-central"));
    let err = simulate(
        &d,
        &WhatIf {
            d1_primary: Some("sam".to_owned()),
            ..WhatIf::default()
        },
    )
    .expect_err("unknown hint");
    assert!(err.to_string().contains("weur"));
    assert_eq!(
        simulate(&Design::new("empty"), &WhatIf::default()),
        Err(SimulateError::NoClient)
    );
}

#[test]
fn a_design_without_traffic_still_has_latency_and_costs_only_the_plan() {
    let d = hyperdrive_design("eu-west", "us-east");
    let mut no_traffic = d.clone();
    if let Some(NodeKind::Client(client)) = no_traffic.node_mut("web").map(|n| &mut n.kind) {
        client.requests_per_second = 0.0;
    }
    let report = simulate(&no_traffic, &WhatIf::default()).expect("simulates");
    assert_eq!(report.regions.len(), 1);
    assert!(report.regions[0].latency.global.p50_ms > 0.0);
    close(report.cost.monthly_requests, 0.0);
    close(report.cost.cloudflare.total_usd, 5.0);
    assert!(report.cost.fits_free_plan);
}

#[test]
fn service_calls_add_an_invocation_but_no_billed_request() {
    let d = design(
        "ap-southeast",
        10.0,
        r#"(method: GET, path: "/r/:id", steps: [
            Call(binding: "SVC", method: POST, path: "/items/{params.id}", body: Object({"id": Ref("params.id")}), into: "res"),
            Respond(status: 200, body: Ref("res.body")),
        ])"#,
        r#"(id: "svc", kind: Worker(routes: [(method: POST, path: "/items/:id", steps: [
                If(cond: Missing("body.id"), then: [Respond(status: 400)]),
                D1(binding: "DB", sql: "INSERT INTO t (id) VALUES (?1)", params: [Ref("params.id")], mode: Run),
                Respond(status: 201),
            ])])),
            (id: "db", kind: D1(location_hint: "weur")),"#,
        r#"(from: "api", to: "svc", binding: "SVC"), (from: "svc", to: "db", binding: "DB"),"#,
    );
    let report = simulate(&d, &WhatIf::default()).expect("simulates");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let paths = &report.requests[0].paths;
    // The callee's `If` is decided by the call's body, so there is one path.
    assert_eq!(paths.len(), 1);
    assert_eq!(
        paths[0].hops.iter().map(Hop::label).collect::<Vec<_>>(),
        ["worker api", "worker svc", "D1 db write"]
    );
    close(only_region(&report).latency.global.p50_ms, 20.0 + 167.0);
    let ops = report.cost.per_request;
    close(ops.requests, 1.0);
    close(ops.worker_invocations, 2.0);
    close(ops.lambda_invocations, 2.0);
    close(ops.d1_rows_written, 1.0);
}

/// A Worker that writes three times to a weur D1 primary, for a client in ap-southeast.
fn three_writes(placement: &str) -> Design {
    let mut d = design(
        "ap-southeast",
        10.0,
        r#"(method: GET, path: "/r/:id", steps: [
            D1(binding: "DB", sql: "UPDATE t SET n = n + 1 WHERE id = ?1", params: [Ref("params.id")], mode: Run),
            D1(binding: "DB", sql: "INSERT INTO log (id) VALUES (?1)", params: [Ref("params.id")], mode: Run),
            D1(binding: "DB", sql: "DELETE FROM queue WHERE id = ?1", params: [Ref("params.id")], mode: Run),
            Respond(status: 200),
        ])"#,
        r#"(id: "db", kind: D1(location_hint: "weur")),"#,
        r#"(from: "api", to: "db", binding: "DB"),"#,
    );
    if placement == "smart"
        && let Some(NodeKind::Worker(worker)) = d.node_mut("api").map(|n| &mut n.kind)
    {
        worker.placement = crate::model::WorkerPlacement::Smart;
    }
    d
}

#[test]
fn smart_placement_crosses_to_the_database_once_instead_of_per_query() {
    // Next to the client: each of the three writes crosses ap-southeast <-> eu-west (167 ms).
    let report = simulate(&three_writes("default"), &WhatIf::default()).expect("simulates");
    close(
        only_region(&report).latency.global.p50_ms,
        20.0 + 3.0 * 167.0,
    );
    assert!(report.placement.workers.is_empty());

    // Smart: the request crosses once to the Worker in eu-west, then three 10 ms round trips.
    let smart = simulate(&three_writes("smart"), &WhatIf::default()).expect("simulates");
    close(
        only_region(&smart).latency.global.p50_ms,
        20.0 + 167.0 + 3.0 * 10.0,
    );
    assert_eq!(smart.placement.workers.len(), 1);
    assert_eq!(smart.placement.workers[0].region, "eu-west");
    assert_eq!(smart.placement.workers[0].near, "db");
    // The single-region design is the same either way.
    close(
        only_region(&smart).latency.single_region.p50_ms,
        only_region(&report).latency.single_region.p50_ms,
    );

    // The what-if turns it on (and off) without touching the design.
    let global_p50 = |placement: &str, smart_placement: Option<bool>| {
        let what_if = WhatIf {
            smart_placement,
            ..WhatIf::default()
        };
        let report = simulate(&three_writes(placement), &what_if).expect("simulates");
        only_region(&report).latency.global.p50_ms
    };
    close(
        global_p50("default", Some(true)),
        only_region(&smart).latency.global.p50_ms,
    );
    close(
        global_p50("smart", Some(false)),
        only_region(&report).latency.global.p50_ms,
    );
}
