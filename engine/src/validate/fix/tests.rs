use super::*;
use crate::model::{Hyperdrive, RateLimit};
use crate::validate::testkit::{base, client_mut, gateway_mut, reports};

/// Fixing error `code` in `design` removes it and adds no error, so there are fewer.
fn fixed(design: Design, code: &str) {
    let errors_before = validate(&design).count(Severity::Error);
    let after = fixed_without_new_errors(design, code);
    assert!(validate(&after).count(Severity::Error) < errors_before);
}

/// [`fixed`] on the base design after `change`.
fn fixed_after(code: &str, change: impl FnOnce(&mut Design)) {
    let mut design = base();
    change(&mut design);
    fixed(design, code);
}

#[test]
fn a_wire_the_platform_does_not_allow_is_removed() {
    fixed_after("WIR001", |design| {
        design.wires.push(Wire::new("cache", "items", "ITEMS"));
    });
}

#[test]
fn a_client_wire_loses_its_binding_name() {
    fixed_after("BND002", |design| {
        design.wires[0].binding = "GATEWAY".into();
    });
}

#[test]
fn traffic_shares_are_scaled_to_one() {
    let shares = |pairs: &[(&str, f64)]| {
        let mut design = base();
        client_mut(&mut design).regions =
            pairs.iter().map(|(r, s)| ((*r).to_owned(), *s)).collect();
        design
    };
    fixed(shares(&[("eu-west", 1.2), ("us-east", 0.4)]), "CLI002");
    // A negative share is the user's to decide: no fix.
    let design = shares(&[("eu-west", 1.2), ("us-east", -0.2)]);
    let diagnostics = validate(&design);
    let cli002 = diagnostics.iter().find(|d| d.code == "CLI002");
    assert!(cli002.is_none_or(|d| fixes(&design, d).is_empty()));
}

#[test]
fn a_rate_limit_period_becomes_the_nearest_allowed_one() {
    let mut design = base();
    gateway_mut(&mut design).rate_limit = Some(RateLimit {
        requests: 5,
        period_secs: 1,
        ..RateLimit::default()
    });
    fixed(design.clone(), "GWY009");
    let mut after = design;
    let _ = fix_all(&mut after);
    let limit = gateway_mut(&mut after).rate_limit.clone().expect("limit");
    assert_eq!((limit.requests, limit.period_secs), (50, 10));
}

#[test]
fn a_hyperdrive_max_age_over_the_limit_is_capped() {
    let mut design = base();
    if let Some(node) = design.node_mut("pg") {
        let mut hyperdrive = Hyperdrive::default();
        hyperdrive.caching.max_age_secs = 7200;
        node.kind = NodeKind::Hyperdrive(hyperdrive);
    }
    fixed(design, "HYP005");
}

#[test]
fn misspelt_regions_and_hints_become_the_closest_names() {
    let mut design = base();
    let share = client_mut(&mut design)
        .regions
        .remove("eu-west")
        .expect("eu-west");
    client_mut(&mut design)
        .regions
        .insert("eu-wset".into(), share);
    fixed(design, "CLI001");
    let mut design = base();
    if let Some(NodeKind::Hyperdrive(h)) = design.node_mut("pg").map(|n| &mut n.kind) {
        h.origin_region = "us-eats".into();
    }
    fixed(design, "HYP004");
    let mut design = base();
    if let Some(NodeKind::D1(d1)) = design.node_mut("db").map(|n| &mut n.kind) {
        d1.location_hint = Some("wuer".into());
    }
    fixed(design, "D1_001");
    // Nothing close: the user has to say.
    let mut design = base();
    if let Some(NodeKind::D1(d1)) = design.node_mut("db").map(|n| &mut n.kind) {
        d1.location_hint = Some("the-moon".into());
    }
    let diagnostics = validate(&design);
    let found = diagnostics
        .iter()
        .find(|d| d.code == "D1_001")
        .expect("reported");
    assert!(fixes(&design, found).is_empty());
}

#[test]
fn a_binding_without_a_name_gets_the_usual_one() {
    let mut design = base();
    if let Some(wire) = design.wires.iter_mut().find(|w| w.to == "cache") {
        wire.binding = String::new();
    }
    let mut fixed_design = design.clone();
    fixed(design, "BND001");
    let _ = fix_all(&mut fixed_design);
    assert!(fixed_design.binding("items", "CACHE").is_some());
}

#[test]
fn a_binding_with_no_wire_is_wired_to_the_only_store_of_its_kind() {
    let mut design = base();
    design.wires.retain(|w| w.to != "db");
    fixed(design.clone(), "HDL001");
    let _ = fix_all(&mut design);
    assert!(design.binding("items", "DB").is_some_and(|w| w.to == "db"));
    // Two D1 databases: the user picks one (a fix each, none applied by fix_all).
    let mut design = base();
    design.wires.retain(|w| w.to != "db");
    design.nodes.push(crate::model::Node::new(
        "db2",
        NodeKind::D1(crate::model::D1::default()),
    ));
    let diagnostics = validate(&design);
    let found = diagnostics
        .iter()
        .find(|d| d.code == "HDL001")
        .expect("reported");
    assert_eq!(fixes(&design, found).len(), 2);
    let _ = fix_all(&mut design);
    assert!(design.binding("items", "DB").is_none());
}

