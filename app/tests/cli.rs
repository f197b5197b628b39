//! The `edgewire` binary as users run it: exit codes and output of `validate`, `fmt`,
//! `scenario` and `import wrangler` (0 all read, 1 some file unreadable, 2 nothing imported).

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

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

const EXAMPLES: [&str; 4] = [
    "examples/d1-only.ron",
    "examples/global-api.ron",
    "examples/hyperdrive-only.ron",
    "examples/kv-only.ron",
];

#[test]
fn validate_passes_on_the_examples() {
    let output = edgewire(&[&["validate"][..], &EXAMPLES[..]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    insta::assert_snapshot!("validate_examples_text", stdout(&output));
}

#[test]
fn validate_json_describes_every_file() {
    let output = edgewire(&[&["validate", "--format", "json"][..], &EXAMPLES[..]].concat());
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let files = report.as_array().expect("an array");
    assert_eq!(files.len(), EXAMPLES.len());
    for (entry, file) in files.iter().zip(EXAMPLES) {
        assert_eq!(entry["file"], file);
        assert_eq!(entry["errors"], 0, "{entry}");
        assert!(entry["diagnostics"].is_array());
    }
}

#[test]
fn validate_reports_a_broken_file_with_exit_code_2() {
    let output = edgewire(&["validate", "engine/tests/corpus/unknown-node-kind.ron"]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("validate_broken_text", stdout(&output));
}

#[test]
fn validate_json_reports_load_errors_beside_good_files() {
    let output = edgewire(&[
        "validate",
        "--format",
        "json",
        "examples/kv-only.ron",
        "engine/tests/corpus/string-for-number.ron",
    ]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("validate_broken_json", stdout(&output));
}

#[test]
fn validate_reports_a_missing_file() {
    let output = edgewire(&["validate", "examples/no-such-design.ron"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stdout(&output);
    assert!(text.contains("error: cannot read the file"), "{text}");
    assert!(text.contains("examples/no-such-design.ron"), "{text}");
}

#[test]
fn validate_reports_a_broken_secrets_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let design = dir.path().join("api.ron");
    std::fs::copy(root().join("examples/kv-only.ron"), &design).expect("copies");
    std::fs::write(
        dir.path().join("api.dev.vars"),
        "API_KEY=ok\nthis is not a pair\n",
    )
    .expect("writes");
    let output = edgewire(&["validate", design.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(2));
    let text = stdout(&output);
    assert!(
        text.contains("api.dev.vars:2: expected `NAME=value`"),
        "{text}"
    );

    let output = edgewire(&[
        "validate",
        "--format",
        "json",
        design.to_str().expect("UTF-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(report[0]["file"], design.to_str().expect("UTF-8"));
    let path = report[0]["error"]["path"].as_str().expect("path");
    assert!(path.ends_with("api.dev.vars"), "{path}");
}

#[test]
fn validate_needs_a_file() {
    let output = edgewire(&["validate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("<FILE>"), "{}", stderr(&output));
}

#[test]
fn fmt_check_accepts_the_canonical_examples() {
    let output = edgewire(&[&["fmt", "--check"][..], &EXAMPLES[..]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output), "");
}

#[test]
fn fmt_check_lists_then_fmt_rewrites_a_non_canonical_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("messy.ron");
    let canonical = std::fs::read_to_string(root().join("examples/kv-only.ron")).expect("reads");
    // The same design, indented by two spaces instead of four.
    let messy = canonical.replace("\n    ", "\n  ");
    std::fs::write(&path, &messy).expect("writes");
    let file = path.to_str().expect("UTF-8 path");

    let check = edgewire(&["fmt", "--check", file]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(stdout(&check), format!("{file}: not in canonical form\n"));
    assert_eq!(std::fs::read_to_string(&path).expect("reads"), messy);

    let fmt = edgewire(&["fmt", file]);
    assert_eq!(fmt.status.code(), Some(0));
    assert_eq!(stdout(&fmt), format!("{file}: formatted\n"));
    assert_eq!(std::fs::read_to_string(&path).expect("reads"), canonical);

    let again = edgewire(&["fmt", "--check", file]);
    assert_eq!(again.status.code(), Some(0));
}

#[test]
fn fmt_leaves_a_broken_file_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.ron");
    let broken = std::fs::read(root().join("engine/tests/corpus/truncated.ron")).expect("reads");
    std::fs::write(&path, &broken).expect("writes");

    let output = edgewire(&["fmt", path.to_str().expect("UTF-8 path")]);

    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("the file ends too early"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&path).expect("reads"), broken);
}

#[test]
fn every_subcommand_explains_itself_with_an_example() {
    for command in [
        &["--help"][..],
        &["validate", "--help"],
        &["fmt", "--help"],
        &["diagram", "--help"],
    ] {
        let output = edgewire(command);
        assert_eq!(output.status.code(), Some(0));
        let help = stdout(&output);
        assert!(help.contains("Examples:"), "{command:?}: {help}");
        assert!(help.contains("edgewire "), "{command:?}: {help}");
    }
}

/// `edgewire diagram examples/global-api.ron --out <temp>/<file_name>`: what it wrote.
fn diagram_of_the_reference_into(file_name: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join(file_name);
    let output = edgewire(&[
        "diagram",
        "examples/global-api.ron",
        "--out",
        out.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    std::fs::read_to_string(&out).expect("written")
}

#[test]
fn diagram_prints_a_mermaid_flowchart_or_writes_it_to_a_file() {
    let output = edgewire(&["diagram", "examples/global-api.ron"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let chart = stdout(&output);
    assert!(
        chart.starts_with("---\ntitle: \"Global API\"\n---\nflowchart LR\n"),
        "{chart}"
    );
    assert!(
        chart.contains("n_web -->|\"requests\"| n_gateway"),
        "{chart}"
    );
    assert!(
        chart.contains("n_products -->|\"CACHE\"| n_product_cache"),
        "{chart}"
    );

    assert_eq!(diagram_of_the_reference_into("architecture.mmd"), chart);

    // A missing file is named, and its cause said once.
    let output = edgewire(&["diagram", "examples/missing.ron"]);
    assert_eq!(output.status.code(), Some(1));
    let error = stderr(&output);
    assert!(
        error.starts_with("error: examples/missing.ron: "),
        "{error}"
    );
    assert_eq!(error.matches("no such file").count(), 1, "{error}");
}

/// The SVG picture: well-formed XML with a card per node and a path per wire, every card
/// inside the picture.
#[test]
fn diagram_draws_the_design_as_svg() {
    let svg = diagram_of_the_reference_into("architecture.svg");
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let svg_element = doc.root_element();
    assert_eq!(svg_element.tag_name().name(), "svg");
    let view: Vec<f32> = svg_element
        .attribute("viewBox")
        .expect("viewBox")
        .split(' ')
        .map(|n| n.parse().expect("number"))
        .collect();
    let design =
        edgewire_engine::format::load(&root().join("examples/global-api.ron")).expect("loads");
    let cards: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_attribute("data-node"))
        .collect();
    assert_eq!(cards.len(), design.nodes.len());
    for card in &cards {
        let id = card.attribute("data-node").expect("id");
        let text: String = card
            .descendants()
            .filter(roxmltree::Node::is_text)
            .filter_map(|n| n.text())
            .collect();
        if id != "about" {
            assert!(text.contains(id), "card {id} is titled: {text}");
        }
        let frame = card.first_element_child().expect("a rect");
        let (x, y): (f32, f32) = (
            frame.attribute("x").expect("x").parse().expect("x"),
            frame.attribute("y").expect("y").parse().expect("y"),
        );
        assert!(x >= view[0] && y >= view[1], "{id} inside the picture");
        assert!(
            x <= view[0] + view[2] && y <= view[1] + view[3],
            "{id} inside the picture"
        );
    }
    let wires = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "path" && n.has_attribute("data-wire"))
        .count();
    assert_eq!(wires, design.wires.len());

    // --format overrides the file name; standard output gets the same picture.
    let output = edgewire(&["diagram", "examples/global-api.ron", "--format", "svg"]);
    assert_eq!(stdout(&output), svg);
}

/// `examples/kv-only.ron` whose "get note" request expects this body, written to `dir`.
fn kv_notes_expecting(dir: &Path, body: &str) -> PathBuf {
    let design = std::fs::read_to_string(root().join("examples/kv-only.ron"))
        .expect("example")
        .replacen(
            "path: \"/notes/1\",",
            &format!("path: \"/notes/1\",\n                        expect_body: {body},"),
            1,
        );
    let path = dir.join("kv-only.ron");
    std::fs::write(&path, design).expect("written");
    path
}

#[test]
fn scenario_checks_statuses_and_expected_bodies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = kv_notes_expecting(dir.path(), r#"{"note": {"id": "1", "text": "Buy milk"}}"#);
    let output = edgewire(&["scenario", path.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("ok   get note: GET /notes/1 -> 200"));
    assert!(stdout(&output).ends_with("7 passed, 0 failed\n"));

    // Expecting another text: the status is right, the body is not.
    let path = kv_notes_expecting(dir.path(), r#"{"note": {"text": "Buy bread"}}"#);
    let output = edgewire(&["scenario", path.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).contains(
            "FAIL get note: GET /notes/1 -> 200, body differs at /note/text: \"Buy milk\", expected \"Buy bread\""
        ),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).ends_with("6 passed, 1 failed\n"));
}

#[test]
fn errors_a_user_reaches_say_what_to_do_without_internals() {
    let output = edgewire(&[
        "scenario",
        "examples/kv-only.ron",
        "--url",
        "http://127.0.0.1:1",
    ]);
    assert_ne!(output.status.code(), Some(0));
    let text = stderr(&output);
    assert!(
        text.contains("nothing answers at http://127.0.0.1:1"),
        "{text}"
    );
    assert!(
        !text.contains("os error") && !text.contains("tcp connect"),
        "{text}"
    );
    assert_eq!(text.matches("error").count(), 1, "said once: {text}");

    for command in ["serve", "simulate", "diagram"] {
        let output = edgewire(&[command, "examples/no-such-design.ron"]);
        assert_ne!(output.status.code(), Some(0), "{command}");
        let text = stderr(&output);
        assert!(
            text.contains("examples/no-such-design.ron: no such file; check the path"),
            "{command}: {text}"
        );
        assert!(!text.contains("os error"), "{command}: {text}");
    }
}

#[test]
fn validate_fix_applies_the_safe_fixes_and_reports_what_remains() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("api.ron");
    // The reference design with a rate-limit period the platform does not have.
    let text = std::fs::read_to_string(root().join("examples/global-api.ron"))
        .expect("example")
        .replace("period_secs: 60", "period_secs: 45");
    std::fs::write(&path, &text).expect("written");
    let file = path.to_str().expect("UTF-8");

    let output = edgewire(&["validate", "--fix", "--dry-run", file]);
    assert!(
        stdout(&output)
            .contains("GWY009 gateway: count per 60 s (134 requests, the same rate) (dry run)"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "still an error: nothing was written"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), text);

    let output = edgewire(&["validate", "--fix", file]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("0 errors"));
    let fixed = std::fs::read_to_string(&path).expect("readable");
    assert!(
        fixed.contains("requests: 134,") && fixed.contains("period_secs: 60"),
        "{fixed}"
    );
}

// ---------------------------------------------------------------------------------------
// import wrangler

/// `edgewire import wrangler ARGS --out <dir>/design.ron`, which exits with `code`: its
/// error output, and the design path.
fn import_wrangler(args: &[&str], dir: &tempfile::TempDir, code: i32) -> (String, String) {
    let out = dir.path().join("design.ron").display().to_string();
    let mut all = vec!["import", "wrangler"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", &out]);
    let output = edgewire(&all);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(code), "{text}");
    (text, out)
}

#[test]
fn a_monorepo_imports_with_a_summary_and_a_design_that_validates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (text, out) = import_wrangler(&["tests/fixtures/wrangler/monorepo"], &dir, 0);
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
    let (text, out) = import_wrangler(&["tests/fixtures/wrangler/broken"], &dir, 1);
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
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let (text, out) = import_wrangler(&[&empty.display().to_string()], &dir, 2);
    for name in ["wrangler.json", "wrangler.jsonc", "wrangler.toml"] {
        assert!(text.contains(name), "{text}");
    }
    assert!(!Path::new(&out).exists());
    import_wrangler(&["tests/fixtures/wrangler/broken/bad"], &dir, 2);
}

#[test]
fn an_environment_is_merged_and_the_others_listed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (text, out) = import_wrangler(
        &["tests/fixtures/wrangler/environments", "--env", "staging"],
        &dir,
        0,
    );
    assert!(
        text.contains("other environments") && text.contains("production"),
        "{text}"
    );
    let design = std::fs::read_to_string(&out).expect("written");
    assert!(design.contains("\"shop-staging\""), "{design}");
    assert!(design.contains("\"cart-staging\""), "{design}");
}
