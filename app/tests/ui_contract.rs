//! The route inspector's contract editor and the design's named schemas, driven through the
//! accessibility tree: each edit changes the design as shown, and is one undo step.

mod support;

use edgewire::ui::EdgewireApp;
use edgewire_engine::NodeKind;
use edgewire_engine::model::{ParamType, Route};
use eframe::egui::{self, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use serde_json::{Value, json};
use support::app as harness;

/// The reference example with the `users` Worker selected and its `PUT /users/:id` route open.
fn users_put_route() -> Harness<'static, EdgewireApp> {
    let mut harness = harness();
    support::reveal(&mut harness, "users");
    harness.get_by_label("PUT /users/:id").click_accesskit();
    harness.run_ok();
    harness
}

fn route<'a>(harness: &'a Harness<'_, EdgewireApp>, method_path: &str) -> &'a Route {
    let design = &harness.state().document().design;
    let Some(NodeKind::Worker(worker)) = design.node("users").map(|n| &n.kind) else {
        panic!("users is a Worker");
    };
    worker
        .routes
        .iter()
        .find(|r| format!("{} {}", r.method, r.path) == method_path)
        .expect("route")
}

/// The body schema of `PUT /users/:id` (`Null` when it has none).
fn put_body(harness: &Harness<'_, EdgewireApp>) -> Value {
    route(harness, "PUT /users/:id")
        .request
        .as_ref()
        .and_then(|r| r.body.clone())
        .unwrap_or_default()
}

fn undo(harness: &mut Harness<'_, EdgewireApp>) {
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    harness.run_ok();
}

#[test]
fn the_body_table_shows_the_fields_and_a_required_click_is_one_undo_step() {
    let mut harness = users_put_route();
    assert!(
        !harness.state().document().is_dirty(),
        "showing a contract does not edit it"
    );
    let names: Vec<String> = harness
        .query_all_by_label("Schema field name")
        .filter_map(|n| n.value())
        .collect();
    assert!(names.contains(&"name".to_owned()), "{names:?}");

    let before = route(&harness, "PUT /users/:id").clone();
    harness.get_by_label("name is required").click_accesskit();
    harness.run_ok();
    let body = put_body(&harness);
    assert_eq!(
        before
            .request
            .as_ref()
            .and_then(|r| r.body.as_ref())
            .map(|b| b["required"].clone()),
        Some(json!(["name"]))
    );
    assert!(
        body.get("required").is_none(),
        "name is no longer required: {body}"
    );
    undo(&mut harness);
    assert_eq!(route(&harness, "PUT /users/:id"), &before);
}

