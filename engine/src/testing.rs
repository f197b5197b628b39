//! Designs built in code for the tests and benchmarks of every crate (the `test-support`
//! feature; this crate's own unit tests always have them).

use std::collections::BTreeMap;

use crate::model::{Condition, Expr, KvFormat, QueryMode, Step, Template};

/// The cache-aside read of an item: read `item:{params.id}` from KV `CACHE` as JSON and
/// answer it when found; otherwise query D1 `DB` with `sql` (taking `params.id`), answer 404
/// when there is no row, and keep the row, `item`, in KV for 300 s.
pub fn cache_aside_steps(sql: &str) -> Vec<Step> {
    vec![
        Step::KvGet {
            binding: "CACHE".into(),
            key: Template::new("item:{params.id}"),
            format: KvFormat::Json,
            into: "cached".into(),
        },
        Step::If {
            cond: Condition::Exists("cached".into()),
            then: vec![respond(200, Expr::Ref("cached".into()))],
            otherwise: vec![],
        },
        Step::D1 {
            binding: "DB".into(),
            sql: sql.into(),
            params: vec![Expr::Ref("params.id".into())],
            mode: QueryMode::First,
            into: Some("item".into()),
        },
        Step::If {
            cond: Condition::Missing("item".into()),
            then: vec![respond(
                404,
                Expr::Object(BTreeMap::from([(
                    "error".to_owned(),
                    Expr::Text(Template::new("item {params.id} not found")),
                )])),
            )],
            otherwise: vec![],
        },
        Step::KvPut {
            binding: "CACHE".into(),
            key: Template::new("item:{params.id}"),
            value: Expr::Ref("item".into()),
            ttl_secs: Some(300),
        },
    ]
}

/// Steps with a branch: set `a`, then if `a` exists respond 200, otherwise 404; their
/// positions are `0`, `1`, `1.then.0` and `1.otherwise.0`.
pub fn branching_steps() -> Vec<Step> {
    vec![
        Step::Set {
            name: "a".into(),
            value: Expr::Json(serde_json::json!(1)),
        },
        Step::If {
            cond: Condition::Exists("a".into()),
            then: vec![respond(200, Expr::Ref("a".into()))],
            otherwise: vec![respond(404, Expr::Json(serde_json::Value::Null))],
        },
    ]
}

/// A `Respond` with `status` and a JSON `body`.
pub fn respond(status: u16, body: Expr) -> Step {
    Step::Respond {
        status,
        body: Some(body),
        headers: BTreeMap::new(),
    }
}
