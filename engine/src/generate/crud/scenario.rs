//! Scenario requests for the generated routes: each route once as it should succeed, and the
//! error cases (unknown key, a body or query that breaks the contract). Requests that change
//! rows use keys that do not exist, or touch only what they create, so running the scenario
//! again gives the same answers.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::routes::Names;
use crate::generate::table::{ColumnType, Table};
use crate::model::{HttpMethod, RequestBody, SampleRequest};

/// The scenario requests, with `headers` (the gateway's credentials) on each.
pub fn requests(
    table: &Table,
    names: &Names,
    headers: &BTreeMap<String, String>,
    with_update: bool,
) -> Vec<SampleRequest> {
    let Names {
        path,
        plural,
        singular,
    } = names;
    let unknown = match table.key_column().ty {
        ColumnType::Integer | ColumnType::Number => "999999".to_owned(),
        _ => "no-such-key".to_owned(),
    };
    let sample = table.sample_key.as_ref().map(|key| match key {
        Value::String(text) => encode(text),
        other => other.to_string(),
    });
    let request = |name: String, method, path: String, body: Option<Value>, status| {
        let mut headers = headers.clone();
        if body.is_some() {
            headers.insert("content-type".into(), "application/json".into());
        }
        SampleRequest {
            name,
            method,
            path,
            headers,
            body: body.map(RequestBody::Json),
            weight: 1.0,
            expect_status: status,
            expect_body: None,
        }
    };
    let get = HttpMethod::Get;
    let mut out = vec![
        request(format!("list {plural}"), get, path.clone(), None, 200),
        request(
            format!("list {plural} with a limit that is not a number"),
            get,
            format!("{path}?limit=many"),
            None,
            400,
        ),
    ];
    if let Some(key) = &sample {
        out.push(request(
            format!("get {singular}"),
            get,
            format!("{path}/{key}"),
            None,
            200,
        ));
    }
    out.push(request(
        format!("get unknown {singular}"),
        get,
        format!("{path}/{unknown}"),
        None,
        404,
    ));
    if table.key_column().ty == ColumnType::Integer {
        out.push(request(
            format!("get {singular} with a key that is not a number"),
            get,
            format!("{path}/not-a-number"),
            None,
            400,
        ));
    }
    if table.key_generated {
        out.push(request(
            format!("create {singular}"),
            HttpMethod::Post,
            path.clone(),
            Some(new_row(table)),
            201,
        ));
    }
    let (what, bad) = broken_body(table);
    out.push(request(
        format!("create {singular} {what}"),
        HttpMethod::Post,
        path.clone(),
        Some(bad),
        400,
    ));
    if with_update {
        let change = changes(table);
        if let Some(key) = &sample {
            out.push(request(
                format!("update {singular}"),
                HttpMethod::Put,
                format!("{path}/{key}"),
                Some(change.clone()),
                200,
            ));
        }
        out.push(request(
            format!("update unknown {singular}"),
            HttpMethod::Put,
            format!("{path}/{unknown}"),
            Some(change),
            404,
        ));
    }
    out.push(request(
        format!("delete unknown {singular}"),
        HttpMethod::Delete,
        format!("{path}/{unknown}"),
        None,
        404,
    ));
    out
}

/// A value of each type that any column of it takes.
fn example(name: &str, ty: ColumnType) -> Value {
    match ty {
        ColumnType::Integer => json!(1),
        ColumnType::Number => json!(1.5),
        ColumnType::Boolean => json!(true),
        ColumnType::Text | ColumnType::Blob => json!(format!("example {name}")),
    }
}

/// A body for a new row: every column that has no default.
fn new_row(table: &Table) -> Value {
    Value::Object(
        table
            .insert_columns()
            .filter(|c| c.default.is_none())
            .map(|c| (c.name.clone(), example(&c.name, c.ty)))
            .collect(),
    )
}

/// A change to an existing row: the first column other than the key.
fn changes(table: &Table) -> Value {
    let key = &table.key_column().name;
    Value::Object(
        table
            .insert_columns()
            .filter(|c| c.name != *key)
            .take(1)
            .map(|c| (c.name.clone(), example(&c.name, c.ty)))
            .collect(),
    )
}

/// A body the create route's contract refuses, and how to say so: without a required
/// column when there is one, else with a field the table does not have.
fn broken_body(table: &Table) -> (String, Value) {
    let required = table
        .insert_columns()
        .find(|c| c.not_null && c.default.is_none());
    match required {
        Some(column) => {
            let mut body = new_row(table);
            if let Value::Object(fields) = &mut body {
                fields.remove(&column.name);
            }
            (format!("without {}", column.name), body)
        }
        None => (
            "with an unknown field".to_owned(),
            json!({ "no_such_column": true }),
        ),
    }
}

/// A key as a URL path segment.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
