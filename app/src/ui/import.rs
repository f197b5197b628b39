//! `edgewire import wrangler` and File > Import Wrangler project…: the engine's import, then
//! the canvas's tidy-up for the nodes that have no place yet.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use edgewire_engine::edit::Edit;
use edgewire_engine::import::wrangler::{self, ImportError, Imported, Options};
use edgewire_engine::{Design, NodeId, Pos};

use crate::ui::canvas::card;
use crate::ui::ops;
use crate::ui::theme::size;

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
    let fresh = imported.design.layout.is_empty();
    lay_out(&mut imported.design);
    if fresh {
        notes_beside(&mut imported.design, &imported.summary.beside);
    }
    Ok(imported)
}

/// Move each Note under the Worker it belongs to (the tidy-up puts notes in a column of
/// their own), pushing what is below the Worker in its column further down.
fn notes_beside(design: &mut Design, beside: &BTreeMap<NodeId, NodeId>) {
    for (note, worker) in beside {
        let (Some(worker_node), Some(note_node)) = (design.node(worker), design.node(note)) else {
            continue;
        };
        let Some(&at) = design.layout.get(worker) else {
            continue;
        };
        let below = at.y + card::size(worker_node).y + size::LAYOUT_ROW_GAP;
        let shift = card::size(note_node).y + size::LAYOUT_ROW_GAP;
        for (id, pos) in &mut design.layout {
            if id != note && (pos.x - at.x).abs() < 1.0 && pos.y >= below - 1.0 {
                pos.y = ops::snap(pos.y + shift);
            }
        }
        design
            .layout
            .insert(note.clone(), Pos::new(at.x, ops::snap(below)));
    }
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
