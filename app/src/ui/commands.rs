//! Commands: the one list that drives the menus, the keyboard shortcuts and the command
//! palette, and the messages panels push for the app to apply after drawing.

use std::path::PathBuf;

use edgewire_engine::edit::Edit;
use edgewire_engine::{Kind, NodeId, Pos};
use eframe::egui::{Key, KeyboardShortcut, Modifiers};

use super::theme::ThemeChoice;

/// A command a user can run by name, from a menu, a shortcut or the command palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UiCommand {
    New,
    Open,
    Save,
    SaveAs,
    Revert,
    ExportProject,
    ExportSvg,
    ExportPng,
    ExportOpenApi,
    ImportOpenApi,
    ImportWrangler,
    CopyMermaid,
    Quit,
    Undo,
    Redo,
    Cut,
    Copy,
    Paste,
    Duplicate,
    Delete,
    SelectAll,
    TidyUp,
    FixAll,
    QuickFix,
    /// Recipes on the selected node (also in its context menu).
    AddCrudRoutes,
    CacheAside,
    JwtGateway,
    ReadReplication,
    ZoomIn,
    ZoomOut,
    ZoomToFit,
    ZoomReset,
    ToggleGrid,
    ToggleMinimap,
    CommandPalette,
    ThemeSystem,
    ThemeDark,
    ThemeLight,
    ShowProblems,
    ShowSimulation,
    RunToggle,
    /// Presentation mode (F11).
    Present,
    /// Add a node of this kind (one command per kind of the registry).
    Add(Kind),
}

const CTRL: Modifiers = Modifiers::COMMAND;
const CTRL_SHIFT: Modifiers = Modifiers {
    shift: true,
    ..Modifiers::COMMAND
};

/// The commands that are not one per node kind, in menu order.
const FIXED: [UiCommand; 42] = [
    UiCommand::New,
    UiCommand::Open,
    UiCommand::Save,
    UiCommand::SaveAs,
    UiCommand::Revert,
    UiCommand::ExportProject,
    UiCommand::ExportSvg,
    UiCommand::ExportPng,
    UiCommand::ExportOpenApi,
    UiCommand::ImportOpenApi,
    UiCommand::ImportWrangler,
    UiCommand::CopyMermaid,
    UiCommand::Quit,
    UiCommand::Undo,
    UiCommand::Redo,
    UiCommand::Cut,
    UiCommand::Copy,
    UiCommand::Paste,
    UiCommand::Duplicate,
    UiCommand::Delete,
    UiCommand::SelectAll,
    UiCommand::TidyUp,
    UiCommand::FixAll,
    UiCommand::QuickFix,
    UiCommand::AddCrudRoutes,
    UiCommand::CacheAside,
    UiCommand::JwtGateway,
    UiCommand::ReadReplication,
    UiCommand::ZoomIn,
    UiCommand::ZoomOut,
    UiCommand::ZoomToFit,
    UiCommand::ZoomReset,
    UiCommand::ToggleGrid,
    UiCommand::ToggleMinimap,
    UiCommand::CommandPalette,
    UiCommand::ThemeSystem,
    UiCommand::ThemeDark,
    UiCommand::ThemeLight,
    UiCommand::ShowProblems,
    UiCommand::ShowSimulation,
    UiCommand::RunToggle,
    UiCommand::Present,
];

impl UiCommand {
    /// Every command, in menu order: the fixed ones, then one "Add …" per node kind.
    pub const ALL: [UiCommand; FIXED.len() + Kind::ALL.len()] = {
        let mut all = [UiCommand::New; FIXED.len() + Kind::ALL.len()];
        let mut i = 0;
        while i < FIXED.len() {
            all[i] = FIXED[i];
            i += 1;
        }
        let mut k = 0;
        while k < Kind::ALL.len() {
            all[FIXED.len() + k] = UiCommand::Add(Kind::ALL[k]);
            k += 1;
        }
        all
    };

    /// The name shown in menus and the palette.
    pub fn name(self) -> String {
        match self {
            UiCommand::Add(kind) => format!("Add {}", kind.label()),
            other => other.fixed_name().to_owned(),
        }
    }

