//! The shape of the graph: service-binding cycles, nodes no request reaches, the public entry,
//! and call chains longer than the platform allows.

use crate::semantics::MAX_WORKER_INVOCATIONS;

use super::context::Ctx;
use super::{Diagnostic, Severity, Target};

/// GRA001: Workers that call each other in a cycle (each request could loop until the
/// platform's invocation limit, and deploy order is undefined).
pub fn service_cycles(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.may_have_service_cycle() {
        return;
    }
    for cycle in ctx.graph().service_cycle_paths() {
        let Some(first) = cycle.first() else { continue };
        let shown = cycle.join(" -> ");
        let (from, to) = (&cycle[cycle.len().saturating_sub(2)], first);
        out.push(
            Diagnostic::new(
                "GRA001",
                Severity::Error,
                Target::Node {
                    node: first.clone(),
                },
                format!("service bindings form a cycle: {shown}"),
            )
            .help(format!(
                "break the cycle, for example delete the wire {from} -> {to} and let {from} \
                 read what it needs from a store (KV or D1) instead"
            )),
        );
    }
}

/// GRA002: a node that no request from any Client reaches does nothing at run time.
pub fn unreachable_nodes(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.graph().entry_points().is_empty() {
        // GRA003 already says the design has no entry; every node would be reported.
        return;
    }
    for id in ctx.graph().unreachable_from_clients() {
        let kind = ctx.kind(&id).map_or("node", |k| k.label());
        let help = if ctx.kind(&id).is_some_and(crate::model::Kind::is_store) {
            format!(
                "wire a Worker to it (for example products -> {id}) and use it in a step, or delete it"
            )
        } else {
            format!(
                "wire it from the gateway through a service binding (for example gateway -> {id}), or delete it"
            )
        };
        out.push(
            Diagnostic::new(
                "GRA002",
                Severity::Warning,
                Target::Node { node: id.clone() },
                format!("{kind} `{id}` is not reachable from any Client"),
            )
            .help(help),
        );
    }
}

/// GRA003: without a Client wired to a Gateway or Worker, nothing can call the API.
pub fn public_entry(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.graph().entry_points().is_empty() {
        out.push(
            Diagnostic::new(
                "GRA003",
                Severity::Error,
                Target::Design,
                "the design has no public entry: no Client is wired to a Gateway or Worker",
            )
            .help("add a Client and wire it to the API Gateway (for example web -> gateway)"),
        );
    }
}

/// GRA004: one request may invoke at most 32 Workers through service bindings.
pub fn call_chain_length(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let entries = ctx.graph().entry_points();
    let entry_ids: Vec<&str> = entries.iter().map(String::as_str).collect();
    // On a cycle GRA001 reports; the chain length is unbounded then.
    let Some(chains) = ctx.graph().longest_call_chains(&entry_ids) else {
        return;
    };
    for (entry, chain) in entries.iter().zip(chains) {
        let Some(chain) = chain else { continue };
        if chain.len() <= MAX_WORKER_INVOCATIONS {
            continue;
        }
        let shown = if chain.len() > 8 {
            format!(
                "{} -> ... -> {}",
                chain[..3].join(" -> "),
                chain[chain.len() - 3..].join(" -> ")
            )
        } else {
            chain.join(" -> ")
        };
        out.push(
            Diagnostic::new(
                "GRA004",
                Severity::Error,
                Target::Node {
                    node: entry.clone(),
                },
                format!(
                    "a request to {entry} can invoke {} Workers in a row ({shown}); the platform \
                     allows {MAX_WORKER_INVOCATIONS} per request",
                    chain.len()
                ),
            )
            .help(
                "flatten the chain: let the gateway call services directly instead of one \
                 service calling the next (gateway -> a, gateway -> b rather than a -> b)",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{
        add_worker, assert_contains, base, only, only_after, reported_after, reports,
    };
    use crate::model::Wire;

    #[test]
    fn service_cycle_is_named() {
        let mut design = base();
        assert!(!reports(&design, "GRA001"));
        add_worker(&mut design, "users");
        design.wires.push(Wire::new("items", "users", "USERS"));
        assert!(!reports(&design, "GRA001"));
        design.wires.push(Wire::new("users", "items", "ITEMS"));
        let found = only(&design, "GRA001");
        assert_contains(&found.message, "items -> users -> items");
    }

    #[test]
    fn unreachable_node_is_a_warning() {
        reported_after(base(), "GRA002", |design| {
            design.wires.retain(|w| w.to != "pg");
        });
    }

    #[test]
    fn design_without_entry_is_an_error() {
        let mut design = base();
        assert!(!reports(&design, "GRA003"));
        design.wires.retain(|w| w.from != "web");
        assert!(reports(&design, "GRA003"));
        // ...and does not also flood GRA002.
        assert!(!reports(&design, "GRA002"));
    }

    #[test]
    fn call_chain_over_the_platform_limit() {
        let mut design = base();
        let mut previous = "items".to_owned();
        for i in 0..30 {
            let id = format!("svc-{i}");
            add_worker(&mut design, &id);
            design
                .wires
                .push(Wire::new(previous.clone(), id.clone(), format!("S{i}")));
            previous = id;
        }
        // gateway + items + 30 = 32 invocations: allowed.
        let found = only_after(design, "GRA004", |design| {
            add_worker(design, "svc-last");
            design.wires.push(Wire::new(previous, "svc-last", "LAST"));
        });
        assert_contains(&found.message, "33 Workers");
    }
}
