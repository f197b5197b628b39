//! The exported project of every example, as insta snapshots: any change to generated code
//! shows up in review. Also: export is deterministic and never writes a secret's value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use edgewire_engine::export::{self, ExportTree};
use edgewire_engine::format;
use edgewire_engine::graph::DesignGraph;
use edgewire_tests::designs;
use serde_json::{Value, json};

/// The example designs (`examples/*.ron`), then the test fixtures (`tests/designs/*.ron`).
fn examples() -> Vec<PathBuf> {
    let mut all = Vec::new();
    for dir in designs::folders() {
        let files = designs::ron_files(&dir);
        assert!(!files.is_empty(), "no designs in {}", dir.display());
        all.extend(files);
    }
    all
}

fn export_example(path: &Path) -> ExportTree {
    let design = format::load(path).expect("example loads");
    export::export(&design).unwrap_or_else(|e| panic!("{} exports: {e}", path.display()))
}

/// The whole tree as one text: each file under a `=== path` line. The design itself
/// (`edgewire.ron`) is left out: the round trip in `import_wrangler.rs` checks it.
fn tree_text(tree: &ExportTree) -> String {
    let mut out = String::new();
    for (path, contents) in &tree.files {
        if path == edgewire_engine::import::wrangler::DESIGN_FILE {
            continue;
        }
        out.push_str("=== ");
        out.push_str(path);
        out.push('\n');
        out.push_str(contents);
        if !contents.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[test]
fn exported_trees_match_their_snapshots() {
    for path in examples() {
        let tree = export_example(&path);
        insta::assert_snapshot!(format!("export_{}", designs::stem(&path)), tree_text(&tree));
    }
}

#[test]
fn export_is_deterministic() {
    for path in examples() {
        assert_eq!(
            export_example(&path),
            export_example(&path),
            "{}",
            path.display()
        );
    }
}

#[test]
fn no_secret_value_is_written() {
    for path in examples() {
        let vars = path.with_extension("dev.vars");
        let Ok(text) = std::fs::read_to_string(&vars) else {
            continue;
        };
        let values: Vec<&str> = text
            .lines()
            .filter_map(|line| line.split_once('=').map(|(_, value)| value.trim()))
            .filter(|value| !value.is_empty())
            .collect();
        let tree = export_example(&path);
        // `edgewire.ron` is the user's design as it is, with what they typed into it (a
        // scenario's demo key, say); it never gains a value from `.dev.vars`.
        let design_text = std::fs::read_to_string(&path).expect("design");
        assert_eq!(
            tree.get(edgewire_engine::import::wrangler::DESIGN_FILE),
            Some(design_text.as_str())
        );
        for (file, contents) in &tree.files {
            if file == edgewire_engine::import::wrangler::DESIGN_FILE {
                continue;
            }
            for value in &values {
                assert!(
                    !contents.contains(value),
                    "{file} of {} contains a secret value",
                    path.display()
                );
            }
        }
    }
}

/// JSONC as wrangler reads it, for this test: whole-line `//` comments removed.
fn strip_line_comments(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn json_files_parse() {
    for path in examples() {
        let tree = export_example(&path);
        for (file, contents) in &tree.files {
            let extension = Path::new(file).extension().and_then(|e| e.to_str());
            let text = if extension == Some("jsonc") {
                strip_line_comments(contents)
            } else if extension == Some("json") {
                contents.clone()
            } else {
                continue;
            };
            if let Err(error) = serde_json::from_str::<serde_json::Value>(&text) {
                panic!("{file} of {} is not valid JSON: {error}", path.display());
            }
        }
    }
}

/// Security: a Worker that no Client calls trusts the `x-edgewire-auth` header its callers
/// set, so deployed it must have no URL of its own (no workers.dev, no preview URLs, no
/// routes). Entry points are on workers.dev, or on their custom domain with workers.dev off.
#[test]
fn only_entry_points_have_a_public_url() {
    let (mut internal, mut on_domain, mut on_workers_dev) = (0, 0, 0);
    for path in examples() {
        let design = format::load(&path).expect("example loads");
        let entries = DesignGraph::new(&design).entry_points();
        let tree = export_example(&path);
        let workers: Vec<_> = design
            .nodes
            .iter()
            .filter(|n| n.kind.kind().is_worker())
            .collect();
        let configs: Vec<_> = tree
            .files
            .iter()
            .filter(|(file, _)| file.ends_with("/wrangler.jsonc"))
            .collect();
        assert_eq!(configs.len(), workers.len(), "{}", path.display());
        for (file, text) in configs {
            let config: Value =
                serde_json::from_str(&strip_line_comments(text)).expect("wrangler.jsonc parses");
            let name = config["name"].as_str().expect("name");
            let node = workers
                .iter()
                .find(|n| export::slug(&n.id) == name)
                .unwrap_or_else(|| panic!("{file}: no Worker node is named {name}"));
            let context = format!("{file} of {}", path.display());
            if !entries.contains(&node.id) {
                internal += 1;
                assert_eq!(config["workers_dev"], json!(false), "{context}");
                assert_eq!(config["preview_urls"], json!(false), "{context}");
                assert_eq!(config.get("routes"), None, "{context}");
                assert!(text.contains("x-edgewire-auth"), "{context}: say why");
            } else if let Some(domain) = node.kind.custom_domain() {
                on_domain += 1;
                assert_eq!(
                    config["routes"],
                    json!([{ "pattern": domain, "custom_domain": true }]),
                    "{context}"
                );
                assert_eq!(config["workers_dev"], json!(false), "{context}");
            } else {
                on_workers_dev += 1;
                assert_eq!(config["workers_dev"], json!(true), "{context}");
                assert_eq!(config.get("routes"), None, "{context}");
            }
        }
    }
    // Every case is exercised by the examples and fixtures.
    assert!(internal >= 3 && on_domain >= 1 && on_workers_dev >= 1);
}

#[test]
fn the_readme_says_where_the_api_will_be() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/global-api.ron");
    let readme = export_example(&path).files["README.md"].clone();
    assert!(
        readme.contains("- `gateway`: https://gateway.<your-subdomain>.workers.dev/"),
        "{readme}"
    );
    let prose = readme.replace('\n', " ");
    assert!(
        prose.contains(
            "The internal Workers (`orders`, `products`, `users`) are reachable only through \
             service bindings"
        ),
        "{readme}"
    );
}

#[test]
fn every_path_stays_inside_the_output_folder() {
    for path in examples() {
        let tree = export_example(&path);
        for file in tree.files.keys() {
            assert!(export::is_safe_relative_path(file), "{file}");
        }
    }
}

#[test]
fn writing_refuses_a_non_empty_folder_without_force() {
    let path = &examples()[0];
    let tree = export_example(path);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("keep.txt"), "mine").expect("write");
    let error = export::write_tree(&tree, dir.path(), false).expect_err("refused");
    assert!(error.to_string().contains("--force"), "{error}");
    export::write_tree(&tree, dir.path(), true).expect("written with force");
    assert!(dir.path().join("package.json").exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("keep.txt")).expect("kept"),
        "mine"
    );
}

