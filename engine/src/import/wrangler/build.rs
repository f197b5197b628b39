//! Configurations into nodes and wires: one code Worker per configuration, shared stores,
//! service-binding wires, Clients for the Workers the internet reaches, Notes for what
//! Edgewire does not model.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::Summary;
use super::bindings::{rate_limit, simple_limit, unmodelled};
use super::config::{bound_entries, entries, text};
use crate::model::{
    BindingUse, Client, Code, D1, Design, Hyperdrive, Kind, Kv, Migration, Node, NodeId, NodeKind,
    Note, Origin, SampleRequest, Wire, Worker, WorkerPlacement, to_lower_kebab,
};

/// One configuration on its way in.
pub struct Source<'a> {
    /// The file, as found.
    pub path: &'a Path,
    /// The configuration with the environment merged in.
    pub config: &'a Value,
}

/// Builds a design from configurations, one at a time, then [`Builder::finish`].
pub struct Builder {
    pub design: Design,
    pub summary: Summary,
    design_dir: PathBuf,
    /// Worker name -> node id, and the config that declared it.
    workers: BTreeMap<String, (NodeId, PathBuf)>,
    /// (kind, identity) -> store node id.
    stores: BTreeMap<(Kind, String), NodeId>,
    /// Service bindings waiting for every Worker to be known: (from, binding, service).
    services: Vec<(NodeId, String, String)>,
    /// Workers the internet reaches.
    public: Vec<NodeId>,
    /// Each Worker's first rate limit (limit, period in seconds), for a round trip to give
    /// back to its gateway.
    pub rate_limits: BTreeMap<NodeId, (u32, u32)>,
}

/// `path` relative to `base`, `/`-separated; both made absolute first.
pub fn relative(base: &Path, path: &Path) -> String {
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let base = absolute(base);
    let path = absolute(path);
    let base_parts: Vec<_> = base.components().collect();
    let path_parts: Vec<_> = path.components().collect();
    let common = base_parts
        .iter()
        .zip(&path_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".to_owned(); base_parts.len() - common];
    parts.extend(
        path_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// The names declared in the secrets file beside a configuration (`.dev.vars.example`, else
/// `.dev.vars`); never their values.
fn secret_names(dir: &Path, warnings: &mut Vec<String>) -> Vec<String> {
    for file in [".dev.vars.example", ".dev.vars"] {
        let path = dir.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        return match crate::secrets::parse(&text) {
            Ok(secrets) => secrets.names().into_iter().collect(),
            Err(err) => {
                warnings.push(format!(
                    "{}: {}; its secret names are not imported",
                    path.display(),
                    err.in_file(&path)
                ));
                Vec::new()
            }
        };
    }
    Vec::new()
}

/// A D1 database's migrations: the `.sql` files of its `migrations_dir`, in name order, each
/// named without its number (`0001_create_users.sql` -> `create_users`).
fn migrations(dir: &Path) -> Vec<Migration> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = read
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql")))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let sql = std::fs::read_to_string(&path).ok()?;
            let stem = path.file_stem()?.to_string_lossy().into_owned();
            let name = match stem.split_once('_') {
                Some((number, rest)) if number.chars().all(|c| c.is_ascii_digit()) => {
                    rest.to_owned()
                }
                _ => stem,
            };
            Some(Migration { name, sql })
        })
        .collect()
}

impl Builder {
    pub fn new(name: &str, design_dir: &Path) -> Self {
        Self {
            design: Design::new(name),
            summary: Summary::default(),
            design_dir: design_dir.to_path_buf(),
            workers: BTreeMap::new(),
            stores: BTreeMap::new(),
            services: Vec::new(),
            public: Vec::new(),
            rate_limits: BTreeMap::new(),
        }
    }

    fn warn(&mut self, text: String) {
        self.summary.warnings.push(text);
    }

    fn add_node(&mut self, base: &str, kind: NodeKind) -> NodeId {
        let id = self.design.unique_id(&crate::export::slug(base));
        self.design.nodes.push(Node::new(id.clone(), kind));
        id
    }

    fn wire(&mut self, from: &str, to: &str, binding: &str) {
        self.design.wires.push(Wire::new(from, to, binding));
    }

