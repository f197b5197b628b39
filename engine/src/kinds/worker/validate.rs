//! A service Worker's own rules.

use std::collections::BTreeMap;

use crate::model::{NodeKind, Step, WorkerPlacement};
use crate::simulate::paths::is_read_only;
use crate::validate::context::{Ctx, Link, WorkerAt};
use crate::validate::run::WorkerRule;
use crate::validate::{Diagnostic, Severity, Target};

/// Which queries [`queries_by_store`] counts.
#[derive(Clone, Copy)]
enum Counting {
    /// Every query to a D1 or Hyperdrive store: an upper bound of `Far` that reads no SQL.
    Every,
    /// The queries that cross to the store's one region: D1 queries that go to the primary
    /// (all of them, or only writes when read replication is on) and Hyperdrive queries that
    /// go to the origin (all, or only writes when the query cache is on).
    Far,
}

/// The queries one request makes to each store, as `counting` says, along the longest way
/// through the steps (the larger branch of each `If`).
fn queries_by_store<'a>(
    links: &[Link<'a>],
    steps: &[Step],
    counting: Counting,
) -> BTreeMap<&'a str, usize> {
    let mut counts: BTreeMap<&'a str, usize> = BTreeMap::new();
    for step in steps {
        match step {
            Step::D1 { binding, sql, .. } | Step::Hyperdrive { binding, sql, .. } => {
                let Some(store) = links
                    .iter()
                    .find(|l| l.wire.binding == *binding)
                    .and_then(|l| l.to)
                else {
                    continue;
                };
                let counts_here = match (&store.kind, counting) {
                    (NodeKind::D1(_) | NodeKind::Hyperdrive(_), Counting::Every) => true,
                    (NodeKind::D1(d1), Counting::Far) => {
                        !(d1.read_replication && is_read_only(sql))
                    }
                    (NodeKind::Hyperdrive(h), Counting::Far) => {
                        !(h.caching.enabled && is_read_only(sql))
                    }
                    _ => continue,
                };
                if counts_here {
                    *counts.entry(store.id.as_str()).or_default() += 1;
                }
            }
            Step::If {
                then, otherwise, ..
            } => {
                let (a, b) = (
                    queries_by_store(links, then, counting),
                    queries_by_store(links, otherwise, counting),
                );
                for (store, n) in a.into_iter().chain(b) {
                    let entry = counts.entry(store).or_default();
                    *entry = (*entry).max(n);
                }
            }
            _ => {}
        }
    }
    counts
}

/// Whether `steps` hold two or more queries, counting every branch: fewer can never make
/// PLC001, so most routes are passed over without looking at their stores.
fn has_two_queries(steps: &[Step]) -> bool {
    fn count(steps: &[Step], seen: &mut usize) {
        for step in steps {
            match step {
                Step::D1 { .. } | Step::Hyperdrive { .. } => *seen += 1,
                Step::If {
                    then, otherwise, ..
                } => {
                    count(then, seen);
                    count(otherwise, seen);
                }
                _ => {}
            }
        }
    }
    let mut seen = 0;
    count(steps, &mut seen);
    seen >= 2
}

