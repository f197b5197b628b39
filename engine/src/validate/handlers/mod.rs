//! Worker routes and their handlers: bindings used by steps, values used before they are set,
//! templates, handlers that can end without a response, route paths and overlaps, statuses.

use crate::model::{Kind, Route, Step, backquoted, is_handler_name};

use super::context::{Ctx, StepAt, StepPath, WorkerAt, route_label, step_target};
use super::paths::{RouteTrie, Segment, method_bit};
use super::{Diagnostic, Severity, Target};

/// The node kind a step's binding must lead to.
pub(crate) fn expected_kind(step: &Step) -> Option<Kind> {
    match step {
        Step::KvGet { .. } | Step::KvPut { .. } | Step::KvDelete { .. } | Step::KvList { .. } => {
            Some(Kind::Kv)
        }
        Step::D1 { .. } => Some(Kind::D1),
        Step::Hyperdrive { .. } => Some(Kind::Hyperdrive),
        Step::Call { .. } => Some(Kind::Worker),
        Step::Set { .. } | Step::If { .. } | Step::Respond { .. } => None,
    }
}

/// HDL001: a step uses a binding its Worker does not have; HDL002: the binding leads to the
/// wrong kind of node (a KV step on a D1 binding, a Call on a KV binding).
pub(crate) fn step_bindings<'a>(_ctx: &Ctx<'a>, at: &StepAt<'a, '_>, out: &mut Vec<Diagnostic>) {
    let (Some(binding), Some(expected)) = (at.step.binding(), expected_kind(at.step)) else {
        return;
    };
    let worker = &at.node.id;
    match at.binding(binding).map(|l| l.to) {
        None => {
            let same_kind: Vec<&str> = at
                .links
                .iter()
                .filter(|l| l.target_kind() == Some(expected))
                .map(|l| l.wire.binding.as_str())
                .collect();
            let help = if same_kind.is_empty() {
                format!("wire {worker} to a {expected} and name the binding `{binding}`")
            } else {
                format!(
                    "wire {worker} to a {expected} named `{binding}`, or use one of its \
                         {expected} bindings: {}",
                    same_kind.join(", ")
                )
            };
            out.push(
                Diagnostic::new(
                    "HDL001",
                    Severity::Error,
                    at.target(),
                    format!(
                        "{} step uses binding `{binding}`, which {worker} does not have",
                        at.step.kind_name()
                    ),
                )
                .help(help),
            );
        }
        Some(Some(target)) if target.kind.kind() != expected => {
            out.push(
                Diagnostic::new(
                    "HDL002",
                    Severity::Error,
                    at.target(),
                    format!(
                        "{} step uses binding `{binding}`, which is the {} `{}`; this step \
                             needs a {expected}",
                        at.step.kind_name(),
                        target.kind.kind(),
                        target.id
                    ),
                )
                .help(format!(
                    "use a binding that leads to a {expected}, or change the step to one \
                         for a {}",
                    target.kind.kind()
                )),
            );
        }
        // Right kind, or a wire to a missing node (WIR002 reports it).
        Some(_) => {}
    }
}

/// What the use-before-set walk knows about one route.
struct Flow<'r, 'o> {
    ctx_node: &'r crate::model::Node,
    route_index: usize,
    /// The route path's segments (none when it does not parse); its `:name`s are the params.
    segments: &'r [Segment<'r>],
    route_path: &'r str,
    /// The names the steps set, in the order the walk meets them; a scope is a bit set over
    /// the first 64 of them.
    names: Vec<&'r str>,
    out: &'o mut Vec<Diagnostic>,
}

/// The names set at a point of a handler: bit `i` stands for `Flow::names[i]`.
type Scope = u64;

