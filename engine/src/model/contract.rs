//! Route contracts: what a Worker route accepts and what it answers.
//!
//! A route may declare its `request` (typed path parameters, query parameters and a JSON
//! body schema) and its `responses` (status -> description, schema, example). The Worker
//! that owns the route checks every request against it before the first step, so calls
//! between Workers are checked too; an invalid request is answered 400 with the issues
//! (see [`crate::semantics`]).
//!
//! # The schema language
//! Schemas are JSON Schema 2020-12, limited to this subset, which the engine, the export,
//! the app and the OpenAPI import all understand the same way:
//!
//! | keyword | on | meaning |
//! | --- | --- | --- |
//! | `type` | any | `"string"`, `"integer"`, `"number"`, `"boolean"`, `"object"`, `"array"`, `"null"`, or an array of them (`["string", "null"]`) |
//! | `properties`, `required`, `additionalProperties` | objects | fields, the names that must be present, and whether others are allowed (`false`) or must match a schema |
//! | `items`, `minItems`, `maxItems` | arrays | the schema of every item and the bounds on their number |
//! | `enum`, `const` | any | the allowed values |
//! | `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` | numbers | bounds (numbers, not booleans, as in 2020-12) |
//! | `minLength`, `maxLength`, `pattern` | strings | bounds in characters (Unicode code points) and an ECMAScript-compatible regular expression that must match somewhere in the string |
//! | `format` | strings | `"email"`, `"uuid"`, `"date-time"` (RFC 3339), `"uri"`: checked, not just annotated |
//! | `$ref` | any | `"#/$defs/Name"`: a named schema of the design ([`NamedSchemas`]) |
//! | `title`, `description`, `examples`, `default` | any | documentation only |
//!
//! Any other keyword (`oneOf`, `allOf`, `not`, `if`, `patternProperties`, ...) is outside the
//! subset and reported by validation; a schema is always a JSON object, never `true`/`false`.
//!
//! # Parameters
//! Path and query parameters arrive as text and are converted to their declared
//! [`ParamType`] before the steps run: `params.id` declared `Integer` is the number `42`, not
//! the text `"42"`. A query parameter that is absent takes its `default`, when it has one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A schema in the subset above, as JSON (in a design file, written as a RON map:
/// `{"type": "object", "required": ["email"]}`).
pub type Schema = serde_json::Value;

/// The design's named schemas, referred to as `{"$ref": "#/$defs/Name"}`.
pub type NamedSchemas = BTreeMap<String, Schema>;

/// The type of a path or query parameter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ParamType {
    /// Any text.
    #[default]
    String,
    /// A whole number (`-3`, `42`): digits with an optional minus sign.
    Integer,
    /// A number as JSON writes it (`3.5`, `-2`, `1e3`).
    Number,
    /// `true` or `false`.
    Boolean,
    /// A UUID in its canonical text form (`8-4-4-4-12` hexadecimal digits).
    Uuid,
}

impl ParamType {
    pub const ALL: [ParamType; 5] = [
        ParamType::String,
        ParamType::Integer,
        ParamType::Number,
        ParamType::Boolean,
        ParamType::Uuid,
    ];

    /// The name in error messages and in OpenAPI (`integer`, `uuid`).
    pub fn name(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::Uuid => "uuid",
        }
    }
}

/// One query parameter a route reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryParam {
    pub name: String,
    #[serde(default, rename = "type", skip_serializing_if = "is_string")]
    pub ty: ParamType,
    /// Whether a request without it is invalid.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// The value steps see when the request does not send it (of the declared type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
}

fn is_string(ty: &ParamType) -> bool {
    *ty == ParamType::String
}

/// What a route accepts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestContract {
    /// Types of the route's `:name` path segments; a segment not listed is a string.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, ParamType>,
    /// The query parameters the route reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<QueryParam>,
    /// The JSON body's schema; none: the body is not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Schema>,
}

impl RequestContract {
    /// Whether it checks nothing.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty() && self.query.is_empty() && self.body.is_none()
    }

    /// The typed path parameters that route path `path` does not have (validation's
    /// CON006), by name.
    pub fn params_not_in(&self, path: &str) -> Vec<&str> {
        self.params
            .keys()
            .map(String::as_str)
            .filter(|name| !super::path_params(path).any(|p| p == *name))
            .collect()
    }
}

/// One response a route can give.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseContract {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Schema>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_json::Value>,
}
