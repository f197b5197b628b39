//! Checking requests against a route's contract ([`crate::model::RequestContract`]).
//!
//! [`Checker::compile`] turns a contract into a checker once (the body schema compiled by the
//! `jsonschema` crate, with the design's named schemas as `$defs`); [`Checker::check`] then
//! checks one request's path parameters, query and body and gives either the typed values
//! the steps see or the [`Issue`]s of the 400 answer. The issue texts are Edgewire's own,
//! built from the failed keyword and its value, so that the exported Workers (which check
//! with another library) give byte-identical answers.

mod messages;
pub mod subset;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::cache::TextMemo;
use crate::model::{NamedSchemas, ParamType, QueryParam, RequestContract, Schema};

/// At most this many issues are listed in a 400 answer; the first ones in (in, path, rule)
/// order.
pub const MAX_ISSUES: usize = 20;

/// Which part of the request an issue is in. Declared in name order, so issues sort by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Body,
    Path,
    Query,
}

impl Part {
    /// Its name in the 400 body (`body`, `path`, `query`).
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Body => "body",
            Part::Path => "path",
            Part::Query => "query",
        }
    }
}

/// One thing wrong with a request.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Issue {
    /// The part of the request.
    #[serde(rename = "in")]
    pub part: Part,
    /// A JSON Pointer into that part (`/email`; empty for the part itself).
    pub path: String,
    /// The JSON Schema keyword that failed (`type`, `required`, `pattern`, ...).
    pub rule: String,
    pub message: String,
}

/// Why a contract cannot be compiled (validation reports these with their node and route).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CompileError(pub String);

/// A route's contract, ready to check requests.
pub struct Checker {
    params: BTreeMap<String, ParamType>,
    query: Vec<QueryParam>,
    body: Option<Arc<jsonschema::Validator>>,
}

/// A valid request's inputs as the steps see them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checked {
    /// Declared path parameters, converted to their types.
    pub params: BTreeMap<String, Value>,
    /// Declared query parameters, converted, with defaults for the absent ones.
    pub query: BTreeMap<String, Value>,
}

/// The body of the 400 answer to an invalid request.
pub fn invalid_request_body(issues: &[Issue]) -> Value {
    serde_json::json!({
        "error": crate::semantics::errors::INVALID_REQUEST,
        "issues": issues,
    })
}

/// `schema` with the design's named schemas as its `$defs`, so `#/$defs/Name` resolves.
pub fn with_defs(schema: &Schema, schemas: &NamedSchemas) -> Schema {
    let mut schema = schema.clone();
    if let Value::Object(map) = &mut schema
        && !schemas.is_empty()
    {
        let defs = map
            .entry("$defs")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Value::Object(defs) = defs {
            for (name, named) in schemas {
                defs.entry(name.clone()).or_insert_with(|| named.clone());
            }
        }
    }
    schema
}

/// Compiled schemas by their text with `$defs`: validation compiles the contracts of a design
/// after every edit, and most edits leave them as they were.
static COMPILED: TextMemo<Result<Arc<jsonschema::Validator>, CompileError>> = TextMemo::new(256);

/// A validator for `schema` (formats checked, as the subset says), compiled once per process
/// for the same schema and named schemas.
pub fn compile_schema(
    schema: &Schema,
    schemas: &NamedSchemas,
) -> Result<Arc<jsonschema::Validator>, CompileError> {
    let schema = with_defs(schema, schemas);
    let compiled = COMPILED.get_or_make(&schema.to_string(), || {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .map(Arc::new)
            .map_err(|err| CompileError(err.to_string()))
    });
    compiled.as_ref().clone()
}

/// The issues of `instance` against a compiled schema, in `part`, unsorted.
pub fn schema_issues(
    validator: &jsonschema::Validator,
    instance: &Value,
    part: Part,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    for error in validator.iter_errors(instance) {
        messages::push_issues(&error, part, &mut issues);
    }
    issues
}

