//! Static request paths: which hops a scenario request makes through a design.
//!
//! A sample request enters at the Worker or Gateway its Client is wired to. The gateway's
//! checks are decided from the request itself (a missing API key header ends it with 401; an
//! expected 401/429 means the credential or the rate limit stops it there), then its routes pick
//! a service binding. A Worker picks its route by method and path and walks the route's steps:
//! - binding steps become [`Hop`]s (KV, D1, Hyperdrive), `Call` follows the service binding into
//!   the other Worker (its route found from the call's method and path);
//! - `If` conditions on the request's own inputs (`params`, `query`, `headers`, `body`) are decided
//!   from the sample; `Exists`/`Missing` on the result of a `KvGet` is a cache lookup, a hit
//!   with the KV hit ratio; any other condition takes both branches with weight 1/2 each;
//! - `Respond` ends a path with its status.
//!
//! Finally only the paths that end with the sample's `expect_status` are kept (reweighted to sum
//! to 1); when none does, every path is kept and a warning says so.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::model::{Auth, Design, HttpMethod, NodeKind, SampleRequest, Step, walk_steps};
use crate::semantics::MAX_WORKER_INVOCATIONS;

mod hop;
mod matching;
mod scope;
mod sql;

pub use hop::Hop;

use matching::{match_segments, split_path};
use scope::{Body, Scope, lower_headers, sample_body};
use sql::d1_rows;
pub use sql::is_read_only;

/// Rows a D1 `All` query reads when its SQL has no `LIMIT n` (an assumption: D1 bills rows
/// scanned, which the simulator cannot know).
pub const ALL_ROWS_READ: f64 = 100.0;

/// Most paths kept per request; beyond it the lightest are dropped (with a warning).
const MAX_PATHS: usize = 256;

/// One way a request can go, with its share of that request's traffic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestPath {
    /// Share of the request's traffic that takes this path (the paths of a request sum to 1).
    pub weight: f64,
    /// The status the path answers with.
    pub status: u16,
    pub hops: Vec<Hop>,
}

/// The paths of one sample request, with what the walk had to guess.
#[derive(Clone, Debug, Default)]
pub struct Paths {
    pub paths: Vec<RequestPath>,
    pub warnings: Vec<String>,
}

/// A path being built.
#[derive(Clone, Debug)]
struct Partial {
    weight: f64,
    status: Option<u16>,
    hops: Vec<Hop>,
}

impl Partial {
    /// The request ends at `hop` with `status`: the one path of that answer.
    fn ends_at(hop: &Hop, status: u16) -> Vec<Partial> {
        vec![Partial {
            weight: 1.0,
            status: Some(status),
            hops: vec![hop.clone()],
        }]
    }
}

/// Derives paths for one design.
struct Walker<'a> {
    design: &'a Design,
    kv_hit_ratio: f64,
    warnings: Vec<String>,
}