    fn fixed_name(self) -> &'static str {
        match self {
            UiCommand::New => "New design",
            UiCommand::Open => "Open…",
            UiCommand::Save => "Save",
            UiCommand::SaveAs => "Save as…",
            UiCommand::ExportProject => "Export Wrangler project…",
            UiCommand::ExportSvg => "Export diagram as SVG…",
            UiCommand::ExportPng => "Export diagram as PNG…",
            UiCommand::ExportOpenApi => "Export OpenAPI…",
            UiCommand::ImportOpenApi => "Import OpenAPI…",
            UiCommand::ImportWrangler => "Import Wrangler project…",
            UiCommand::CopyMermaid => "Copy diagram as Mermaid",
            UiCommand::Revert => "Revert to saved",
            UiCommand::Quit => "Quit",
            UiCommand::Undo => "Undo",
            UiCommand::Redo => "Redo",
            UiCommand::Cut => "Cut",
            UiCommand::Copy => "Copy",
            UiCommand::Paste => "Paste",
            UiCommand::Duplicate => "Duplicate",
            UiCommand::Delete => "Delete",
            UiCommand::SelectAll => "Select all",
            UiCommand::TidyUp => "Tidy up (auto-layout)",
            UiCommand::FixAll => "Fix all safe problems",
            UiCommand::QuickFix => "Quick fixes for the selection…",
            UiCommand::AddCrudRoutes => "Add CRUD routes over the selected database…",
            UiCommand::CacheAside => "Cache the selected Worker's reads in KV (cache-aside)",
            UiCommand::JwtGateway => "Switch the gateway to JWT authentication",
            UiCommand::ReadReplication => "Turn on read replication for the selected D1",
            UiCommand::ZoomIn => "Zoom in",
            UiCommand::ZoomOut => "Zoom out",
            UiCommand::ZoomToFit => "Zoom to fit",
            UiCommand::ZoomReset => "Zoom to 100%",
            UiCommand::ToggleGrid => "Show grid and snap",
            UiCommand::ToggleMinimap => "Show minimap",
            UiCommand::CommandPalette => "Command palette…",
            UiCommand::ThemeSystem => "Theme: follow system",
            UiCommand::ThemeDark => "Theme: dark",
            UiCommand::ThemeLight => "Theme: light",
            UiCommand::ShowProblems => "Show problems",
            UiCommand::ShowSimulation => "Show simulation",
            UiCommand::RunToggle => "Run / stop the design locally",
            UiCommand::Present => "Present (full screen, replay a request hop by hop)",
            UiCommand::Add(_) => "",
        }
    }

    /// The main keyboard shortcut.
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        let key = |modifiers, key| Some(KeyboardShortcut::new(modifiers, key));
        match self {
            UiCommand::New => key(CTRL, Key::N),
            UiCommand::Open => key(CTRL, Key::O),
            UiCommand::Save => key(CTRL, Key::S),
            UiCommand::SaveAs => key(CTRL_SHIFT, Key::S),
            UiCommand::Quit => key(CTRL, Key::Q),
            UiCommand::Undo => key(CTRL, Key::Z),
            UiCommand::Redo => key(CTRL_SHIFT, Key::Z),
            UiCommand::Cut => key(CTRL, Key::X),
            UiCommand::Copy => key(CTRL, Key::C),
            UiCommand::Paste => key(CTRL, Key::V),
            UiCommand::Duplicate => key(CTRL, Key::D),
            UiCommand::Delete => key(Modifiers::NONE, Key::Delete),
            UiCommand::SelectAll => key(CTRL, Key::A),
            UiCommand::TidyUp => key(CTRL_SHIFT, Key::L),
            UiCommand::ZoomIn => key(CTRL, Key::Equals),
            UiCommand::ZoomOut => key(CTRL, Key::Minus),
            UiCommand::ZoomToFit => key(Modifiers::SHIFT, Key::Num1),
            UiCommand::ZoomReset => key(CTRL, Key::Num0),
            UiCommand::CommandPalette => key(CTRL, Key::K),
            UiCommand::QuickFix => key(CTRL, Key::Period),
            UiCommand::RunToggle => key(Modifiers::NONE, Key::F5),
            UiCommand::Present => key(Modifiers::NONE, Key::F11),
            _ => None,
        }
    }

    /// Other shortcuts that run the same command.
    pub fn alternate_shortcuts(self) -> &'static [KeyboardShortcut] {
        const REDO: [KeyboardShortcut; 1] = [KeyboardShortcut::new(CTRL, Key::Y)];
        const PALETTE: [KeyboardShortcut; 1] = [KeyboardShortcut::new(CTRL_SHIFT, Key::P)];
        const DELETE: [KeyboardShortcut; 1] =
            [KeyboardShortcut::new(Modifiers::NONE, Key::Backspace)];
        const ZOOM_IN: [KeyboardShortcut; 1] = [KeyboardShortcut::new(CTRL, Key::Plus)];
        match self {
            UiCommand::Redo => &REDO,
            UiCommand::CommandPalette => &PALETTE,
            UiCommand::Delete => &DELETE,
            UiCommand::ZoomIn => &ZOOM_IN,
            _ => &[],
        }
    }

    /// Clipboard commands arrive as copy/cut/paste events, not as key presses.
    pub fn is_clipboard(self) -> bool {
        matches!(self, UiCommand::Cut | UiCommand::Copy | UiCommand::Paste)
    }

    /// Commands that act on the canvas and must not fire while a text field has focus.
    pub fn is_canvas_only(self) -> bool {
        matches!(
            self,
            UiCommand::Delete
                | UiCommand::SelectAll
                | UiCommand::Duplicate
                | UiCommand::Undo
                | UiCommand::Redo
        ) || self.is_clipboard()
    }

    /// The node kind an "Add …" command adds.
    pub fn adds(self) -> Option<Kind> {
        match self {
            UiCommand::Add(kind) => Some(kind),
            _ => None,
        }
    }
}