impl Checker {
    /// Compile `contract`, whose `$ref`s name `schemas`.
    pub fn compile(
        contract: &RequestContract,
        schemas: &NamedSchemas,
    ) -> Result<Self, CompileError> {
        let body = match &contract.body {
            Some(schema) => Some(compile_schema(schema, schemas)?),
            None => None,
        };
        Ok(Self {
            params: contract.params.clone(),
            query: contract.query.clone(),
            body,
        })
    }

    /// Check one request: its path parameters and its query (objects of text values, the
    /// first of a repeated query name) and its JSON body (`null` when it sent none). The typed inputs, or the issues sorted by (in, path, rule), at most
    /// [`MAX_ISSUES`].
    pub fn check(
        &self,
        params: &Map<String, Value>,
        query: &Map<String, Value>,
        body: &Value,
    ) -> Result<Checked, Vec<Issue>> {
        let mut issues = Vec::new();
        let mut checked = Checked::default();
        for (name, ty) in &self.params {
            let Some(text) = params.get(name).and_then(Value::as_str) else {
                continue;
            };
            match convert(text, *ty) {
                Ok(value) => {
                    checked.params.insert(name.clone(), value);
                }
                Err((rule, message)) => issues.push(Issue {
                    part: Part::Path,
                    path: pointer(name),
                    rule: rule.to_owned(),
                    message,
                }),
            }
        }
        for param in &self.query {
            match query.get(&param.name).and_then(Value::as_str) {
                Some(text) => match convert(text, param.ty) {
                    Ok(value) => {
                        checked.query.insert(param.name.clone(), value);
                    }
                    Err((rule, message)) => issues.push(Issue {
                        part: Part::Query,
                        path: pointer(&param.name),
                        rule: rule.to_owned(),
                        message,
                    }),
                },
                None if param.required => issues.push(Issue {
                    part: Part::Query,
                    path: String::new(),
                    rule: "required".to_owned(),
                    message: format!("missing required query parameter \"{}\"", param.name),
                }),
                None => {
                    if let Some(default) = &param.default {
                        checked.query.insert(param.name.clone(), default.clone());
                    }
                }
            }
        }
        if let Some(validator) = &self.body {
            issues.extend(schema_issues(validator, body, Part::Body));
        }
        if issues.is_empty() {
            Ok(checked)
        } else {
            issues.sort();
            issues.dedup();
            issues.truncate(MAX_ISSUES);
            Err(issues)
        }
    }
}

/// The JSON Pointer of one top-level name (`~` and `/` escaped as RFC 6901 says).
fn pointer(name: &str) -> String {
    format!("/{}", name.replace('~', "~0").replace('/', "~1"))
}

/// A parameter's text as a value of its declared type, or the failed rule and its message.
pub fn convert(text: &str, ty: ParamType) -> Result<Value, (&'static str, String)> {
    let wrong_type = || {
        (
            "type",
            format!("expected {}, got {}", ty.name(), Value::from(text)),
        )
    };
    match ty {
        ParamType::String => Ok(Value::from(text)),
        ParamType::Integer => {
            let digits = text.strip_prefix('-').unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(wrong_type());
            }
            text.parse::<i64>()
                .map(Value::from)
                .map_err(|_| ("maximum", format!("{text} is too large for an integer")))
        }
        ParamType::Number => match serde_json::from_str::<Value>(text) {
            Ok(value @ Value::Number(_)) => Ok(value),
            _ => Err(wrong_type()),
        },
        ParamType::Boolean => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(wrong_type()),
        },
        ParamType::Uuid => {
            if is_uuid(text) {
                Ok(Value::from(text))
            } else {
                Err(("format", "must be a valid uuid".to_owned()))
            }
        }
    }
}

/// Whether `text` is a UUID in canonical form: 8-4-4-4-12 hexadecimal digits.
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests;
