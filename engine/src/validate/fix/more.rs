//! Fixes for names, wires, routes, steps and seeds: each the one mechanical remedy of its
//! code. `BND003` (the binding name in `UPPER_SNAKE`), `NAM001` (the id as a script name),
//! `SEC003` (the secret name in `UPPER_SNAKE`), `PUB001` (the hostname inside a URL),
//! `GWY003` (drop the duplicate gateway route), `HDL012` (delete the steps that never run),
//! `HYP003` (`?` placeholders as `$n`),
//! `KV_005` (drop the earlier of two seed entries, as the last one wins), `CON006` (drop the
//! type of a parameter the path does not have).

use crate::edit::Edit;
use crate::model::{
    Auth, Design, NodeKind, Origin, Route, Step, is_js_identifier, to_lower_kebab, to_upper_snake,
};

use super::Fix;
use crate::validate::{Diagnostic, Target};

pub(super) fn fixes(design: &Design, diagnostic: &Diagnostic) -> Vec<Fix> {
    let kind_of = |id: &str| design.node(id).map(|n| n.kind.clone());
    match (diagnostic.code, &diagnostic.target) {
        ("BND003", Target::Wire { from, to }) => {
            let Some(wire) = design.wires.iter().find(|w| w.from == *from && w.to == *to) else {
                return Vec::new();
            };
            let name = to_upper_snake(&wire.binding);
            let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
                format!("_{name}")
            } else {
                name
            };
            if !is_js_identifier(&name)
                || name == wire.binding
                || design.binding(from, &name).is_some()
            {
                return Vec::new();
            }
            vec![Fix {
                title: format!("rename the binding `{}` to `{name}`", wire.binding),
                edit: Edit::RenameBinding {
                    node: from.clone(),
                    from: wire.binding.clone(),
                    to: name,
                },
            }]
        }
        ("NAM001", Target::Node { node }) => {
            let name: String = to_lower_kebab(node)
                .trim_matches('-')
                .chars()
                .take(63)
                .collect();
            if name.is_empty() || name == *node || design.contains(&name) {
                return Vec::new();
            }
            vec![Fix {
                title: format!("rename `{node}` to `{name}`"),
                edit: Edit::RenameNode {
                    from: node.clone(),
                    to: name,
                },
            }]
        }
        ("SEC003", Target::Node { node }) => secret_name(design, node),
        ("PUB001", Target::Node { node }) => hostname(design, node),
        ("GWY003", Target::Route { node, route }) => {
            let Some(NodeKind::Gateway(mut g)) = kind_of(node) else {
                return Vec::new();
            };
            if *route >= g.routes.len() {
                return Vec::new();
            }
            let removed = g.routes.remove(*route);
            set(
                node,
                NodeKind::Gateway(g),
                format!("delete the second route {}", removed.path),
            )
        }
        ("KV_005", Target::Node { node }) => last_seed_wins(design, node),
        ("HDL012", Target::Step { node, route, step }) => route_fix(design, node, *route, |r| {
            truncate_at(&mut r.steps, step)
                .then(|| format!("delete the steps from {step} on, which never run"))
        }),
        ("HYP003", Target::Step { node, route, .. }) => numbered_placeholders(design, node, *route),
        ("CON006", Target::Route { node, route }) => path_params_only(design, node, *route),
        _ => Vec::new(),
    }
}

/// The fix that gives node `id` these properties.
fn set(id: &str, kind: NodeKind, title: String) -> Vec<Fix> {
    vec![Fix {
        title,
        edit: Edit::SetNode {
            id: id.to_owned(),
            kind,
        },
    }]
}

/// Cut the step list at `path` (`"3"`, `"1.then.2"`): that step and the ones after it go.
fn truncate_at(steps: &mut Vec<Step>, path: &str) -> bool {
    let mut parts = path.split('.');
    let Some(Ok(index)) = parts.next().map(str::parse::<usize>) else {
        return false;
    };
    match parts.next() {
        None if index > 0 && index <= steps.len() => {
            steps.truncate(index);
            true
        }
        None => false,
        Some(branch) => {
            let rest: Vec<&str> = parts.collect();
            match (steps.get_mut(index), branch) {
                (Some(Step::If { then, .. }), "then") => truncate_at(then, &rest.join(".")),
                (Some(Step::If { otherwise, .. }), "otherwise") => {
                    truncate_at(otherwise, &rest.join("."))
                }
                _ => false,
            }
        }
    }
}

