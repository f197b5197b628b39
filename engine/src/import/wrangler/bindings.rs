//! The bindings Edgewire does not model, found in a configuration so that each becomes a line
//! of a Note and a warning: nothing is dropped silently.

use serde_json::Value;

/// Configuration keys that declare bindings (or triggers) Edgewire has no node for, with
/// what they are in words.
const UNMODELLED: [(&str, &str); 25] = [
    ("r2_buckets", "R2 bucket"),
    ("queues", "Queue"),
    ("durable_objects", "Durable Object"),
    ("workflows", "Workflow"),
    ("ai", "Workers AI"),
    ("vectorize", "Vectorize index"),
    ("analytics_engine_datasets", "Analytics Engine dataset"),
    ("browser", "Browser Rendering"),
    ("mtls_certificates", "mTLS certificate"),
    ("dispatch_namespaces", "dispatch namespace"),
    ("send_email", "Email sending"),
    ("images", "Images"),
    ("version_metadata", "version metadata"),
    ("pipelines", "Pipeline"),
    ("secrets_store_secrets", "Secrets Store secret"),
    ("assets", "static assets"),
    ("containers", "Container"),
    ("vpc_services", "VPC service"),
    ("worker_loaders", "Worker Loader"),
    ("tail_consumers", "tail consumer"),
    ("unsafe", "unsafe binding"),
    ("wasm_modules", "Wasm module"),
    ("text_blobs", "text blob"),
    ("data_blobs", "data blob"),
    ("triggers", "trigger"),
];

/// One binding Edgewire does not model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmodelled {
    /// The configuration key (`r2_buckets`).
    pub key: &'static str,
    /// What it is (`R2 bucket`).
    pub what: &'static str,
    /// Its binding name, or what identifies it (`BUCKET`, `*/5 * * * *`).
    pub name: String,
}

impl std::fmt::Display for Unmodelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} (`{}`)", self.what, self.name, self.key)
    }
}

/// The words that can name an entry, in the order tried.
const NAME_KEYS: [&str; 9] = [
    "binding",
    "name",
    "queue",
    "service",
    "bucket_name",
    "index_name",
    "dataset",
    "class_name",
    "directory",
];

fn name_of(entry: &Value) -> Option<String> {
    match entry {
        Value::String(text) => Some(text.clone()),
        Value::Object(_) => NAME_KEYS
            .iter()
            .find_map(|key| entry.get(key).and_then(Value::as_str))
            .map(str::to_owned),
        _ => None,
    }
}

/// Every entry under a key: arrays give their items; objects give their `bindings`,
/// `producers`, `consumers` or `crons` lists, or themselves.
fn names_under(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(name_of).collect(),
        Value::Object(map) => {
            let mut names = Vec::new();
            let mut listed = false;
            for (part, label) in [
                ("bindings", ""),
                ("producers", "producer "),
                ("consumers", "consumer "),
                ("crons", "cron "),
            ] {
                if let Some(Value::Array(items)) = map.get(part) {
                    listed = true;
                    names.extend(
                        items
                            .iter()
                            .filter_map(name_of)
                            .map(|n| format!("{label}{n}")),
                    );
                }
            }
            if !listed {
                names.extend(name_of(value));
            }
            names
        }
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}

/// The bindings of `config` Edgewire does not model, in [`UNMODELLED`] order.
pub fn unmodelled(config: &Value) -> Vec<Unmodelled> {
    let mut out = Vec::new();
    for (key, what) in UNMODELLED {
        let Some(value) = config.get(key) else {
            continue;
        };
        let names = names_under(value);
        if names.is_empty() && !value.is_null() && value != &Value::Array(vec![]) {
            out.push(Unmodelled {
                key,
                what,
                name: "(unnamed)".to_owned(),
            });
        }
        out.extend(names.into_iter().map(|name| Unmodelled { key, what, name }));
    }
    out
}

/// A `ratelimits` entry's limit and period (`simple: { limit, period }`).
pub fn simple_limit(entry: &Value) -> Option<(u32, u32)> {
    let number = |pointer: &str| {
        entry
            .pointer(pointer)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    Some((number("/simple/limit")?, number("/simple/period")?))
}

/// A `ratelimits` entry in words: `RATE_LIMITER: 100 requests per 60 s`.
pub fn rate_limit(entry: &Value) -> String {
    let name = name_of(entry).unwrap_or_else(|| "(unnamed)".to_owned());
    let limit = entry.pointer("/simple/limit").and_then(Value::as_u64);
    let period = entry.pointer("/simple/period").and_then(Value::as_u64);
    match (limit, period) {
        (Some(limit), Some(period)) => format!("{name}: {limit} requests per {period} s"),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_of_binding_is_named() {
        let config = serde_json::json!({
            "r2_buckets": [{"binding": "BUCKET", "bucket_name": "files"}],
            "queues": {"producers": [{"binding": "JOBS", "queue": "jobs"}], "consumers": [{"queue": "jobs"}]},
            "durable_objects": {"bindings": [{"name": "ROOMS", "class_name": "Room"}]},
            "ai": {"binding": "AI"},
            "triggers": {"crons": ["*/5 * * * *"]},
        });
        let names: Vec<String> = unmodelled(&config)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            names,
            [
                "R2 bucket BUCKET (`r2_buckets`)",
                "Queue producer JOBS (`queues`)",
                "Queue consumer jobs (`queues`)",
                "Durable Object ROOMS (`durable_objects`)",
                "Workers AI AI (`ai`)",
                "trigger cron */5 * * * * (`triggers`)",
            ]
        );
    }
}
