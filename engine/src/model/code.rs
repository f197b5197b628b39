//! Code Workers: Workers whose code is the user's own (brought in by `edgewire import
//! wrangler`), and their typical request as handler steps, so that the simulator, the cost
//! estimate and validation walk it like a route of a designed Worker.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Design, Expr, HttpMethod, Kind, QueryMode, Step, Template};

fn is_false(value: &bool) -> bool {
    !*value
}

/// A code Worker: its code lives in the user's project, not in the design.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// The entry module (wrangler's `main`), relative to the design file, `/`-separated
    /// (`api/src/index.ts`). Empty for an external Worker.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// The Worker's wrangler configuration, relative to the design file
    /// (`api/wrangler.toml`); its folder is what the export copies. Empty for an external
    /// Worker.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub config: String,
    /// A Worker that is not in the project (another repository's, bound by service binding):
    /// drawn, simulated as one hop, never exported.
    #[serde(default, skip_serializing_if = "is_false")]
    pub external: bool,
    /// wrangler's `compatibility_date`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub compatibility_date: String,
    /// wrangler's `compatibility_flags`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compatibility_flags: Vec<String>,
    /// Names of its `vars` (their values stay in the project's config).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vars: Vec<String>,
    /// Names of its secrets (from `.dev.vars.example` or `.dev.vars`; never their values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    /// What a typical request does: the bindings it uses, each how many times, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub typical: Vec<BindingUse>,
}

/// One binding a code Worker's typical request uses, and how many times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BindingUse {
    pub binding: String,
    /// How many times one request uses it (reads for a store, calls for a service).
    #[serde(default = "one_time", skip_serializing_if = "is_one_time")]
    pub times: u32,
    /// Whether the uses write (KV put, D1 write) rather than read; ignored for services.
    #[serde(default, skip_serializing_if = "is_false")]
    pub writes: bool,
}

fn one_time() -> u32 {
    1
}

fn is_one_time(value: &u32) -> bool {
    *value == 1
}

impl BindingUse {
    pub fn new(binding: impl Into<String>, times: u32) -> Self {
        Self {
            binding: binding.into(),
            times,
            writes: false,
        }
    }
}

impl Code {
    /// The typical request as steps: each use of a binding becomes the step of its kind
    /// (a KV get or put, a D1 or Hyperdrive query that reads or writes, a service call of
    /// `GET /`), as many times as it says, then a 200 answer. Uses of bindings the Worker
    /// has no wire for are left out (validation's COD002 says so).
    pub fn typical_steps(&self, design: &Design, worker: &str) -> Vec<Step> {
        let mut steps = Vec::new();
        for (index, using) in self.typical.iter().enumerate() {
            let Some(target) = design.binding_target(worker, &using.binding) else {
                continue;
            };
            let binding = using.binding.clone();
            let into = format!("typical_{index}");
            let sql = if using.writes {
                "UPDATE typical SET value = 1"
            } else {
                "SELECT 1"
            };
            let mode = if using.writes {
                QueryMode::Run
            } else {
                QueryMode::First
            };
            let step = match target.kind.kind() {
                Kind::Kv if using.writes => Step::KvPut {
                    binding,
                    key: Template::new("typical"),
                    value: Expr::Json(serde_json::Value::Null),
                    ttl_secs: None,
                },
                Kind::Kv => Step::KvGet {
                    binding,
                    key: Template::new("typical"),
                    format: super::KvFormat::Text,
                    into,
                },
                Kind::D1 => Step::D1 {
                    binding,
                    sql: sql.to_owned(),
                    params: Vec::new(),
                    mode,
                    into: Some(into),
                },
                Kind::Hyperdrive => Step::Hyperdrive {
                    binding,
                    sql: sql.to_owned(),
                    params: Vec::new(),
                    mode,
                    into: Some(into),
                },
                Kind::Worker | Kind::Gateway => Step::Call {
                    binding,
                    method: HttpMethod::Get,
                    path: Template::new("/"),
                    body: None,
                    into,
                },
                Kind::Client | Kind::Note => continue,
            };
            for _ in 0..using.times {
                steps.push(step.clone());
            }
        }
        steps.push(Step::Respond {
            status: 200,
            body: None,
            headers: BTreeMap::new(),
        });
        steps
    }
}
