//! Every broken file in `tests/corpus/` gives a precise, helpful error (and never a panic).
//!
//! The rendered errors are golden snapshots: a change in wording shows up in review.

mod design_files;

use std::path::Path;

use edgewire_engine::format::{self, FileError};

use design_files::corpus;

/// Load a corpus file the way the app and the CLI do, with a short stable path.
fn rendered_error(path: &Path) -> String {
    let name = path.file_name().expect("file name");
    let shown = Path::new("corpus").join(name);
    let bytes = std::fs::read(path).expect("readable");
    let result = format::decode(bytes).and_then(|text| format::parse(&text));
    match result {
        Ok(_) => panic!("{} should not load", path.display()),
        Err(mut err) => {
            err.path = Some(shown);
            err.render()
        }
    }
}

#[test]
fn corpus_is_not_empty() {
    assert!(corpus().len() >= 20, "the corpus lost files");
}

#[test]
fn every_broken_file_has_a_located_helpful_error() {
    for path in corpus() {
        let stem = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let rendered = rendered_error(&path);
        insta::assert_snapshot!(stem, rendered);
    }
}

#[test]
fn errors_point_at_a_line_unless_the_file_is_empty() {
    for path in corpus() {
        let bytes = std::fs::read(&path).expect("readable");
        let err = format::decode(bytes)
            .and_then(|text| format::parse(&text))
            .expect_err("broken");
        let empty = path.file_stem().is_some_and(|s| s == "empty");
        assert_eq!(err.location.is_none(), empty, "{}: {err}", path.display());
        assert!(err.help.is_some(), "{}: no help in {err}", path.display());
        assert!(
            !err.message.starts_with("Expected") && !err.message.contains("RON"),
            "{}: cryptic message {err}",
            path.display()
        );
    }
}

#[test]
fn load_names_the_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/unknown-node-kind.ron");
    match format::load(&path) {
        Err(FileError::Load(err)) => assert_eq!(err.path.as_deref(), Some(path.as_path())),
        other => panic!("expected a load error, got {other:?}"),
    }
    let missing = Path::new("no/such/design.ron");
    assert!(matches!(format::load(missing), Err(FileError::Io { .. })));
}
