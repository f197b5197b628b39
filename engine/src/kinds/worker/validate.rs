//! A service Worker's own rules.

use std::collections::BTreeMap;

use crate::model::{Node, NodeKind, Step, WorkerPlacement};
use crate::simulate::paths::is_read_only;
use crate::validate::context::{Ctx, Link, WorkerAt};
use crate::validate::run::WorkerRule;
use crate::validate::{Diagnostic, Severity, Target};

/// Queries one request makes to each store that answers from one region, along the longest
/// way through the steps (the larger branch of each `If`): D1 queries that go to the primary
/// (all of them, or only writes when read replication is on) and Hyperdrive queries that go
/// to the origin (all, or only writes when the query cache is on).
fn far_queries<'a>(links: &[Link<'a>], steps: &[Step]) -> BTreeMap<&'a str, usize> {
    let mut counts: BTreeMap<&'a str, usize> = BTreeMap::new();
    for step in steps {
        match step {
            Step::D1 { binding, sql, .. } | Step::Hyperdrive { binding, sql, .. } => {
                let Some(store) = store_of(links, binding) else {
                    continue;
                };
                let near = match &store.kind {
                    NodeKind::D1(d1) => d1.read_replication && is_read_only(sql),
                    NodeKind::Hyperdrive(h) => h.caching.enabled && is_read_only(sql),
                    _ => continue,
                };
                if !near {
                    *counts.entry(store.id.as_str()).or_default() += 1;
                }
            }
            Step::If {
                then, otherwise, ..
            } => {
                let (a, b) = (far_queries(links, then), far_queries(links, otherwise));
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

/// The D1 or Hyperdrive node behind `binding`.
fn store_of<'a>(links: &[Link<'a>], binding: &str) -> Option<&'a Node> {
    links
        .iter()
        .find(|l| l.wire.binding == binding)
        .and_then(|l| l.to)
        .filter(|n| matches!(n.kind, NodeKind::D1(_) | NodeKind::Hyperdrive(_)))
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

/// Whether some store may get two far queries from `steps`: two of its queries, in any
/// branches, go to one store. Routes whose queries go to different stores are passed over
/// without reading their SQL or counting into maps.
fn may_query_one_store_twice(links: &[Link<'_>], steps: &[Step]) -> bool {
    /// The stores met so far; more than it holds counts as a yes (the exact count decides).
    const TRACKED: usize = 16;
    fn meets_twice(
        links: &[Link<'_>],
        steps: &[Step],
        seen: &mut [*const Node; TRACKED],
        count: &mut usize,
    ) -> bool {
        for step in steps {
            match step {
                Step::D1 { binding, .. } | Step::Hyperdrive { binding, .. } => {
                    let Some(store) = store_of(links, binding) else {
                        continue;
                    };
                    let store: *const Node = store;
                    if seen[..*count].contains(&store) || *count == TRACKED {
                        return true;
                    }
                    seen[*count] = store;
                    *count += 1;
                }
                Step::If {
                    then, otherwise, ..
                } => {
                    let found = meets_twice(links, then, seen, count)
                        || meets_twice(links, otherwise, seen, count);
                    if found {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }
    has_two_queries(steps) && meets_twice(links, steps, &mut [std::ptr::null(); TRACKED], &mut 0)
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
            far_queries(at.links, &route.steps)
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

    #[test]
    fn queries_to_two_stores_are_not_in_a_row_to_one() {
        let mut design = base();
        let write = Step::Hyperdrive {
            binding: "PG".into(),
            sql: "UPDATE orders SET total = 0 WHERE id = 1".into(),
            params: vec![],
            mode: crate::model::QueryMode::Run,
            into: None,
        };
        crate::validate::testkit::steps_mut(&mut design, 0).insert(0, write);
        assert!(!reports(&design, "PLC001"), "one query to each store");
    }
}
