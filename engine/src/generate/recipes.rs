//! Recipes: a known good shape applied to part of a design in one step, leaving it valid.
//!
//! - [`cache_aside`]: a read route first looks in KV, queries the database only on a miss,
//!   and keeps the answer in KV for a minute.
//! - [`jwt_gateway`]: the gateway checks a signed JWT instead of an API key; the scenario
//!   requests carry a token signed with a new development secret that the caller writes into
//!   `.dev.vars` ([`Recipe::secrets`]).
//! - [`read_replication`]: a D1 database gets read replicas; every Worker that reads it then
//!   reads through the Sessions API (the runtime and the export do that for replicated
//!   databases).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use super::{GenerateError, Generated};
use crate::edit::Edit;
use crate::model::{
    Auth, Condition, Design, Expr, HttpMethod, Kind, KvFormat, Node, NodeKind, Pos, Step, Template,
    Wire,
};
use crate::semantics::KV_MIN_TTL_SECS;
use crate::simulate::paths::is_read_only;

/// What a recipe made: the edit, its summary, and secrets to declare in `.dev.vars`.
#[derive(Clone, Debug, PartialEq)]
pub struct Recipe {
    pub generated: Generated,
    /// Secret names and development values the design now uses (never stored in it).
    pub secrets: BTreeMap<String, String>,
}

fn refuse(recipe: &'static str, node: &str, why: impl Into<String>) -> GenerateError {
    GenerateError::Recipe {
        recipe,
        node: node.to_owned(),
        why: why.into(),
    }
}

/// The KV binding `worker` caches in: its wire to a KV namespace, else a new wire to the
/// design's only KV namespace, else a new namespace `cache`.
fn cache_binding(
    design: &Design,
    worker: &str,
    edits: &mut Vec<Edit>,
    summary: &mut Vec<String>,
) -> String {
    if let Some(wire) = design.wires_from(worker).find(|w| {
        design
            .node(&w.to)
            .is_some_and(|n| n.kind.kind() == Kind::Kv)
    }) {
        return wire.binding.clone();
    }
    let kvs: Vec<&Node> = design.nodes_of_kind(Kind::Kv).collect();
    let binding = "CACHE".to_owned();
    let store = if let [only] = kvs.as_slice() {
        only.id.clone()
    } else {
        let id = design.unique_id("cache");
        let base = design.layout.get(worker).copied().unwrap_or_default();
        edits.push(Edit::AddNode {
            node: Node::new(id.clone(), Kind::Kv.default_node_kind()),
            pos: Pos::new(base.x + 280.0, base.y - 140.0),
        });
        summary.push(format!("new KV namespace `{id}`"));
        id
    };
    edits.push(Edit::Connect {
        wire: Wire::new(worker, store.clone(), binding.clone()),
    });
    summary.push(format!("wire {worker} -> {store} as `{binding}`"));
    binding
}

