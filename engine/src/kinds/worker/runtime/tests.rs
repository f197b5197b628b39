//! Unit tests of the Worker interpreter: lookups, templates, JSON text, route matching.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::scope::{Scope, lookup};
use super::values::{eval, json_equal, render, write_expr_json};
use super::*;
use crate::model::{Expr, HttpMethod, Template};
use crate::runtime::bindings::ParsedJson;
use crate::runtime::json::{js_json, value_text};

#[test]
fn lookup_walks_objects_and_arrays() {
    let mut scope = Scope::default();
    scope.insert("rows", json!([{"id": 7}]));
    assert_eq!(lookup(&scope, "rows.0.id"), json!(7));
    assert_eq!(lookup(&scope, "rows.1.id"), Value::Null);
    assert_eq!(lookup(&scope, "nope.x"), Value::Null);
}

#[test]
fn templates_render_values_as_text() {
    let mut scope = Scope::default();
    scope.insert("a", json!({"n": 1.5, "s": "x", "z": null, "o": {"k": [1]}}));
    let template = Template::new("{a.n}|{a.s}|{a.z}|{a.o}|{{lit}}");
    assert_eq!(
        render(&template, &scope).expect("renders"),
        "1.5|x||{\"k\":[1]}|{lit}"
    );
}

#[test]
fn whole_floats_print_like_javascript() {
    let value = json!({"a": 1.0, "b": [2.5, -0.0], "c": 1e300, "d": 9.007_199_254_740_992e15});
    assert_eq!(
        js_json(&value),
        r#"{"a":1,"b":[2.5,0],"c":1e+300,"d":9007199254740992.0}"#
    );
    assert_eq!(value_text(&json!(3.0)), "3");
}

#[test]
fn response_bodies_are_written_as_their_evaluated_value() {
    let mut scope = Scope::default();
    scope.insert("params", json!({"id": "7"}));
    scope.insert(
        "row",
        json!({"name": "Quote \"q\" \u{e9}\n", "price": 15.0, "tags": [1, 2.5, null, true]}),
    );
    let expr = Expr::Object(BTreeMap::from([
        ("z".to_owned(), Expr::Ref("row".into())),
        ("a".to_owned(), Expr::Ref("row.tags.1".into())),
        ("missing".to_owned(), Expr::Ref("row.nope.deeper".into())),
        (
            "text".to_owned(),
            Expr::Text(Template::new("item {params.id}: {row.price}")),
        ),
        (
            "plain".to_owned(),
            Expr::Text(Template::new("no placeholders")),
        ),
        ("json".to_owned(), Expr::Json(json!({"b": 2.0, "a": [1.0]}))),
    ]));
    let mut written = Vec::new();
    write_expr_json(&expr, &scope, &mut written).expect("writes");
    let expected = js_json(&eval(&expr, &scope).expect("evaluates"));
    assert_eq!(String::from_utf8(written).expect("UTF-8"), expected);
    assert_eq!(
        expected,
        r#"{"a":2.5,"json":{"b":2,"a":[1]},"missing":null,"plain":"no placeholders","text":"item 7: 15","z":{"name":"Quote \"q\" é\n","price":15,"tags":[1,2.5,null,true]}}"#
    );
}

#[test]
fn a_kv_value_shared_between_requests_is_written_like_one_of_its_own() {
    let value = json!({"name": "Quote \"q\" \u{e9}", "price": 15.0, "tags": [1, 2.5]});
    let mut scope = Scope::default();
    scope.insert("cached", Arc::new(ParsedJson::new(value.clone())));
    scope.insert("owned", value);
    let write = |path: &str| {
        let expr = Expr::Object(BTreeMap::from([("p".to_owned(), Expr::Ref(path.into()))]));
        let mut out = Vec::new();
        write_expr_json(&expr, &scope, &mut out).expect("writes");
        String::from_utf8(out).expect("UTF-8")
    };
    let whole = r#"{"p":{"name":"Quote \"q\" é","price":15,"tags":[1,2.5]}}"#;
    assert_eq!(write("owned"), whole);
    // Twice: the first write keeps the text, the second uses it.
    assert_eq!(write("cached"), whole);
    assert_eq!(write(" cached "), whole);
    assert_eq!(write("cached.tags.1"), r#"{"p":2.5}"#);
    assert_eq!(write("cached.nope"), r#"{"p":null}"#);
}

#[test]
fn numbers_compare_by_value() {
    assert!(json_equal(&json!(1), &json!(1.0)));
    assert!(!json_equal(&json!(1), &json!("1")));
    assert!(json_equal(&json!({"a": [1]}), &json!({"a": [1.0]})));
}

#[test]
fn routes_match_segments_and_ignore_a_trailing_slash() {
    let routes = vec![Route {
        method: HttpMethod::Get,
        path: "/users/:id".into(),
        request: None,
        responses: std::collections::BTreeMap::new(),
        steps: vec![],
    }];
    let (_, _, params) = match_route(&routes, "GET", "/users/a%20b/").expect("matches");
    assert_eq!(params["id"], "a b");
    assert!(match_route(&routes, "GET", "/users").is_none());
    assert!(match_route(&routes, "POST", "/users/1").is_none());
}
