//! The project around the code: folders, `wrangler.jsonc` files, `package.json` scripts,
//! seeds, the deploy script and the README. What is particular to a kind of node (a
//! Worker's sources, a binding's entry and `Env` type, a store's files and commands) comes
//! from that kind's folder in [`crate::kinds`] through [`super::kind::KindExport`]; this
//! module decides the order and the shape of the project.

use std::collections::{BTreeMap, BTreeSet};

use super::kind::{Script, Store};
use super::{ExportError, ExportTree, names};
use crate::graph::DesignGraph;
use crate::model::{Design, Kind};

mod readme;
mod scenarios;
mod scripts;
mod workers;
mod workflow;

use readme::readme;
use scripts::{deploy_script, package_json, root_dev_vars};
pub(crate) use scripts::{migration_file, with_newline};
use workers::worker_files;
pub(crate) use workers::{env_interface, file_header, service_binding};
use workflow::{Workflow, ci_workflow};

pub(crate) const EDGEWIRE_TS: &str = include_str!("../../../../assets/export/edgewire.ts");
pub(crate) const GATEWAY_TS: &str = include_str!("../../../../assets/export/gateway.ts");
const TSCONFIG: &str = include_str!("../../../../assets/export/tsconfig.json");
const GITIGNORE: &str = include_str!("../../../../assets/export/gitignore");
const TEST_TSCONFIG: &str = include_str!("../../../../assets/export/test-tsconfig.json");
const VITEST_CONFIG: &str = include_str!("../../../../assets/export/vitest.config.ts");

/// The one state folder shared by dev, migrations and seeding.
pub(crate) const STATE_DIR: &str = ".wrangler/state";

/// Top-level folders of the project that a Worker folder must not take.
const ROOT_FOLDERS: [&str; 8] = [
    ".github",
    "test",
    "migrations",
    "seed",
    "scripts",
    "node_modules",
    "dist",
    "src",
];

/// The folder (and Worker name) a Gateway or Worker node is exported as.
pub(crate) fn folder_of(id: &str) -> String {
    let mut folder = names::slug(id);
    if ROOT_FOLDERS.contains(&folder.as_str()) {
        folder.push_str("-worker");
    }
    folder
}

pub fn build(design: &Design) -> Result<ExportTree, ExportError> {
    let graph = DesignGraph::new(design);
    let deploy_order = graph.deploy_order().ok_or(ExportError::Cycle)?;
    let entries: BTreeSet<String> = graph.entry_points().into_iter().collect();

    // Worker folders, checked for clashes.
    let mut folders: BTreeMap<String, &str> = BTreeMap::new();
    let mut scripts: BTreeMap<&str, Script<'_>> = BTreeMap::new();
    for node in &design.nodes {
        let external = matches!(&node.kind, crate::model::NodeKind::Worker(w) if w.code.as_ref().is_some_and(|c| c.external));
        if !node.kind.kind().is_worker() || external {
            continue;
        }
        let folder = folder_of(&node.id);
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
            .is_some_and(|s| s.node.kind.kind() == Kind::Gateway)
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
        crate::kinds::of(&store.node.kind).store_files(store, &mut tree);
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
    let tests = !crate::graph::scenario_requests(design).is_empty();
    if tests {
        tree.add(
            "test/scenario.test.ts",
            scenarios::test_file(&scenarios::Tests {
                design,
                ordered: &ordered,
                scripts: &scripts,
                stores: &stores,
            }),
        );
        tree.add("test/tsconfig.json", TEST_TSCONFIG);
        tree.add("vitest.config.ts", VITEST_CONFIG);
    }
    tree.add(
        ".github/workflows/ci.yml",
        ci_workflow(&Workflow {
            design,
            ordered: &ordered,
            deploy: deploy_order
                .iter()
                .filter_map(|id| scripts.get(id.as_str()))
                .collect(),
            stores: &stores,
            tests,
        }),
    );
    let mut openapi =
        serde_json::to_string_pretty(&crate::openapi::document(design)).unwrap_or_default();
    openapi.push('\n');
    tree.add("openapi.json", openapi);
    tree.add("README.md", readme(design, &ordered, &stores));
    tree.add(
        crate::import::wrangler::DESIGN_FILE,
        crate::format::to_string(&super::code::as_exported(design, &scripts)),
    );
    Ok(tree)
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