/// Whether some store may get two far queries from `steps`: it gets two queries of any kind.
/// Routes whose queries go to different stores are passed over without reading their SQL.
fn may_query_one_store_twice(links: &[Link<'_>], steps: &[Step]) -> bool {
    has_two_queries(steps)
        && queries_by_store(links, steps, Counting::Every)
            .values()
            .any(|&n| n >= 2)
}

/// PLC001 (info): a Worker whose request waits on two or more queries, one after another, to
/// a store in one region runs faster near that store: suggest Smart Placement.
pub fn smart_placement_hint(_ctx: &Ctx<'_>, at: &WorkerAt<'_, '_>, out: &mut Vec<Diagnostic>) {
    if at.worker.placement == WorkerPlacement::Smart {
        return;
    }
    let busiest = at
        .worker
        .routes
        .iter()
        .filter(|route| may_query_one_store_twice(at.links, &route.steps))
        .flat_map(|route| {
            queries_by_store(at.links, &route.steps, Counting::Far)
                .into_iter()
                .map(move |(store, n)| (n, store, route))
        })
        .max_by_key(|(n, _, _)| *n);
    let Some((queries, store, route)) = busiest else {
        return;
    };
    if queries < 2 {
        return;
    }
    out.push(
        Diagnostic::new(
            "PLC001",
            Severity::Info,
            Target::Node {
                node: at.node.id.clone(),
            },
            format!(
                "{} {} makes {queries} queries in a row to `{store}`, which answers from one region: each one crosses the distance from the client's location",
                route.method, route.path
            ),
        )
        .help("set Placement to Smart, so the platform may run this Worker near the database and the request crosses the distance once"),
    );
}

/// COD001 (info): a code Worker, which the engine does not run; COD003 (info): an external
/// Worker; COD002 (error): a typical request that uses a binding the Worker has no wire for.
pub fn code_worker(_ctx: &Ctx<'_>, at: &WorkerAt<'_, '_>, out: &mut Vec<Diagnostic>) {
    let node = at.node;
    let Some(code) = &at.worker.code else {
        return;
    };
    let target = || Target::Node {
        node: node.id.clone(),
    };
    if code.external {
        out.push(
            Diagnostic::new(
                "COD003",
                Severity::Info,
                target(),
                format!("{} is an external Worker (not in this project): it is drawn and simulated as one hop, never run or exported", node.id),
            )
            .help("import its project too (`edgewire import wrangler FOLDER...` takes several folders) to see what it does"),
        );
        return;
    }
    let uses: u32 = code.typical.iter().map(|u| u.times).sum();
    out.push(
        Diagnostic::new(
            "COD001",
            Severity::Info,
            target(),
            format!(
                "{} is a code Worker ({}): the local engine answers its requests with 501; the simulator and the cost estimate use its typical request ({uses} binding use(s))",
                node.id,
                if code.source.is_empty() { "no entry module" } else { code.source.as_str() }
            ),
        )
        .help("describe what a typical request does (which bindings, how many times) in the inspector, for example DB used 3 times"),
    );
    for using in &code.typical {
        if !at.links.iter().any(|l| l.wire.binding == using.binding) {
            out.push(
                Diagnostic::new(
                    "COD002",
                    Severity::Error,
                    target(),
                    format!(
                        "{}'s typical request uses binding `{}`, which it has no wire for",
                        node.id, using.binding
                    ),
                )
                .help(format!("wire {} to the node it reaches and name the wire `{}`, or remove the use from its typical request", node.id, using.binding)),
            );
        }
    }
}

impl crate::validate::KindRules for super::Def {
    fn worker_rules(&self) -> &'static [WorkerRule] {
        &[smart_placement_hint, code_worker]
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{NodeKind, Step, WorkerPlacement};
    use crate::validate::testkit::{base, reports};

    fn second_query(design: &mut crate::model::Design) {
        let Some(NodeKind::Worker(worker)) = design.node_mut("items").map(|n| &mut n.kind) else {
            panic!("items");
        };
        let extra = Step::D1 {
            binding: "DB".into(),
            sql: "UPDATE items SET name = name WHERE id = 1".into(),
            params: vec![],
            mode: crate::model::QueryMode::Run,
            into: None,
        };
        worker.routes[0].steps.insert(0, extra);
    }

    #[test]
    fn a_code_worker_says_what_runs_it_and_checks_its_typical_request() {
        let mut design = base();
        let Some(NodeKind::Worker(worker)) = design.node_mut("items").map(|n| &mut n.kind) else {
            panic!("items");
        };
        worker.routes.clear();
        worker.code = Some(crate::model::Code {
            source: "items/src/index.ts".into(),
            typical: vec![crate::model::BindingUse::new("DB", 2)],
            ..crate::model::Code::default()
        });
        assert!(reports(&design, "COD001"));
        assert!(!reports(&design, "COD002"));
        if let Some(NodeKind::Worker(worker)) = design.node_mut("items").map(|n| &mut n.kind)
            && let Some(code) = worker.code.as_mut()
        {
            code.typical.push(crate::model::BindingUse::new("NOPE", 1));
        }
        let found = crate::validate::testkit::only(&design, "COD002");
        assert!(found.message.contains("`NOPE`"), "{}", found.message);
    }

    #[test]
    fn two_queries_in_a_row_to_one_region_suggest_smart_placement() {
        let mut design = base();
        assert!(
            !reports(&design, "PLC001"),
            "one query is not worth moving for"
        );
        second_query(&mut design);
        assert!(reports(&design, "PLC001"));
        if let Some(NodeKind::Worker(worker)) = design.node_mut("items").map(|n| &mut n.kind) {
            worker.placement = WorkerPlacement::Smart;
        }
        assert!(!reports(&design, "PLC001"), "already smart");
    }
}
