//! The service Worker in the exported project: `src/index.ts` compiled from the design's
//! routes and handlers, beside `edgewire.ts`; the README lists its routes.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::export::kind::{KindExport, Needs, Script};
use crate::export::project::{EDGEWIRE_TS, env_interface, file_header};
use crate::export::typescript::{WorkerCompiler, string_literal};
use crate::export::{ExportError, ExportTree, names};
use crate::model::{
    Design, NamedSchemas, Node, NodeKind, RequestContract, Worker, WorkerPlacement,
};

const CONTRACT_TS: &str = include_str!("../../../../assets/export/contract.ts");

/// Route contracts: `contract.ts` checks requests with `@cfworker/json-schema`.
const CONTRACT_NEEDS: Needs = Needs {
    flags_comment: "",
    flags: &[],
    import: "import { Checker } from \"./contract\";\n",
    dependencies: &[(
        "@cfworker/json-schema",
        crate::export::versions::CFWORKER_JSON_SCHEMA,
    )],
    files: &[("contract.ts", CONTRACT_TS)],
    readme_local: "",
    readme_deploy: "",
};

/// A route's contract as the TypeScript object `contract.ts` takes (its body schema with the
/// design's named schemas as `$defs`).
fn contract_literal(request: &RequestContract, schemas: &NamedSchemas) -> String {
    let mut contract = serde_json::Map::new();
    if !request.params.is_empty() {
        let params: serde_json::Map<String, serde_json::Value> = request
            .params
            .iter()
            .map(|(name, ty)| (name.clone(), serde_json::Value::from(ty.name())))
            .collect();
        contract.insert("params".into(), serde_json::Value::Object(params));
    }
    if !request.query.is_empty() {
        let query: Vec<serde_json::Value> = request
            .query
            .iter()
            .map(|param| {
                let mut item = serde_json::json!({"name": param.name, "type": param.ty.name()});
                if param.required {
                    item["required"] = serde_json::Value::Bool(true);
                }
                if let Some(default) = &param.default {
                    item["default"] = default.clone();
                }
                item
            })
            .collect();
        contract.insert("query".into(), serde_json::Value::Array(query));
    }
    if let Some(body) = &request.body {
        contract.insert("body".into(), crate::contract::with_defs(body, schemas));
    }
    serde_json::Value::Object(contract).to_string()
}

impl KindExport for super::Def {
    fn worker_sources(
        &self,
        design: &Design,
        script: &Script<'_>,
        tree: &mut ExportTree,
    ) -> Result<(), ExportError> {
        let NodeKind::Worker(worker) = &script.node.kind else {
            return Ok(());
        };
        let folder = &script.folder;
        tree.add(format!("{folder}/src/edgewire.ts"), EDGEWIRE_TS);
        for needs in script.needs() {
            for (name, contents) in needs.files {
                tree.add(format!("{folder}/src/{name}"), *contents);
            }
        }
        tree.add(
            format!("{folder}/src/index.ts"),
            worker_index(design, script, worker)?,
        );
        Ok(())
    }

    fn worker_needs(&self, node: &Node) -> Option<&'static Needs> {
        let NodeKind::Worker(worker) = &node.kind else {
            return None;
        };
        worker
            .routes
            .iter()
            .any(|route| route.request.as_ref().is_some_and(|r| !r.is_empty()))
            .then_some(&CONTRACT_NEEDS)
    }

    fn worker_settings(&self, node: &Node) -> Vec<String> {
        match &node.kind {
            NodeKind::Worker(w) if w.placement == WorkerPlacement::Smart => vec![
                "  // Smart Placement: the platform may run this Worker near the back end it waits on\n  // most (its D1 primary or Hyperdrive origin), so a request crosses the distance once\n  // and each query is a short hop.\n  \"placement\": { \"mode\": \"smart\" }".to_owned(),
            ],
            _ => Vec::new(),
        }
    }

    fn readme_worker(&self, script: &Script<'_>, out: &mut String) {
        let NodeKind::Worker(w) = &script.node.kind else {
            return;
        };
        if w.placement == WorkerPlacement::Smart {
            out.push_str(
                "Smart Placement: it may run near its database rather than near the client.\n\n",
            );
        }
        if let Some(code) = &w.code {
            let _ = writeln!(
                out,
                "Your own code (`{}`), copied unchanged from the project it was imported from; \
                 `{}` is its configuration.",
                crate::export::code::exported_source(&script.folder, code),
                script.config()
            );
            return;
        }
        if w.routes.is_empty() {
            out.push_str("No routes yet.\n");
        }
        for route in &w.routes {
            let _ = writeln!(out, "- `{} {}`", route.method, route.path);
        }
    }
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
    for needs in script.needs() {
        out.push_str(needs.import);
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
        let contract = match route.request.as_ref().filter(|r| !r.is_empty()) {
            Some(request) => format!(
                ", contract: new Checker({})",
                contract_literal(request, &design.schemas)
            ),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "  {{ method: \"{}\", path: {}, handler: {}{contract} }},",
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
