//! The exported project of every example, as insta snapshots: any change to generated code
//! shows up in review. Also: export is deterministic and never writes a secret's value.

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

/// The whole tree as one text: each file under a `=== path` line.
fn tree_text(tree: &ExportTree) -> String {
    let mut out = String::new();
    for (path, contents) in &tree.files {
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

fn stem(path: &Path) -> String {
    path.file_stem()
        .expect("file stem")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn exported_trees_match_their_snapshots() {
    for path in examples() {
        let tree = export_example(&path);
        insta::assert_snapshot!(format!("export_{}", stem(&path)), tree_text(&tree));
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
        for (file, contents) in &tree.files {
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
