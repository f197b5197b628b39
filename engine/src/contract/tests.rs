use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::model::QueryParam;

fn user_contract() -> RequestContract {
    RequestContract {
        params: BTreeMap::from([("id".to_owned(), ParamType::Integer)]),
        query: vec![QueryParam {
            name: "limit".to_owned(),
            ty: ParamType::Integer,
            required: false,
            default: Some(json!(20)),
        }],
        body: Some(json!({
            "type": "object",
            "required": ["email", "name"],
            "additionalProperties": false,
            "properties": {
                "email": {"type": "string", "format": "email"},
                "name": {"type": "string", "minLength": 1, "maxLength": 40},
                "age": {"type": ["null", "integer"], "minimum": 0},
                "role": {"enum": ["admin", "member"]},
                "address": {"$ref": "#/$defs/Address"}
            }
        })),
    }
}

fn schemas() -> NamedSchemas {
    NamedSchemas::from([(
        "Address".to_owned(),
        json!({"type": "object", "required": ["city"], "properties": {"city": {"type": "string", "pattern": "^[A-Z]"}}}),
    )])
}

fn check(body: &Value, id: &str, query: &[(&str, &str)]) -> Result<Checked, Vec<Issue>> {
    let checker = Checker::compile(&user_contract(), &schemas()).expect("the contract compiles");
    let params = json!({ "id": id });
    let mut pairs = serde_json::Map::new();
    for (k, v) in query {
        pairs.insert((*k).to_owned(), json!(v));
    }
    checker.check(params.as_object().expect("object"), &pairs, body)
}

fn summary(issues: &[Issue]) -> Vec<String> {
    issues
        .iter()
        .map(|i| format!("{}|{}|{}|{}", i.part.as_str(), i.path, i.rule, i.message))
        .collect()
}

#[test]
fn a_valid_request_gets_typed_parameters_and_query_defaults() {
    let checked = check(&json!({"email": "a@example.com", "name": "Ada"}), "42", &[])
        .expect("the request is valid");
    assert_eq!(checked.params["id"], json!(42));
    assert_eq!(checked.query["limit"], json!(20));
    let checked = check(
        &json!({"email": "a@example.com", "name": "Ada"}),
        "-7",
        &[("limit", "5")],
    )
    .expect("the request is valid");
    assert_eq!(checked.params["id"], json!(-7));
    assert_eq!(checked.query["limit"], json!(5));
}

#[test]
fn each_broken_rule_is_one_issue_at_its_pointer_sorted_by_part_path_and_rule() {
    let issues = check(
        &json!({"email": 42, "name": "", "age": -1, "role": "owner", "extra": true, "address": {"city": "paris"}}),
        "abc",
        &[("limit", "many")],
    )
    .expect_err("the request is invalid");
    assert_eq!(
        summary(&issues),
        [
            "body||additionalProperties|field \"extra\" is not allowed",
            "body|/address/city|pattern|must match the pattern ^[A-Z]",
            "body|/age|minimum|must be >= 0",
            "body|/email|type|expected string, got integer",
            "body|/name|minLength|must be at least 1 character long",
            "body|/role|enum|must be one of [\"admin\",\"member\"]",
            "path|/id|type|expected integer, got \"abc\"",
            "query|/limit|type|expected integer, got \"many\"",
        ]
    );
}

#[test]
fn a_missing_field_is_reported_at_its_parent_with_its_name() {
    let issues = check(&json!({"address": {}}), "1", &[]).expect_err("the request is invalid");
    assert_eq!(
        summary(&issues),
        [
            "body||required|missing required field \"email\"",
            "body||required|missing required field \"name\"",
            "body|/address|required|missing required field \"city\"",
        ]
    );
}

#[test]
fn formats_are_checked_and_a_missing_body_is_null() {
    let issues =
        check(&json!({"email": "not an address", "name": "Ada"}), "1", &[]).expect_err("bad email");
    assert_eq!(
        summary(&issues),
        ["body|/email|format|must be a valid email"]
    );
    let checker = Checker::compile(&user_contract(), &schemas()).expect("the contract compiles");
    let issues = checker
        .check(
            &serde_json::Map::new(),
            &serde_json::Map::new(),
            &Value::Null,
        )
        .expect_err("no body");
    assert_eq!(summary(&issues), ["body||type|expected object, got null"]);
}

#[test]
fn at_most_twenty_issues_are_listed() {
    let contract = RequestContract {
        body: Some(json!({"type": "array", "items": {"type": "string"}})),
        ..RequestContract::default()
    };
    let checker = Checker::compile(&contract, &NamedSchemas::new()).expect("compiles");
    let body = Value::Array((0..50).map(Value::from).collect());
    let issues = checker
        .check(&serde_json::Map::new(), &serde_json::Map::new(), &body)
        .expect_err("invalid");
    assert_eq!(issues.len(), MAX_ISSUES);
}

#[test]
fn parameters_convert_to_their_declared_types() {
    assert_eq!(convert("3.5", ParamType::Number), Ok(json!(3.5)));
    assert_eq!(convert("true", ParamType::Boolean), Ok(json!(true)));
    assert!(convert("yes", ParamType::Boolean).is_err());
    assert!(convert("", ParamType::Integer).is_err());
    assert!(convert("1e3", ParamType::Integer).is_err());
    assert_eq!(
        convert("8c2f1a9e-3b4d-4c5e-9f60-718293a4b5c6", ParamType::Uuid),
        Ok(json!("8c2f1a9e-3b4d-4c5e-9f60-718293a4b5c6"))
    );
    assert_eq!(
        convert("8c2f1a9e", ParamType::Uuid),
        Err(("format", "must be a valid uuid".to_owned()))
    );
}
