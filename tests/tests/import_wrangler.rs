//! `edgewire import wrangler` over real-world project shapes (`tests/fixtures/wrangler/`):
//! the imported designs as insta snapshots, bad input, and the round trip: every example,
//! exported then imported, is the same design byte for byte.

use std::path::{Path, PathBuf};

use edgewire_engine::import::wrangler::{self, ImportError, Imported, Options};
use edgewire_engine::{export, format, validate};
use edgewire_tests::designs;

/// A fixture folder, as the tests name it (relative, so the snapshots hold no machine path).
fn fixture(name: &str) -> PathBuf {
    Path::new("fixtures/wrangler").join(name)
}

fn import(paths: &[PathBuf], env: Option<&str>) -> Result<Imported, ImportError> {
    wrangler::import(
        paths,
        &Options {
            env: env.map(str::to_owned),
            design_dir: paths[0].clone(),
        },
    )
}

/// The summary, then the design's canonical text.
fn report(imported: &Imported) -> String {
    format!(
        "{}\n{}",
        imported.summary.render(),
        format::to_string(&imported.design)
    )
}

#[test]
fn imported_designs_match_their_snapshots() {
    for (name, env) in [
        ("single", None),
        ("monorepo", None),
        ("environments", None),
        ("environments", Some("staging")),
        ("environments", Some("production")),
        ("unknown-bindings", None),
    ] {
        let imported = import(&[fixture(name)], env).expect("imports");
        let snapshot = match env {
            Some(env) => format!("import_{name}_{env}"),
            None => format!("import_{name}"),
        };
        insta::assert_snapshot!(snapshot, report(&imported));
        let diagnostics = validate::validate(&imported.design);
        assert!(
            !diagnostics.has_errors(),
            "{name}: {:?}",
            diagnostics.errors().collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_monorepo_shares_stores_and_wires_its_services() {
    let imported = import(&[fixture("monorepo")], None).expect("imports");
    let design = &imported.design;
    // One D1 database for two Workers, with the migrations of the Worker that has them.
    let Some(edgewire_engine::NodeKind::D1(db)) = design.node("users-db").map(|n| &n.kind) else {
        panic!("users-db is a D1 database");
    };
    assert_eq!(db.migrations.len(), 2);
    assert_eq!(design.wires_to("users-db").count(), 2);
    assert_eq!(design.wires_to("sessions").count(), 2);
    assert_eq!(
        design
            .binding_target("gateway", "USERS")
            .map(|n| n.id.as_str()),
        Some("users")
    );
    // node_modules and dist are not searched.
    assert!(design.node("not-me").is_none() && design.node("built-copy").is_none());
    // The service outside the folder is an external Worker, with a warning.
    assert!(
        imported
            .summary
            .warnings
            .iter()
            .any(|w| w.contains("billing-api"))
    );
    // Secret names, never values.
    let text = format::to_string(design);
    assert!(text.contains("SESSION_SECRET") && !text.contains("abc123"));
}

#[test]
fn a_broken_file_is_located_and_the_rest_imports() {
    let imported = import(&[fixture("broken")], None).expect("the good one imports");
    let problems: Vec<String> = imported
        .summary
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("fixtures/wrangler/broken/bad/wrangler.jsonc:3:"),
        "{problems:?}"
    );
    assert!(imported.design.node("good").is_some());

    let only_bad = import(&[fixture("broken/bad")], None).expect_err("nothing readable");
    assert!(
        matches!(only_bad, ImportError::NothingRead(_)),
        "{only_bad}"
    );
}

#[test]
fn a_folder_without_a_configuration_names_the_files_looked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let error = import(&[dir.path().to_path_buf()], None).expect_err("no config");
    let text = error.to_string();
    for name in ["wrangler.json", "wrangler.jsonc", "wrangler.toml"] {
        assert!(text.contains(name), "{text}");
    }
}

/// Rewrite a file of an exported project: `edit` of its text must change it.
fn edit_file(path: &Path, edit: impl FnOnce(&str) -> String) {
    let text = std::fs::read_to_string(path).expect("readable");
    let edited = edit(&text);
    assert_ne!(edited, text, "{} is changed", path.display());
    std::fs::write(path, edited).expect("written");
}

/// Import an exported project, and the changes it found in the configurations.
fn import_changes(dir: &Path) -> (Imported, Vec<String>) {
    let imported = import(&[dir.to_path_buf()], None).expect("imports");
    let changes = imported
        .summary
        .round_trip
        .as_ref()
        .expect("used edgewire.ron")
        .changes
        .clone();
    (imported, changes)
}

/// Write the export of `design` into `dir`.
fn write_export(design: &edgewire_engine::Design, dir: &Path) {
    let tree = export::export(design).expect("exports");
    export::write_tree(&tree, dir, false).expect("writes");
}

/// The reference example, and its export written into a new temporary folder.
fn reference_export() -> (edgewire_engine::Design, tempfile::TempDir) {
    let path = designs::examples_folder().join("global-api.ron");
    let design = format::load(&path).expect("loads");
    let dir = tempfile::tempdir().expect("temp dir");
    write_export(&design, dir.path());
    (design, dir)
}

/// Export `design` into a fresh folder and import that folder.
fn export_then_import(design: &edgewire_engine::Design, dir: &Path) -> Imported {
    write_export(design, dir);
    import(&[dir.to_path_buf()], None).expect("imports")
}

#[test]
fn every_example_comes_back_unchanged() {
    // The examples, and the test designs that exercise what they do not.
    for path in designs::folders()
        .iter()
        .flat_map(|dir| designs::ron_files(dir))
    {
        let text = std::fs::read_to_string(&path).expect("example");
        let design = format::parse(&text).expect("parses");
        let dir = tempfile::tempdir().expect("temp dir");
        let imported = export_then_import(&design, dir.path());
        let round_trip = imported
            .summary
            .round_trip
            .as_ref()
            .expect("used edgewire.ron");
        assert!(
            round_trip.changes.is_empty(),
            "{}: {:?}",
            path.display(),
            round_trip.changes
        );
        // Byte for byte what `edgewire fmt` makes of the original (the examples are
        // canonical already, so for them it is the file itself).
        assert_eq!(
            format::to_string(&imported.design),
            format::to_string(&design),
            "{}",
            path.display()
        );
        if path.starts_with(designs::examples_folder()) {
            assert_eq!(format::to_string(&design), text, "{}", path.display());
        }
    }
}

#[test]
fn an_export_edited_by_hand_comes_back_with_the_edits() {
    let (design, dir) = reference_export();
    // A new Worker beside the others, with a KV namespace of its own and a call to `products`.
    let audit = dir.path().join("audit");
    std::fs::create_dir_all(audit.join("src")).expect("folder");
    std::fs::write(audit.join("src/index.ts"), "export default {};\n").expect("code");
    std::fs::write(
        audit.join("wrangler.toml"),
        "name = \"audit\"\nmain = \"src/index.ts\"\nworkers_dev = false\nkv_namespaces = [{ binding = \"LOG\", id = \"audit-log\" }]\nservices = [{ binding = \"PRODUCTS\", service = \"products\" }]\n",
    )
    .expect("config");
    // The gateway's rate limit, raised in its configuration.
    edit_file(&dir.path().join("gateway/wrangler.jsonc"), |text| {
        text.replace(
            "\"limit\": 100, \"period\": 60",
            "\"limit\": 250, \"period\": 60",
        )
    });
    let (imported, changes) = import_changes(dir.path());
    insta::assert_snapshot!("import_edited_export", changes.join("\n"));
    assert!(imported.design.node("audit").is_some());
    assert_eq!(
        imported
            .design
            .binding_target("audit", "PRODUCTS")
            .map(|n| n.id.as_str()),
        Some("products")
    );
    let Some(edgewire_engine::NodeKind::Gateway(gateway)) =
        imported.design.node("gateway").map(|n| &n.kind)
    else {
        panic!("gateway");
    };
    assert_eq!(gateway.rate_limit.as_ref().map(|l| l.requests), Some(250));
    // Everything else is the design as it was.
    for node in design.nodes.iter().filter(|n| n.id != "gateway") {
        assert_eq!(imported.design.node(&node.id), Some(node), "{}", node.id);
    }
}

#[test]
fn code_workers_are_copied_unchanged_and_come_back() {
    let source = fixture("monorepo");
    let imported = import(std::slice::from_ref(&source), None).expect("imports");
    let dir = tempfile::tempdir().expect("temp dir");
    let tree = export::export(&imported.design).expect("exports");
    export::write_tree(&tree, dir.path(), false).expect("writes");
    let copied = export::copy_code(&imported.design, &source, dir.path()).expect("copies");
    assert_eq!(copied, ["catalog", "gateway", "users"]);
    for file in [
        "users/wrangler.jsonc",
        "users/src/index.ts",
        "users/migrations/0002_add_name.sql",
    ] {
        let original = std::fs::read(source.join("apps").join(file)).expect("original");
        assert_eq!(
            std::fs::read(dir.path().join(file)).expect(file),
            original,
            "{file}"
        );
    }
    // No generated TypeScript for a code Worker, no secret values, no build output.
    assert!(tree.get("users/src/edgewire.ts").is_none());
    let package = tree.get("package.json").expect("package.json");
    assert!(
        !package.contains("-p users"),
        "its own tooling typechecks it: {package}"
    );
    let readme = tree.get("README.md").expect("README.md");
    assert!(
        readme.contains("Your own code (`users/src/index.ts`)"),
        "{readme}"
    );
    assert!(!dir.path().join("users/.dev.vars").exists());
    assert!(!dir.path().join("users/dist").exists());
    // The export's edgewire.ron points at the copies, and importing the export gives it back.
    let again = import(&[dir.path().to_path_buf()], None).expect("imports the export");
    assert_eq!(
        again.summary.round_trip.map(|r| r.changes),
        Some(Vec::new())
    );
    let saved = tree.get(wrangler::DESIGN_FILE).expect("edgewire.ron");
    assert!(saved.contains("source: \"users/src/index.ts\""), "{saved}");
    assert_eq!(format::to_string(&again.design), saved);
}

#[test]
fn a_taken_name_and_a_missing_main_are_warnings() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (folder, main) in [("one", "index.js"), ("two", "src/missing.ts")] {
        let path = dir.path().join(folder);
        std::fs::create_dir_all(&path).expect("mkdir");
        std::fs::write(path.join("index.js"), "export default {};\n").expect("code");
        std::fs::write(
            path.join("wrangler.toml"),
            format!("name = \"api\"\nmain = \"{main}\"\n"),
        )
        .expect("config");
    }
    let imported = import(&[dir.path().to_path_buf()], None).expect("imports");
    let warnings = imported.summary.warnings.join("\n");
    assert!(warnings.contains("`api` is taken already"), "{warnings}");
    assert!(warnings.contains("imported as `api-2`"), "{warnings}");
    assert!(
        warnings.contains("its `main` (src/missing.ts) does not exist"),
        "{warnings}"
    );
    assert!(imported.design.node("api").is_some() && imported.design.node("api-2").is_some());
}

