//! `edgewire import wrangler` as users run it: the summary, the design it writes, and the
//! exit codes (0 all read, 1 some file unreadable, 2 nothing imported).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

/// Run `edgewire ARGS` from the workspace root, so paths in the output are relative.
fn edgewire(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgewire"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("edgewire runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

fn out_in(dir: &tempfile::TempDir) -> String {
    dir.path().join("design.ron").display().to_string()
}

#[test]
fn a_monorepo_imports_with_a_summary_and_a_design_that_validates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = out_in(&dir);
    let output = edgewire(&[
        "import",
        "wrangler",
        "tests/fixtures/wrangler/monorepo",
        "--out",
        &out,
    ]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("imported 4 Worker(s), 3 store(s) and 9 wire(s) from 3 configuration(s)"),
        "{text}"
    );
    assert!(text.contains("validation: 0 error(s)"), "{text}");
    let validated = edgewire(&["validate", &out]);
    assert_eq!(validated.status.code(), Some(0), "{}", stderr(&validated));
    let fmt = edgewire(&["fmt", "--check", &out]);
    assert_eq!(fmt.status.code(), Some(0), "the design is canonical");
}

#[test]
fn an_unreadable_file_is_located_and_exits_1_while_the_rest_imports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = out_in(&dir);
    let output = edgewire(&[
        "import",
        "wrangler",
        "tests/fixtures/wrangler/broken",
        "--out",
        &out,
    ]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: tests/fixtures/wrangler/broken/bad/wrangler.jsonc:3:"),
        "{text}"
    );
    assert!(
        Path::new(&out).is_file(),
        "the good configuration is imported"
    );
}

#[test]
fn nothing_to_import_exits_2_naming_the_files_looked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = out_in(&dir);
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let output = edgewire(&[
        "import",
        "wrangler",
        &empty.display().to_string(),
        "--out",
        &out,
    ]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    for name in ["wrangler.json", "wrangler.jsonc", "wrangler.toml"] {
        assert!(text.contains(name), "{text}");
    }
    assert!(!Path::new(&out).exists());
    let output = edgewire(&[
        "import",
        "wrangler",
        "tests/fixtures/wrangler/broken/bad",
        "--out",
        &out,
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn an_environment_is_merged_and_the_others_listed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = out_in(&dir);
    let output = edgewire(&[
        "import",
        "wrangler",
        "tests/fixtures/wrangler/environments",
        "--env",
        "staging",
        "--out",
        &out,
    ]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("other environments"), "{text}");
    assert!(text.contains("production"), "{text}");
    let design = std::fs::read_to_string(&out).expect("written");
    assert!(design.contains("\"shop-staging\""), "{design}");
    assert!(design.contains("\"cart-staging\""), "{design}");
}
