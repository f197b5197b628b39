//! The project around the code: folders, `wrangler.jsonc` files, `package.json` scripts,
//! seeds, the deploy script and the README.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::typescript::{WorkerCompiler, string_literal};
use super::{ExportError, ExportTree, names, versions};
use crate::graph::DesignGraph;
use crate::model::{
    Auth, Design, Gateway, HttpMethod, Hyperdrive, Node, NodeKind, Origin, RateLimitKey, Worker,
};
use crate::semantics::{AUTH_HEADER, COMPATIBILITY_DATE};

const EDGEWIRE_TS: &str = include_str!("../../../assets/export/edgewire.ts");
const HYPERDRIVE_TS: &str = include_str!("../../../assets/export/hyperdrive.ts");
const GATEWAY_TS: &str = include_str!("../../../assets/export/gateway.ts");
const TSCONFIG: &str = include_str!("../../../assets/export/tsconfig.json");
const GITIGNORE: &str = include_str!("../../../assets/export/gitignore");

/// Hyperdrive `id` written until the user creates the configuration (any value works locally).
pub const HYPERDRIVE_PLACEHOLDER_ID: &str = "00000000000000000000000000000000";

/// The one state folder shared by dev, migrations and seeding.
const STATE_DIR: &str = ".wrangler/state";

/// Top-level folders of the project that a Worker folder must not take.
const ROOT_FOLDERS: [&str; 6] = [
    "migrations",
    "seed",
    "scripts",
    "node_modules",
    "dist",
    "src",
];

/// A Gateway or Worker node being exported.
struct Script<'a> {
    node: &'a Node,
    folder: String,
    /// Bindings of this Worker, by binding name, to the node they reach.
    bindings: BTreeMap<&'a str, &'a Node>,
    public: bool,
}

impl Script<'_> {
    fn config(&self) -> String {
        format!("{}/wrangler.jsonc", self.folder)
    }

    fn uses_hyperdrive(&self) -> bool {
        self.bindings
            .values()
            .any(|n| matches!(n.kind, NodeKind::Hyperdrive(_)))
    }

    fn secrets(&self) -> Vec<(String, String)> {
        match &self.node.kind {
            NodeKind::Gateway(g) => match &g.auth {
                Auth::None => vec![],
                Auth::ApiKey { header, secret } => vec![(
                    secret.clone(),
                    format!("the API key clients must send in the `{header}` header"),
                )],
                Auth::Jwt { secret, .. } => vec![(
                    secret.clone(),
                    "the HMAC key that signs clients' HS256 tokens".to_owned(),
                )],
            },
            _ => vec![],
        }
    }
}

/// A data store and the Worker whose config the CLI commands use for it.
struct Store<'a> {
    node: &'a Node,
    name: String,
    /// (worker folder config, binding) of the first Worker (in dev order) bound to it.
    via: (String, String),
}

pub fn build(design: &Design) -> Result<ExportTree, ExportError> {
    let graph = DesignGraph::new(design);
    let deploy_order = graph.deploy_order().ok_or(ExportError::Cycle)?;
    let entries: BTreeSet<String> = graph.entry_points().into_iter().collect();

    // Worker folders, checked for clashes.
    let mut folders: BTreeMap<String, &str> = BTreeMap::new();
    let mut scripts: BTreeMap<&str, Script<'_>> = BTreeMap::new();
    for node in &design.nodes {
        if !node.kind.kind().is_worker() {
            continue;
        }
        let mut folder = names::slug(&node.id);
        if ROOT_FOLDERS.contains(&folder.as_str()) {
            folder.push_str("-worker");
        }
        if let Some(first) = folders.insert(folder.clone(), &node.id) {
            return Err(ExportError::FolderClash {
                first: first.to_owned(),
                second: node.id.clone(),
                folder,
            });
        }
        let mut bindings = BTreeMap::new();
        for wire in design.wires_from(&node.id) {
            if let Some(target) = design.node(&wire.to)
                && !wire.binding.is_empty()
            {
                if !crate::model::is_js_identifier(&wire.binding) {
                    return Err(ExportError::Unsupported {
                        node: node.id.clone(),
                        detail: format!(
                            "binding `{}` is not a JavaScript identifier",
                            wire.binding
                        ),
                    });
                }
                bindings.insert(wire.binding.as_str(), target);
            }
        }
        scripts.insert(
            node.id.as_str(),
            Script {
                node,
                folder,
                bindings,
                public: entries.contains(&node.id),
            },
        );
    }

    // Dev order: gateways, then public Workers, then the rest in deploy order. The first
    // config is the one `wrangler dev` serves on its port.
    let mut dev_order: Vec<&str> = Vec::new();
    let is_gateway = |id: &str| {
        scripts
            .get(id)
            .is_some_and(|s| matches!(s.node.kind, NodeKind::Gateway(_)))
    };
    for id in &deploy_order {
        if is_gateway(id) && entries.contains(id) {
            dev_order.push(id);
        }
    }
    for id in &deploy_order {
        if !is_gateway(id) && entries.contains(id) {
            dev_order.push(id);
        }
    }
    for id in &deploy_order {
        if !dev_order.contains(&id.as_str()) {
            dev_order.push(id);
        }
    }
    let ordered: Vec<&Script<'_>> = dev_order.iter().filter_map(|id| scripts.get(id)).collect();

    // Data stores bound by some Worker, with the config used to manage them.
    let mut stores: BTreeMap<&str, Store<'_>> = BTreeMap::new();
    for script in &ordered {
        for (binding, target) in &script.bindings {
            if target.kind.kind().is_store() && !stores.contains_key(target.id.as_str()) {
                stores.insert(
                    target.id.as_str(),
                    Store {
                        node: target,
                        name: names::slug(&target.id),
                        via: (script.config(), (*binding).to_owned()),
                    },
                );
            }
        }
    }

    let mut tree = ExportTree::default();
    for script in &ordered {
        worker_files(design, script, &mut tree)?;
    }
    for store in stores.values() {
        store_files(store, &mut tree);
    }
    tree.add(".gitignore", GITIGNORE);
    tree.add(
        ".dev.vars.example",
        root_dev_vars(design, &ordered, &stores),
    );
    tree.add("package.json", package_json(design, &ordered, &stores));
    tree.add(
        "scripts/deploy.mjs",
        deploy_script(design, &ordered, &deploy_order, &scripts, &stores),
    );
    tree.add("README.md", readme(design, &ordered, &stores));
    Ok(tree)
}

