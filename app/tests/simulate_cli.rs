//! `edgewire simulate` on the reference example: the JSON report is a golden snapshot, the
//! text report has its tables, and bad options fail with a clear message.

use std::process::{Command, Output};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/global-api.ron");

fn edgewire(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgewire"))
        .args(args)
        .output()
        .expect("edgewire runs")
}

fn json(args: &[&str]) -> serde_json::Value {
    let output = edgewire(args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn json_report_of_the_reference_example() {
    let report = json(&["simulate", EXAMPLE, "--format", "json"]);
    insta::assert_json_snapshot!("global_api_simulation", report);
}

#[test]
fn text_report_has_regions_requests_cost_and_sources() {
    let output = edgewire(&["simulate", EXAMPLE]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    for expected in [
        "Latency per client region",
        "ap-southeast",
        "Latency per request",
        "get product",
        "Monthly cost: 200 requests/s = 518,400,000 requests",
        "https://developers.cloudflare.com/workers/platform/pricing/ (2025-12-11)",
        "[NOT VERIFIED]",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn what_ifs_change_the_numbers() {
    let p95 = |report: &serde_json::Value, region: &str| {
        report["regions"]
            .as_array()
            .expect("regions")
            .iter()
            .find(|r| r["region"] == region)
            .and_then(|r| r["global"]["p95_ms"].as_f64())
            .expect("region p95")
    };
    let base = json(&["simulate", EXAMPLE, "--format", "json"]);
    // The D1 primary in London makes us-east writes cross the Atlantic; moving it home helps.
    let moved = json(&[
        "simulate",
        EXAMPLE,
        "--format",
        "json",
        "--d1-primary",
        "enam",
    ]);
    assert!(p95(&moved, "us-east") < p95(&base, "us-east"));
    // Without replication a D1 read from Singapore goes to the primary in London (167 ms).
    let get_user_p50 = |report: &serde_json::Value| {
        report["requests"]
            .as_array()
            .expect("requests")
            .iter()
            .find(|r| r["name"] == "get user")
            .and_then(|r| r["regions"].as_array())
            .and_then(|regions| regions.iter().find(|r| r["region"] == "ap-southeast"))
            .and_then(|r| r["global"]["p50_ms"].as_f64())
            .expect("get user from ap-southeast")
    };
    let no_replicas = json(&[
        "simulate",
        EXAMPLE,
        "--format",
        "json",
        "--replication",
        "off",
        "--hyperdrive-cache",
        "off",
        "--origin",
        "eu-west",
        "--single-region",
        "eu-west",
    ]);
    assert!((get_user_p50(&base) - 30.0).abs() < 0.2);
    assert!((get_user_p50(&no_replicas) - 187.0).abs() < 0.2);
    assert_eq!(no_replicas["placement"]["single_region"], "eu-west");
    assert_eq!(
        no_replicas["placement"]["hyperdrive"][0]["origin_region"],
        "eu-west"
    );
    assert_eq!(no_replicas["placement"]["hyperdrive"][0]["cache"], false);
}

#[test]
fn bad_options_fail_with_the_valid_choices() {
    let output = edgewire(&["simulate", EXAMPLE, "--single-region", "mars"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown region `mars`"), "{stderr}");
    assert!(stderr.contains("ap-southeast"), "{stderr}");
}

#[test]
fn a_failing_node_gives_the_share_of_requests_that_fail_per_region() {
    let report = json(&[
        "simulate",
        EXAMPLE,
        "--format",
        "json",
        "--fail",
        "app-db@eu-west",
    ]);
    assert_eq!(report["options"]["failure"]["node"], "app-db");
    let share = |region: &str, side: &str| {
        report["regions"]
            .as_array()
            .expect("regions")
            .iter()
            .find(|r| r["region"] == region)
            .and_then(|r| r["failing"][side].as_f64())
            .expect("a failing share")
    };
    // The primary is in weur: eu-west's reads (its replica) and every write fail; the
    // single-region design in us-east does not notice.
    assert!(share("eu-west", "global") > share("us-east", "global"));
    assert!(share("us-east", "global") > 0.0);
    assert!(share("eu-west", "single_region").abs() < f64::EPSILON);
    assert!(report["failing"]["global"].as_f64().expect("overall") > 0.0);

    let output = edgewire(&["simulate", EXAMPLE, "--fail", "gateway"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        text.contains("Failure what-if: `gateway` failing everywhere"),
        "{text}"
    );
    assert!(
        text.contains("all regions      100%    100.0%    100.0%"),
        "{text}"
    );

    let output = edgewire(&["simulate", EXAMPLE, "--fail", "web"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot fail"), "{stderr}");
}
