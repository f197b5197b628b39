//! `edgewire import wrangler` and File > Import Wrangler project…: the engine's import, then
//! the canvas's tidy-up for the nodes that have no place yet.

use std::path::{Path, PathBuf};

use edgewire_engine::Design;
use edgewire_engine::edit::Edit;
use edgewire_engine::import::wrangler::{self, ImportError, Imported, Options};

/// The folder a design written to `out` will be in (its code Workers' paths are relative
/// to it).
pub fn design_dir(out: &Path) -> PathBuf {
    let dir = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

/// Import the Workers projects under `paths` for a design to be saved as `out`, laid out.
pub fn wrangler(
    paths: &[PathBuf],
    env: Option<String>,
    out: &Path,
) -> Result<Imported, ImportError> {
    let options = Options {
        env,
        design_dir: design_dir(out),
    };
    let mut imported = wrangler::import(paths, &options)?;
    lay_out(&mut imported.design);
    Ok(imported)
}

/// Give every node without a position the tidy-up's; a design with no positions at all is
/// tidied up whole.
pub fn lay_out(design: &mut Design) {
    let Edit::Move { positions } = crate::ui::ops::tidy_up(design) else {
        return;
    };
    for (id, pos) in positions {
        design.layout.entry(id).or_insert(pos);
    }
}