// ---------------------------------------------------------------------------------------
// Worker folders

fn worker_files(
    design: &Design,
    script: &Script<'_>,
    tree: &mut ExportTree,
) -> Result<(), ExportError> {
    let folder = &script.folder;
    tree.add(script.config(), wrangler_config(design, script));
    tree.add(format!("{folder}/tsconfig.json"), TSCONFIG);
    let secrets = script.secrets();
    if !secrets.is_empty() {
        let mut vars = format!(
            "# Secrets of the \"{}\" Worker for local development: copy this file to .dev.vars\n# (never commit .dev.vars). In production: npx wrangler secret put NAME -c {}\n",
            script.node.id,
            script.config()
        );
        for (name, what) in &secrets {
            let _ = writeln!(vars, "\n# {what}\n{name}=");
        }
        tree.add(format!("{folder}/.dev.vars.example"), vars);
    }
    match &script.node.kind {
        NodeKind::Gateway(gateway) => {
            tree.add(format!("{folder}/src/gateway.ts"), GATEWAY_TS);
            tree.add(
                format!("{folder}/src/index.ts"),
                gateway_index(design, script, gateway)?,
            );
        }
        NodeKind::Worker(worker) => {
            tree.add(format!("{folder}/src/edgewire.ts"), EDGEWIRE_TS);
            if script.uses_hyperdrive() {
                tree.add(format!("{folder}/src/hyperdrive.ts"), HYPERDRIVE_TS);
            }
            tree.add(
                format!("{folder}/src/index.ts"),
                worker_index(design, script, worker)?,
            );
        }
        _ => {}
    }
    Ok(())
}

fn wrangler_config(design: &Design, script: &Script<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// The \"{}\" Worker of the \"{}\" design, exported by Edgewire.",
        script.node.id,
        one_line(&design.name)
    );
    out.push_str("{\n");
    let _ = writeln!(
        out,
        "  \"$schema\": \"../node_modules/wrangler/config-schema.json\","
    );
    let _ = writeln!(out, "  \"name\": {},", string_literal(&script.folder));
    let _ = writeln!(out, "  \"main\": \"src/index.ts\",");
    let _ = write!(
        out,
        "  \"compatibility_date\": {}",
        string_literal(COMPATIBILITY_DATE)
    );
    if script.uses_hyperdrive() {
        out.push_str(",\n  // The PostgreSQL driver needs Node.js APIs.\n  \"compatibility_flags\": [\"nodejs_compat\"]");
    }
    out.push_str(&exposure(script));
    let mut services = Vec::new();
    let mut kv = Vec::new();
    let mut d1 = Vec::new();
    let mut hyperdrive = Vec::new();
    for (binding, target) in &script.bindings {
        let name = names::slug(&target.id);
        let binding = string_literal(binding);
        match &target.kind {
            NodeKind::Worker(_) | NodeKind::Gateway(_) => services.push(format!(
                "{{ \"binding\": {binding}, \"service\": {} }}",
                string_literal(&name)
            )),
            NodeKind::Kv(_) => kv.push(format!(
                "{{ \"binding\": {binding}, \"preview_id\": {} }}",
                string_literal(&name)
            )),
            NodeKind::D1(db) => {
                let migrations = if db.migrations.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", \"migrations_dir\": {}",
                        string_literal(&format!("../migrations/{name}"))
                    )
                };
                d1.push(format!(
                    "{{ \"binding\": {binding}, \"database_name\": {0}, \"preview_database_id\": {0}{migrations} }}",
                    string_literal(&name)
                ));
            }
            NodeKind::Hyperdrive(_) => hyperdrive.push(format!(
                "{{ \"binding\": {binding}, \"id\": \"{HYPERDRIVE_PLACEHOLDER_ID}\" }}"
            )),
            _ => {}
        }
    }
    let mut section = |comment: &str, key: &str, items: &[String]| {
        if items.is_empty() {
            return;
        }
        let _ = write!(out, ",\n{comment}  \"{key}\": [\n");
        let _ = write!(out, "    {}\n  ]", items.join(",\n    "));
    };
    section(
        "  // Service bindings: env.BINDING.fetch(...) reaches the named Worker.\n",
        "services",
        &services,
    );
    section(
        "  // No \"id\": `wrangler deploy` creates the namespace (wrangler >= 4.45). \"preview_id\" only\n  // names the local store, so Workers that share a namespace also share it in `npm run dev`.\n",
        "kv_namespaces",
        &kv,
    );
    section(
        "  // No \"database_id\": `wrangler deploy` finds or creates the database by name. The\n  // \"preview_database_id\" names the local database, shared by every Worker bound to it.\n",
        "d1_databases",
        &d1,
    );
    section(
        "  // Replace the id with the one `wrangler hyperdrive create` prints (see README.md). Locally\n  // the connection string comes from CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>.\n",
        "hyperdrive",
        &hyperdrive,
    );
    out.push_str("\n}\n");
    out
}

/// Where the Worker can be reached from: its `workers_dev`, `preview_urls` and `routes`.
/// Internal Workers get no URL at all: they trust the `x-edgewire-auth` header their callers
/// set, so a public URL would let anyone skip the gateway's checks.
fn exposure(script: &Script<'_>) -> String {
    if !script.public {
        return format!(
            ",\n  // Internal: reached only through service bindings. It trusts the {AUTH_HEADER}\n  // header its callers set, so it must have no public URL: a route, custom domain,\n  // workers.dev or preview URL would let anyone on the internet send that header.\n  \"workers_dev\": false,\n  \"preview_urls\": false"
        );
    }
    match script.node.kind.custom_domain() {
        Some(domain) => format!(
            ",\n  // Public at https://{domain}/, a Custom Domain: `wrangler deploy` creates its DNS\n  // record and certificate (the zone must be on your Cloudflare account). No workers.dev URL.\n  \"routes\": [{{ \"pattern\": {}, \"custom_domain\": true }}],\n  \"workers_dev\": false",
            string_literal(domain)
        ),
        None => format!(
            ",\n  // Public at https://{}.<your-subdomain>.workers.dev/ (give the node a custom domain in\n  // the design to serve it from your own hostname instead).\n  \"workers_dev\": true",
            script.folder
        ),
    }
}