/// What is selected on the canvas. View state, never saved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub nodes: std::collections::BTreeSet<NodeId>,
    /// A selected wire, by its ends.
    pub wire: Option<(NodeId, NodeId)>,
}

impl Selection {
    pub fn node(id: impl Into<NodeId>) -> Self {
        Self {
            nodes: std::iter::once(id.into()).collect(),
            wire: None,
        }
    }

    pub fn wire(from: impl Into<NodeId>, to: impl Into<NodeId>) -> Self {
        Self {
            nodes: std::collections::BTreeSet::new(),
            wire: Some((from.into(), to.into())),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.wire.is_none()
    }

    /// The one selected node, when exactly one is.
    pub fn single(&self) -> Option<&NodeId> {
        if self.nodes.len() == 1 && self.wire.is_none() {
            self.nodes.iter().next()
        } else {
            None
        }
    }
}

/// Something a panel asks the app to do; applied after the frame is drawn.
// A handful of commands exist per frame; boxing the edit would only add noise at every use.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Command {
    Ui(UiCommand),
    /// Change the design. Edits with the same `coalesce` key in a row are one undo step.
    Edit {
        edit: Edit,
        coalesce: Option<u64>,
    },
    Select(Selection),
    /// Select a node and centre the view on it.
    Reveal(NodeId),
    /// Add a node of a kind at a canvas position (the view's centre when `None`).
    AddNode {
        kind: Kind,
        pos: Option<Pos>,
    },
    /// Wire two nodes, naming the binding sensibly.
    Connect {
        from: NodeId,
        to: NodeId,
    },
    /// Open a design file (asking about unsaved changes first).
    OpenPath(PathBuf),
    /// Import a Workers project: a folder, or a wrangler configuration file.
    ImportWranglerPath(PathBuf),
    /// Open an embedded example.
    OpenExample(usize),
    /// Paste design text at a canvas position.
    PasteText {
        text: String,
        at: Option<Pos>,
    },
    SetTheme(ThemeChoice),
    /// Open "Add CRUD routes…" on a D1 database.
    OpenCrud(NodeId),
    /// Apply what a generator or recipe made (one undo step), declare its secrets in the
    /// `.dev.vars` beside the design, and say what it did.
    Generated {
        edit: Edit,
        summary: String,
        secrets: std::collections::BTreeMap<String, String>,
    },
    /// Tell the user something in the status bar.
    Notify(String),
    /// Give a node a fault in the local run, or clear it (`None`).
    SetFault {
        node: NodeId,
        fault: Option<edgewire_engine::runtime::Fault>,
    },
}

impl From<UiCommand> for Command {
    fn from(command: UiCommand) -> Self {
        Command::Ui(command)
    }
}

/// The commands pushed during one frame.
#[derive(Default)]
pub struct CommandQueue {
    commands: Vec<Command>,
}

impl CommandQueue {
    pub fn push(&mut self, command: impl Into<Command>) {
        self.commands.push(command.into());
    }

    pub fn take(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.commands)
    }
}

/// Score how well `query` matches `text` for the command palette: every query word must be a
/// case-insensitive substring; earlier matches score higher. `None` when it does not match.
pub fn fuzzy_score(query: &str, text: &str) -> Option<usize> {
    let text = text.to_lowercase();
    let mut score = 0;
    for word in query.split_whitespace() {
        let at = text.find(&word.to_lowercase())?;
        score += 100usize.saturating_sub(at);
    }
    Some(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_unique_name_and_shortcut() {
        let mut names: Vec<_> = UiCommand::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), UiCommand::ALL.len());
        let mut keys: Vec<_> = UiCommand::ALL
            .iter()
            .filter_map(|c| c.shortcut())
            .map(|s| format!("{s:?}"))
            .collect();
        let count = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), count);
    }

    #[test]
    fn palette_matching_finds_words_in_any_order() {
        assert!(fuzzy_score("zoom fit", "Zoom to fit").is_some());
        assert!(fuzzy_score("fit zoom", "Zoom to fit").is_some());
        assert!(fuzzy_score("kv", "Add KV namespace").is_some());
        assert!(fuzzy_score("xyz", "Zoom to fit").is_none());
    }
}