#[test]
fn a_field_is_added_and_renamed_then_undo_removes_it() {
    let mut harness = users_put_route();
    let before = route(&harness, "PUT /users/:id").clone();
    harness.get_by_label("+ Schema field").click_accesskit();
    harness.run_ok();
    let body = put_body;
    assert_eq!(
        body(&harness)["properties"]["field"],
        json!({"type": "string"})
    );

    // Rename it on Enter: the name moves, its place in the table does not.
    let field = harness
        .query_all_by_label("Schema field name")
        .find(|n| n.value().as_deref() == Some("field"))
        .expect("the new field's name");
    field.focus();
    harness.run_ok();
    harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    harness
        .query_all_by_label("Schema field name")
        .find(|n| n.value().as_deref() == Some("field"))
        .expect("focused")
        .type_text("nickname");
    harness.run_ok();
    harness.key_press(egui::Key::Enter);
    harness.run_ok();
    let renamed = body(&harness);
    let keys: Vec<&String> = renamed["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .collect();
    assert_eq!(keys, ["name", "nickname"]);

    undo(&mut harness);
    assert!(body(&harness)["properties"].get("nickname").is_none());
    assert!(body(&harness)["properties"].get("field").is_some());
    undo(&mut harness);
    assert_eq!(route(&harness, "PUT /users/:id"), &before);
}

#[test]
fn invalid_json_schema_text_is_reported_and_leaves_the_schema_alone() {
    let mut harness = users_put_route();
    let before = route(&harness, "PUT /users/:id").clone();
    harness.get_by_label("JSON Schema view").click_accesskit();
    harness.run_ok();
    let text = harness.get_by_label("Schema JSON");
    assert!(
        text.value()
            .is_some_and(|v| v.contains("\"maxLength\": 100")),
        "the JSON view shows the schema"
    );
    support::retype(&mut harness, "Schema JSON", "{\"type\": \"object\",");
    harness.get_by_label_contains("Not JSON at line 1");
    assert_eq!(route(&harness, "PUT /users/:id"), &before);

    // Valid JSON outside the subset applies, and the editor says what is outside it.
    support::retype(
        &mut harness,
        "Schema JSON",
        "{\"oneOf\": [{\"type\": \"string\"}]}",
    );
    // Under the text, in the editor's words (validation's CON001 says it too, above).
    assert!(
        harness
            .query_all_by_label_contains("`/oneOf`")
            .filter_map(|n| n.value())
            .any(|label| label.starts_with("`/oneOf`:")),
        "the editor names the keyword outside the subset"
    );
    assert_eq!(put_body(&harness), json!({"oneOf": [{"type": "string"}]}));
    // The whole typing session is one undo step.
    undo(&mut harness);
    assert_eq!(route(&harness, "PUT /users/:id"), &before);
}

#[test]
fn query_parameters_are_added_typed_and_given_a_default() {
    let mut harness = users_put_route();
    harness.get_by_label("GET /users/:id").click_accesskit();
    harness.run_ok();
    // Both open routes offer "+ Query parameter"; the first belongs to GET /users/:id.
    harness
        .get_all_by_label("+ Query parameter")
        .next()
        .expect("button")
        .click_accesskit();
    harness.run_ok();
    let query = &route(&harness, "GET /users/:id")
        .request
        .as_ref()
        .expect("request")
        .query;
    assert_eq!(query.len(), 1);
    assert_eq!(query[0].name, "q");

    harness
        .get_by_label("Query parameter type")
        .click_accesskit();
    harness.run_ok();
    harness.get_by_label("integer").click_accesskit();
    harness.run_ok();
    let default = harness.get_by_label("Query parameter default");
    default.focus();
    harness.run_ok();
    harness
        .get_by_label("Query parameter default")
        .type_text("x");
    harness.run_ok();
    harness.get_by_label_contains("expected integer");
    let param = |h: &Harness<'_, EdgewireApp>| {
        route(h, "GET /users/:id")
            .request
            .as_ref()
            .expect("request")
            .query[0]
            .clone()
    };
    assert_eq!(param(&harness).ty, ParamType::Integer);
    assert_eq!(param(&harness).default, None, "x is not an integer");
    harness.key_press(egui::Key::Backspace);
    harness
        .get_by_label("Query parameter default")
        .type_text("25");
    harness.run_ok();
    assert_eq!(param(&harness).default, Some(json!(25)));
}

#[test]
fn a_named_schema_is_edited_on_the_design_page() {
    let mut harness = harness();
    support::reveal(&mut harness, "users");
    harness.key_press(egui::Key::Escape);
    harness.run_ok();
    assert!(
        harness.state().selection().single().is_none(),
        "the design page"
    );
    harness.get_by_label("NewUser").click_accesskit();
    harness.run_ok();
    harness.get_by_label_contains("used by 1 route");
    let before = harness.state().document().design.schemas.clone();
    harness.get_by_label("email is required").click_accesskit();
    harness.run_ok();
    let required = harness.state().document().design.schemas["NewUser"]["required"].clone();
    assert_ne!(Some(&required), before["NewUser"].get("required"));
    undo(&mut harness);
    assert_eq!(harness.state().document().design.schemas, before);

    harness.get_by_label("New schema name").focus();
    harness.run_ok();
    harness.get_by_label("New schema name").type_text("Address");
    harness.run_ok();
    harness.get_by_label("+ Schema").click_accesskit();
    harness.run_ok();
    assert!(
        harness
            .state()
            .document()
            .design
            .schemas
            .contains_key("Address")
    );
    undo(&mut harness);
    assert_eq!(harness.state().document().design.schemas, before);
}

#[test]
fn a_bound_takes_a_number_and_keeps_other_text_out_of_the_schema() {
    let mut harness = users_put_route();
    let max_length =
        |h: &Harness<'_, EdgewireApp>| put_body(h)["properties"]["name"]["maxLength"].clone();
    assert_eq!(max_length(&harness), json!(100));
    support::retype(&mut harness, "maxLength", "lots");
    assert_eq!(max_length(&harness), json!(100), "not a number");
    support::retype(&mut harness, "maxLength", "50");
    assert_eq!(max_length(&harness), json!(50));
}