/// The comment at the top of each `src/index.ts`.
fn file_header(design: &Design, script: &Script<'_>, what: &str) -> String {
    let mut out = format!(
        "// The \"{}\" Worker of the \"{}\" design, exported by Edgewire: {what}\n",
        script.node.id,
        one_line(&design.name)
    );
    if !design.description.is_empty() {
        out.push_str("//\n");
        for line in wrap(&design.description, 92) {
            let _ = writeln!(out, "// {line}");
        }
    }
    let notes: Vec<&str> = design
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Note(note) if script.public && !note.text.trim().is_empty() => {
                Some(note.text.as_str())
            }
            _ => None,
        })
        .collect();
    for note in notes {
        out.push_str("//\n// Note from the design:\n");
        for line in wrap(note, 92) {
            let _ = writeln!(out, "//   {line}");
        }
    }
    out
}

fn env_interface(script: &Script<'_>) -> String {
    let mut out = String::from(
        "/** The bindings and secrets of this Worker (see wrangler.jsonc). */\nexport interface Env {\n",
    );
    for (binding, target) in &script.bindings {
        let (doc, ty) = match &target.kind {
            NodeKind::Worker(_) | NodeKind::Gateway(_) => (
                format!("Service binding to the \"{}\" Worker.", target.id),
                "Fetcher",
            ),
            NodeKind::Kv(_) => (format!("KV namespace \"{}\".", target.id), "KVNamespace"),
            NodeKind::D1(_) => (format!("D1 database \"{}\".", target.id), "D1Database"),
            NodeKind::Hyperdrive(_) => (
                format!("Hyperdrive configuration \"{}\" (PostgreSQL).", target.id),
                "Hyperdrive",
            ),
            _ => continue,
        };
        let _ = writeln!(out, "  /** {doc} */\n  {binding}: {ty};");
    }
    for (name, what) in script.secrets() {
        let _ = writeln!(out, "  /** Secret: {what}. */\n  {name}: string;");
    }
    out.push_str("}\n");
    out
}

fn worker_index(
    design: &Design,
    script: &Script<'_>,
    worker: &Worker,
) -> Result<String, ExportError> {
    let compiler = WorkerCompiler::new(design, &script.node.id);
    let mut functions = Vec::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (index, route) in worker.routes.iter().enumerate() {
        let base = names::handler_name(route.method.as_str(), &route.path);
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) || !names::is_free_identifier(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        taken.insert(name.clone());
        functions.push(compiler.route(index, route, &name)?);
    }
    let handlers: String = functions
        .iter()
        .map(|f| f.code.clone())
        .collect::<Vec<_>>()
        .join("\n");

    let mut out = file_header(
        design,
        script,
        if script.public {
            "a public service Worker."
        } else {
            "a service Worker, reached through service bindings."
        },
    );
    if worker.routes.is_empty() {
        out.push_str("//\n// It has no routes yet: every request is answered 404.\n");
    } else {
        out.push_str(
            "//\n// Routes, tried in order (the first whose method and path match answers):\n",
        );
        for route in &worker.routes {
            let _ = writeln!(out, "//   {} {}", route.method, route.path);
        }
    }
    out.push('\n');

    let mut imports: Vec<&str> = vec!["type Input", "type Route"];
    if handlers.contains(": Json") {
        imports.push("type Json");
    }
    for helper in [
        "at",
        "callService",
        "d1All",
        "d1First",
        "d1Run",
        "jsonEquals",
        "kvDelete",
        "kvGetJson",
        "kvGetText",
        "kvList",
        "kvPut",
        "NO_RESPONSE",
        "respond",
        "serve",
        "step",
        "text",
    ] {
        let used = match helper {
            "serve" => true,
            "NO_RESPONSE" => handlers.contains("NO_RESPONSE"),
            _ => handlers.contains(&format!("{helper}(")),
        };
        if used {
            imports.push(helper);
        }
    }
    let _ = writeln!(
        out,
        "import {{ {} }} from \"./edgewire\";",
        imports.join(", ")
    );
    if script.uses_hyperdrive() {
        out.push_str("import { originUnreachable, queryHyperdrive } from \"./hyperdrive\";\n");
    }
    out.push('\n');
    out.push_str(&env_interface(script));
    let _ = writeln!(
        out,
        "\n/** This Worker's name, as reported in error bodies. */\nconst WORKER = {};\n",
        string_literal(&script.node.id)
    );
    out.push_str(&handlers);
    if !handlers.is_empty() {
        out.push('\n');
    }
    out.push_str("const routes: Route<Env>[] = [\n");
    for (route, function) in worker.routes.iter().zip(&functions) {
        let _ = writeln!(
            out,
            "  {{ method: \"{}\", path: {}, handler: {} }},",
            route.method,
            string_literal(&route.path),
            function.function
        );
    }
    out.push_str("];\n\n");
    let public_doc = if script.public {
        "Clients call this Worker directly, so it ignores any x-edgewire-auth header."
    } else {
        "Only Workers bound to this one can call it, so it trusts their x-edgewire-auth header."
    };
    let _ = write!(
        out,
        "export default {{\n  fetch(request, env, ctx): Promise<Response> {{\n    // {public_doc}\n    return serve({{ name: WORKER, public: {}, routes }}, request, env, ctx);\n  }},\n}} satisfies ExportedHandler<Env>;\n",
        script.public
    );
    Ok(out)
}

