//! The exported project's README: what each Worker does, how to run, try and deploy it,
//! and where the API will be.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::scripts::scripts;
use super::{one_line, wrap};
use crate::export::kind::{Needs, Script, Store};
use crate::graph::DesignGraph;
use crate::model::{Design, Role};
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
        .filter_map(|n| crate::kinds::of(&n.kind).design_note(n))
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .collect();
    if !notes.is_empty() {
        out.push_str("## Notes from the design\n\n");
        for note in notes {
            let _ = writeln!(out, "> {}\n", one_line(note));
        }
    }

    out.push_str(
        "The API is described in `openapi.json` (OpenAPI 3.1): every public operation with its\nparameters, request body and responses, the gateway's security scheme and its error answers.\nOpen it in any OpenAPI tool (Swagger UI, Redocly, Postman) or generate a client from it.\n\n",
    );
    out.push_str("## Workers and routes\n\n");
    for script in ordered {
        let kind = crate::kinds::of(&script.node.kind);
        let role = kind.readme_role(script.public);
        let _ = writeln!(out, "### `{}` ({role})\n", script.folder);
        kind.readme_worker(script, &mut out);
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

    // What the Workers' bindings need, each once, in the order the Workers come.
    let mut needs: Vec<&'static Needs> = Vec::new();
    for need in ordered.iter().flat_map(|s| s.needs()) {
        if !needs.iter().any(|n| std::ptr::eq(*n, need)) {
            needs.push(need);
        }
    }
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
        crate::kinds::of(&store.node.kind).readme_run_locally(store, &mut out);
    }
    if !crate::graph::scenario_requests(design).is_empty() {
        out.push_str(
            "npm test                   # the scenario requests as tests, every Worker in one local server\n",
        );
    }
    let _ = writeln!(
        out,
        "npm run dev                # every Worker in one `wrangler dev`; `{}` answers on http://localhost:8787\n```\n",
        ordered.first().map_or("", |s| s.folder.as_str())
    );
    for need in &needs {
        out.push_str(need.readme_local);
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
            "test",
            "the design's scenario requests as tests, every Worker in one local server (vitest and wrangler's test harness)",
        ),
        (
            "deploy",
            "create D1 databases, migrate them, deploy services, then the gateway",
        ),
    ];
    let tests = !crate::graph::scenario_requests(design).is_empty();
    let present: BTreeSet<String> = scripts(ordered, stores, tests)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    for (name, what) in described {
        if present.contains(name) {
            let _ = writeln!(out, "| `npm run {name}` | {what} |");
        }
    }
    out.push('\n');

    out.push_str(&deploy_section(design, ordered, stores, &secrets, &needs));
    out
}

/// The README's "Deploy" section: commands, where the API will be, what deploy does and in
/// which order, and the CI workflow.
fn deploy_section(
    design: &Design,
    ordered: &[&Script<'_>],
    stores: &BTreeMap<&str, Store<'_>>,
    secrets: &[(String, String, String)],
    needs: &[&'static Needs],
) -> String {
    let mut out = String::new();
    out.push_str("## Deploy\n\n```sh\nnpx wrangler login\n");
    for store in stores.values() {
        crate::kinds::of(&store.node.kind).readme_deploy(store, &mut out);
    }
    for (name, _, folder) in secrets {
        let _ = writeln!(
            out,
            "npx wrangler secret put {name} -c {folder}/wrangler.jsonc"
        );
    }
    out.push_str("npm run deploy\n```\n\n");
    out.push_str(&where_it_runs(ordered));
    for need in needs {
        out.push_str(need.readme_deploy);
    }
    out.push_str(
        "KV namespaces and D1 databases have no ids in `wrangler.jsonc`: `wrangler deploy` (4.45 or newer)\ncreates them on the first deploy. D1 databases are found by name, so Workers that share one\nshare it in production too; a KV namespace bound by several Workers should be created once\n(`npx wrangler kv namespace create NAME`) and its `id` added to each of their configs.\n`npm run deploy` creates missing D1 databases (with their location hint), applies the\nmigrations, then deploys every Worker after the Workers it calls:\n\n",
    );
    let order: Vec<String> = ordered_for_deploy(design, ordered);
    let _ = writeln!(out, "{}\n", order.join(" -> "));
    for store in stores.values() {
        crate::kinds::of(&store.node.kind).readme_after_deploy(store, &mut out);
    }
    out.push_str(CONTINUOUS_INTEGRATION);
    out
}

const CONTINUOUS_INTEGRATION: &str = "### Continuous integration\n\n`.github/workflows/ci.yml` installs and typechecks the project on every push and pull\nrequest. Pushes to the default branch then deploy it in the order above with the official\n`cloudflare/wrangler-action`, which also puts each Worker's secrets. It reads the repository\nsecrets `CLOUDFLARE_API_TOKEN` and `CLOUDFLARE_ACCOUNT_ID`, plus one per Worker secret (the list\nis at the top of the workflow).\n";

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

/// `curl` lines for every request of the first Client's scenario.
pub(super) fn scenario_requests(design: &Design) -> Vec<String> {
    let Some(scenario) = design
        .nodes
        .iter()
        .find(|n| n.kind.kind().spec().role == Role::Caller)
        .map(|n| crate::kinds::of(&n.kind).sample_requests(n))
    else {
        return vec![];
    };
    // Headers that carry a secret, with the shell variable that stands for it.
    let credential_headers: BTreeMap<String, String> = design
        .nodes
        .iter()
        .flat_map(|n| crate::kinds::of(&n.kind).credential_headers(n))
        .collect();
    scenario
        .iter()
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
