//! KV: key sizes, writes on read routes, TTLs and seed entries.

use crate::model::{Condition, Node, Step, Template};
use crate::semantics::{KV_MAX_KEY_BYTES, KV_MIN_TTL_SECS};

use crate::validate::context::{Ctx, FastSet, StepAt, StepPath, WorkerAt, step_target};
use crate::validate::handlers::responds;
use crate::validate::run::{Rule, StepRule, WorkerRule};
use crate::validate::{Diagnostic, Severity, Target};

/// `KV_001`: a key (or list prefix) whose fixed text alone is over the platform's 512 bytes.
pub(crate) fn key_length<'a>(_ctx: &Ctx<'a>, at: &StepAt<'a, '_>, out: &mut Vec<Diagnostic>) {
    let key: &Template = match at.step {
        Step::KvGet { key, .. } | Step::KvPut { key, .. } | Step::KvDelete { key, .. } => key,
        Step::KvList { prefix, .. } => prefix,
        _ => return,
    };
    // The fixed text is never longer than the template: skip building it for short keys.
    if key.as_str().len() <= KV_MAX_KEY_BYTES {
        return;
    }
    let fixed = key.fixed_text().len();
    if fixed > KV_MAX_KEY_BYTES {
        out.push(
            Diagnostic::new(
                "KV_001",
                Severity::Error,
                at.target(),
                format!(
                    "the KV key's fixed text is {fixed} bytes; KV keys are at most \
                         {KV_MAX_KEY_BYTES} bytes"
                ),
            )
            .help("use a short prefix and an id, for example `product:{params.id}`"),
        );
    }
}

/// Walks a read route and reports KV puts that are not cache fills.
struct WriteCheck<'a, 'o> {
    node: &'a Node,
    route_index: usize,
    method: &'static str,
    out: &'o mut Vec<Diagnostic>,
    /// Spare lists for the `missing` names of branches, reused from If to If.
    spare: Vec<Vec<&'a str>>,
}

impl<'a> WriteCheck<'a, '_> {
    /// `gets`: earlier `KvGet` steps as (binding, key, into); `missing`: names known to be null here.
    fn steps(
        &mut self,
        steps: &'a [Step],
        path: &mut StepPath,
        gets: &mut Vec<(&'a str, &'a Template, &'a str)>,
        missing: &mut Vec<&'a str>,
    ) {
        for (index, step) in steps.iter().enumerate() {
            path.push_index(index);
            match step {
                Step::KvGet {
                    binding, key, into, ..
                } => gets.push((binding, key, into)),
                Step::KvPut { binding, key, .. } => {
                    let cache_fill = gets
                        .iter()
                        .any(|(b, k, into)| b == binding && *k == key && missing.contains(into));
                    if !cache_fill {
                        self.out.push(
                            Diagnostic::new(
                                "KV_002",
                                Severity::Warning,
                                step_target(self.node, self.route_index, path),
                                format!(
                                    "a {} route writes to KV on every request; KV is for \
                                     read-heavy data and allows 1 write per second per key",
                                    self.method
                                ),
                            )
                            .help(
                                "write only on a cache miss (KvGet the key, If Exists respond, \
                                 else load and KvPut with ttl_secs), or move the write to a \
                                 POST/PUT route; counters belong in D1",
                            ),
                        );
                    }
                }
                Step::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    // Each branch starts from the names known here; what it learns stays in it.
                    let mut branch_missing = self.spare.pop().unwrap_or_default();
                    let known = gets.len();
                    for (branch, then_branch) in [(then, true), (otherwise, false)] {
                        branch_missing.clear();
                        branch_missing.extend_from_slice(missing);
                        match cond {
                            Condition::Missing(name) if then_branch => branch_missing.push(name),
                            Condition::Exists(name) if !then_branch => branch_missing.push(name),
                            _ => {}
                        }
                        path.push_branch(then_branch);
                        self.steps(branch, path, gets, &mut branch_missing);
                        path.pop();
                        gets.truncate(known);
                    }
                    self.spare.push(branch_missing);
                    // After `If Exists(x)` whose then-branch responds, x is null.
                    if let Condition::Exists(name) = cond
                        && responds(then)
                    {
                        missing.push(name);
                    }
                }
                _ => {}
            }
            if let Some(name) = step.output() {
                missing.retain(|m| *m != name);
            }
            path.pop();
        }
    }
}

/// `KV_002` (warning): a GET route that writes to KV on every request. A cache fill (a put of
/// the key just read, reached only when the read found nothing) is fine.
pub(crate) fn writes_on_reads(_ctx: &Ctx<'_>, at: &WorkerAt<'_, '_>, out: &mut Vec<Diagnostic>) {
    let (node, worker) = (at.node, at.worker);
    let mut check = WriteCheck {
        node,
        route_index: 0,
        method: "",
        out,
        spare: Vec::new(),
    };
    let (mut path, mut gets, mut missing) = (StepPath::default(), Vec::new(), Vec::new());
    for (route_index, route) in worker.routes.iter().enumerate() {
        if !matches!(
            route.method,
            crate::model::HttpMethod::Get | crate::model::HttpMethod::Head
        ) {
            continue;
        }
        check.route_index = route_index;
        check.method = route.method.as_str();
        gets.clear();
        missing.clear();
        check.steps(&route.steps, &mut path, &mut gets, &mut missing);
    }
}

