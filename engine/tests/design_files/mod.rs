//! The design files the file-level tests read: the examples (`examples/*.ron`) and the corpus
//! of broken files (`engine/tests/corpus/*.ron`).

#![allow(dead_code, reason = "each test file uses one of the two folders")]

use std::path::{Path, PathBuf};

/// The workspace's example designs, sorted by path.
pub fn examples() -> Vec<PathBuf> {
    ron_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples"))
}

/// The broken design files of `tests/corpus`, sorted by path.
pub fn corpus() -> Vec<PathBuf> {
    ron_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"))
}

/// The `.ron` files in `dir`, sorted by path.
fn ron_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("design folder")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ron"))
        .collect();
    files.sort();
    files
}
