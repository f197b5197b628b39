//! The exported project's README: what each Worker does, how to run, try and deploy it,
//! and where the API will be.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::scripts::{hyperdrive_create, hyperdrive_env, scripts};
use super::{Script, Store, one_line, wrap};
use crate::export::names;
use crate::graph::DesignGraph;
use crate::model::{Auth, Design, NodeKind, RateLimitKey};
use crate::semantics::AUTH_HEADER;

pub(super) fn readme(
    design: &Design,
    ordered: &[&Script<'_>],
    stores: &BTreeMap<&str, Store<'_>>,
) -> String {
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
pub(super) fn where_it_runs(ordered: &[&Script<'_>]) -> String {
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

pub(super) fn ordered_for_deploy(design: &Design, ordered: &[&Script<'_>]) -> Vec<String> {
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
pub(super) fn scenario_requests(design: &Design) -> Vec<String> {
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
