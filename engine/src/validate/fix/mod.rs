//! Quick fixes: for a diagnostic whose remedy is mechanical, the [`Edit`] that applies it.
//!
//! A fix is *safe* when it is the only remedy: [`fix_all`] applies exactly those (the
//! `validate --fix` command). Codes with a fix here: `WIR001` and `WIR002` (remove the
//! wire), `BND002` (drop the binding name of a Client's wire), `CLI002` (scale the traffic
//! shares to sum to 1), `GWY009` (the nearest rate-limit period, same rate), `HYP005` (cache `max_age` 3600 s),
//! `KV_003` (KV TTLs of 60 s), `CLI001`, `HYP004` and `D1_001` (the closest region or hint
//! name, when one is close), `BND001` (the binding name the wire would get when drawn),
//! `HDL001` (wire the step's binding to the store of its kind; safe when there is only one);
//! and in `more.rs` nine more (names, wires, routes, steps, seeds); `SEC001` is remedied in
//! `.dev.vars`, not in the design ([`secret_value`]). 22 of the 76 codes.

use crate::edit::Edit;
use crate::model::{D1_LOCATION_HINTS, Design, NodeKind, Step, Wire, walk_steps_mut};
use crate::semantics::{HYPERDRIVE_MAX_AGE_LIMIT_SECS, KV_MIN_TTL_SECS};
use crate::simulate::REGIONS;

use super::{Diagnostic, Severity, Target, closest, validate};

mod more;

/// A remedy: what it does, in a few words, and the edit that does it.
#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub title: String,
    pub edit: Edit,
}

/// A fix that [`fix_all`] applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub code: &'static str,
    /// Where, as the node or wire it concerns (`gateway`, `web -> gateway`).
    pub target: String,
    pub title: String,
    /// The edit it made (all of them, in order, as a batch: one undo step in the app).
    pub edit: Edit,
}