impl<'r> Flow<'r, '_> {
    /// The route's params, in path order.
    fn params(&self) -> impl Iterator<Item = &'r str> + use<'r, '_> {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Param(name) => Some(*name),
            Segment::Literal(_) => None,
        })
    }

    /// The bit of a name being set, numbering it on first sight; names past the 64th have
    /// none and count as always set.
    fn bit(&mut self, name: &'r str) -> Scope {
        let index = self
            .names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| {
                self.names.push(name);
                self.names.len() - 1
            });
        if index < 64 { 1 << index } else { 0 }
    }

    fn is_set(&self, scope: Scope, name: &str) -> bool {
        match self.names.iter().position(|n| *n == name) {
            Some(i) if i < 64 => scope & (1 << i) != 0,
            Some(_) => true,
            None => false,
        }
    }

    /// Check the steps in order; returns whether the list can fall through (not respond).
    fn steps(&mut self, steps: &'r [Step], path: &mut StepPath, set: &mut Scope) -> bool {
        for (index, step) in steps.iter().enumerate() {
            path.push_index(index);
            let scope = *set;
            step.for_each_read(&mut |read| self.read(read, path, scope));
            match step {
                Step::If {
                    then, otherwise, ..
                } => {
                    let mut then_set = *set;
                    path.push_branch(true);
                    let then_falls = self.steps(then, path, &mut then_set);
                    path.pop();
                    let mut otherwise_set = *set;
                    path.push_branch(false);
                    let otherwise_falls = self.steps(otherwise, path, &mut otherwise_set);
                    path.pop();
                    match (then_falls, otherwise_falls) {
                        (true, true) => *set = then_set & otherwise_set,
                        (true, false) => *set = then_set,
                        (false, true) => *set = otherwise_set,
                        (false, false) => {
                            path.pop();
                            return false;
                        }
                    }
                }
                Step::Respond { .. } => {
                    path.pop();
                    return false;
                }
                _ => {
                    if let Some(name) = step.output() {
                        *set |= self.bit(name);
                    }
                }
            }
            path.pop();
        }
        true
    }

    fn read(&mut self, read: &str, path: &StepPath, set: Scope) {
        // The first two segments of the dotted path.
        let (root, rest) = split_dot(read);
        let second = rest.map(|rest| split_dot(rest).0);
        let target = || step_target(self.ctx_node, self.route_index, path);
        match (root, second) {
            ("params", Some(name)) if !self.params().any(|p| p == name) => {
                let params: Vec<&str> = self.params().collect();
                let known = if params.is_empty() {
                    "it has none".to_owned()
                } else {
                    format!("it has {}", backquoted(&params))
                };
                self.out.push(
                    Diagnostic::new(
                        "HDL005",
                        Severity::Error,
                        target(),
                        format!(
                            "`{read}` is not a parameter of route path {} ({known})",
                            self.route_path
                        ),
                    )
                    .help(format!(
                        "add `:{name}` to the route path (for example `/items/:{name}`), or \
                         read one of its parameters"
                    )),
                );
            }
            ("headers", Some(name)) if name.chars().any(|c| c.is_ascii_uppercase()) => {
                self.out.push(
                    Diagnostic::new(
                        "HDL005",
                        Severity::Error,
                        target(),
                        format!("`{read}` never has a value: header names are lower case"),
                    )
                    .help(format!("write `headers.{}`", name.to_ascii_lowercase())),
                );
            }
            _ if Route::INPUTS.contains(&root) || self.is_set(set, root) => {}
            _ => {
                let nearest = Route::INPUTS
                    .iter()
                    .chain(self.names.iter().filter(|n| self.is_set(set, n)))
                    .map(|candidate| (strsim::damerau_levenshtein(root, candidate), *candidate))
                    .filter(|(distance, candidate)| *distance <= candidate.len().max(2) / 2)
                    .min()
                    .map(|(_, candidate)| candidate);
                let help = match nearest {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => format!(
                        "set `{root}` in an earlier step (for example a KvGet with `into: \
                         \"{root}\"`), or read an input: params, query, headers, body, auth; a \
                         name set in one branch of an If only is set after it when the other \
                         branch responds"
                    ),
                };
                let message = if read == root {
                    format!("`{root}` is used before it is set")
                } else {
                    format!("`{read}` is used before `{root}` is set")
                };
                self.out
                    .push(Diagnostic::new("HDL003", Severity::Error, target(), message).help(help));
            }
        }
    }
}

/// The text before the first `.` and, when there is one, the text after it.
fn split_dot(text: &str) -> (&str, Option<&str>) {
    match text.bytes().position(|b| b == b'.') {
        Some(dot) => (&text[..dot], Some(&text[dot + 1..])),
        None => (text, None),
    }
}