    /// One configuration: its Worker, its stores and its wires.
    pub fn add(&mut self, source: &Source<'_>) {
        let Source { path, config } = *source;
        let dir = path.parent().unwrap_or(Path::new("."));
        let shown = path.display().to_string();
        let name = text(config, "name").map_or_else(
            || {
                let folder = dir
                    .file_name()
                    .map_or_else(|| "worker".to_owned(), |n| n.to_string_lossy().into_owned());
                self.warn(format!(
                    "{shown}: no `name`; the Worker is named `{folder}` after its folder"
                ));
                folder
            },
            str::to_owned,
        );
        let code = self.code(path, dir, config);
        let mut worker = Worker {
            code: Some(code),
            ..Worker::default()
        };
        if config.pointer("/placement/mode").and_then(Value::as_str) == Some("smart") {
            worker.placement = WorkerPlacement::Smart;
        }
        let (public, domain) = exposure(config);
        worker.custom_domain = domain;
        let id = self.add_node(&name, NodeKind::Worker(worker));
        if let Some((first, first_path)) = self.workers.get(&name) {
            let text = format!(
                "{shown}: the Worker name `{name}` is taken already by {}; this one is imported as `{id}` (node `{first}` is the first)",
                first_path.display()
            );
            self.warn(text);
        } else {
            self.workers.insert(name, (id.clone(), path.to_path_buf()));
        }
        if public {
            self.public.push(id.clone());
        }
        self.stores_of(&id, dir, config);
        for entry in entries(config, "services") {
            match (text(entry, "binding"), text(entry, "service")) {
                (Some(binding), Some(service)) => {
                    self.services
                        .push((id.clone(), binding.to_owned(), service.to_owned()));
                }
                _ => self.warn(format!(
                    "{shown}: a service binding without `binding` or `service` is not imported"
                )),
            }
        }
        self.notes_of(&id, &shown, config);
    }

    /// The code part of a Worker: where its code is, its settings, its secrets' names.
    fn code(&mut self, path: &Path, dir: &Path, config: &Value) -> Code {
        let mut code = Code {
            config: relative(&self.design_dir, path),
            compatibility_date: text(config, "compatibility_date")
                .unwrap_or_default()
                .to_owned(),
            compatibility_flags: entries(config, "compatibility_flags")
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            ..Code::default()
        };
        match text(config, "main") {
            Some(main) => {
                let entry = dir.join(main);
                if !entry.is_file() {
                    self.warn(format!(
                        "{}: its `main` ({main}) does not exist; the Worker is imported, but `edgewire export` will copy a folder without it",
                        path.display()
                    ));
                }
                code.source = relative(&self.design_dir, &entry);
            }
            None => self.warn(format!(
                "{}: no `main`; the Worker has no entry module (static assets only?)",
                path.display()
            )),
        }
        if let Some(vars) = config.get("vars").and_then(Value::as_object) {
            code.vars = vars.keys().cloned().collect();
            code.vars.sort();
        }
        code.secrets = secret_names(dir, &mut self.summary.warnings);
        code
    }

    /// A store node for `identity`, shared with earlier Workers that bind the same one.
    fn store(&mut self, kind: Kind, identity: String, base: &str, node: NodeKind) -> NodeId {
        if let Some(id) = self.stores.get(&(kind, identity.clone())) {
            // The Worker that owns a shared database's migrations may come second.
            if let (Some(shared), NodeKind::D1(new)) = (self.design.node_mut(id), node)
                && let NodeKind::D1(db) = &mut shared.kind
                && db.migrations.is_empty()
            {
                db.migrations = new.migrations;
            }
            return id.clone();
        }
        let id = self.add_node(base, node);
        self.stores.insert((kind, identity), id.clone());
        id
    }

    fn stores_of(&mut self, worker: &str, dir: &Path, config: &Value) {
        let own = |binding: &str| format!("{worker}/{binding}");
        for (binding, entry) in bound_entries(config, "kv_namespaces") {
            let id = text(entry, "id");
            let identity = id
                .or_else(|| text(entry, "preview_id"))
                .map_or_else(|| own(binding), str::to_owned);
            let kv = Kv {
                id: id.map(str::to_owned),
                ..Kv::default()
            };
            let base = text(entry, "preview_id")
                .filter(|_| id.is_none())
                .map_or_else(|| to_lower_kebab(binding), str::to_owned);
            let node = self.store(Kind::Kv, identity, &base, NodeKind::Kv(kv));
            self.wire(worker, &node, binding);
        }
        for (binding, entry) in bound_entries(config, "d1_databases") {
            let name = text(entry, "database_name");
            let database_id = text(entry, "database_id");
            let identity = database_id
                .or(name)
                .or_else(|| text(entry, "preview_database_id"))
                .map_or_else(|| own(binding), str::to_owned);
            let db = D1 {
                database_name: name.map(str::to_owned),
                database_id: database_id.map(str::to_owned),
                migrations: migrations(
                    &dir.join(text(entry, "migrations_dir").unwrap_or("migrations")),
                ),
                ..D1::default()
            };
            let base = name.map_or_else(|| to_lower_kebab(binding), str::to_owned);
            let node = self.store(Kind::D1, identity, &base, NodeKind::D1(db));
            self.wire(worker, &node, binding);
        }
        for (binding, entry) in bound_entries(config, "hyperdrive") {
            let config_id = text(entry, "id");
            let identity = config_id.map_or_else(|| own(binding), str::to_owned);
            // The origin is the configuration's, unknown here; locally (where only code
            // Workers bind it, and those answer 501) a private PostgreSQL stands in, so the
            // design runs with no secret to set.
            let hyperdrive = Hyperdrive {
                config_id: config_id.map(str::to_owned),
                origin: Origin::Auto,
                ..Hyperdrive::default()
            };
            let node = self.store(
                Kind::Hyperdrive,
                identity,
                &to_lower_kebab(binding),
                NodeKind::Hyperdrive(hyperdrive),
            );
            self.wire(worker, &node, binding);
        }
    }

