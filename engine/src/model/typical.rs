//! A code Worker's typical request as handler steps, so that the simulator, the cost
//! estimate and validation walk it like a route of a designed Worker.

use std::collections::BTreeMap;

use super::{Code, Design, Expr, HttpMethod, Kind, QueryMode, Step, Template};

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
