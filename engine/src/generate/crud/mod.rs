//! CRUD from a table: list, get, create, update and delete routes over one table of a D1
//! database, with contracts derived from the column types and `NOT NULL`, 404 and 400 cases,
//! a gateway route when the design has a gateway, and scenario requests for every route.
//!
//! Where the routes go: on `--worker` when given, else on a new Worker wired to the
//! database. The new Worker sits behind the design's gateway when there is one (a gateway
//! route forwards the table's path), else a new Client calls it. The scenario requests go to
//! the Client whose requests reach that entry (a new one when none does), with the gateway's
//! credentials copied from that Client's existing requests.

mod routes;
mod scenario;

use std::collections::BTreeMap;

pub use routes::{Dialect, Names};

use super::{GenerateError, Generated, table::table};
use crate::edit::Edit;
use crate::graph::scenario_requests;
use crate::model::{
    Auth, Client, Design, GatewayRoute, HttpMethod, Kind, Node, NodeKind, Pos, Wire, Worker,
    to_upper_snake,
};

/// What to generate: routes over `table` of D1 node `db`, on Worker `worker` or a new one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrudOptions {
    pub db: String,
    pub table: String,
    pub worker: Option<String>,
}

/// The CRUD routes over a table, as one edit.
pub fn crud(design: &Design, options: &CrudOptions) -> Result<Generated, GenerateError> {
    let table = table(design, &options.db, &options.table)?;
    let names = Names::of(&table.name);
    let mut plan = Plan::new(design);

    // The Worker that answers, and its binding to the database.
    let worker_id = if let Some(id) = &options.worker {
        let node = design
            .node(id)
            .ok_or_else(|| GenerateError::NoSuchNode(id.clone()))?;
        if !matches!(node.kind, NodeKind::Worker(_)) {
            return Err(GenerateError::NotAWorker {
                node: id.clone(),
                kind: node.kind.kind().label(),
            });
        }
        id.clone()
    } else {
        let base = format!("{}-api", crate::model::to_lower_kebab(&table.name));
        let id = design.unique_id(&base);
        let at = plan.beside(&options.db, -280.0, 180.0);
        plan.add(
            Node::new(id.clone(), NodeKind::Worker(Worker::default())),
            at,
        );
        plan.summary.push(format!("new Worker `{id}`"));
        id
    };
    let (store, dialect) = match design.node(&options.db).map(|n| n.kind.kind()) {
        Some(Kind::Hyperdrive) => (Kind::Hyperdrive, Dialect::Postgres),
        _ => (Kind::D1, Dialect::D1),
    };
    let binding = plan.binding_to(&worker_id, &options.db, store.default_binding());

    // The routes.
    let routes = routes::routes(&table, &names, &binding, dialect);
    let with_update = routes.iter().any(|r| r.method == HttpMethod::Put);
    let mut worker = match plan.kind_of(&worker_id) {
        Some(NodeKind::Worker(worker)) => worker,
        _ => Worker::default(),
    };
    for route in &routes {
        if let Some(old) = worker
            .routes
            .iter()
            .find(|r| r.method == route.method && r.path == route.path)
        {
            return Err(GenerateError::RouteExists {
                worker: worker_id,
                route: format!("{} {}", old.method, old.path),
            });
        }
        plan.summary.push(format!(
            "route {} {} on `{worker_id}`",
            route.method, route.path
        ));
    }
    worker.routes.extend(routes);
    plan.set(&worker_id, NodeKind::Worker(worker));

    // How clients reach it, and the scenario.
    let entry = plan.entry_for(&worker_id, &names)?;
    let client = plan.client_for(&entry);
    let headers = plan.credentials(&client, &entry);
    let requests = scenario::requests(&table, &names, &headers, with_update);
    plan.summary.push(format!(
        "{} scenario requests on `{client}`",
        requests.len()
    ));
    let Some(NodeKind::Client(mut calls)) = plan.kind_of(&client) else {
        unreachable!("client_for returns a Client");
    };
    calls.scenario.extend(requests);
    plan.set(&client, NodeKind::Client(calls));
    Ok(plan.finish())
}

/// The edits made so far over a working copy of the design, so that each step sees the
/// ones before it.
struct Plan {
    draft: Design,
    edits: Vec<Edit>,
    summary: Vec<String>,
}

impl Plan {
    fn new(design: &Design) -> Self {
        Self {
            draft: design.clone(),
            edits: Vec::new(),
            summary: Vec::new(),
        }
    }

    fn push(&mut self, edit: Edit) {
        // The generator only builds edits that apply: ids are fresh, nodes exist.
        if self.draft.apply(&edit).is_ok() {
            self.edits.push(edit);
        }
    }

    fn add(&mut self, node: Node, pos: Pos) {
        self.push(Edit::AddNode { node, pos });
    }

    fn set(&mut self, id: &str, kind: NodeKind) {
        self.push(Edit::SetNode {
            id: id.to_owned(),
            kind,
        });
    }

    fn kind_of(&self, id: &str) -> Option<NodeKind> {
        self.draft.node(id).map(|n| n.kind.clone())
    }