impl Walker<'_> {
    fn warn(&mut self, text: String) {
        if !self.warnings.contains(&text) {
            self.warnings.push(text);
        }
    }

    fn target(&mut self, worker: &str, binding: &str) -> String {
        if let Some(wire) = self.design.binding(worker, binding) {
            return wire.to.clone();
        }
        self.warn(format!(
            "`{worker}` uses binding `{binding}`, which no wire provides; counted as local"
        ));
        format!("{worker}.{binding}")
    }

    /// Paths through a Gateway for a sample request.
    fn gateway(&mut self, id: &str, sample: &SampleRequest, depth: usize) -> Vec<Partial> {
        let Some(NodeKind::Gateway(gateway)) = self.design.node(id).map(|n| &n.kind) else {
            return Vec::new();
        };
        let hop = Hop::Worker {
            node: id.to_owned(),
            gateway: true,
            caller: None,
        };
        let ends = |status: u16| Partial::ends_at(&hop, status);
        let headers = lower_headers(&sample.headers);
        if sample.method == HttpMethod::Options
            && headers.contains_key("access-control-request-method")
            && gateway.cors.is_some()
        {
            return ends(sample.expect_status);
        }
        if let (Some(max), Some(body)) = (gateway.max_body_bytes, &sample.body)
            && body.to_text().len() as u64 > max
        {
            return ends(413);
        }
        let has_credential = match &gateway.auth {
            Auth::None => true,
            Auth::ApiKey { header, .. } => headers
                .get(&header.to_ascii_lowercase())
                .is_some_and(|v| !v.is_empty()),
            Auth::Jwt { .. } => headers
                .get("authorization")
                .is_some_and(|v| v.starts_with("Bearer ")),
        };
        if !has_credential || (sample.expect_status == 401 && !gateway.auth.is_none()) {
            return ends(401);
        }
        if sample.expect_status == 429 && gateway.rate_limit.is_some() {
            return ends(429);
        }
        let (segments, _) = split_path(&sample.path);
        let mut path_matched = false;
        for route in &gateway.routes {
            let Some((_, used)) = match_segments(&route.path, &segments, false) else {
                continue;
            };
            path_matched = true;
            if !route.methods.is_empty() && !route.methods.contains(&sample.method) {
                continue;
            }
            let service = self.target(id, &route.service);
            let forwarded = if route.strip_prefix {
                let rest = segments[used..].join("/");
                let query = sample
                    .path
                    .split_once('?')
                    .map(|(_, q)| format!("?{q}"))
                    .unwrap_or_default();
                format!("/{rest}{query}")
            } else {
                sample.path.clone()
            };
            let body = sample_body(sample.body.as_ref());
            let inner = self.worker(
                &service,
                sample.method,
                &forwarded,
                body,
                Some(headers),
                depth + 1,
            );
            return prefix(&hop, called_by(id, inner));
        }
        ends(if path_matched { 405 } else { 404 })
    }

    /// Paths through a Worker for a request with this method and path.
    fn worker(
        &mut self,
        id: &str,
        method: HttpMethod,
        path: &str,
        body: Body,
        headers: Option<BTreeMap<String, String>>,
        depth: usize,
    ) -> Vec<Partial> {
        let hop = Hop::Worker {
            node: id.to_owned(),
            gateway: false,
            caller: None,
        };
        let ends = |status: u16| Partial::ends_at(&hop, status);
        if depth > MAX_WORKER_INVOCATIONS {
            self.warn(format!(
                "a request reaches more than {MAX_WORKER_INVOCATIONS} Worker invocations at `{id}`; the walk stops there"
            ));
            return ends(500);
        }
        let Some(NodeKind::Worker(worker)) = self.design.node(id).map(|n| &n.kind) else {
            if let Some(NodeKind::Gateway(_)) = self.design.node(id).map(|n| &n.kind) {
                self.warn(format!(
                    "`{id}` is a Gateway reached through a service binding; counted as one hop"
                ));
            } else {
                self.warn(format!("`{id}` is not a Worker; the request ends there"));
            }
            return ends(500);
        };
        let (segments, query) = split_path(path);
        // A code Worker answers every request with its typical one; an external one is a hop.
        let typical;
        let (steps, params) = if let Some(code) = &worker.code {
            if code.external {
                return ends(200);
            }
            typical = code.typical_steps(self.design, id);
            (typical.as_slice(), BTreeMap::new())
        } else {
            let Some((route, params)) = worker.routes.iter().find_map(|route| {
                (route.method == method)
                    .then(|| match_segments(&route.path, &segments, true))
                    .flatten()
                    .map(|(params, _)| (route, params))
            }) else {
                return ends(404);
            };
            let known = match &body {
                Body::Invalid => return ends(400),
                Body::Known(value) => Some(value),
                Body::Unknown => None,
            };
            if self.breaks_contract(route, &params, &query, known) {
                return ends(400);
            }
            (route.steps.as_slice(), params)
        };
        let body = match body {
            Body::Invalid => return ends(400),
            Body::Known(value) => Some(value),
            Body::Unknown => None,
        };
        let mut kv_results = BTreeSet::new();
        walk_steps(steps, &mut |_, step| {
            if let Step::KvGet { into, .. } = step {
                kv_results.insert(into.clone());
            }
        });
        let scope = Scope {
            params,
            query,
            headers,
            body,
            kv_results,
            kv_hit_ratio: self.kv_hit_ratio,
        };
        let start = vec![Partial {
            weight: 1.0,
            status: None,
            hops: vec![hop],
        }];
        let mut partials = self.steps(id, steps, &scope, start, depth);
        for partial in &mut partials {
            if partial.status.is_none() {
                partial.status = Some(500);
            }
        }
        partials
    }

    /// Whether a request with these known inputs breaks the route's contract: the Worker
    /// then answers 400 before its first step. A body that is not known (a service call's
    /// computed body) is taken to keep the contract.
    fn breaks_contract(
        &self,
        route: &crate::model::Route,
        params: &BTreeMap<String, String>,
        query: &BTreeMap<String, String>,
        body: Option<&Value>,
    ) -> bool {
        let Some(request) = route.request.as_ref().filter(|r| !r.is_empty()) else {
            return false;
        };
        let Some(body) = body else {
            return false;
        };
        let Ok(checker) = crate::contract::Checker::compile(request, &self.design.schemas) else {
            return false;
        };
        let text = |map: &BTreeMap<String, String>| -> serde_json::Map<String, Value> {
            map.iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect()
        };
        checker.check(&text(params), &text(query), body).is_err()
    }

    fn steps(
        &mut self,
        worker: &str,
        steps: &[Step],
        scope: &Scope,
        mut partials: Vec<Partial>,
        depth: usize,
    ) -> Vec<Partial> {
        for step in steps {
            let (mut done, open): (Vec<Partial>, Vec<Partial>) =
                partials.into_iter().partition(|p| p.status.is_some());
            if open.is_empty() {
                return done;
            }
            done.extend(self.step(worker, step, scope, open, depth));
            partials = self.cap(done);
        }
        partials
    }

    fn cap(&mut self, mut partials: Vec<Partial>) -> Vec<Partial> {
        if partials.len() > MAX_PATHS {
            partials.sort_by(|a, b| b.weight.total_cmp(&a.weight));
            partials.truncate(MAX_PATHS);
            self.warn(format!(
                "more than {MAX_PATHS} paths through a handler; only the {MAX_PATHS} most likely are kept"
            ));
        }
        partials
    }

    fn step(
        &mut self,
        worker: &str,
        step: &Step,
        scope: &Scope,
        mut open: Vec<Partial>,
        depth: usize,
    ) -> Vec<Partial> {
        let hop = match step {
            Step::KvGet { binding, .. } => Hop::KvRead {
                node: self.target(worker, binding),
            },
            Step::KvPut { binding, .. } => Hop::KvWrite {
                node: self.target(worker, binding),
            },
            Step::KvDelete { binding, .. } => Hop::KvDelete {
                node: self.target(worker, binding),
            },
            Step::KvList { binding, .. } => Hop::KvList {
                node: self.target(worker, binding),
            },
            Step::D1 {
                binding, sql, mode, ..
            } => {
                let (rows_read, rows_written) = d1_rows(sql, *mode);
                Hop::D1 {
                    node: self.target(worker, binding),
                    read_only: is_read_only(sql),
                    rows_read,
                    rows_written,
                    by: worker.to_owned(),
                }
            }
            Step::Hyperdrive { binding, sql, .. } => Hop::Hyperdrive {
                node: self.target(worker, binding),
                read_only: is_read_only(sql),
                by: worker.to_owned(),
            },
            Step::Set { .. } => return open,
            Step::Respond { status, .. } => {
                for partial in &mut open {
                    partial.status = Some(*status);
                }
                return open;
            }
            Step::If {
                cond,
                then,
                otherwise,
            } => {
                let chance = scope.chance(cond);
                if chance >= 1.0 {
                    return self.steps(worker, then, scope, open, depth);
                }
                if chance <= 0.0 {
                    return self.steps(worker, otherwise, scope, open, depth);
                }
                let scaled = |k: f64| -> Vec<Partial> {
                    open.iter()
                        .map(|p| Partial {
                            weight: p.weight * k,
                            ..p.clone()
                        })
                        .collect()
                };
                let (yes, no) = (scaled(chance), scaled(1.0 - chance));
                let mut both = self.steps(worker, then, scope, yes, depth);
                both.extend(self.steps(worker, otherwise, scope, no, depth));
                return both;
            }
            Step::Call {
                binding,
                method,
                path,
                body,
                ..
            } => {
                let callee = self.target(worker, binding);
                let call_path = scope.render_path(path);
                let call_body = match body {
                    None => Body::Known(Value::Null),
                    Some(expr) => scope.eval(expr).map_or(Body::Unknown, Body::Known),
                };
                let inner = called_by(
                    worker,
                    self.worker(
                        &callee,
                        *method,
                        &call_path,
                        call_body,
                        Some(BTreeMap::new()),
                        depth + 1,
                    ),
                );
                let mut combined = Vec::with_capacity(open.len() * inner.len());
                for outer in &open {
                    for path in &inner {
                        let mut hops = outer.hops.clone();
                        hops.extend(path.hops.iter().cloned());
                        combined.push(Partial {
                            weight: outer.weight * path.weight,
                            status: None,
                            hops,
                        });
                    }
                }
                return combined;
            }
        };
        for partial in &mut open {
            partial.hops.push(hop.clone());
        }
        open
    }
}