fn gateway_index(
    design: &Design,
    script: &Script<'_>,
    gateway: &Gateway,
) -> Result<String, ExportError> {
    let mut out = file_header(design, script, "the API gateway.");
    out.push_str(
        "//\n// Every request is checked in this order: CORS, body size, authentication, rate limit,\n// route; then it is forwarded to a service Worker through its service binding.\n\nimport { createGateway } from \"./gateway\";\n\n",
    );
    out.push_str(&env_interface(script));
    out.push_str("\nconst gateway = createGateway<Env>({\n");
    let _ = writeln!(out, "  name: {},", string_literal(&script.node.id));
    out.push_str("  // Tried in order: the first route whose path matches and that allows the method.\n  routes: [\n");
    for route in &gateway.routes {
        match script.bindings.get(route.service.as_str()) {
            Some(target) if target.kind.kind() == crate::model::Kind::Worker => {}
            _ => {
                return Err(ExportError::Unsupported {
                    node: script.node.id.clone(),
                    detail: format!(
                        "route {} forwards to `{}`, which is not a service binding of this gateway",
                        route.path, route.service
                    ),
                });
            }
        }
        let methods: Vec<String> = route
            .methods
            .iter()
            .map(|m| string_literal(m.as_str()))
            .collect();
        let _ = writeln!(
            out,
            "    {{ path: {}, methods: [{}], service: (env) => env.{}, stripPrefix: {} }},",
            string_literal(&route.path),
            methods.join(", "),
            route.service,
            route.strip_prefix
        );
    }
    out.push_str("  ],\n");
    match &gateway.auth {
        Auth::None => out.push_str("  auth: { kind: \"none\" },\n"),
        Auth::ApiKey { header, secret } => {
            let _ = writeln!(
                out,
                "  // Clients send the key in a header; it is compared in constant time with the secret.\n  auth: {{ kind: \"api_key\", header: {}, key: (env) => env.{secret} }},",
                string_literal(&header.to_ascii_lowercase())
            );
        }
        Auth::Jwt {
            secret,
            issuer,
            audience,
        } => {
            let _ = writeln!(
                out,
                "  // `Authorization: Bearer <JWT>`, HS256-signed with the secret.\n  auth: {{ kind: \"jwt\", secret: (env) => env.{secret}, issuer: {}, audience: {} }},",
                string_literal(issuer),
                string_literal(audience)
            );
        }
    }
    if let Some(cors) = &gateway.cors {
        let origins: Vec<String> = cors
            .allow_origins
            .iter()
            .map(|o| string_literal(o))
            .collect();
        let headers: Vec<String> = cors
            .allow_headers
            .iter()
            .map(|h| string_literal(h))
            .collect();
        let _ = writeln!(
            out,
            "  cors: {{\n    allowOrigins: [{}],\n    // Every method of the routes above.\n    allowMethods: {},\n    allowHeaders: [{}],\n    maxAgeSecs: {},\n  }},",
            origins.join(", "),
            string_literal(&cors_methods(gateway)),
            headers.join(", "),
            cors.max_age_secs
        );
    }
    if let Some(limit) = &gateway.rate_limit {
        let key = match limit.key {
            RateLimitKey::ClientIp => "client_ip",
            RateLimitKey::Credential => "credential",
        };
        let _ = writeln!(
            out,
            "  // A fixed window per caller, counted in this isolate's memory (see src/gateway.ts).\n  rateLimit: {{ requests: {}, periodSecs: {}, key: \"{key}\" }},",
            limit.requests, limit.period_secs
        );
    }
    if let Some(max) = gateway.max_body_bytes {
        let _ = writeln!(out, "  maxBodyBytes: {max},");
    }
    if let Some(header) = &gateway.enrich.request_id_header {
        let _ = writeln!(
            out,
            "  requestIdHeader: {},",
            string_literal(&header.to_ascii_lowercase())
        );
    }
    if let Some(header) = &gateway.enrich.user_id_header {
        let _ = writeln!(
            out,
            "  userIdHeader: {},",
            string_literal(&header.to_ascii_lowercase())
        );
    }
    let forward: Vec<String> = gateway
        .enrich
        .forward_headers
        .iter()
        .map(|h| string_literal(&h.to_ascii_lowercase()))
        .collect();
    let _ = writeln!(
        out,
        "  // Client headers passed on to services (empty: all of them).\n  forwardHeaders: [{}],",
        forward.join(", ")
    );
    out.push_str("});\n\nexport default {\n  fetch(request, env): Promise<Response> {\n    return gateway.fetch(request, env);\n  },\n} satisfies ExportedHandler<Env>;\n");
    Ok(out)
}

/// The preflight's `access-control-allow-methods`: every method of the gateway's routes.
fn cors_methods(gateway: &Gateway) -> String {
    const ANY: [HttpMethod; 6] = [
        HttpMethod::Get,
        HttpMethod::Head,
        HttpMethod::Post,
        HttpMethod::Put,
        HttpMethod::Patch,
        HttpMethod::Delete,
    ];
    let mut methods = BTreeSet::new();
    for route in &gateway.routes {
        if route.methods.is_empty() {
            methods.extend(ANY);
        } else {
            methods.extend(route.methods.iter().copied());
        }
    }
    HttpMethod::ALL
        .iter()
        .filter(|m| methods.contains(*m))
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------
// Data stores

fn migration_file(index: usize, name: &str) -> String {
    let mut clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        clean.push_str("migration");
    }
    format!("{:04}_{clean}.sql", index + 1)
}

fn with_newline(sql: &str) -> String {
    let mut sql = sql.to_owned();
    if !sql.ends_with('\n') {
        sql.push('\n');
    }
    sql
}

fn store_files(store: &Store<'_>, tree: &mut ExportTree) {
    let name = &store.name;
    match &store.node.kind {
        NodeKind::D1(db) => {
            for (index, migration) in db.migrations.iter().enumerate() {
                tree.add(
                    format!(
                        "migrations/{name}/{}",
                        migration_file(index, &migration.name)
                    ),
                    with_newline(&migration.sql),
                );
            }
            if !db.seed.trim().is_empty() {
                tree.add(format!("seed/d1/{name}.sql"), with_newline(&db.seed));
            }
        }
        NodeKind::Kv(kv) if !kv.seed.is_empty() => {
            let entries: Vec<String> = kv
                .seed
                .iter()
                .map(|e| {
                    format!(
                        "  {{ \"key\": {}, \"value\": {} }}",
                        string_literal(&e.key),
                        string_literal(&e.value)
                    )
                })
                .collect();
            tree.add(
                format!("seed/kv/{name}.json"),
                format!("[\n{}\n]\n", entries.join(",\n")),
            );
        }
        NodeKind::Hyperdrive(h) if !h.seed.trim().is_empty() => {
            tree.add(format!("seed/postgres/{name}.sql"), with_newline(&h.seed));
        }
        _ => {}
    }
}