/// The fixes of `diagnostic` in `design`: none when its remedy needs a choice only the user
/// can make.
#[allow(
    clippy::too_many_lines,
    reason = "one arm per code: the table of remedies reads best as one match"
)]
pub fn fixes(design: &Design, diagnostic: &Diagnostic) -> Vec<Fix> {
    let node = |id: &str| design.node(id).map(|n| (n.id.clone(), n.kind.clone()));
    let set = |id: String, kind: NodeKind, title: String| {
        vec![Fix {
            title,
            edit: Edit::SetNode { id, kind },
        }]
    };
    match (diagnostic.code, &diagnostic.target) {
        // A wire the platform does not allow, or one to a node that does not exist.
        ("WIR001" | "WIR002", Target::Wire { from, to }) => vec![Fix {
            title: format!("remove the wire {from} -> {to}"),
            edit: Edit::Disconnect {
                from: from.clone(),
                to: to.clone(),
            },
        }],
        ("BND002", Target::Wire { from, to }) => vec![Fix {
            title: format!("drop the binding name of {from} -> {to}"),
            edit: rewire(from, to, ""),
        }],
        ("CLI002", Target::Node { node: id }) => match node(id) {
            Some((id, NodeKind::Client(mut client))) => {
                let sum: f64 = client.regions.values().sum();
                if client.regions.is_empty()
                    || sum <= 0.0
                    || client.regions.values().any(|s| *s < 0.0)
                {
                    return Vec::new();
                }
                for share in client.regions.values_mut() {
                    *share /= sum;
                }
                set(
                    id,
                    NodeKind::Client(client),
                    "scale the traffic shares to sum to 1".to_owned(),
                )
            }
            _ => Vec::new(),
        },
        ("GWY009", Target::Node { node: id }) => match node(id) {
            Some((id, NodeKind::Gateway(mut gateway))) => {
                let Some(limit) = gateway.rate_limit.as_mut() else {
                    return Vec::new();
                };
                *limit = limit.in_allowed_period();
                let title = format!(
                    "count per {} s ({} requests, the same rate)",
                    limit.period_secs, limit.requests
                );
                set(id, NodeKind::Gateway(gateway), title)
            }
            _ => Vec::new(),
        },
        ("HYP005", Target::Node { node: id }) => match node(id) {
            Some((id, NodeKind::Hyperdrive(mut hyperdrive))) => {
                hyperdrive.caching.max_age_secs = HYPERDRIVE_MAX_AGE_LIMIT_SECS;
                set(
                    id,
                    NodeKind::Hyperdrive(hyperdrive),
                    format!("cache for {HYPERDRIVE_MAX_AGE_LIMIT_SECS} s, the longest allowed"),
                )
            }
            _ => Vec::new(),
        },
        ("HDL001", Target::Step { node, route, step }) => missing_wire(design, node, *route, step),
        ("KV_003", Target::Step { node, route, .. }) => {
            more::route_fix(design, node, *route, |r| {
                walk_steps_mut(&mut r.steps, &mut |step| {
                    if let Step::KvPut {
                        ttl_secs: Some(ttl),
                        ..
                    } = step
                        && *ttl < KV_MIN_TTL_SECS
                    {
                        *ttl = KV_MIN_TTL_SECS;
                    }
                });
                Some(format!(
                    "expire after {KV_MIN_TTL_SECS} s, the shortest KV allows"
                ))
            })
        }
        ("CLI001", Target::Node { node: id }) => match node(id) {
            Some((id, NodeKind::Client(mut client))) => {
                let renames: Vec<(String, &str)> = client
                    .regions
                    .keys()
                    .filter(|r| !REGIONS.contains(&r.as_str()))
                    .filter_map(|r| Some((r.clone(), closest(r, &REGIONS)?)))
                    .filter(|(_, to)| !client.regions.contains_key(*to))
                    .collect();
                if renames.is_empty() {
                    return Vec::new();
                }
                let title = renames
                    .iter()
                    .map(|(from, to)| format!("`{from}` is `{to}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                for (from, to) in renames {
                    if let Some(share) = client.regions.remove(&from) {
                        client.regions.insert(to.to_owned(), share);
                    }
                }
                set(id, NodeKind::Client(client), title)
            }
            _ => Vec::new(),
        },
        ("HYP004", Target::Node { node: id }) => match node(id) {
            Some((id, NodeKind::Hyperdrive(mut hyperdrive))) => {
                let Some(region) = closest(&hyperdrive.origin_region, &REGIONS) else {
                    return Vec::new();
                };
                let title = format!("the origin is in `{region}`");
                region.clone_into(&mut hyperdrive.origin_region);
                set(id, NodeKind::Hyperdrive(hyperdrive), title)
            }
            _ => Vec::new(),
        },
        ("D1_001", Target::Node { node: id }) => match node(id) {
            Some((id, NodeKind::D1(mut d1))) => {
                let Some(hint) = d1
                    .location_hint
                    .as_deref()
                    .and_then(|h| closest(h, &D1_LOCATION_HINTS))
                else {
                    return Vec::new();
                };
                let title = format!("the location hint is `{hint}`");
                d1.location_hint = Some(hint.to_owned());
                set(id, NodeKind::D1(d1), title)
            }
            _ => Vec::new(),
        },
        ("BND001", Target::Wire { from, to }) => {
            let Some(target) = design.node(to) else {
                return Vec::new();
            };
            let kind = target.kind.kind();
            let name = if kind.is_worker() {
                crate::model::to_upper_snake(to)
            } else {
                kind.default_binding().to_owned()
            };
            if name.is_empty() || design.binding(from, &name).is_some() {
                return Vec::new();
            }
            vec![Fix {
                title: format!("name the binding `{name}`"),
                edit: rewire(from, to, &name),
            }]
        }
        _ => more::fixes(design, diagnostic),
    }
}

/// HDL001: the step's binding is not wired; one fix per node of the kind the step needs
/// (safe when there is only one): wire it with that binding name.
fn missing_wire(design: &Design, worker: &str, route: usize, path: &str) -> Vec<Fix> {
    let Some(NodeKind::Worker(w)) = design.node(worker).map(|n| &n.kind) else {
        return Vec::new();
    };
    let Some(route) = w.routes.get(route) else {
        return Vec::new();
    };
    let mut wanted = None;
    crate::model::walk_steps(&route.steps, &mut |at, step| {
        if at == path {
            wanted = step.binding().zip(super::handlers::expected_kind(step));
        }
    });
    let Some((binding, kind)) = wanted else {
        return Vec::new();
    };
    design
        .nodes_of_kind(kind)
        .filter(|n| n.id != worker)
        .filter(|n| {
            !design
                .wires
                .iter()
                .any(|w| w.from == worker && w.to == n.id)
        })
        .map(|n| Fix {
            title: format!("wire {worker} to {} as `{binding}`", n.id),
            edit: Edit::Connect {
                wire: Wire::new(worker, n.id.as_str(), binding),
            },
        })
        .collect()
}

/// The same wire with another binding name (empty for none).
fn rewire(from: &str, to: &str, binding: &str) -> Edit {
    Edit::Batch {
        edits: vec![
            Edit::Disconnect {
                from: from.to_owned(),
                to: to.to_owned(),
            },
            Edit::Connect {
                wire: Wire::new(from, to, binding),
            },
        ],
    }
}

/// `SEC001`'s remedy, which lives in `.dev.vars`, not in the design: the value to declare
/// secret `name` with. An API key gets the key the scenario requests already send (or a new
/// development value when none does); a JWT secret a new value when no scenario request
/// carries a token signed with the old one. `None` for a Hyperdrive connection string (only
/// the user knows their database) and for a name nothing uses.
pub fn secret_value(design: &Design, name: &str) -> Option<String> {
    use crate::model::Auth;
    let sends = |header: &str| {
        design
            .nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::Client(client) => Some(client),
                _ => None,
            })
            .flat_map(|client| &client.scenario)
            .find_map(|request| {
                request
                    .headers
                    .iter()
                    .find(|(h, _)| h.eq_ignore_ascii_case(header))
                    .map(|(_, value)| value.clone())
            })
    };
    design.nodes.iter().find_map(|node| match &node.kind {
        NodeKind::Gateway(gateway) => match &gateway.auth {
            Auth::ApiKey { header, secret } if secret == name => {
                Some(sends(header).unwrap_or_else(crate::generate::recipes::development_secret))
            }
            Auth::Jwt { secret, .. } if secret == name && sends("authorization").is_none() => {
                Some(crate::generate::recipes::development_secret())
            }
            _ => None,
        },
        _ => None,
    })
}

/// How many rounds [`fix_all`] makes at most (a fix can uncover another problem).
const ROUNDS: usize = 5;

/// Apply every safe fix (a diagnostic with exactly one remedy), validating again after each
/// round until none is left; an edit that no longer applies is skipped. Returns what was
/// done, in order.
pub fn fix_all(design: &mut Design) -> Vec<Applied> {
    let mut applied = Vec::new();
    for _ in 0..ROUNDS {
        let mut changed = false;
        for diagnostic in &validate(design) {
            if diagnostic.severity == Severity::Info {
                continue;
            }
            let mut found = fixes(design, diagnostic);
            if found.len() != 1 {
                continue;
            }
            let fix = found.remove(0);
            if design.apply(&fix.edit).is_ok() {
                changed = true;
                applied.push(Applied {
                    code: diagnostic.code,
                    target: target_text(&diagnostic.target),
                    title: fix.title,
                    edit: fix.edit,
                });
            }
        }
        if !changed {
            break;
        }
    }
    applied
}

fn target_text(target: &Target) -> String {
    match target {
        Target::Wire { from, to } => format!("{from} -> {to}"),
        other => other.node().unwrap_or("design").to_owned(),
    }
}

#[cfg(test)]
mod tests;