/// Marks the first hop of each path (a Worker) as called by `caller`.
fn called_by(caller: &str, mut inner: Vec<Partial>) -> Vec<Partial> {
    for partial in &mut inner {
        if let Some(Hop::Worker { caller: by, .. }) = partial.hops.first_mut() {
            *by = Some(caller.to_owned());
        }
    }
    inner
}

fn prefix(hop: &Hop, inner: Vec<Partial>) -> Vec<Partial> {
    inner
        .into_iter()
        .map(|mut p| {
            p.hops.insert(0, hop.clone());
            p
        })
        .collect()
}

/// The paths a Client's sample request takes from the entry node `entry`; `kv_hit_ratio` is
/// the chance that a KV cache lookup finds its key.
pub fn request_paths(
    design: &Design,
    entry: &str,
    sample: &SampleRequest,
    kv_hit_ratio: f64,
) -> Paths {
    let mut walker = Walker {
        design,
        kv_hit_ratio,
        warnings: Vec::new(),
    };
    let partials = match design.node(entry).map(|n| &n.kind) {
        Some(NodeKind::Gateway(_)) => walker.gateway(entry, sample, 1),
        Some(NodeKind::Worker(_)) => walker.worker(
            entry,
            sample.method,
            &sample.path,
            sample_body(sample.body.as_ref()),
            Some(lower_headers(&sample.headers)),
            1,
        ),
        _ => Vec::new(),
    };
    let mut paths: Vec<RequestPath> = partials
        .into_iter()
        .map(|p| RequestPath {
            weight: p.weight,
            status: p.status.unwrap_or(500),
            hops: p.hops,
        })
        .collect();
    let expected: Vec<RequestPath> = paths
        .iter()
        .filter(|p| p.status == sample.expect_status)
        .cloned()
        .collect();
    if expected.is_empty() {
        if !paths.is_empty() {
            walker.warn(format!(
                "`{}`: no path answers the expected {}; every path is counted",
                sample.name, sample.expect_status
            ));
        }
    } else {
        paths = expected;
    }
    let total: f64 = paths.iter().map(|p| p.weight).sum();
    if total > 0.0 {
        for path in &mut paths {
            path.weight /= total;
        }
    }
    // Same hops, same status: one path.
    let mut merged: Vec<RequestPath> = Vec::with_capacity(paths.len());
    for path in paths {
        if let Some(same) = merged
            .iter_mut()
            .find(|m| m.status == path.status && m.hops == path.hops)
        {
            same.weight += path.weight;
        } else {
            merged.push(path);
        }
    }
    // Weights to 6 decimals: what the report shows, free of float noise.
    for path in &mut merged {
        path.weight = (path.weight * 1e6).round() / 1e6;
    }
    Paths {
        paths: merged,
        warnings: walker.warnings,
    }
}

#[cfg(test)]
mod tests;