/// SQL with `?` and `?N` placeholders (outside quotes) numbered `$1`, `$2`, … (`?N` keeps
/// its number); `None` when it has none.
fn dollar_placeholders(sql: &str) -> Option<String> {
    let mut out = String::with_capacity(sql.len() + 4);
    let mut next = 0_u32;
    let mut quote: Option<char> = None;
    let mut changed = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            out.push(c);
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '?' => {
                changed = true;
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                out.push('$');
                if digits.is_empty() {
                    next += 1;
                    out.push_str(&next.to_string());
                } else {
                    out.push_str(&digits);
                }
            }
            other => out.push(other),
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
pub(super) fn dollar_placeholders_for_tests(sql: &str) -> Option<String> {
    dollar_placeholders(sql)
}

fn secret_name(design: &Design, node: &str) -> Vec<Fix> {
    let kind_of = |id: &str| design.node(id).map(|n| n.kind.clone());

    let Some(mut kind) = kind_of(node) else {
        return Vec::new();
    };
    let secret = match &mut kind {
        NodeKind::Gateway(g) => match &mut g.auth {
            Auth::ApiKey { secret, .. } | Auth::Jwt { secret, .. } => secret,
            Auth::None => return Vec::new(),
        },
        NodeKind::Hyperdrive(h) => match &mut h.origin {
            Origin::ConnectionString { secret } => secret,
            Origin::Auto => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let name = to_upper_snake(secret).trim_matches('_').to_owned();
    if name.is_empty() || name == *secret || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Vec::new();
    }
    let title = format!("name the secret `{name}` (rename it in .dev.vars too)");
    *secret = name;
    set(node, kind, title)
}

fn hostname(design: &Design, node: &str) -> Vec<Fix> {
    let kind_of = |id: &str| design.node(id).map(|n| n.kind.clone());

    let Some(mut kind) = kind_of(node) else {
        return Vec::new();
    };
    let domain = match &mut kind {
        NodeKind::Gateway(g) => &mut g.custom_domain,
        NodeKind::Worker(w) => &mut w.custom_domain,
        _ => return Vec::new(),
    };
    let Some(old) = domain.clone() else {
        return Vec::new();
    };
    let host = old
        .split_once("://")
        .map_or(old.as_str(), |(_, rest)| rest)
        .split(['/', ':', '?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if host == old || crate::validate::exposure::check_hostname(&host).is_err() {
        return Vec::new();
    }
    let title = format!("use the hostname `{host}`");
    *domain = Some(host);
    set(node, kind, title)
}

fn last_seed_wins(design: &Design, node: &str) -> Vec<Fix> {
    let kind_of = |id: &str| design.node(id).map(|n| n.kind.clone());

    let Some(NodeKind::Kv(mut kv)) = kind_of(node) else {
        return Vec::new();
    };
    // The last entry of a key wins: keep it, drop the ones before.
    let mut seen = std::collections::BTreeSet::new();
    let mut keep: Vec<bool> = kv
        .seed
        .iter()
        .rev()
        .map(|entry| seen.insert(entry.key.clone()))
        .collect();
    keep.reverse();
    let mut flags = keep.into_iter();
    kv.seed.retain(|_| flags.next().unwrap_or(true));
    set(
        node,
        NodeKind::Kv(kv),
        "keep the last seed entry of each key (the one that wins)".to_owned(),
    )
}

fn numbered_placeholders(design: &Design, node: &str, route: usize) -> Vec<Fix> {
    route_fix(design, node, route, |r| {
        let mut changed = false;
        crate::model::walk_steps_mut(&mut r.steps, &mut |s| {
            if let Step::Hyperdrive { sql, .. } = s
                && let Some(numbered) = dollar_placeholders(sql)
            {
                *sql = numbered;
                changed = true;
            }
        });
        changed.then(|| "number the placeholders $1, $2, … as PostgreSQL wants".to_owned())
    })
}

fn path_params_only(design: &Design, node: &str, route: usize) -> Vec<Fix> {
    route_fix(design, node, route, |r| {
        let request = r.request.as_mut()?;
        let extra: Vec<String> = request
            .params_not_in(&r.path)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if extra.is_empty() {
            return None;
        }
        request.params.retain(|p, _| !extra.contains(p));
        if request.is_empty() {
            r.request = None;
        }
        Some(format!("drop the type of {}", extra.join(", ")))
    })
}

/// The fix that changes route `route` of Worker `node` as `change` does; `change` gives the
/// fix's title, or `None` when there is nothing to change.
pub(super) fn route_fix(
    design: &Design,
    node: &str,
    route: usize,
    change: impl FnOnce(&mut Route) -> Option<String>,
) -> Vec<Fix> {
    let Some(NodeKind::Worker(mut worker)) = design.node(node).map(|n| n.kind.clone()) else {
        return Vec::new();
    };
    let Some(title) = worker.routes.get_mut(route).and_then(change) else {
        return Vec::new();
    };
    set(node, NodeKind::Worker(worker), title)
}