    /// A free spot `dx`, `dy` from node `id` (lower down while it is taken).
    fn beside(&self, id: &str, dx: f32, dy: f32) -> Pos {
        let base = self.draft.layout.get(id).copied().unwrap_or_default();
        let mut at = Pos::new(base.x + dx, base.y + dy);
        while self
            .draft
            .layout
            .values()
            .any(|p| (p.x - at.x).abs() < 200.0 && (p.y - at.y).abs() < 100.0)
        {
            at.y += 120.0;
        }
        at
    }

    /// The binding `from` has to `to`, wiring them with `preferred` (or a free variant)
    /// when they are not wired yet.
    fn binding_to(&mut self, from: &str, to: &str, preferred: &str) -> String {
        if let Some(wire) = self.draft.wires_from(from).find(|w| w.to == to) {
            return wire.binding.clone();
        }
        let name = (1..=self.draft.wires.len() + 2)
            .map(|n| {
                if n == 1 {
                    preferred.to_owned()
                } else {
                    format!("{preferred}_{n}")
                }
            })
            .find(|name| self.draft.binding(from, name).is_none())
            .unwrap_or_else(|| preferred.to_owned());
        self.push(Edit::Connect {
            wire: Wire::new(from, to, name.clone()),
        });
        self.summary
            .push(format!("wire {from} -> {to} as `{name}`"));
        name
    }

    /// The node requests enter by to reach `worker`: the gateway that forwards to it
    /// (adding a gateway route for the table's path, and the gateway itself when the Worker
    /// is new and the design has one), else the Worker.
    fn entry_for(&mut self, worker: &str, names: &Names) -> Result<String, GenerateError> {
        let gateways: Vec<String> = self
            .draft
            .nodes_of_kind(Kind::Gateway)
            .map(|n| n.id.clone())
            .collect();
        let callers: Vec<String> = self
            .draft
            .wires_to(worker)
            .map(|w| w.from.clone())
            .collect();
        let gateway = gateways
            .iter()
            .find(|g| callers.contains(g))
            .or_else(|| callers.is_empty().then(|| gateways.first()).flatten())
            .cloned();
        let Some(gateway) = gateway else {
            return Ok(worker.to_owned());
        };
        let binding = self.binding_to(&gateway, worker, &to_upper_snake(worker));
        let Some(NodeKind::Gateway(mut routes)) = self.kind_of(&gateway) else {
            return Ok(worker.to_owned());
        };
        let covered = routes
            .routes
            .iter()
            .find(|r| names.path == r.path || names.path.starts_with(&format!("{}/", r.path)));
        match covered {
            Some(route) if route.service == binding => {}
            Some(route) => {
                let service = self
                    .draft
                    .binding_target(&gateway, &route.service)
                    .map_or_else(|| route.service.clone(), |n| n.id.clone());
                return Err(GenerateError::GatewayPathTaken {
                    gateway,
                    path: route.path.clone(),
                    service,
                });
            }
            None => {
                routes.routes.push(GatewayRoute {
                    path: names.path.clone(),
                    methods: vec![
                        HttpMethod::Get,
                        HttpMethod::Post,
                        HttpMethod::Put,
                        HttpMethod::Delete,
                    ],
                    service: binding,
                    strip_prefix: false,
                });
                self.summary
                    .push(format!("gateway route {} on `{gateway}`", names.path));
                self.set(&gateway, NodeKind::Gateway(routes));
            }
        }
        Ok(gateway)
    }

    /// The Client whose scenario requests reach `entry` (a new Client wired to it when none).
    fn client_for(&mut self, entry: &str) -> String {
        if let Some(found) = scenario_requests(&self.draft)
            .iter()
            .find(|r| r.entry == entry)
            .map(|r| r.client.to_owned())
        {
            return found;
        }
        if let Some(found) = self.draft.wires_to(entry).find_map(|w| {
            let node = self.draft.node(&w.from)?;
            let only_entry = self.draft.wires_from(&w.from).count() == 1;
            (matches!(node.kind, NodeKind::Client(_)) && only_entry).then(|| node.id.clone())
        }) {
            return found;
        }
        let id = self.draft.unique_id(&format!("{entry}-client"));
        let at = self.beside(entry, -280.0, 0.0);
        self.add(
            Node::new(id.clone(), NodeKind::Client(Client::default())),
            at,
        );
        self.push(Edit::Connect {
            wire: Wire::new(id.clone(), entry, ""),
        });
        self.summary
            .push(format!("new Client `{id}` calling `{entry}`"));
        id
    }

    /// The credential header the gateway at `entry` asks for, as `client` already sends it.
    fn credentials(&self, client: &str, entry: &str) -> BTreeMap<String, String> {
        let Some(NodeKind::Gateway(gateway)) = self.draft.node(entry).map(|n| &n.kind) else {
            return BTreeMap::new();
        };
        let header = match &gateway.auth {
            Auth::None => return BTreeMap::new(),
            Auth::ApiKey { header, .. } => header.to_ascii_lowercase(),
            Auth::Jwt { .. } => "authorization".to_owned(),
        };
        let Some(NodeKind::Client(calls)) = self.draft.node(client).map(|n| &n.kind) else {
            return BTreeMap::new();
        };
        calls
            .scenario
            .iter()
            .find_map(|r| {
                r.headers
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(&header))
            })
            .map(|(name, value)| BTreeMap::from([(name.clone(), value.clone())]))
            .unwrap_or_default()
    }

    fn finish(self) -> Generated {
        Generated {
            edit: Edit::Batch { edits: self.edits },
            summary: self.summary,
        }
    }
}