#[test]
fn a_kv_ttl_under_a_minute_becomes_a_minute() {
    let mut design = base();
    if let Some(NodeKind::Worker(worker)) = design.node_mut("items").map(|n| &mut n.kind) {
        walk_steps_mut(&mut worker.routes[0].steps, &mut |step| {
            if let Step::KvPut { ttl_secs, .. } = step {
                *ttl_secs = Some(5);
            }
        });
    }
    fixed(design, "KV_003");
}

/// Fixing `code` (a warning or an error) removes it and adds no error.
fn fixed_without_new_errors(mut design: Design, code: &str) -> Design {
    assert!(reports(&design, code), "{code} is reported before");
    let errors_before = validate(&design).count(Severity::Error);
    let applied = fix_all(&mut design);
    assert!(applied.iter().any(|a| a.code == code), "{applied:?}");
    assert!(!reports(&design, code), "{code} is gone after the fix");
    assert!(validate(&design).count(Severity::Error) <= errors_before);
    design
}

#[test]
fn a_wire_to_a_missing_node_is_removed() {
    fixed_after("WIR002", |design| {
        design.wires.push(Wire::new("items", "nowhere", "GONE"));
    });
}

#[test]
fn binding_ids_and_secret_names_take_the_usual_case() {
    let mut design = base();
    design
        .apply(&Edit::RenameBinding {
            node: "items".into(),
            from: "DB".into(),
            to: "my-db".into(),
        })
        .expect("rename");
    let design = fixed_without_new_errors(design, "BND003");
    assert!(design.binding("items", "MY_DB").is_some());

    let mut design = base();
    design
        .apply(&Edit::RenameNode {
            from: "items".into(),
            to: "Items API".into(),
        })
        .expect("rename");
    let design = fixed_without_new_errors(design, "NAM001");
    assert!(design.node("items-api").is_some());

    let mut design = base();
    gateway_mut(&mut design).auth = crate::model::Auth::ApiKey {
        header: "x-api-key".into(),
        secret: "api-key".into(),
    };
    let design = fixed_without_new_errors(design, "SEC003");
    assert_eq!(design.secrets_used(), ["API_KEY"]);
}

#[test]
fn a_custom_domain_written_as_a_url_becomes_its_hostname() {
    let mut design = base();
    gateway_mut(&mut design).custom_domain = Some("https://API.example.com/v1".into());
    let design = fixed_without_new_errors(design, "PUB001");
    assert_eq!(
        gateway_mut(&mut design.clone()).custom_domain.as_deref(),
        Some("api.example.com")
    );
}

#[test]
fn a_duplicate_gateway_route_and_a_repeated_seed_key_go() {
    let mut design = base();
    let route = gateway_mut(&mut design).routes[0].clone();
    gateway_mut(&mut design).routes.push(route);
    fixed(design, "GWY003");

    let mut design = base();
    if let Some(NodeKind::Kv(kv)) = design.node_mut("cache").map(|n| &mut n.kind) {
        for value in ["old", "other", "new"] {
            kv.seed.push(crate::model::KvEntry {
                key: if value == "other" { "b" } else { "a" }.into(),
                value: value.into(),
            });
        }
    }
    let mut design = fixed_without_new_errors(design, "KV_005");
    let Some(NodeKind::Kv(kv)) = design.node_mut("cache").map(|n| &mut n.kind) else {
        panic!("cache");
    };
    let kept: Vec<(&str, &str)> = kv
        .seed
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        kept,
        [("b", "other"), ("a", "new")],
        "the value that won stays"
    );
}

#[test]
fn steps_that_never_run_are_deleted() {
    let mut design = base();
    let steps = crate::validate::testkit::steps_mut(&mut design, 0);
    steps.push(crate::validate::testkit::respond(500));
    let count = steps.len();
    let mut design = fixed_without_new_errors(design, "HDL012");
    assert_eq!(
        crate::validate::testkit::steps_mut(&mut design, 0).len(),
        count - 1
    );
}

#[test]
fn question_mark_placeholders_are_numbered_for_postgresql() {
    assert_eq!(
        more_placeholders("SELECT * FROM t WHERE a = ? AND b = ?2 AND c = '?'"),
        Some("SELECT * FROM t WHERE a = $1 AND b = $2 AND c = '?'".to_owned())
    );
    let mut design = base();
    let steps = crate::validate::testkit::steps_mut(&mut design, 1);
    for step in steps.iter_mut() {
        if let Step::Hyperdrive { sql, .. } = step {
            *sql = "SELECT id FROM orders WHERE total > ? LIMIT ?".into();
        }
    }
    fixed(design, "HYP003");
}

#[test]
fn a_typed_parameter_the_path_lacks_loses_its_type() {
    let mut design = base();
    let worker = crate::validate::testkit::worker_mut(&mut design, "items");
    let mut request = crate::model::RequestContract::default();
    request
        .params
        .insert("nope".into(), crate::model::ParamType::Integer);
    worker.routes[0].request = Some(request);
    let mut design = fixed_without_new_errors(design, "CON006");
    assert!(
        crate::validate::testkit::worker_mut(&mut design, "items").routes[0]
            .request
            .is_none()
    );
}

fn more_placeholders(sql: &str) -> Option<String> {
    super::more::dollar_placeholders_for_tests(sql)
}