/// Cache-aside on route `route` of `worker`: its first read query (D1 or Hyperdrive, at the
/// top of the handler, into a name) is wrapped in a KV get, and a KV put with the minimum
/// TTL on a miss. The key holds every request input the query reads.
pub fn cache_aside(design: &Design, worker: &str, route: usize) -> Result<Recipe, GenerateError> {
    const NAME: &str = "cache-aside";
    let Some(NodeKind::Worker(mut w)) = design.node(worker).map(|n| n.kind.clone()) else {
        return Err(refuse(NAME, worker, "it is not a Worker"));
    };
    let Some(r) = w.routes.get_mut(route) else {
        return Err(refuse(
            NAME,
            worker,
            format!("it has no route {}", route + 1),
        ));
    };
    if r.method != HttpMethod::Get {
        return Err(refuse(
            NAME,
            worker,
            format!(
                "{} {} does not read: only GET routes are cached",
                r.method, r.path
            ),
        ));
    }
    let cached = r.steps.windows(2).any(|pair| match pair {
        [
            Step::KvGet { into, .. },
            Step::If {
                cond: Condition::Missing(missing),
                ..
            },
        ] => into == missing,
        _ => false,
    });
    if cached {
        return Err(refuse(
            NAME,
            worker,
            format!("{} {} already reads KV before its query", r.method, r.path),
        ));
    }
    let found = r.steps.iter().position(|step| match step {
        Step::D1 {
            sql, into: Some(_), ..
        }
        | Step::Hyperdrive {
            sql, into: Some(_), ..
        } => is_read_only(sql),
        _ => false,
    });
    let Some(at) = found else {
        return Err(refuse(
            NAME,
            worker,
            format!(
                "{} {} has no read query at the top of its steps to cache",
                r.method, r.path
            ),
        ));
    };
    if r.steps[..at]
        .iter()
        .any(|step| matches!(step, Step::KvGet { .. }))
    {
        return Err(refuse(
            NAME,
            worker,
            format!("{} {} already reads KV before its query", r.method, r.path),
        ));
    }
    let query = r.steps[at].clone();
    let (Step::D1 {
        params,
        into: Some(into),
        ..
    }
    | Step::Hyperdrive {
        params,
        into: Some(into),
        ..
    }) = &query
    else {
        unreachable!("found above");
    };
    let mut key = String::from("cache:");
    key.push_str(
        &r.path
            .split('/')
            .map(|segment| match segment.strip_prefix(':') {
                Some(name) => format!("{{params.{name}}}"),
                None => segment.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/"),
    );
    let mut inputs = Vec::new();
    for param in params {
        param.for_each_read(&mut |path| {
            if !path.starts_with("params.") && !inputs.iter().any(|p: &String| p == path) {
                inputs.push(path.to_owned());
            }
        });
    }
    for (i, path) in inputs.iter().enumerate() {
        let _ = write!(key, "{}{path}={{{path}}}", if i == 0 { '?' } else { '&' });
    }
    let mut edits = Vec::new();
    let mut summary = Vec::new();
    let binding = cache_binding(design, worker, &mut edits, &mut summary);
    let key = Template::new(key);
    let into = into.clone();
    r.steps[at] = Step::If {
        cond: Condition::Missing(into.clone()),
        then: vec![
            query,
            Step::KvPut {
                binding: binding.clone(),
                key: key.clone(),
                value: Expr::Ref(into.clone()),
                ttl_secs: Some(KV_MIN_TTL_SECS),
            },
        ],
        otherwise: Vec::new(),
    };
    r.steps.insert(
        at,
        Step::KvGet {
            binding,
            key: key.clone(),
            format: KvFormat::Json,
            into,
        },
    );
    summary.push(format!(
        "{} {} reads `{}` first, queries on a miss and keeps the answer {KV_MIN_TTL_SECS} s",
        r.method,
        r.path,
        key.as_str()
    ));
    edits.push(Edit::SetNode {
        id: worker.to_owned(),
        kind: NodeKind::Worker(w),
    });
    Ok(Recipe {
        generated: Generated {
            edit: Edit::Batch { edits },
            summary,
        },
        secrets: BTreeMap::new(),
    })
}

/// The secret a JWT gateway verifies with.
pub const JWT_SECRET: &str = "JWT_SECRET";

/// Switch `gateway` to JWT: HS256 tokens signed with `JWT_SECRET`, issuer
/// `https://auth.example`, audience the gateway's id. The scenario requests of the Clients
/// that call it carry a token signed with `secret` (the development value, which goes into
/// `.dev.vars`) instead of their API key.
pub fn jwt_gateway(design: &Design, gateway: &str, secret: &str) -> Result<Recipe, GenerateError> {
    const NAME: &str = "JWT gateway";
    let Some(NodeKind::Gateway(mut g)) = design.node(gateway).map(|n| n.kind.clone()) else {
        return Err(refuse(NAME, gateway, "it is not a gateway"));
    };
    if matches!(g.auth, Auth::Jwt { .. }) {
        return Err(refuse(NAME, gateway, "it already checks JWTs"));
    }
    let old_header = match &g.auth {
        Auth::ApiKey { header, .. } => Some(header.to_ascii_lowercase()),
        _ => None,
    };
    let issuer = "https://auth.example".to_owned();
    g.auth = Auth::Jwt {
        secret: JWT_SECRET.to_owned(),
        issuer: issuer.clone(),
        audience: gateway.to_owned(),
    };
    let token = crate::runtime::sign_jwt(
        &json!({ "sub": "user-1", "iss": issuer, "aud": gateway, "exp": 4_102_444_800_u64 }),
        secret.as_bytes(),
    );
    let mut edits = vec![Edit::SetNode {
        id: gateway.to_owned(),
        kind: NodeKind::Gateway(g),
    }];
    let mut summary = vec![format!(
        "`{gateway}` checks JWTs signed with the secret {JWT_SECRET}"
    )];
    for wire in design.wires_to(gateway) {
        let Some(NodeKind::Client(mut client)) = design.node(&wire.from).map(|n| n.kind.clone())
        else {
            continue;
        };
        let mut changed = 0;
        for request in &mut client.scenario {
            let had_key = old_header
                .as_ref()
                .is_some_and(|h| request.headers.remove(h).is_some());
            if had_key || old_header.is_none() {
                request
                    .headers
                    .insert("authorization".into(), format!("Bearer {token}"));
                changed += 1;
            }
        }
        if changed > 0 {
            summary.push(format!(
                "{changed} scenario requests of `{}` send a signed token",
                wire.from
            ));
            edits.push(Edit::SetNode {
                id: wire.from.clone(),
                kind: NodeKind::Client(client),
            });
        }
    }
    Ok(Recipe {
        generated: Generated {
            edit: Edit::Batch { edits },
            summary,
        },
        secrets: BTreeMap::from([(JWT_SECRET.to_owned(), secret.to_owned())]),
    })
}

/// A development secret: 32 random hex digits from the standard library's per-process
/// random hash keys (production secrets are set with `wrangler secret put`).
pub fn development_secret() -> String {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut secret = String::with_capacity(32);
    for i in 0..2 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(i);
        let _ = write!(secret, "{:016x}", hasher.finish());
    }
    secret
}

/// Turn on read replication for D1 node `db`.
pub fn read_replication(design: &Design, db: &str) -> Result<Recipe, GenerateError> {
    const NAME: &str = "read replication";
    let Some(NodeKind::D1(mut d1)) = design.node(db).map(|n| n.kind.clone()) else {
        return Err(refuse(NAME, db, "it is not a D1 database"));
    };
    if d1.read_replication {
        return Err(refuse(NAME, db, "its read replicas are already on"));
    }
    d1.read_replication = true;
    let readers: Vec<&str> = design.wires_to(db).map(|w| w.from.as_str()).collect();
    let summary = vec![format!(
        "`{db}` has read replicas; {} read it through the Sessions API",
        if readers.is_empty() {
            "Workers that bind it".to_owned()
        } else {
            crate::model::backquoted(&readers)
        }
    )];
    Ok(Recipe {
        generated: Generated {
            edit: Edit::Batch {
                edits: vec![Edit::SetNode {
                    id: db.to_owned(),
                    kind: NodeKind::D1(d1),
                }],
            },
            summary,
        },
        secrets: BTreeMap::new(),
    })
}