#[test]
fn every_worker_has_observability_on() {
    for path in examples() {
        for (file, text) in &export_example(&path).files {
            if file.ends_with("/wrangler.jsonc") {
                let config: Value = serde_json::from_str(&strip_line_comments(text))
                    .expect("wrangler.jsonc parses");
                assert_eq!(
                    config["observability"],
                    json!({ "enabled": true }),
                    "{file} of {}",
                    path.display()
                );
            }
        }
    }
}

/// The `with:` inputs of a workflow step, as text.
fn inputs(step: &serde_yaml_ng::Value) -> BTreeMap<String, String> {
    step.get("with")
        .and_then(serde_yaml_ng::Value::as_mapping)
        .map(|with| {
            with.iter()
                .filter_map(|(k, v)| {
                    let value = match v {
                        serde_yaml_ng::Value::String(s) => s.clone(),
                        serde_yaml_ng::Value::Number(n) => n.to_string(),
                        _ => return None,
                    };
                    Some((k.as_str()?.to_owned(), value))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The CI workflow: typecheck on every push and pull request; on the default branch, deploy
/// with the official wrangler action, D1 first, then the Workers in `deploy.mjs`'s order, each
/// with the secrets it reads.
#[test]
fn the_ci_workflow_tests_then_deploys_in_dependency_order() {
    for path in examples() {
        let context = path.display().to_string();
        let tree = export_example(&path);
        let text = tree.get(".github/workflows/ci.yml").expect("ci.yml");
        let workflow: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).expect("YAML");
        let jobs = &workflow["jobs"];
        let run_steps = |job: &str| -> Vec<String> {
            jobs[job]["steps"]
                .as_sequence()
                .expect("steps")
                .iter()
                .filter_map(|s| s.get("run").and_then(|r| r.as_str()).map(str::to_owned))
                .collect()
        };
        let test_runs = run_steps("test");
        assert!(test_runs.contains(&"npm ci".to_owned()), "{context}");
        assert!(
            test_runs.contains(&"npm run typecheck".to_owned()),
            "{context}"
        );
        let package: Value =
            serde_json::from_str(tree.get("package.json").expect("package.json")).expect("JSON");
        assert_eq!(
            test_runs.contains(&"npm test".to_owned()),
            package["scripts"].get("test").is_some(),
            "{context}: npm test runs exactly when there are tests"
        );
        let setup = jobs["test"]["steps"]
            .as_sequence()
            .expect("steps")
            .iter()
            .find(|s| s["uses"].as_str() == Some("actions/setup-node@v4"))
            .expect("setup-node");
        assert_eq!(inputs(setup)["node-version"], "22", "{context}");

        let deploy = &jobs["deploy"];
        assert_eq!(deploy["needs"].as_str(), Some("test"), "{context}");
        let condition = deploy["if"].as_str().expect("if");
        assert!(condition.contains("default_branch"), "{context}");
        assert!(condition.contains("'push'"), "{context}");
        let steps = deploy["steps"].as_sequence().expect("steps");
        let actions: Vec<&serde_yaml_ng::Value> = steps
            .iter()
            .filter(|s| s["uses"].as_str() == Some("cloudflare/wrangler-action@v3"))
            .collect();
        for step in &actions {
            let with = inputs(step);
            assert_eq!(
                with["apiToken"], "${{ secrets.CLOUDFLARE_API_TOKEN }}",
                "{context}"
            );
            assert_eq!(
                with["accountId"], "${{ secrets.CLOUDFLARE_ACCOUNT_ID }}",
                "{context}"
            );
        }
        // Worker deploys, in the order of scripts/deploy.mjs, after every D1 migration.
        let deployed: Vec<String> = actions
            .iter()
            .filter(|s| inputs(s).get("command").map(String::as_str) == Some("deploy"))
            .map(|s| format!("{}/wrangler.jsonc", inputs(s)["workingDirectory"]))
            .collect();
        let script = tree.get("scripts/deploy.mjs").expect("deploy.mjs");
        let order_block = script
            .split("const workers = [")
            .nth(1)
            .and_then(|rest| rest.split("];").next())
            .expect("the workers list");
        let expected: Vec<String> = order_block
            .lines()
            .map(|l| l.trim().trim_end_matches(',').trim_matches('"').to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(deployed, expected, "{context}");
        let first_deploy = actions
            .iter()
            .position(|s| inputs(s).get("command").map(String::as_str) == Some("deploy"))
            .expect("a deploy");
        let design = format::load(&path).expect("loads");
        let databases = design
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, edgewire_engine::NodeKind::D1(_)))
            .count();
        let migrations = actions[..first_deploy]
            .iter()
            .filter(|s| {
                inputs(s)
                    .get("command")
                    .is_some_and(|c| c.starts_with("d1 "))
            })
            .count();
        assert_eq!(
            migrations, databases,
            "{context}: one D1 step per database, before deploys"
        );
        // Each Worker's secrets are listed and come from repository secrets.
        for step in actions.iter().skip(first_deploy) {
            let with = inputs(step);
            let Some(listed) = with.get("secrets") else {
                continue;
            };
            for name in listed.lines().map(str::trim).filter(|l| !l.is_empty()) {
                assert_eq!(
                    step["env"][name].as_str(),
                    Some(format!("${{{{ secrets.{name} }}}}").as_str()),
                    "{context}"
                );
            }
        }
    }
}
