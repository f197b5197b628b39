//! The operations clients of a design can call: each public Worker's own routes, and each
//! public gateway's routes mapped through to the Worker routes behind them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::contract::{Checked, Checker, Issue};
use crate::graph::DesignGraph;
use crate::model::{Design, Gateway, HttpMethod, NodeKind, RequestBody, Route, SampleRequest};

/// One operation as a client sees it.
pub(crate) struct Operation<'a> {
    pub method: HttpMethod,
    /// The public path pattern (`/users/:id`).
    pub path: String,
    pub route: &'a Route,
    /// The Worker that answers it.
    pub worker: &'a str,
    /// The public entry it is reached through (a gateway or the Worker itself).
    pub entry: &'a str,
    /// The gateway in front of it, if any.
    pub gateway: Option<&'a Gateway>,
}

/// The segments of a path pattern (`/users/:id` -> `users`, `:id`).
fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Whether every request to the Worker path `path` passes the gateway prefix `prefix`: each
/// prefix segment is a `:name` or equals the path's literal segment there.
fn under_prefix(prefix: &str, path: &str) -> bool {
    let (prefix, path) = (segments(prefix), segments(path));
    prefix.len() <= path.len()
        && prefix
            .iter()
            .zip(&path)
            .all(|(p, s)| p.starts_with(':') || (!s.starts_with(':') && p == s))
}

/// `prefix` and `rest` joined as the gateway forwards with `strip_prefix`.
fn join(prefix: &str, rest: &str) -> String {
    let mut parts = segments(prefix);
    parts.extend(segments(rest));
    format!("/{}", parts.join("/"))
}

/// A path pattern with every `:name` replaced, so that patterns that differ only in their
/// parameter names count as one.
pub(super) fn shape(path: &str) -> String {
    let parts: Vec<&str> = segments(path)
        .into_iter()
        .map(|s| if s.starts_with(':') { ":" } else { s })
        .collect();
    format!("/{}", parts.join("/"))
}

/// Every operation, entry by entry (sorted by id), in route order; an operation that an
/// earlier one already answers (same method and path shape) is left out, as the gateway and
/// the router would never reach it.
pub(crate) fn operations(design: &Design) -> Vec<Operation<'_>> {
    let graph = DesignGraph::new(design);
    let nodes: HashMap<&str, &crate::model::Node> =
        design.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let mut out = Vec::new();
    let mut seen: BTreeSet<(HttpMethod, String)> = BTreeSet::new();
    for entry in graph.entry_points() {
        let Some(&node) = nodes.get(entry.as_str()) else {
            continue;
        };
        let entry = node.id.as_str();
        match &node.kind {
            NodeKind::Worker(worker) => {
                for route in &worker.routes {
                    if seen.insert((route.method, shape(&route.path))) {
                        out.push(Operation {
                            method: route.method,
                            path: route.path.clone(),
                            route,
                            worker: entry,
                            entry,
                            gateway: None,
                        });
                    }
                }
            }
            NodeKind::Gateway(gateway) => {
                // The gateway's bindings once, not a scan of every wire per route.
                let targets: BTreeMap<&str, &crate::model::Node> = design
                    .wires_from(entry)
                    .filter_map(|w| Some((w.binding.as_str(), *nodes.get(w.to.as_str())?)))
                    .collect();
                for forward in &gateway.routes {
                    let Some(&target) = targets.get(forward.service.as_str()) else {
                        continue;
                    };
                    let NodeKind::Worker(worker) = &target.kind else {
                        continue;
                    };
                    for route in &worker.routes {
                        if !forward.methods.is_empty() && !forward.methods.contains(&route.method) {
                            continue;
                        }
                        let path = if forward.strip_prefix {
                            join(&forward.path, &route.path)
                        } else if under_prefix(&forward.path, &route.path) {
                            route.path.clone()
                        } else {
                            continue;
                        };
                        if seen.insert((route.method, shape(&path))) {
                            out.push(Operation {
                                method: route.method,
                                path,
                                route,
                                worker: target.id.as_str(),
                                entry,
                                gateway: Some(gateway),
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

impl Operation<'_> {
    /// Whether a concrete request path (no query) is this operation's.
    pub(crate) fn matches(&self, path: &str) -> bool {
        matches(&self.path, path)
    }

    /// Check a sample request to this operation with its route's compiled contract (a body
    /// that is not JSON is checked as `null`).
    pub(crate) fn check_sample(
        &self,
        checker: &Checker,
        sample: &SampleRequest,
    ) -> Result<Checked, Vec<Issue>> {
        let (path, query) = sample.path.split_once('?').unwrap_or((&sample.path, ""));
        let body = match &sample.body {
            Some(RequestBody::Json(value)) => value,
            _ => &serde_json::Value::Null,
        };
        let query = crate::runtime::http::query_object(Some(query));
        checker.check(&self.params(path), &query, body)
    }

    /// The path parameters of a concrete request path that [`Self::matches`], as text.
    pub(crate) fn params(&self, path: &str) -> serde_json::Map<String, serde_json::Value> {
        segments(&self.path)
            .into_iter()
            .zip(segments(path))
            .filter_map(|(pattern, segment)| {
                let name = pattern.strip_prefix(':')?;
                let value = crate::runtime::http::decode_segment(segment);
                Some((name.to_owned(), serde_json::Value::String(value)))
            })
            .collect()
    }
}

/// The operation a sample request reaches (by method and path), if any.
pub(crate) fn operation_for<'o, 'a>(
    operations: &'o [Operation<'a>],
    sample: &SampleRequest,
) -> Option<&'o Operation<'a>> {
    let path = sample.path.split('?').next().unwrap_or_default();
    operations
        .iter()
        .find(|op| op.method == sample.method && op.matches(path))
}

/// Whether the concrete request path `path` (no query) matches the pattern `pattern`.
pub(super) fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, path) = (segments(pattern), segments(path));
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| p.starts_with(':') || p == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_prefixes_and_paths() {
        assert!(under_prefix("/users", "/users/:id"));
        assert!(under_prefix("/users", "/users"));
        assert!(!under_prefix("/users", "/usersx"));
        assert!(!under_prefix("/users/admin", "/users/:id"));
        assert!(under_prefix("/:tenant", "/acme/users"));
        assert_eq!(join("/api", "/users/:id"), "/api/users/:id");
        assert_eq!(join("/api", "/"), "/api");
        assert_eq!(shape("/users/:id"), shape("/users/:user"));
        assert!(matches("/users/:id", "/users/7"));
        assert!(!matches("/users/:id", "/users"));
    }
}
