//! Each Worker's folder: `wrangler.jsonc` (bindings, who can reach it), `tsconfig.json`,
//! `.dev.vars.example` and the TypeScript: `src/index.ts` compiled from the design.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{
    EDGEWIRE_TS, GATEWAY_TS, HYPERDRIVE_PLACEHOLDER_ID, HYPERDRIVE_TS, Script, TSCONFIG, one_line,
    wrap,
};
use crate::export::typescript::{WorkerCompiler, string_literal};
use crate::export::{ExportError, ExportTree, names};
use crate::model::{Auth, Design, Gateway, HttpMethod, NodeKind, RateLimitKey, Worker};
use crate::semantics::{AUTH_HEADER, COMPATIBILITY_DATE};

// ---------------------------------------------------------------------------------------
// Worker folders

pub(super) fn worker_files(
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

pub(super) fn wrangler_config(design: &Design, script: &Script<'_>) -> String {
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
pub(super) fn exposure(script: &Script<'_>) -> String {
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
pub(super) fn file_header(design: &Design, script: &Script<'_>, what: &str) -> String {
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

pub(super) fn env_interface(script: &Script<'_>) -> String {
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

pub(super) fn worker_index(
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

pub(super) fn gateway_index(
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
pub(super) fn cors_methods(gateway: &Gateway) -> String {
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