/// `KV_003`: a TTL below the platform's minimum of 60 seconds.
pub(crate) fn ttl<'a>(_ctx: &Ctx<'a>, at: &StepAt<'a, '_>, out: &mut Vec<Diagnostic>) {
    if let Step::KvPut {
        ttl_secs: Some(ttl),
        ..
    } = at.step
        && *ttl < KV_MIN_TTL_SECS
    {
        out.push(
            Diagnostic::new(
                "KV_003",
                Severity::Error,
                at.target(),
                format!(
                    "ttl_secs is {ttl}; KV expirations must be at least {KV_MIN_TTL_SECS} seconds"
                ),
            )
            .help(format!(
                "set ttl_secs to {KV_MIN_TTL_SECS} or more, for example 300 for five minutes"
            )),
        );
    }
}

/// `KV_004`: a seed key that is empty or over 512 bytes; `KV_005` (warning): a seed key twice.
pub fn seed_keys(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, kv) in ctx.kvs() {
        let target = || Target::Node {
            node: node.id.clone(),
        };
        let mut seen = FastSet::default();
        for entry in &kv.seed {
            if entry.key.is_empty() || entry.key.len() > KV_MAX_KEY_BYTES {
                let what = if entry.key.is_empty() {
                    "a seed entry has an empty key".to_owned()
                } else {
                    format!(
                        "seed key `{}...` is {} bytes; KV keys are at most {KV_MAX_KEY_BYTES} bytes",
                        entry.key.chars().take(24).collect::<String>(),
                        entry.key.len()
                    )
                };
                out.push(
                    Diagnostic::new("KV_004", Severity::Error, target(), what)
                        .help("use a short key, for example `config:storefront`"),
                );
            }
            if !seen.insert(entry.key.as_str()) {
                out.push(
                    Diagnostic::new(
                        "KV_005",
                        Severity::Warning,
                        target(),
                        format!(
                            "seed key `{}` appears twice; the last value wins",
                            entry.key
                        ),
                    )
                    .help("delete one of the two entries"),
                );
            }
        }
    }
}

impl crate::validate::KindRules for super::Def {
    fn design_rules(&self) -> &'static [Rule] {
        &[seed_keys]
    }

    fn worker_rules(&self) -> &'static [WorkerRule] {
        &[writes_on_reads]
    }

    fn step_rules(&self) -> &'static [StepRule] {
        &[key_length, ttl]
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Design, Expr, KvEntry, NodeKind, Step, Template};
    use crate::validate::testkit::{base, reported_after, reports, steps_mut};

    fn put(key: &str, ttl: Option<u32>) -> Step {
        Step::KvPut {
            binding: "CACHE".into(),
            key: Template::new(key),
            value: Expr::Json(serde_json::json!(1)),
            ttl_secs: ttl,
        }
    }

    #[test]
    fn key_over_512_bytes() {
        let mut design = base();
        assert!(!reports(&design, "KV_001"));
        // Placeholders do not count: only the fixed text is known.
        steps_mut(&mut design, 1).insert(
            0,
            put(&format!("{{params.x}}{}", "k".repeat(512)), Some(60)),
        );
        assert!(!reports(&design, "KV_001"));
        steps_mut(&mut design, 1).insert(0, put(&"k".repeat(513), Some(60)));
        assert!(reports(&design, "KV_001"));
    }

    #[test]
    fn kv_put_on_every_get_request() {
        let mut design = base();
        // The base design's cache fill (put after a miss) is fine.
        assert!(!reports(&design, "KV_002"));
        steps_mut(&mut design, 1).insert(0, put("hits", Some(60)));
        assert!(reports(&design, "KV_002"));
        // The same write on a POST route is fine.
        let mut design = base();
        steps_mut(&mut design, 1).insert(0, put("hits", Some(60)));
        crate::validate::testkit::worker_mut(&mut design, "items").routes[1].method =
            crate::model::HttpMethod::Post;
        assert!(!reports(&design, "KV_002"));
    }

    #[test]
    fn cache_fill_without_the_miss_check_is_reported() {
        let mut design = base();
        // Remove the `If Exists(cached) -> respond`: now the put runs on every request.
        steps_mut(&mut design, 0).remove(1);
        assert!(reports(&design, "KV_002"));
    }

    #[test]
    fn ttl_below_60() {
        reported_after(base(), "KV_003", |design| {
            steps_mut(design, 1).insert(0, put("x", Some(30)));
        });
    }

    fn kv_seed(design: &mut Design) -> &mut Vec<KvEntry> {
        match design.node_mut("cache").map(|n| &mut n.kind) {
            Some(NodeKind::Kv(kv)) => &mut kv.seed,
            _ => panic!("no kv"),
        }
    }

    #[test]
    fn seed_key_too_long_or_repeated() {
        let mut design = base();
        let entry = |key: String| KvEntry {
            key,
            value: "1".into(),
        };
        kv_seed(&mut design).push(entry("config".into()));
        assert!(!reports(&design, "KV_004"));
        assert!(!reports(&design, "KV_005"));
        kv_seed(&mut design).push(entry("k".repeat(513)));
        assert!(reports(&design, "KV_004"));
        kv_seed(&mut design).push(entry("config".into()));
        assert!(reports(&design, "KV_005"));
    }
}