    /// A Note beside the Worker for its rate limits and the bindings Edgewire does not
    /// model, with a warning for each.
    fn notes_of(&mut self, worker: &str, shown: &str, config: &Value) {
        let mut lines = Vec::new();
        for entry in entries(config, "ratelimits") {
            if let Some(limit) = simple_limit(entry) {
                self.rate_limits.entry(worker.to_owned()).or_insert(limit);
            }
            let limit = rate_limit(entry);
            self.warn(format!(
                "{shown}: rate limit {limit} is kept as a note (Edgewire's rate limit belongs to a gateway)"
            ));
            lines.push(format!("rate limit {limit}"));
        }
        for binding in unmodelled(config) {
            self.warn(format!(
                "{shown}: {binding} is kept as a note: Edgewire does not model it"
            ));
            self.summary.skipped.push(format!("{worker}: {binding}"));
            lines.push(binding.to_string());
        }
        if !lines.is_empty() {
            let text = format!(
                "{worker} also has (not modelled by Edgewire):\n- {}",
                lines.join("\n- ")
            );
            let note = self.add_node(&format!("{worker}-note"), NodeKind::Note(Note { text }));
            self.summary.beside.insert(note, worker.to_owned());
        }
    }

    /// Resolve service bindings (external Workers for services not imported), add Clients,
    /// and give each code Worker a first typical request: each binding once.
    pub fn finish(mut self) -> (Design, Summary) {
        for (from, binding, service) in std::mem::take(&mut self.services) {
            let target = if let Some((id, _)) = self.workers.get(&service) {
                id.clone()
            } else {
                let id = self.add_node(
                    &service,
                    NodeKind::Worker(Worker {
                        code: Some(Code {
                            external: true,
                            ..Code::default()
                        }),
                        ..Worker::default()
                    }),
                );
                self.warn(format!(
                    "`{from}` binds service `{service}` ({binding}), which is not in the imported folders: it is an external Worker node"
                ));
                self.workers
                    .insert(service.clone(), (id.clone(), PathBuf::new()));
                id
            };
            self.wire(&from, &target, &binding);
        }
        let single = self.public.len() == 1;
        for worker in std::mem::take(&mut self.public) {
            let base = if single {
                "client".to_owned()
            } else {
                format!("client-{worker}")
            };
            let client = Client {
                scenario: vec![typical_sample(&worker)],
                ..Client::default()
            };
            let id = self.add_node(&base, NodeKind::Client(client));
            self.wire(&id, &worker, "");
        }
        let design = &mut self.design;
        let uses: BTreeMap<NodeId, Vec<BindingUse>> = design
            .wires
            .iter()
            .filter(|w| !w.binding.is_empty())
            .fold(BTreeMap::new(), |mut map, w| {
                map.entry(w.from.clone())
                    .or_insert_with(Vec::new)
                    .push(BindingUse::new(w.binding.clone(), 1));
                map
            });
        for node in &mut design.nodes {
            if let NodeKind::Worker(Worker {
                code: Some(code), ..
            }) = &mut node.kind
                && !code.external
            {
                code.typical = uses.get(&node.id).cloned().unwrap_or_default();
            }
        }
        self.summary.workers = count(design, |k| matches!(k, NodeKind::Worker(_)));
        self.summary.stores = count(design, |k| k.kind().is_store());
        self.summary.wires = design.wires.len();
        design.canonicalize();
        (self.design, self.summary)
    }
}

fn count(design: &Design, what: impl Fn(&NodeKind) -> bool) -> usize {
    design.nodes.iter().filter(|n| what(&n.kind)).count()
}

/// The sample request a Client of an imported Worker sends: `GET /`, answered 200 by the
/// real Worker (the local engine answers a code Worker with 501).
fn typical_sample(worker: &str) -> SampleRequest {
    SampleRequest {
        name: format!("typical request to {worker}"),
        method: crate::model::HttpMethod::Get,
        path: "/".to_owned(),
        headers: BTreeMap::new(),
        body: None,
        weight: 1.0,
        expect_status: 200,
        expect_body: None,
    }
}

/// Whether the internet reaches the Worker (`workers_dev` not false, or routes), and its
/// Custom Domain when it has one.
fn exposure(config: &Value) -> (bool, Option<String>) {
    let mut routes: Vec<&Value> = entries(config, "routes").collect();
    routes.extend(config.get("route"));
    let domain = routes.iter().find_map(|route| {
        (route.get("custom_domain") == Some(&Value::Bool(true)))
            .then(|| text(route, "pattern"))
            .flatten()
            .map(str::to_owned)
    });
    let workers_dev = config.get("workers_dev") != Some(&Value::Bool(false));
    (workers_dev || !routes.is_empty(), domain)
}