/// HDL003: a value used before it is set; HDL005: an input that cannot exist (`params.x`
/// without `:x` in the route path, an upper-case header name).
pub(crate) fn values_before_set(_ctx: &Ctx<'_>, at: &WorkerAt<'_, '_>, out: &mut Vec<Diagnostic>) {
    let (node, worker) = (at.node, at.worker);
    let mut names = Vec::new();
    let mut path = StepPath::default();
    for (route_index, route) in worker.routes.iter().enumerate() {
        names.clear();
        let mut flow = Flow {
            ctx_node: node,
            route_index,
            segments: at.patterns[route_index].as_deref().unwrap_or_default(),
            route_path: &route.path,
            names,
            out,
        };
        flow.steps(&route.steps, &mut path, &mut 0);
        names = flow.names;
    }
}

/// HDL004: a template that does not parse.
pub(crate) fn templates<'a>(_ctx: &Ctx<'a>, at: &StepAt<'a, '_>, out: &mut Vec<Diagnostic>) {
    at.step.for_each_template(&mut |template| {
        if let Err(error) = template.for_each_part(|_| {}) {
            out.push(
                    Diagnostic::new(
                        "HDL004",
                        Severity::Error,
                        at.target(),
                        format!("template `{}` does not parse: {error}", template.as_str()),
                    )
                    .help("placeholders are `{path}`, for example `product:{params.id}`; write `{{` and `}}` for literal braces"),
                );
        }
    });
}

/// Whether every path through the steps ends in a Respond.
pub fn responds(steps: &[Step]) -> bool {
    steps.iter().any(step_responds)
}

fn step_responds(step: &Step) -> bool {
    match step {
        Step::Respond { .. } => true,
        Step::If {
            then, otherwise, ..
        } => responds(then) && responds(otherwise),
        _ => false,
    }
}

/// HDL006: a handler that can reach its end without a Respond (the engine would answer 500).
pub(crate) fn always_responds(_ctx: &Ctx<'_>, at: &WorkerAt<'_, '_>, out: &mut Vec<Diagnostic>) {
    let (node, worker) = (at.node, at.worker);
    for (index, route) in worker.routes.iter().enumerate() {
        if responds(&route.steps) {
            continue;
        }
        let why = if route.steps.is_empty() {
            "it has no steps".to_owned()
        } else {
            "some path through its steps ends without a Respond".to_owned()
        };
        out.push(
                Diagnostic::new(
                    "HDL006",
                    Severity::Error,
                    Target::Route {
                        node: node.id.clone(),
                        route: index,
                    },
                    format!("route {} can finish without responding: {why}", route_label(route)),
                )
                .help(
                    "end the handler with a Respond step, for example `Respond(status: 200, \
                     body: Object({\"ok\": Json(true)}))`; an If counts only when both branches respond",
                ),
            );
    }
}

/// HDL007: a Worker route path that is not a valid pattern.
pub(crate) fn route_paths(_ctx: &Ctx<'_>, at: &WorkerAt<'_, '_>, out: &mut Vec<Diagnostic>) {
    let node = at.node;
    for (index, pattern) in at.patterns.iter().enumerate() {
        if let Err(problem) = pattern {
            out.push(
                    Diagnostic::new(
                        "HDL007",
                        Severity::Error,
                        Target::Route {
                            node: node.id.clone(),
                            route: index,
                        },
                        format!("route path is not valid: {problem}"),
                    )
                    .help("a route path starts with `/` and has non-empty segments; `:name` matches one segment, for example `/products/:id`"),
                );
        }
    }
}