fn hyperdrive_env(binding: &str) -> String {
    format!("CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_{binding}")
}

/// `wrangler hyperdrive create` for a Hyperdrive node, with its caching settings.
fn hyperdrive_create(name: &str, hyperdrive: &Hyperdrive) -> String {
    let origin = match &hyperdrive.origin {
        Origin::ConnectionString { secret } => format!("\"${secret}\""),
        Origin::Auto => "\"postgres://USER:PASSWORD@HOST:5432/DATABASE\"".to_owned(),
    };
    let caching = if hyperdrive.caching.enabled {
        format!(
            " --max-age={} --swr={}",
            hyperdrive.caching.max_age_secs, hyperdrive.caching.stale_while_revalidate_secs
        )
    } else {
        " --caching-disabled".to_owned()
    };
    format!("npx wrangler hyperdrive create {name} --connection-string={origin}{caching}")
}

// ---------------------------------------------------------------------------------------
// package.json, scripts, README

fn root_dev_vars(
    design: &Design,
    ordered: &[&Script<'_>],
    stores: &BTreeMap<&str, Store<'_>>,
) -> String {
    let mut out = format!(
        "# Every secret of the \"{}\" design, names only. Values never leave your machine:\n# locally each Worker reads <worker>/.dev.vars; in production use `npx wrangler secret put`.\n",
        one_line(&design.name)
    );
    let mut any = false;
    for script in ordered {
        for (name, what) in script.secrets() {
            any = true;
            let _ = writeln!(
                out,
                "\n# {what} (Worker \"{}\": {}/.dev.vars)\n{name}=",
                script.node.id, script.folder
            );
        }
    }
    for store in stores.values() {
        if let NodeKind::Hyperdrive(h) = &store.node.kind {
            any = true;
            if let Origin::ConnectionString { secret } = &h.origin {
                let _ = writeln!(
                    out,
                    "\n# Connection string of the PostgreSQL behind Hyperdrive \"{}\", used once by\n# `wrangler hyperdrive create` (see README.md)\n{secret}=",
                    store.node.id
                );
            }
            let _ = writeln!(
                out,
                "\n# Local development: the PostgreSQL that Hyperdrive \"{}\" stands for (an environment\n# variable for `npm run dev`, with a password: postgres://user:password@127.0.0.1:5432/db)\n{}=",
                store.node.id,
                hyperdrive_env(&store.via.1)
            );
        }
    }
    if !any {
        out.push_str("\n# (This design uses no secrets.)\n");
    }
    out
}

fn package_name(design: &Design) -> String {
    let name = names::slug(&design.name);
    if name == "node" {
        "edgewire-export".to_owned()
    } else {
        name
    }
}

/// The npm scripts, in the order they are written.
fn scripts(ordered: &[&Script<'_>], stores: &BTreeMap<&str, Store<'_>>) -> Vec<(String, String)> {
    let configs: Vec<String> = ordered
        .iter()
        .map(|s| format!("-c {}", s.config()))
        .collect();
    let typecheck: Vec<String> = ordered
        .iter()
        .map(|s| format!("tsc --noEmit -p {}", s.folder))
        .collect();
    let mut migrate_local = Vec::new();
    let mut migrate_remote = Vec::new();
    let mut seed = Vec::new();
    let mut seed_postgres = Vec::new();
    for store in stores.values() {
        let (config, binding) = &store.via;
        let name = &store.name;
        match &store.node.kind {
            NodeKind::D1(db) => {
                if !db.migrations.is_empty() {
                    migrate_local.push(format!(
                        "wrangler d1 migrations apply {name} --local --persist-to {STATE_DIR} -c {config}"
                    ));
                    migrate_remote
                        .push(format!("wrangler d1 migrations apply {name} --remote -c {config}"));
                }
                if !db.seed.trim().is_empty() {
                    seed.push(format!(
                        "wrangler d1 execute {name} --local --persist-to {STATE_DIR} --file seed/d1/{name}.sql -c {config}"
                    ));
                }
            }
            NodeKind::Kv(kv) if !kv.seed.is_empty() => seed.push(format!(
                "wrangler kv bulk put seed/kv/{name}.json --binding {binding} --local --persist-to {STATE_DIR} -c {config}"
            )),
            NodeKind::Hyperdrive(h) if !h.seed.trim().is_empty() => seed_postgres.push(format!(
                "psql \"${}\" -v ON_ERROR_STOP=1 -f seed/postgres/{name}.sql",
                hyperdrive_env(binding)
            )),
            _ => {}
        }
    }
    let or_nothing = |commands: Vec<String>, what: &str| {
        if commands.is_empty() {
            format!("echo \"{what}\"")
        } else {
            commands.join(" && ")
        }
    };
    let mut out = vec![
        ("typecheck".to_owned(), typecheck.join(" && ")),
        (
            "dev".to_owned(),
            format!(
                "wrangler dev {} --persist-to {STATE_DIR}",
                configs.join(" ")
            ),
        ),
        (
            "db:migrate:local".to_owned(),
            or_nothing(migrate_local, "no D1 migrations"),
        ),
        (
            "db:migrate:remote".to_owned(),
            or_nothing(migrate_remote, "no D1 migrations"),
        ),
        ("seed:local".to_owned(), or_nothing(seed, "nothing to seed")),
    ];
    if !seed_postgres.is_empty() {
        out.push(("seed:postgres".to_owned(), seed_postgres.join(" && ")));
    }
    out.push((
        "build".to_owned(),
        ordered
            .iter()
            .map(|s| {
                format!(
                    "wrangler deploy --dry-run --outdir \"$PWD/dist/{0}\" -c {1}",
                    s.folder,
                    s.config()
                )
            })
            .collect::<Vec<_>>()
            .join(" && "),
    ));
    out.push(("deploy".to_owned(), "node scripts/deploy.mjs".to_owned()));
    out
}

fn package_json(
    design: &Design,
    ordered: &[&Script<'_>],
    stores: &BTreeMap<&str, Store<'_>>,
) -> String {
    let mut out = String::from("{\n");
    let _ = writeln!(
        out,
        "  \"name\": {},",
        string_literal(&package_name(design))
    );
    out.push_str("  \"version\": \"0.1.0\",\n  \"private\": true,\n");
    let _ = writeln!(
        out,
        "  \"description\": {},",
        string_literal(&format!(
            "{}: a multi-Worker Cloudflare project exported by Edgewire",
            one_line(&design.name)
        ))
    );
    out.push_str("  \"type\": \"module\",\n");
    let _ = writeln!(
        out,
        "  \"engines\": {{\n    \"node\": {}\n  }},",
        string_literal(versions::NODE)
    );
    out.push_str("  \"scripts\": {\n");
    let scripts = scripts(ordered, stores);
    let lines: Vec<String> = scripts
        .iter()
        .map(|(name, command)| format!("    {}: {}", string_literal(name), string_literal(command)))
        .collect();
    out.push_str(&lines.join(",\n"));
    out.push_str("\n  },\n");
    if ordered.iter().any(|s| s.uses_hyperdrive()) {
        let _ = writeln!(
            out,
            "  \"dependencies\": {{\n    \"postgres\": \"{}\"\n  }},",
            versions::POSTGRES
        );
    }
    let _ = writeln!(
        out,
        "  \"devDependencies\": {{\n    \"@cloudflare/workers-types\": \"{}\",\n    \"typescript\": \"{}\",\n    \"wrangler\": \"{}\"\n  }}\n}}",
        versions::WORKERS_TYPES,
        versions::TYPESCRIPT,
        versions::WRANGLER
    );
    out
}

fn deploy_script(
    design: &Design,
    ordered: &[&Script<'_>],
    deploy_order: &[String],
    scripts: &BTreeMap<&str, Script<'_>>,
    stores: &BTreeMap<&str, Store<'_>>,
) -> String {
    let mut out = format!(
        "// Deploys the \"{}\" design: D1 databases and their migrations first, then every Worker\n// after the Workers it calls (services first, the gateway last). Run it with `npm run deploy`\n// after `npx wrangler login`.\n\nimport {{ spawnSync }} from \"node:child_process\";\nimport {{ readFileSync }} from \"node:fs\";\n\n",
        one_line(&design.name)
    );
    let mut hyperdrive = Vec::new();
    for script in ordered {
        for (binding, target) in &script.bindings {
            if let NodeKind::Hyperdrive(h) = &target.kind {
                hyperdrive.push(format!(
                    "  {{ config: {}, binding: {}, create: {} }}",
                    string_literal(&script.config()),
                    string_literal(binding),
                    string_literal(&hyperdrive_create(&names::slug(&target.id), h))
                ));
            }
        }
    }
    let mut databases = Vec::new();
    for store in stores.values() {
        if let NodeKind::D1(db) = &store.node.kind {
            let location = db.location_hint.as_ref().map_or_else(String::new, |hint| {
                format!(", \"--location\", {}", string_literal(hint))
            });
            databases.push(format!(
                "  {{ name: {}, create: [\"d1\", \"create\", {}{location}], migrate: {} }}",
                string_literal(&store.name),
                string_literal(&store.name),
                if db.migrations.is_empty() {
                    "null".to_owned()
                } else {
                    format!(
                        "[\"d1\", \"migrations\", \"apply\", {}, \"--remote\", \"-c\", {}]",
                        string_literal(&store.name),
                        string_literal(&store.via.0)
                    )
                }
            ));
        }
    }
    let workers: Vec<String> = deploy_order
        .iter()
        .filter_map(|id| scripts.get(id.as_str()))
        .map(|s| format!("  {}", string_literal(&s.config())))
        .collect();
    let _ = writeln!(
        out,
        "/** Hyperdrive configurations must exist before deploying: their ids go into wrangler.jsonc. */\nconst hyperdrive = [\n{}\n];\n",
        hyperdrive.join(",\n")
    );
    let _ = writeln!(
        out,
        "/** D1 databases: created when missing (with their location hint), then migrated. */\nconst databases = [\n{}\n];\n",
        databases.join(",\n")
    );
    let _ = writeln!(
        out,
        "/** Worker configs in deploy order. */\nconst workers = [\n{}\n];\n",
        workers.join(",\n")
    );
    out.push_str(
        r#"function wrangler(args, options = {}) {
  console.log(`> wrangler ${args.join(" ")}`);
  const result = spawnSync("wrangler", args, { stdio: "inherit", ...options });
  return result.status === 0;
}

for (const { config, binding, create } of hyperdrive) {
  if (readFileSync(config, "utf8").includes("00000000000000000000000000000000")) {
    console.error(`${config}: Hyperdrive ${binding} has no id yet. Create it with\n  ${create}\nand put the printed id into ${config}.`);
    process.exit(1);
  }
}

for (const { name, create, migrate } of databases) {
  if (!wrangler(["d1", "info", name], { stdio: "ignore" }) && !wrangler(create)) {
    console.error(`could not create the D1 database ${name}`);
    process.exit(1);
  }
  if (migrate !== null && !wrangler(migrate)) {
    process.exit(1);
  }
}

for (const config of workers) {
  if (!wrangler(["deploy", "-c", config])) {
    process.exit(1);
  }
}
"#,
    );
    out
}

fn readme(design: &Design, ordered: &[&Script<'_>], stores: &BTreeMap<&str, Store<'_>>) -> String {
    let mut out = format!("# {}\n\n", one_line(&design.name));
    if !design.description.is_empty() {
        let _ = writeln!(out, "{}\n", design.description.trim());
    }
    out.push_str(
        "A multi-Worker [Cloudflare Workers](https://developers.cloudflare.com/workers/) project,\nexported by Edgewire. Each folder is one Worker with its own `wrangler.jsonc`; the Workers talk\nto each other through service bindings.\n\n",
    );
    let notes: Vec<&str> = design
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Note(note) if !note.text.trim().is_empty() => Some(note.text.trim()),
            _ => None,
        })
        .collect();
    if !notes.is_empty() {
        out.push_str("## Notes from the design\n\n");
        for note in notes {
            let _ = writeln!(out, "> {}\n", one_line(note));
        }
    }

    out.push_str("## Workers and routes\n\n");
    for script in ordered {
        let role = match (&script.node.kind, script.public) {
            (NodeKind::Gateway(_), _) => "API gateway, public",
            (_, true) => "service Worker, public",
            (_, false) => "service Worker, reached through service bindings",
        };
        let _ = writeln!(out, "### `{}` ({role})\n", script.folder);
        match &script.node.kind {
            NodeKind::Gateway(g) => {
                let auth = match &g.auth {
                    Auth::None => "none".to_owned(),
                    Auth::ApiKey { header, secret } => {
                        format!("API key in the `{header}` header (secret `{secret}`)")
                    }
                    Auth::Jwt {
                        secret,
                        issuer,
                        audience,
                    } => format!(
                        "`Authorization: Bearer <JWT>`, HS256 with secret `{secret}`, issuer `{issuer}`, audience `{audience}`"
                    ),
                };
                let _ = writeln!(out, "- Authentication: {auth}");
                if let Some(cors) = &g.cors {
                    let _ = writeln!(out, "- CORS: {}", cors.allow_origins.join(", "));
                }
                if let Some(limit) = &g.rate_limit {
                    let _ = writeln!(
                        out,
                        "- Rate limit: {} requests per {} s per {} (fixed window, counted in each isolate's memory;\n  for a limit shared across isolates use the [Workers Rate Limiting binding](https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/))",
                        limit.requests,
                        limit.period_secs,
                        match limit.key {
                            RateLimitKey::ClientIp => "client IP",
                            RateLimitKey::Credential => "credential",
                        }
                    );
                }
                if let Some(max) = g.max_body_bytes {
                    let _ = writeln!(out, "- Request bodies up to {max} bytes");
                }
                out.push('\n');
                out.push_str("| path | methods | forwarded to |\n| --- | --- | --- |\n");
                for route in &g.routes {
                    let methods = if route.methods.is_empty() {
                        "any".to_owned()
                    } else {
                        route
                            .methods
                            .iter()
                            .map(|m| m.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let target = script
                        .bindings
                        .get(route.service.as_str())
                        .map_or_else(|| route.service.clone(), |n| names::slug(&n.id));
                    let _ = writeln!(
                        out,
                        "| `{}` | {methods} | `{target}`{} |",
                        route.path,
                        if route.strip_prefix {
                            " (prefix removed)"
                        } else {
                            ""
                        }
                    );
                }
            }
            NodeKind::Worker(w) => {
                if w.routes.is_empty() {
                    out.push_str("No routes yet.\n");
                }
                for route in &w.routes {
                    let _ = writeln!(out, "- `{} {}`", route.method, route.path);
                }
            }
            _ => {}
        }
        let bindings: Vec<String> = script
            .bindings
            .iter()
            .map(|(binding, node)| {
                format!("`{binding}` -> {} `{}`", node.kind.kind().label(), node.id)
            })
            .collect();
        if !bindings.is_empty() {
            let _ = writeln!(out, "\nBindings: {}.", bindings.join(", "));
        }
        out.push('\n');
    }

    let has_hyperdrive = stores
        .values()
        .any(|s| matches!(s.node.kind, NodeKind::Hyperdrive(_)));
    let secrets: Vec<(String, String, String)> = ordered
        .iter()
        .flat_map(|s| {
            s.secrets()
                .into_iter()
                .map(|(name, what)| (name, what, s.folder.clone()))
        })
        .collect();

    out.push_str("## Run it locally\n\nYou need Node.js 22.12 or newer.\n\n```sh\nnpm install\n");
    for (name, _, folder) in &secrets {
        let _ = writeln!(
            out,
            "cp {folder}/.dev.vars.example {folder}/.dev.vars   # then set {name}"
        );
    }
    out.push_str("npm run db:migrate:local   # D1 migrations into .wrangler/state\nnpm run seed:local         # D1 and KV sample data\n");
    for store in stores.values() {
        if let NodeKind::Hyperdrive(h) = &store.node.kind {
            let _ = writeln!(
                out,
                "export {}=postgres://user:password@127.0.0.1:5432/db   # Hyperdrive `{}`",
                hyperdrive_env(&store.via.1),
                store.node.id
            );
            if !h.seed.trim().is_empty() {
                out.push_str("npm run seed:postgres      # sample tables into that PostgreSQL\n");
            }
        }
    }
    let _ = writeln!(
        out,
        "npm run dev                # every Worker in one `wrangler dev`; `{}` answers on http://localhost:8787\n```\n",
        ordered.first().map_or("", |s| s.folder.as_str())
    );
    if has_hyperdrive {
        out.push_str(
            "Locally, Hyperdrive connects straight to the PostgreSQL named by\n`CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>` (the string must contain a password);\nno connection string is ever written into `wrangler.jsonc`.\n\n",
        );
    }
    let requests = scenario_requests(design);
    if !requests.is_empty() {
        out.push_str("Try it (requests from the design's scenario; credentials come from your shell):\n\n```sh\n");
        for (name, _, folder) in &secrets {
            let _ = writeln!(out, "export {name}=...   # the value in {folder}/.dev.vars");
        }
        for line in requests {
            let _ = writeln!(out, "{line}");
        }
        out.push_str("```\n\n");
    }

    out.push_str("## Scripts\n\n| script | what it does |\n| --- | --- |\n");
    let described = [
        ("typecheck", "TypeScript, strict, for every Worker"),
        (
            "dev",
            "all Workers in one `wrangler dev`, sharing `.wrangler/state`",
        ),
        ("db:migrate:local", "apply D1 migrations to the local state"),
        (
            "db:migrate:remote",
            "apply D1 migrations to the real databases",
        ),
        (
            "seed:local",
            "load the design's D1 seed SQL and KV entries locally",
        ),
        (
            "seed:postgres",
            "load the Hyperdrive seed SQL into your local PostgreSQL",
        ),
        (
            "build",
            "bundle every Worker into `dist/` without deploying",
        ),
        (
            "deploy",
            "create D1 databases, migrate them, deploy services, then the gateway",
        ),
    ];
    let present: BTreeSet<String> = scripts(ordered, stores)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    for (name, what) in described {
        if present.contains(name) {
            let _ = writeln!(out, "| `npm run {name}` | {what} |");
        }
    }
    out.push('\n');

    out.push_str("## Deploy\n\n```sh\nnpx wrangler login\n");
    for store in stores.values() {
        if let NodeKind::Hyperdrive(h) = &store.node.kind {
            let _ = writeln!(out, "{}", hyperdrive_create(&store.name, h));
        }
    }
    for (name, _, folder) in &secrets {
        let _ = writeln!(
            out,
            "npx wrangler secret put {name} -c {folder}/wrangler.jsonc"
        );
    }
    out.push_str("npm run deploy\n```\n\n");
    out.push_str(&where_it_runs(ordered));
    if has_hyperdrive {
        out.push_str(
            "Put the id that `wrangler hyperdrive create` prints into the `hyperdrive` entry of each\n`wrangler.jsonc` that binds it; `npm run deploy` stops until you have.\n",
        );
    }
    out.push_str(
        "KV namespaces and D1 databases have no ids in `wrangler.jsonc`: `wrangler deploy` (4.45 or newer)\ncreates them on the first deploy. D1 databases are found by name, so Workers that share one\nshare it in production too; a KV namespace bound by several Workers should be created once\n(`npx wrangler kv namespace create NAME`) and its `id` added to each of their configs.\n`npm run deploy` creates missing D1 databases (with their location hint), applies the\nmigrations, then deploys every Worker after the Workers it calls:\n\n",
    );
    let order: Vec<String> = ordered_for_deploy(design, ordered);
    let _ = writeln!(out, "{}\n", order.join(" -> "));
    for store in stores.values() {
        if let NodeKind::D1(db) = &store.node.kind
            && db.read_replication
        {
            let _ = writeln!(
                out,
                "D1 `{}` is designed with read replication: the Workers already read it through the\nSessions API (`withSession`, one session per request); turn replication on for the\ndatabase after the first deploy (Cloudflare dashboard: D1 > {} > Settings).\n",
                store.name, store.name
            );
        }
    }
    out
}

/// The README's word on which Workers are public, where, and why the others have no URL.
fn where_it_runs(ordered: &[&Script<'_>]) -> String {
    let mut out = String::from("### Where the API will be\n\n");
    for script in ordered.iter().filter(|s| s.public) {
        let _ = match script.node.kind.custom_domain() {
            Some(domain) => writeln!(
                out,
                "- `{}`: https://{domain}/ (a Custom Domain; its zone must be on your Cloudflare account)",
                script.folder
            ),
            None => writeln!(
                out,
                "- `{}`: https://{}.<your-subdomain>.workers.dev/ (`npm run deploy` prints the address)",
                script.folder, script.folder
            ),
        };
    }
    let internal: Vec<String> = ordered
        .iter()
        .filter(|s| !s.public)
        .map(|s| format!("`{}`", s.folder))
        .collect();
    if !internal.is_empty() {
        let text = format!(
            "The internal Workers ({}) are reachable only through service bindings: their \
             `wrangler.jsonc` sets `\"workers_dev\": false` and `\"preview_urls\": false` and has \
             no routes. They trust the `{AUTH_HEADER}` header their callers set, so giving one a \
             route, a custom domain or a workers.dev URL would let anyone on the internet send \
             that header and skip the gateway's API key and JWT checks.",
            internal.join(", ")
        );
        out.push('\n');
        for line in wrap(&text, 92) {
            let _ = writeln!(out, "{line}");
        }
    }
    out.push('\n');
    out
}

fn ordered_for_deploy(design: &Design, ordered: &[&Script<'_>]) -> Vec<String> {
    let graph = DesignGraph::new(design);
    let folders: BTreeMap<&str, &str> = ordered
        .iter()
        .map(|s| (s.node.id.as_str(), s.folder.as_str()))
        .collect();
    graph
        .deploy_order()
        .unwrap_or_default()
        .iter()
        .filter_map(|id| folders.get(id.as_str()).map(|f| format!("`{f}`")))
        .collect()
}

/// `curl` lines for the first Client's scenario.
fn scenario_requests(design: &Design) -> Vec<String> {
    let Some(client) = design.nodes.iter().find_map(|n| match &n.kind {
        NodeKind::Client(c) => Some(c),
        _ => None,
    }) else {
        return vec![];
    };
    // Headers that carry a secret, with the shell variable that stands for it.
    let mut credential_headers: BTreeMap<String, String> = BTreeMap::new();
    for node in &design.nodes {
        if let NodeKind::Gateway(g) = &node.kind {
            match &g.auth {
                Auth::ApiKey { header, secret } => {
                    credential_headers.insert(header.to_ascii_lowercase(), format!("${secret}"));
                }
                Auth::Jwt { .. } => {
                    credential_headers
                        .insert("authorization".to_owned(), "Bearer $TOKEN".to_owned());
                }
                Auth::None => {}
            }
        }
    }
    client
        .scenario
        .iter()
        .take(8)
        .map(|request| {
            let mut line = format!(
                "curl -i -X {} 'http://localhost:8787{}'",
                request.method,
                request.path.replace('\'', "%27")
            );
            for (name, value) in &request.headers {
                // Credentials come from the shell, never from this file.
                match credential_headers.get(name.to_ascii_lowercase().as_str()) {
                    Some(variable) => {
                        let _ = write!(line, " -H \"{name}: {variable}\"");
                    }
                    None => {
                        let _ = write!(line, " -H '{}: {}'", name, value.replace('\'', "'\\''"));
                    }
                }
            }
            if let Some(body) = &request.body {
                let _ = write!(line, " --data '{}'", body.to_text().replace('\'', "'\\''"));
            }
            format!("{line}   # {}", request.name)
        })
        .collect()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words of `text` in lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
