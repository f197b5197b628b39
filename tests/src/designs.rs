//! The design files the suites run over: the example designs (`examples/*.ron`), then the
//! test fixtures (`tests/designs/*.ron`) that exercise what the examples do not (JWT, service
//! calls, every step kind, a public Worker).

use std::path::{Path, PathBuf};

/// The workspace's `examples` folder.
pub fn examples_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// This crate's `designs` folder of test fixtures.
pub fn fixtures_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("designs")
}

/// The design folders in the order the suites run them: the examples, then the fixtures.
pub fn folders() -> [PathBuf; 2] {
    [examples_folder(), fixtures_folder()]
}

/// The `.ron` files in `dir`, sorted by path.
pub fn ron_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("design folder")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ron"))
        .collect();
    files.sort();
    files
}

/// A design file's name without `.ron`.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .expect("file stem")
        .to_string_lossy()
        .into_owned()
}