/// HDL008: two routes with the same method and path; HDL009: a route that never matches
/// because an earlier route with the same method catches all its paths.
pub(crate) fn route_overlaps(_ctx: &Ctx<'_>, at: &WorkerAt<'_, '_>, out: &mut Vec<Diagnostic>) {
    let (node, worker) = (at.node, at.worker);
    if worker.routes.len() < 2 {
        // One route cannot duplicate or hide another.
        return;
    }
    let mut trie = RouteTrie::new(false);
    for (index, route) in worker.routes.iter().enumerate() {
        let Ok(pattern) = &at.patterns[index] else {
            continue;
        };
        let method = method_bit(route.method);
        let coverage = trie.coverage(pattern, method);
        let target = || Target::Route {
            node: node.id.clone(),
            route: index,
        };
        if let Some(first) = coverage.duplicate_of {
            out.push(
                Diagnostic::new(
                    "HDL008",
                    Severity::Error,
                    target(),
                    format!(
                        "route {} duplicates route {} ({})",
                        route_label(route),
                        first + 1,
                        route_label(&worker.routes[first])
                    ),
                )
                .help("delete one of them, or merge their steps"),
            );
        } else if let Some(&first) = coverage.covered_by.first() {
            out.push(
                    Diagnostic::new(
                        "HDL009",
                        Severity::Warning,
                        target(),
                        format!(
                            "route {} never matches: route {} ({}) comes first and matches all its paths",
                            route_label(route),
                            first + 1,
                            route_label(&worker.routes[first])
                        ),
                    )
                    .help("routes are tried in order; move the specific route first (for example /products/featured before /products/:id)"),
                );
        }
        trie.insert(pattern, index, method);
    }
}

/// HDL010: a Respond status outside 100..=599.
pub(crate) fn respond_status<'a>(_ctx: &Ctx<'a>, at: &StepAt<'a, '_>, out: &mut Vec<Diagnostic>) {
    if let Step::Respond { status, .. } = at.step
        && !(100..=599).contains(status)
    {
        out.push(
                Diagnostic::new(
                    "HDL010",
                    Severity::Error,
                    at.target(),
                    format!("status {status} is not an HTTP status code (100 to 599)"),
                )
                .help("use a status such as 200 (OK), 201 (Created), 404 (Not Found) or 400 (Bad Request)"),
            );
    }
}

/// HDL011: a step sets a name that is not a plain identifier, or hides an input.
pub(crate) fn output_names<'a>(_ctx: &Ctx<'a>, at: &StepAt<'a, '_>, out: &mut Vec<Diagnostic>) {
    let Some(name) = at.step.output() else { return };
    let problem = if Route::INPUTS.contains(&name) {
        format!("`{name}` is an input name and cannot be set")
    } else if !is_handler_name(name) {
        format!("`{name}` is not a plain name (letters, digits and `_`, no dots)")
    } else {
        return;
    };
    out.push(
        Diagnostic::new("HDL011", Severity::Error, at.target(), problem)
            .help("name the value after what it holds, for example `product` or `rows`"),
    );
}

/// HDL012: steps after a step that always responds never run.
pub(crate) fn unreachable_steps(_ctx: &Ctx<'_>, at: &WorkerAt<'_, '_>, out: &mut Vec<Diagnostic>) {
    fn check(
        node: &crate::model::Node,
        route_index: usize,
        route: &Route,
        steps: &[Step],
        path: &mut StepPath,
        out: &mut Vec<Diagnostic>,
    ) {
        for (index, step) in steps.iter().enumerate() {
            if let Step::If {
                then, otherwise, ..
            } = step
            {
                path.push_index(index);
                path.push_branch(true);
                check(node, route_index, route, then, path, out);
                path.pop();
                path.push_branch(false);
                check(node, route_index, route, otherwise, path, out);
                path.pop();
                path.pop();
            }
            if step_responds(step) && index + 1 < steps.len() {
                path.push_index(index + 1);
                out.push(
                    Diagnostic::new(
                        "HDL012",
                        Severity::Warning,
                        step_target(node, route_index, path),
                        format!(
                            "this step and the {} after it never run in route {}: step {index} always responds",
                            steps.len() - index - 2,
                            route_label(route)
                        ),
                    )
                    .help("delete the steps that never run, or move the Respond after them"),
                );
                path.pop();
                break;
            }
        }
    }
    let (node, worker) = (at.node, at.worker);
    for (route_index, route) in worker.routes.iter().enumerate() {
        check(
            node,
            route_index,
            route,
            &route.steps,
            &mut StepPath::default(),
            out,
        );
    }
}

#[cfg(test)]
mod tests;
