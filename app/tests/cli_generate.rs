//! `edgewire generate crud` and `validate --fix` as users run them: the routes land in the
//! file and pass their own scenario in the engine, a missing secret is declared in
//! `.dev.vars`, and mistakes get a message and exit code 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_edgewire"))
        .args(args)
        .output()
        .expect("edgewire runs");
    (
        status.code(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// A copy of the notes design before generation, in a temp dir.
fn notes_base(dir: &Path) -> PathBuf {
    let path = dir.join("notes.ron");
    std::fs::copy(
        workspace().join("engine/tests/generate/notes-base.ron"),
        &path,
    )
    .expect("copy the base design");
    path
}

#[test]
fn crud_writes_the_fixture_and_the_result_passes_its_own_scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = notes_base(dir.path());
    let file_arg = file.to_str().expect("UTF-8 path");
    let before = std::fs::read_to_string(&file).expect("read");

    let (code, out, err) = run(&[
        "generate",
        "crud",
        file_arg,
        "--db",
        "notes-db",
        "--table",
        "notes",
        "--dry-run",
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("added route DELETE /notes/:id on `notes-api` (dry run)"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        before,
        "a dry run writes nothing"
    );

    let (code, out, err) = run(&[
        "generate", "crud", file_arg, "--db", "notes-db", "--table", "notes",
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("added gateway route /notes on `gateway`"),
        "{out}"
    );
    assert!(out.ends_with("no errors\n"), "{out}");
    // tests/designs/crud-notes.ron is this output, so the parity suite runs it in wrangler.
    let fixture =
        std::fs::read_to_string(workspace().join("tests/designs/crud-notes.ron")).expect("fixture");
    let written = std::fs::read_to_string(&file).expect("read");
    let first_difference = written
        .lines()
        .zip(fixture.lines())
        .position(|(a, b)| a != b)
        .or_else(|| {
            (written != fixture).then(|| written.lines().count().min(fixture.lines().count()))
        });
    assert_eq!(
        first_difference,
        None,
        "the generator's output changed at line {}: copy it to tests/designs/crud-notes.ron \
         after review",
        first_difference.map_or(0, |line| line + 1)
    );

    let (code, out, err) = run(&["scenario", file_arg]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("10 passed, 0 failed"), "{out}");
}

#[test]
fn crud_without_a_table_lists_them_and_a_wrong_one_says_which_exist() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = notes_base(dir.path());
    let file_arg = file.to_str().expect("UTF-8 path");
    let refused = |args: &[&str]| {
        let (code, _, err) = run(args);
        assert_eq!(code, Some(2), "{err}");
        err
    };
    let err = refused(&["generate", "crud", file_arg, "--db", "notes-db"]);
    assert!(
        err.contains("pick a table with --table; `notes-db` has:\n  notes\n"),
        "{err}"
    );
    let err = refused(&[
        "generate", "crud", file_arg, "--db", "notes-db", "--table", "note",
    ]);
    assert!(
        err.ends_with("error: `notes-db` has no table `note`; its tables are `notes`\n"),
        "{err}"
    );
    let err = refused(&[
        "generate", "crud", file_arg, "--db", "nope", "--table", "notes",
    ]);
    assert!(
        err.contains("there is no node `nope` in the design"),
        "{err}"
    );

    let (code, out, _) = run(&["generate", "crud", "--help"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("--worker <NODE>"), "{out}");
    let (_, out, _) = run(&["generate", "--help"]);
    assert!(
        out.contains("Examples:") && out.contains("edgewire generate crud"),
        "{out}"
    );
}

/// `examples/hyperdrive-only.ron` with a second table in its Hyperdrive's seed schema.
fn with_customers(dir: &Path) -> PathBuf {
    let example =
        std::fs::read_to_string(workspace().join("examples/hyperdrive-only.ron")).expect("example");
    let marker = "  ('KV Sticker Pack', 500, 300);\n";
    assert!(example.contains(marker), "the example's seed changed");
    let design = example.replacen(
        marker,
        &format!(
            "{marker}CREATE TABLE customers (\n  id serial PRIMARY KEY,\n  email text NOT NULL,\n  \
             vip boolean NOT NULL DEFAULT false,\n  credit real\n);\nINSERT INTO customers \
             (email, vip, credit) VALUES\n  ('ada@example.com', true, 12.5);\n"
        ),
        1,
    );
    let path = dir.join("shop.ron");
    std::fs::write(&path, design).expect("write");
    path
}

#[test]
fn crud_over_a_hyperdrive_table_passes_its_scenario_on_postgresql() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = with_customers(dir.path());
    let file_arg = file.to_str().expect("UTF-8 path");
    let (code, out, err) = run(&[
        "generate",
        "crud",
        file_arg,
        "--db",
        "catalog-db",
        "--table",
        "customers",
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    let design = edgewire_engine::format::load(&file).expect("loads");
    let text = edgewire_engine::format::to_string(&design);
    assert!(text.contains("WHERE id = $1"), "PostgreSQL placeholders");
    assert!(text.contains("Hyperdrive("), "Hyperdrive steps");

    if let Err(why) = edgewire_engine::runtime::postgres::cluster::find_binaries() {
        let required = std::env::var("EDGEWIRE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        assert!(!required, "PostgreSQL required but: {why}");
        eprintln!("SKIPPED the PostgreSQL half: {why}");
        return;
    }
    let (code, out, err) = run(&["scenario", file_arg]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("get customer: GET /customers/1 -> 200"),
        "{out}"
    );
    assert!(
        out.contains("create customer: POST /customers -> 201"),
        "{out}"
    );
}

/// `validate --fix` declares a secret the design uses and `.dev.vars` lacks (SEC001), with
/// the API key the scenario already sends, so the scenario still passes.
#[test]
fn fix_declares_a_missing_api_key_with_the_value_the_scenario_sends() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shop.ron");
    std::fs::copy(workspace().join("examples/global-api.ron"), &file).expect("copy");
    let vars = dir.path().join("shop.dev.vars");
    std::fs::write(&vars, "# secrets of the shop\n").expect("vars");
    let file_arg = file.to_str().expect("UTF-8 path");

    let (code, out, _) = run(&["validate", file_arg]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("SEC001"), "{out}");
    let (code, out, _) = run(&["validate", "--fix", "--dry-run", file_arg]);
    assert!(out.contains("SEC001 gateway: declare API_KEY in"), "{out}");
    assert_eq!(code, Some(1), "a dry run changes nothing: {out}");
    let (code, out, err) = run(&["validate", "--fix", file_arg]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(&vars).expect("vars"),
        "# secrets of the shop\nAPI_KEY=demo-key-123\n"
    );
}
