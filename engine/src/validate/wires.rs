//! Wires: which kinds may be joined, and which wires carry a binding name.

use crate::graph::{WireRole, wire_role};
use crate::model::Wire;

use super::context::Ctx;
use super::{Diagnostic, Severity, Target};

fn wire_target(wire: &Wire) -> Target {
    Target::Wire {
        from: wire.from.clone(),
        to: wire.to.clone(),
    }
}

/// WIR001: a wire between kinds that cannot be connected; WIR002: a wire to a missing node.
pub fn wire_kinds(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for link in ctx.links() {
        let wire = link.wire;
        let (from, to) = match (link.source_kind(), link.target_kind()) {
            (Some(from), Some(to)) => (from, to),
            (from, _) => {
                let missing = if from.is_none() { &wire.from } else { &wire.to };
                out.push(
                    Diagnostic::new(
                        "WIR002",
                        Severity::Error,
                        wire_target(wire),
                        format!("the wire {} -> {} names node `{missing}`, which does not exist", wire.from, wire.to),
                    )
                    .help("delete the wire, or add the node it should reach (for example a Worker with id `products`)"),
                );
                continue;
            }
        };
        if let Err(reason) = wire_role(from, to) {
            out.push(
                Diagnostic::new(
                    "WIR001",
                    Severity::Error,
                    wire_target(wire),
                    format!("a {from} cannot be wired to a {to}"),
                )
                .help(format!(
                    "{reason}; allowed wires: Client -> Gateway/Worker, Gateway/Worker -> Worker, \
                     Gateway/Worker -> KV, Worker -> D1/Hyperdrive"
                )),
            );
        }
    }
}

/// BND001: a binding wire without a binding name; BND002: a Client wire with one.
pub fn binding_presence(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for link in ctx.links() {
        let wire = link.wire;
        let (Some(from), Some(to)) = (link.source_kind(), link.target_kind()) else {
            continue;
        };
        let Ok(role) = wire_role(from, to) else {
            continue;
        };
        if role.has_binding() && wire.binding.trim().is_empty() {
            let example = if role == WireRole::Service {
                wire.to.to_uppercase().replace('-', "_")
            } else {
                to.default_binding().to_owned()
            };
            out.push(
                Diagnostic::new(
                    "BND001",
                    Severity::Error,
                    wire_target(wire),
                    format!(
                        "the wire {} -> {} has no binding name, so the {from}'s code cannot reach the {to}",
                        wire.from, wire.to
                    ),
                )
                .help(format!("name the binding, for example `{example}`")),
            );
        } else if role == WireRole::Requests && !wire.binding.is_empty() {
            out.push(
                Diagnostic::new(
                    "BND002",
                    Severity::Error,
                    wire_target(wire),
                    format!(
                        "the wire {} -> {} carries requests over HTTP but has a binding name `{}`",
                        wire.from, wire.to, wire.binding
                    ),
                )
                .help("clear the binding name: a Client calls its entry point by URL, not through a binding"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{base, reported_after};
    use crate::model::Wire;

    #[test]
    fn kv_calling_a_worker_is_reported() {
        reported_after(base(), "WIR001", |design| {
            design.wires.push(Wire::new("cache", "items", "ITEMS"));
        });
    }

    #[test]
    fn wire_to_missing_node_is_reported() {
        reported_after(base(), "WIR002", |design| {
            design.wires.push(Wire::new("items", "ghost", "GHOST"));
        });
    }

    #[test]
    fn binding_wire_without_name_is_reported() {
        reported_after(base(), "BND001", |design| {
            design.wires[2].binding.clear();
        });
    }

    #[test]
    fn client_wire_with_a_name_is_reported() {
        reported_after(base(), "BND002", |design| {
            design.wires[0].binding = "GATEWAY".into();
        });
    }
}
