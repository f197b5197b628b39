use std::collections::BTreeMap;

use super::super::testkit::{
    assert_contains, base, only, only_after, reported_after, reports, respond, steps_mut,
    worker_mut,
};
use crate::model::{Condition, Expr, HttpMethod, KvFormat, QueryMode, Route, Step, Template};

fn set(name: &str, value: Expr) -> Step {
    Step::Set {
        name: name.into(),
        value,
    }
}

#[test]
fn step_with_unwired_binding() {
    let found = only_after(base(), "HDL001", |design| {
        steps_mut(design, 0).insert(
            0,
            Step::KvDelete {
                binding: "SESSIONS".into(),
                key: Template::new("x"),
            },
        );
    });
    assert_contains(found.help.as_deref().unwrap_or_default(), "CACHE");
}

#[test]
fn step_with_binding_of_the_wrong_kind() {
    let mut design = base();
    assert!(!reports(&design, "HDL002"));
    steps_mut(&mut design, 0).insert(
        0,
        Step::KvGet {
            binding: "DB".into(),
            key: Template::new("x"),
            format: KvFormat::Text,
            into: "x".into(),
        },
    );
    assert!(reports(&design, "HDL002"));
    let mut design = base();
    steps_mut(&mut design, 0).insert(
        0,
        Step::Call {
            binding: "CACHE".into(),
            method: HttpMethod::Get,
            path: Template::new("/x"),
            body: None,
            into: "x".into(),
        },
    );
    assert!(reports(&design, "HDL002"));
}

#[test]
fn value_used_before_it_is_set() {
    let found = only_after(base(), "HDL003", |design| {
        steps_mut(design, 1).insert(0, set("copy", Expr::Ref("orders".into())));
    });
    assert_eq!(found.target.to_string(), "node items, route 2, step 0");
}

#[test]
fn names_set_in_both_branches_are_set_after_the_if() {
    let branch = |value| vec![set("label", Expr::Json(serde_json::json!(value)))];
    let mut design = base();
    let steps = steps_mut(&mut design, 1);
    steps.insert(
        0,
        Step::If {
            cond: Condition::Exists("query.x".into()),
            then: branch("a"),
            otherwise: branch("b"),
        },
    );
    steps.insert(1, set("copy", Expr::Ref("label".into())));
    assert!(!reports(&design, "HDL003"));
    // Set in one branch only: not set after the If.
    if let Step::If { otherwise, .. } = &mut steps_mut(&mut design, 1)[0] {
        otherwise.clear();
    }
    assert!(reports(&design, "HDL003"));
    // ...unless the other branch responds.
    if let Step::If { otherwise, .. } = &mut steps_mut(&mut design, 1)[0] {
        otherwise.push(respond(400));
    }
    assert!(!reports(&design, "HDL003"));
}

#[test]
fn params_must_be_in_the_route_path() {
    let mut design = base();
    assert!(!reports(&design, "HDL005"));
    steps_mut(&mut design, 1).insert(0, set("x", Expr::Ref("params.id".into())));
    let found = only(&design, "HDL005");
    assert_contains(&found.message, "/orders");
    let mut design = base();
    steps_mut(&mut design, 1).insert(0, set("x", Expr::Ref("headers.X-Api-Key".into())));
    assert!(reports(&design, "HDL005"));
}

#[test]
fn template_that_does_not_parse() {
    reported_after(base(), "HDL004", |design| {
        steps_mut(design, 1).insert(0, set("x", Expr::Text(Template::new("order {params.id"))));
    });
}

#[test]
fn handler_that_can_finish_without_responding() {
    let mut design = base();
    assert!(!reports(&design, "HDL006"));
    steps_mut(&mut design, 1).pop();
    assert!(reports(&design, "HDL006"));
    // An If that responds in both branches counts as responding.
    let steps = steps_mut(&mut design, 1);
    steps.push(Step::If {
        cond: Condition::Exists("orders".into()),
        then: vec![respond(200)],
        otherwise: vec![respond(404)],
    });
    assert!(!reports(&design, "HDL006"));
    worker_mut(&mut design, "items").routes[1].steps.clear();
    assert!(reports(&design, "HDL006"));
}

#[test]
fn invalid_worker_route_path() {
    reported_after(base(), "HDL007", |design| {
        worker_mut(design, "items").routes[1].path = "/orders/".into();
    });
}

fn route(method: HttpMethod, path: &str) -> Route {
    Route {
        method,
        path: path.into(),
        request: None,
        responses: std::collections::BTreeMap::new(),
        steps: vec![respond(200)],
    }
}

/// Worker `items` gets another route, after its others.
fn add_route(design: &mut crate::model::Design, method: HttpMethod, path: &str) {
    worker_mut(design, "items").routes.push(route(method, path));
}

#[test]
fn duplicate_worker_route() {
    let mut design = base();
    add_route(&mut design, HttpMethod::Post, "/orders");
    reported_after(design, "HDL008", |design| {
        add_route(design, HttpMethod::Get, "/orders");
    });
}

#[test]
fn shadowed_worker_route() {
    let mut design = base();
    let routes = &mut worker_mut(&mut design, "items").routes;
    routes.insert(0, route(HttpMethod::Get, "/items/featured"));
    reported_after(design, "HDL009", |design| {
        add_route(design, HttpMethod::Get, "/items/special");
    });
}

#[test]
fn respond_status_out_of_range() {
    reported_after(base(), "HDL010", |design| {
        *steps_mut(design, 1).last_mut().expect("respond") = respond(700);
    });
}

#[test]
fn output_names_must_be_plain_and_not_inputs() {
    let mut design = base();
    assert!(!reports(&design, "HDL011"));
    steps_mut(&mut design, 1).insert(0, set("body", Expr::Json(serde_json::json!(1))));
    assert!(reports(&design, "HDL011"));
    let mut design = base();
    if let Step::Hyperdrive { into, mode, .. } = &mut steps_mut(&mut design, 1)[0] {
        *into = Some("a.b".into());
        *mode = QueryMode::All;
    }
    assert!(reports(&design, "HDL011"));
}

#[test]
fn steps_after_respond_never_run() {
    let found = only_after(base(), "HDL012", |design| {
        steps_mut(design, 1).push(Step::Respond {
            status: 500,
            body: None,
            headers: BTreeMap::new(),
        });
    });
    assert_eq!(found.target.to_string(), "node items, route 2, step 2");
}
