//! The open document: the design, where it lives, its undo history and its diagnostics.
//!
//! Every change goes through [`Document::apply`] (or undo/redo), which keeps the history, the
//! dirty flag and the live validation in step. The document knows nothing about egui.

use std::path::{Path, PathBuf};

use edgewire_engine::Design;
use edgewire_engine::edit::{Edit, EditError, History};
use edgewire_engine::format::{self, FileError};
use edgewire_engine::validate::{self, Diagnostics};

/// How many undo steps are kept. The history is never saved.
pub const HISTORY_LIMIT: usize = 200;

/// One open design.
pub struct Document {
    pub design: Design,
    /// The file it was loaded from or saved to; `None` for a new design or an example.
    pub path: Option<PathBuf>,
    /// What the file holds (or the design as opened), to tell whether there are unsaved changes.
    saved: Design,
    dirty: bool,
    history: History,
    diagnostics: Diagnostics,
    /// Edits with the same key in a row are one undo step (a text field being typed into).
    coalesce: Option<u64>,
    /// Increases on every change, so views can cache what they derive from the design.
    revision: u64,
}

impl Document {
    pub fn new(design: Design, path: Option<PathBuf>) -> Self {
        let diagnostics = validate::validate(&design);
        Self {
            saved: design.clone(),
            design,
            path,
            dirty: false,
            history: History::new(HISTORY_LIMIT),
            diagnostics,
            coalesce: None,
            revision: 0,
        }
    }

    /// Open a design file.
    pub fn open(path: &Path) -> Result<Self, FileError> {
        let design = format::load(path)?;
        Ok(Self::new(design, Some(path.to_owned())))
    }

    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn can_undo(&self) -> bool {
        self.history.can_undo()
    }

    pub fn can_redo(&self) -> bool {
        self.history.can_redo()
    }

    /// Apply an edit as one undo step. With a `coalesce` key equal to the previous edit's, the
    /// edit joins that step instead (one text edit, however many keystrokes).
    pub fn apply(&mut self, edit: &Edit, coalesce: Option<u64>) -> Result<(), EditError> {
        let joins = coalesce.is_some() && coalesce == self.coalesce;
        if joins {
            self.design.apply(edit)?;
        } else {
            self.history.apply(&mut self.design, edit)?;
        }
        self.coalesce = coalesce;
        self.changed();
        Ok(())
    }

    /// End the current coalesced step: the next edit starts a new undo step.
    pub fn end_coalescing(&mut self) {
        self.coalesce = None;
    }

    /// The key of the step edits currently join, if any.
    pub fn coalescing(&self) -> Option<u64> {
        self.coalesce
    }

    pub fn undo(&mut self) -> bool {
        self.travel(History::undo)
    }

    pub fn redo(&mut self) -> bool {
        self.travel(History::redo)
    }

    /// One step back or forward in the history; whether the design changed.
    fn travel(&mut self, step: fn(&mut History, &mut Design) -> bool) -> bool {
        self.coalesce = None;
        let changed = step(&mut self.history, &mut self.design);
        if changed {
            self.changed();
        }
        changed
    }

    /// Save to `path` (canonical and atomic) and remember it as the document's file.
    pub fn save_as(&mut self, path: &Path) -> Result<(), FileError> {
        format::save(path, &self.design)?;
        self.path = Some(path.to_owned());
        self.saved = self.design.clone();
        self.dirty = false;
        self.revision += 1;
        Ok(())
    }

    /// Replace the design wholesale as one undo step (revert keeps it undoable).
    pub fn replace(&mut self, design: Design) {
        if design == self.design {
            return;
        }
        let before = std::mem::replace(&mut self.design, design);
        self.history.push(before);
        self.coalesce = None;
        self.changed();
    }

    /// Treat the current design as what is on disk (after a revert or a recovery).
    pub fn mark_saved(&mut self) {
        self.saved = self.design.clone();
        self.dirty = false;
    }

    /// Treat the current design as unsaved (a restored recovery file).
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// The name shown in the title bar and the status bar.
    pub fn display_name(&self) -> String {
        match &self.path {
            Some(path) => path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            None => self.design.name.clone(),
        }
    }

    fn changed(&mut self) {
        self.dirty = self.design != self.saved;
        self.diagnostics = validate::validate(&self.design);
        self.revision += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgewire_engine::{Kind, Node, Pos};

    fn add(id: &str) -> Edit {
        Edit::AddNode {
            node: Node::new(id, Kind::Kv.default_node_kind()),
            pos: Pos::new(0.0, 0.0),
        }
    }

    #[test]
    fn coalesced_edits_are_one_undo_step() {
        let mut doc = Document::new(Design::new("t"), None);
        for name in ["a", "ab", "abc"] {
            let edit = Edit::SetName { name: name.into() };
            doc.apply(&edit, Some(7)).expect("applies");
        }
        assert_eq!(doc.design.name, "abc");
        assert!(doc.is_dirty());
        assert!(doc.undo());
        assert_eq!(doc.design.name, "t");
        assert!(!doc.is_dirty());
        assert!(!doc.can_undo());
    }

    #[test]
    fn separate_edits_are_separate_steps() {
        let mut doc = Document::new(Design::new("t"), None);
        doc.apply(&add("a"), None).expect("applies");
        doc.apply(&add("b"), None).expect("applies");
        assert!(doc.undo());
        assert_eq!(doc.design.nodes.len(), 1);
        assert!(doc.redo());
        assert_eq!(doc.design.nodes.len(), 2);
    }

    #[test]
    fn saving_clears_dirty_and_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("d.ron");
        let mut doc = Document::new(Design::new("t"), None);
        doc.apply(&add("a"), None).expect("applies");
        doc.save_as(&path).expect("saves");
        assert!(!doc.is_dirty());
        let reopened = Document::open(&path).expect("opens");
        assert_eq!(reopened.design, doc.design);
    }
}