#[test]
fn a_removed_configuration_and_binding_come_back_removed() {
    let (_, dir) = reference_export();
    // The orders Worker's folder is deleted (the gateway still binds it), and the products
    // Worker no longer binds its cache.
    std::fs::remove_dir_all(dir.path().join("orders")).expect("rm orders");
    edit_file(&dir.path().join("products/wrangler.jsonc"), |text| {
        let mut edited = String::new();
        for line in text
            .lines()
            .filter(|l| !l.contains("\"binding\": \"CACHE\""))
        {
            edited.push_str(line);
            edited.push('\n');
        }
        edited
    });
    let (imported, changes) = import_changes(dir.path());
    insta::assert_snapshot!("import_removed_from_export", changes.join("\n"));
    assert!(imported.design.binding("products", "CACHE").is_none());
    assert!(imported.design.binding("gateway", "ORDERS").is_some());
    // Validation then says what the removal broke: the steps that still use the cache.
    let diagnostics = validate::validate(&imported.design);
    let errors: Vec<_> = diagnostics.errors().collect();
    assert!(!errors.is_empty());
    assert!(
        errors
            .iter()
            .all(|d| d.code == "HDL001" && d.message.contains("`CACHE`")),
        "{errors:?}"
    );
}

#[test]
fn a_designed_worker_binds_imported_stores_by_their_ids() {
    let mut design = import(&[fixture("monorepo")], None)
        .expect("imports")
        .design;
    design.nodes.push(edgewire_engine::Node::new(
        "reports",
        edgewire_engine::NodeKind::Worker(edgewire_engine::model::Worker::default()),
    ));
    for (store, binding) in [
        ("sessions", "SESSIONS"),
        ("users-db", "DB"),
        ("products-db", "PG"),
    ] {
        design
            .wires
            .push(edgewire_engine::Wire::new("reports", store, binding));
    }
    design
        .wires
        .push(edgewire_engine::Wire::new("gateway", "reports", "REPORTS"));
    let tree = export::export(&design).expect("exports");
    let config = tree
        .get("reports/wrangler.jsonc")
        .expect("generated config");
    assert!(
        config.contains("\"id\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""),
        "{config}"
    );
    assert!(
        config.contains("\"database_id\": \"11111111-2222-3333-4444-555555555555\""),
        "{config}"
    );
    assert!(
        config.contains("\"id\": \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\""),
        "{config}"
    );
    let deploy = tree.get("scripts/deploy.mjs").expect("deploy script");
    assert!(
        !deploy.contains("hyperdrive create"),
        "it exists already: {deploy}"
    );
}
