//! The application: panels, menus, dialogs, and the one place commands are applied.
//!
//! Each frame the panels read the document and push [`Command`]s; after drawing, the app
//! applies them in order ([`EdgewireApp::run`]). Only the app changes the document.

use std::path::{Path, PathBuf};

use edgewire_engine::edit::Edit;
use edgewire_engine::format::{self, FileError};
use edgewire_engine::validate::Severity;
use edgewire_engine::{Design, Kind, Pos};
use eframe::egui::{self, Key, KeyboardShortcut, RichText, ViewportCommand};

use super::bottom::{self, BottomTab};
use super::canvas::{CanvasState, command_button};
use super::commands::{Command, CommandQueue, Selection, UiCommand, fuzzy_score};
use super::document::Document;
use super::examples::{self, EXAMPLES};
use super::files::{self, FileDialogs, Recovered, Recovery};
use super::inspector::{self, InspectorState};
use super::ops;
use super::palette;
use super::run::{self, RunAction, RunState};
use super::simulation::SimulationState;
use super::theme::{self, Palette, ThemeChoice, severity_icon};

/// How often unsaved changes are written to the recovery file.
pub const AUTOSAVE_SECS: f64 = 5.0;

const SETTINGS_KEY: &str = "edgewire.settings";

/// How the app is started.
pub struct AppOptions {
    /// A design file to open instead of the reference example.
    pub file: Option<PathBuf>,
    pub dialogs: Box<dyn FileDialogs>,
    /// Where the crash-recovery file lives; `None` turns autosave off.
    pub recovery_dir: Option<PathBuf>,
    /// The async runtime later Run features use.
    pub runtime: Option<tokio::runtime::Handle>,
    /// Read settings (theme, recent files) from eframe's storage.
    pub use_storage: bool,
    /// Start with this theme whatever the settings say.
    pub theme: Option<ThemeChoice>,
    /// Set when the process is asked to stop (SIGINT, SIGTERM, SIGHUP): unsaved changes go
    /// to the recovery file and the app closes, stopping a running design.
    pub stop: Option<StopSignal>,
}

/// Whether the app listens for a [`StopSignal`], or is closing because of one (unsaved
/// changes then stay in the recovery file).
#[derive(Debug)]
enum Stop {
    Off,
    Listening(StopSignal),
    Stopping,
}

/// A request from outside the window to close the app (a signal), seen at the next frame.
#[derive(Clone, Debug, Default)]
pub struct StopSignal(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl StopSignal {
    pub fn request(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn is_requested(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl AppOptions {
    /// Options for tests and benchmarks: scripted dialogs, no recovery file, no storage.
    pub fn headless() -> Self {
        Self {
            file: None,
            dialogs: Box::new(files::ScriptedDialogs::default()),
            recovery_dir: None,
            runtime: None,
            use_storage: false,
            theme: None,
            stop: None,
        }
    }
}

/// What is remembered between runs (besides window and panel sizes, which eframe keeps).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
struct Settings {
    theme: ThemeChoice,
    recent: Vec<PathBuf>,
    show_grid: bool,
    show_minimap: bool,
    bottom_tab: BottomTab,
    bottom_open: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: ThemeChoice::System,
            recent: Vec::new(),
            show_grid: true,
            show_minimap: true,
            bottom_tab: BottomTab::Problems,
            bottom_open: true,
        }
    }
}

/// Something waiting for the user to decide about unsaved changes.
#[derive(Clone, Debug)]
enum Pending {
    New,
    OpenDialog,
    Open(PathBuf),
    OpenExample(usize),
    Revert,
    Quit,
}

enum Modal {
    /// A file could not be opened; the current design is untouched.
    LoadError {
        file: String,
        location: Option<String>,
        message: String,
        help: Option<String>,
    },
    /// Something went wrong (saving).
    Error(String),
    /// Unsaved changes would be lost.
    ConfirmDiscard(Pending),
    /// A previous run left unsaved changes.
    Restore(Recovered),
}

#[derive(Default)]
struct PaletteState {
    query: String,
    focused: bool,
    highlighted: usize,
}

/// The Edgewire desktop app.
pub struct EdgewireApp {
    doc: Document,
    selection: Selection,
    canvas: CanvasState,
    inspector: InspectorState,
    queue: CommandQueue,
    settings: Settings,
    dialogs: Box<dyn FileDialogs>,
    recovery: Option<Recovery>,
    recovery_written: bool,
    stop: Stop,
    last_autosave: f64,
    modal: Option<Modal>,
    command_palette: Option<PaletteState>,
    status: Option<String>,
    title: String,
    allow_close: bool,
    quit: bool,
    runtime: Option<tokio::runtime::Handle>,
    run: RunState,
    /// The trace whose nodes the canvas last brought into view.
    shown_trace: Option<String>,
    simulation: SimulationState,
}

impl EdgewireApp {
    pub fn new(cc: &eframe::CreationContext<'_>, options: AppOptions) -> Self {
        theme::install(&cc.egui_ctx);
        cc.egui_ctx.options_mut(|o| o.zoom_with_keyboard = false);
        let mut settings: Settings = if options.use_storage {
            cc.storage
                .and_then(|s| eframe::get_value(s, SETTINGS_KEY))
                .unwrap_or_default()
        } else {
            Settings::default()
        };
        if let Some(theme) = options.theme {
            settings.theme = theme;
        }
        if options.use_storage || options.theme.is_some() {
            cc.egui_ctx.set_theme(settings.theme.preference());
        }
        let mut app = Self {
            doc: reference_document(),
            selection: Selection::default(),
            canvas: CanvasState::default(),
            inspector: InspectorState::default(),
            queue: CommandQueue::default(),
            settings,
            dialogs: options.dialogs,
            recovery: options.recovery_dir.as_deref().map(Recovery::in_dir),
            recovery_written: false,
            stop: options.stop.map_or(Stop::Off, Stop::Listening),
            last_autosave: 0.0,
            modal: None,
            command_palette: None,
            status: None,
            title: String::new(),
            allow_close: false,
            quit: false,
            runtime: options.runtime,
            run: RunState::default(),
            shown_trace: None,
            simulation: SimulationState::default(),
        };
        app.canvas.show_grid = app.settings.show_grid;
        app.canvas.show_minimap = app.settings.show_minimap;
        if let Some(path) = options.file {
            app.open(&path);
        }
        if let Some(recovered) = app.recovery.as_ref().and_then(Recovery::read) {
            app.modal = Some(Modal::Restore(recovered));
        }
        app
    }

    // ---- Read access for tests, benchmarks and future panels ------------------------------

    pub fn document(&self) -> &Document {
        &self.doc
    }

    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    pub fn canvas(&self) -> &CanvasState {
        &self.canvas
    }

    pub fn canvas_mut(&mut self) -> &mut CanvasState {
        &mut self.canvas
    }

    /// The async runtime for Run features.
    pub fn runtime(&self) -> Option<&tokio::runtime::Handle> {
        self.runtime.as_ref()
    }

    /// The Run tab's state (engine, traces, console).
    pub fn run_state(&self) -> &RunState {
        &self.run
    }

    pub fn run_state_mut(&mut self) -> &mut RunState {
        &mut self.run
    }

    /// Start, stop or restart the engine on the open design. A design with errors does not
    /// start: the Problems tab opens and says why.
    fn run_action(&mut self, action: RunAction, ctx: &egui::Context) {
        let Some(runtime) = self.runtime.clone() else {
            self.status = Some("Run needs the async runtime".to_owned());
            return;
        };
        match action {
            RunAction::Stop => self.run.stop(&runtime, ctx),
            RunAction::Start | RunAction::Restart => {
                if action == RunAction::Restart {
                    self.run.stop(&runtime, ctx);
                    self.run.pending_start = true;
                    return;
                }
                let (errors, _) = bottom::counts(self.doc.diagnostics());
                if errors > 0 {
                    self.settings.bottom_open = true;
                    self.settings.bottom_tab = BottomTab::Problems;
                    self.run.refused = true;
                    self.status = Some(format!(
                        "Cannot run: the design has {errors} error{}; fix them first",
                        if errors == 1 { "" } else { "s" }
                    ));
                    return;
                }
                self.settings.bottom_open = true;
                self.settings.bottom_tab = BottomTab::Run;
                self.run.start(
                    &runtime,
                    ctx,
                    self.doc.design.clone(),
                    self.doc.path.as_deref(),
                    self.doc.revision(),
                );
            }
        }
    }

    /// Queue paths the scripted file dialogs answer with (tests only use this with
    /// [`files::ScriptedDialogs`]; native dialogs ignore it).
    pub fn set_dialogs(&mut self, dialogs: Box<dyn FileDialogs>) {
        self.dialogs = dialogs;
    }

    /// The text of the message dialog on screen, if any.
    pub fn dialog_text(&self) -> Option<String> {
        match &self.modal {
            Some(Modal::LoadError { message, .. } | Modal::Error(message)) => Some(message.clone()),
            Some(Modal::ConfirmDiscard(_)) => Some("unsaved changes".to_owned()),
            Some(Modal::Restore(_)) => Some("restore".to_owned()),
            None => None,
        }
    }

    /// Replace the document with a design (benchmarks, generated designs).
    pub fn set_design(&mut self, design: Design) {
        self.replace_document(Document::new(design, None));
    }

    /// Push a command as if a panel had (tests drive menus this way when no widget exists).
    pub fn push(&mut self, command: impl Into<Command>) {
        self.queue.push(command);
    }

    // ---- Commands ---------------------------------------------------------------------------

    fn enabled(&self, command: UiCommand) -> bool {
        match command {
            UiCommand::Undo => self.doc.can_undo(),
            UiCommand::Redo => self.doc.can_redo(),
            UiCommand::Revert => self.doc.path.is_some() && self.doc.is_dirty(),
            UiCommand::Cut | UiCommand::Copy | UiCommand::Duplicate => {
                !self.selection.nodes.is_empty()
            }
            UiCommand::Delete => !self.selection.is_empty(),
            UiCommand::SelectAll
            | UiCommand::TidyUp
            | UiCommand::ZoomToFit
            | UiCommand::ExportProject
            | UiCommand::ExportSvg
            | UiCommand::CopyMermaid => !self.doc.design.nodes.is_empty(),
            _ => true,
        }
    }

    /// Apply one command.
    pub fn run(&mut self, command: Command, ctx: &egui::Context) {
        match command {
            Command::Ui(command) => {
                if self.enabled(command) {
                    self.run_ui_command(command, ctx);
                }
            }
            Command::Edit { edit, coalesce } => {
                self.apply(&edit, coalesce);
            }
            Command::Select(selection) => self.selection = selection,
            Command::Reveal(id) => {
                self.selection = Selection::node(&id);
                self.canvas.reveal(&id);
            }
            Command::AddNode { kind, pos } => self.add_node(kind, pos),
            Command::Connect { from, to } => {
                let binding = ops::default_binding(&self.doc.design, &from, &to);
                let wire = edgewire_engine::Wire::new(&from, &to, &binding);
                if self.apply(&Edit::Connect { wire }, None) {
                    self.selection = Selection::wire(&from, &to);
                    self.status = Some(if binding.is_empty() {
                        format!("Wired {from} → {to}")
                    } else {
                        format!(
                            "Wired {from} → {to} as {binding}; rename the binding in the inspector"
                        )
                    });
                }
            }
            Command::OpenPath(path) => self.guard(Pending::Open(path)),
            Command::OpenExample(index) => self.guard(Pending::OpenExample(index)),
            Command::PasteText { text, at } => self.paste(&text, at),
            Command::SetTheme(choice) => {
                self.settings.theme = choice;
                ctx.set_theme(choice.preference());
            }
            Command::Notify(message) => self.status = Some(message),
        }
        self.prune_selection();
    }

    fn run_ui_command(&mut self, command: UiCommand, ctx: &egui::Context) {
        match command {
            UiCommand::New => self.guard(Pending::New),
            UiCommand::Open => self.guard(Pending::OpenDialog),
            UiCommand::Save => {
                self.save();
            }
            UiCommand::SaveAs => {
                self.save_as();
            }
            UiCommand::Revert => self.modal = Some(Modal::ConfirmDiscard(Pending::Revert)),
            UiCommand::ExportProject => self.export_project(),
            UiCommand::ExportSvg => self.export_svg(),
            UiCommand::CopyMermaid => {
                ctx.copy_text(edgewire_engine::diagram::mermaid(&self.doc.design));
                self.status =
                    Some("Copied the diagram as Mermaid: paste it into a ```mermaid block".into());
            }
            UiCommand::Quit => self.guard(Pending::Quit),
            UiCommand::Undo => {
                if self.doc.undo() {
                    self.status = Some("Undone".into());
                }
            }
            UiCommand::Redo => {
                if self.doc.redo() {
                    self.status = Some("Redone".into());
                }
            }
            UiCommand::Copy => self.copy(ctx),
            UiCommand::Cut => {
                self.copy(ctx);
                self.delete_selection();
            }
            UiCommand::Paste => {
                // The paste itself arrives as a paste event carrying the clipboard text.
                ctx.send_viewport_cmd(ViewportCommand::RequestPaste);
            }
            UiCommand::Duplicate => {
                let text = ops::selection_text(&self.doc.design, &self.selection.nodes);
                self.paste(&text, None);
            }
            UiCommand::Delete => self.delete_selection(),
            UiCommand::SelectAll => {
                self.selection = Selection {
                    nodes: self.doc.design.nodes.iter().map(|n| n.id.clone()).collect(),
                    wire: None,
                };
            }
            UiCommand::TidyUp => {
                let edit = ops::tidy_up(&self.doc.design);
                if self.apply(&edit, None) {
                    self.canvas.request_fit();
                }
            }
            UiCommand::ZoomIn => self.canvas.zoom_by(1.25, self.canvas.rect.center()),
            UiCommand::ZoomOut => self.canvas.zoom_by(0.8, self.canvas.rect.center()),
            UiCommand::ZoomToFit => self.canvas.request_fit(),
            UiCommand::ZoomReset => self.canvas.set_zoom(1.0),
            UiCommand::ToggleGrid => {
                self.canvas.show_grid = !self.canvas.show_grid;
                self.settings.show_grid = self.canvas.show_grid;
            }
            UiCommand::ToggleMinimap => {
                self.canvas.show_minimap = !self.canvas.show_minimap;
                self.settings.show_minimap = self.canvas.show_minimap;
            }
            UiCommand::CommandPalette => self.command_palette = Some(PaletteState::default()),
            UiCommand::ThemeSystem => self.run(Command::SetTheme(ThemeChoice::System), ctx),
            UiCommand::ThemeDark => self.run(Command::SetTheme(ThemeChoice::Dark), ctx),
            UiCommand::ThemeLight => self.run(Command::SetTheme(ThemeChoice::Light), ctx),
            UiCommand::RunToggle => {
                let action = if self.run.is_running() {
                    RunAction::Stop
                } else {
                    RunAction::Start
                };
                self.run_action(action, ctx);
            }
            UiCommand::ShowSimulation => {
                self.settings.bottom_open = true;
                self.settings.bottom_tab = BottomTab::Simulation;
            }
            UiCommand::ShowProblems => {
                self.settings.bottom_open = true;
                self.settings.bottom_tab = BottomTab::Problems;
            }
            UiCommand::Add(kind) => self.add_node(kind, None),
        }
    }

    /// Apply an edit; returns whether it applied.
    fn apply(&mut self, edit: &Edit, coalesce: Option<u64>) -> bool {
        match self.doc.apply(edit, coalesce) {
            Ok(()) => {
                if let Edit::RenameNode { from, to } = edit
                    && self.selection.nodes.remove(from)
                {
                    self.selection.nodes.insert(to.clone());
                }
                true
            }
            Err(err) => {
                self.status = Some(format!("Not changed: {err}"));
                false
            }
        }
    }

    fn add_node(&mut self, kind: Kind, pos: Option<Pos>) {
        let id = self.doc.design.unique_id(kind.id_base());
        let pos = pos.unwrap_or_else(|| {
            let c = self.canvas.center();
            // Cascade nodes added with the keyboard so they do not pile up.
            let n = (self.doc.design.nodes.len() % 5) as f32;
            Pos::new(c.x - 100.0 + n * 20.0, c.y - 40.0 + n * 20.0)
        });
        let pos = Pos::new(ops::snap(pos.x), ops::snap(pos.y));
        let node = edgewire_engine::Node::new(&id, kind.default_node_kind());
        if self.apply(&Edit::AddNode { node, pos }, None) {
            self.selection = Selection::node(&id);
            self.status = Some(format!("Added {} {id}", kind.label()));
        }
    }

    fn copy(&mut self, ctx: &egui::Context) {
        if self.selection.nodes.is_empty() {
            return;
        }
        let text = ops::selection_text(&self.doc.design, &self.selection.nodes);
        ctx.copy_text(text);
        self.status = Some(format!(
            "Copied {} node(s) as design text",
            self.selection.nodes.len()
        ));
    }

    fn paste(&mut self, text: &str, at: Option<Pos>) {
        match ops::paste_edit(&self.doc.design, text, at) {
            Ok((edit, ids)) => {
                if self.apply(&edit, None) {
                    self.status = Some(format!("Pasted {} node(s)", ids.len()));
                    self.selection = Selection {
                        nodes: ids.into_iter().collect(),
                        wire: None,
                    };
                }
            }
            Err(err) => self.status = Some(err),
        }
    }

    fn delete_selection(&mut self) {
        if let Some(edit) = ops::delete_edit(&self.selection.nodes, self.selection.wire.as_ref())
            && self.apply(&edit, None)
        {
            self.selection = Selection::default();
        }
    }

    fn prune_selection(&mut self) {
        let design = &self.doc.design;
        self.selection.nodes.retain(|id| design.contains(id));
        if let Some((from, to)) = &self.selection.wire
            && !design.wires.iter().any(|w| w.from == *from && w.to == *to)
        {
            self.selection.wire = None;
        }
    }

    // ---- Files ------------------------------------------------------------------------------

    /// Run `pending` now, or ask first when there are unsaved changes.
    fn guard(&mut self, pending: Pending) {
        if self.doc.is_dirty() && !matches!(pending, Pending::Quit if self.allow_close) {
            self.modal = Some(Modal::ConfirmDiscard(pending));
        } else {
            self.perform(pending);
        }
    }

    fn perform(&mut self, pending: Pending) {
        match pending {
            Pending::New => {
                self.replace_document(Document::new(Design::new("Untitled design"), None));
            }
            Pending::OpenDialog => {
                if let Some(path) = self.dialogs.open() {
                    self.open(&path);
                }
            }
            Pending::Open(path) => self.open(&path),
            Pending::OpenExample(index) => {
                if let Some(example) = EXAMPLES.get(index) {
                    match format::parse(example.text) {
                        Ok(design) => self.replace_document(Document::new(design, None)),
                        Err(err) => self.modal = Some(Modal::Error(err.to_string())),
                    }
                }
            }
            Pending::Revert => {
                if let Some(path) = self.doc.path.clone() {
                    self.open(&path);
                }
            }
            Pending::Quit => {
                self.allow_close = true;
                self.quit = true;
            }
        }
    }

    /// Open a design file. On failure the current design stays as it is and a dialog says
    /// what is wrong and where.
    pub fn open(&mut self, path: &Path) {
        match Document::open(path) {
            Ok(doc) => {
                files::remember_recent(&mut self.settings.recent, path);
                self.replace_document(doc);
                self.status = Some(format!("Opened {}", path.display()));
            }
            Err(FileError::Load(err)) => {
                self.modal = Some(Modal::LoadError {
                    file: path.display().to_string(),
                    location: err
                        .location
                        .map(|l| format!("line {}, column {}", l.line, l.column)),
                    message: err.message,
                    help: err.help,
                });
            }
            Err(err) => {
                self.modal = Some(Modal::LoadError {
                    file: path.display().to_string(),
                    location: None,
                    message: err.to_string(),
                    help: None,
                });
            }
        }
    }

    fn replace_document(&mut self, doc: Document) {
        self.doc = doc;
        self.selection = Selection::default();
        self.canvas.reset_interaction();
        self.canvas.request_fit();
        self.inspector = InspectorState::default();
        self.clear_recovery();
    }

    /// Save to the document's file, or ask where. Returns whether it was saved.
    fn save(&mut self) -> bool {
        match self.doc.path.clone() {
            Some(path) => self.save_to(&path),
            None => self.save_as(),
        }
    }

    fn save_as(&mut self) -> bool {
        let suggested = format!("{}.ron", ops::slug(&self.doc.design.name));
        match self.dialogs.save(&suggested) {
            Some(mut path) => {
                if path.extension().is_none() {
                    path.set_extension("ron");
                }
                self.save_to(&path)
            }
            None => false,
        }
    }

    /// Export the design as a Wrangler project into a folder the user picks. Only into an
    /// empty or new folder: nothing of the user's is ever overwritten.
    fn export_project(&mut self) {
        use edgewire_engine::export::{self, ExportError};
        let tree = match export::export(&self.doc.design) {
            Ok(tree) => tree,
            Err(ExportError::Invalid(diagnostics)) => {
                let errors = diagnostics.errors().count();
                self.queue.push(UiCommand::ShowProblems);
                self.modal = Some(Modal::Error(format!(
                    "Not exported: the design has {errors} error(s). The Problems list says \
                     what to fix."
                )));
                return;
            }
            Err(err) => {
                self.modal = Some(Modal::Error(format!("Not exported: {err}")));
                return;
            }
        };
        let Some(dir) = self.dialogs.export_folder() else {
            return;
        };
        match export::write_tree(&tree, &dir, false) {
            Ok(()) => {
                self.status = Some(format!(
                    "Exported {} files to {}; next: npm install, then npm run dev there",
                    tree.files.len(),
                    dir.display()
                ));
            }
            Err(ExportError::NotEmpty(_)) => {
                self.modal = Some(Modal::Error(format!(
                    "Not exported: {} is not empty. Choose an empty or a new folder; nothing \
                     was written.",
                    dir.display()
                )));
            }
            Err(err) => {
                self.modal = Some(Modal::Error(format!("Could not export: {err}")));
            }
        }
    }

    /// Save the design's picture as SVG where the user says.
    fn export_svg(&mut self) {
        let suggested = format!("{}.svg", ops::slug(&self.doc.design.name));
        let Some(mut path) = self.dialogs.save_svg(&suggested) else {
            return;
        };
        if path.extension().is_none() {
            path.set_extension("svg");
        }
        let svg = super::svg::design_svg(&self.doc.design);
        match edgewire_engine::format::write_atomic(&path, svg.as_bytes()) {
            Ok(()) => self.status = Some(format!("Saved the diagram to {}", path.display())),
            Err(err) => {
                self.modal = Some(Modal::Error(format!("Could not save the diagram: {err}")));
            }
        }
    }

    fn save_to(&mut self, path: &Path) -> bool {
        match self.doc.save_as(path) {
            Ok(()) => {
                files::remember_recent(&mut self.settings.recent, path);
                self.clear_recovery();
                self.status = Some(format!("Saved {}", path.display()));
                true
            }
            Err(err) => {
                self.modal = Some(Modal::Error(format!("Could not save: {err}")));
                false
            }
        }
    }

    fn clear_recovery(&mut self) {
        if self.recovery_written
            && let Some(recovery) = &self.recovery
        {
            recovery.clear();
        }
        self.recovery_written = false;
    }

    /// Close at once when a [`StopSignal`] came: unsaved changes are written to the recovery
    /// file first (offered again at the next start), and [`eframe::App::on_exit`] stops a
    /// running design and its private PostgreSQL.
    fn stop_if_asked(&mut self, ctx: &egui::Context) {
        if !matches!(&self.stop, Stop::Listening(signal) if signal.is_requested()) {
            return;
        }
        self.stop = Stop::Stopping;
        if self.doc.is_dirty()
            && let Some(recovery) = &self.recovery
        {
            match recovery.write(self.doc.path.as_deref(), &self.doc.design) {
                Ok(()) => self.recovery_written = true,
                Err(err) => tracing::error!("could not keep unsaved changes: {err}"),
            }
        }
        self.allow_close = true;
        self.modal = None;
        ctx.send_viewport_cmd(ViewportCommand::Close);
    }

    /// Whether the app is closing because of a [`StopSignal`].
    pub fn is_stopping(&self) -> bool {
        matches!(self.stop, Stop::Stopping)
    }

    fn autosave(&mut self, ctx: &egui::Context) {
        let Some(recovery) = &self.recovery else {
            return;
        };
        if !self.doc.is_dirty() {
            if self.recovery_written {
                recovery.clear();
                self.recovery_written = false;
            }
            return;
        }
        let now = ctx.input(|i| i.time);
        if now - self.last_autosave >= AUTOSAVE_SECS {
            match recovery.write(self.doc.path.as_deref(), &self.doc.design) {
                Ok(()) => self.recovery_written = true,
                Err(err) => tracing::warn!("autosave failed: {err}"),
            }
            self.last_autosave = now;
        }
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(AUTOSAVE_SECS));
    }

    // ---- Input ------------------------------------------------------------------------------

    fn handle_input(&mut self, ctx: &egui::Context) {
        if self.modal.is_some() || self.command_palette.is_some() {
            return;
        }
        let typing = ctx.egui_wants_keyboard_input();
        let mut shortcuts: Vec<(KeyboardShortcut, UiCommand)> = UiCommand::ALL
            .iter()
            .filter(|c| !c.is_clipboard() && (!typing || !c.is_canvas_only()))
            .flat_map(|c| {
                c.shortcut()
                    .into_iter()
                    .chain(c.alternate_shortcuts().iter().copied())
                    .map(move |s| (s, *c))
            })
            .collect();
        // Most specific first: Ctrl+Shift+S must not run Save.
        shortcuts.sort_by_key(|(s, _)| {
            std::cmp::Reverse(u8::from(s.modifiers.shift) + u8::from(s.modifiers.alt))
        });
        for (shortcut, command) in shortcuts {
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.queue.push(command);
            }
        }
        if !typing {
            let events = ctx.input(|i| i.events.clone());
            for event in events {
                match event {
                    egui::Event::Copy => self.queue.push(UiCommand::Copy),
                    egui::Event::Cut => self.queue.push(UiCommand::Cut),
                    egui::Event::Paste(text) => {
                        self.queue.push(Command::PasteText { text, at: None });
                    }
                    _ => {}
                }
            }
            if ctx.input(|i| i.key_pressed(Key::Escape)) {
                self.selection = Selection::default();
            }
        }
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        if let Some(path) = dropped.into_iter().next().map(|f| f.path().to_owned()) {
            self.queue.push(Command::OpenPath(path));
        }
        if ctx.input(|i| i.viewport().close_requested()) && self.doc.is_dirty() && !self.allow_close
        {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
            self.modal = Some(Modal::ConfirmDiscard(Pending::Quit));
        }
    }

    // ---- Panels -----------------------------------------------------------------------------

    fn menu_ui(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                self.menu_item(ui, UiCommand::New);
                self.menu_item(ui, UiCommand::Open);
                ui.menu_button("Open example", |ui| {
                    for (index, example) in EXAMPLES.iter().enumerate() {
                        if ui.button(example.title).clicked() {
                            self.queue.push(Command::OpenExample(index));
                        }
                    }
                });
                ui.add_enabled_ui(!self.settings.recent.is_empty(), |ui| {
                    ui.menu_button("Open recent", |ui| {
                        for path in self.settings.recent.clone() {
                            if ui.button(path.display().to_string()).clicked() {
                                self.queue.push(Command::OpenPath(path));
                            }
                        }
                    });
                });
                ui.separator();
                self.menu_item(ui, UiCommand::Save);
                self.menu_item(ui, UiCommand::SaveAs);
                self.menu_item(ui, UiCommand::Revert);
                ui.separator();
                self.menu_item(ui, UiCommand::ExportProject);
                self.menu_item(ui, UiCommand::ExportSvg);
                self.menu_item(ui, UiCommand::CopyMermaid);
                ui.separator();
                self.menu_item(ui, UiCommand::Quit);
            });
            ui.menu_button("Edit", |ui| {
                for command in [UiCommand::Undo, UiCommand::Redo] {
                    self.menu_item(ui, command);
                }
                ui.separator();
                for command in [
                    UiCommand::Cut,
                    UiCommand::Copy,
                    UiCommand::Paste,
                    UiCommand::Duplicate,
                    UiCommand::Delete,
                    UiCommand::SelectAll,
                ] {
                    self.menu_item(ui, command);
                }
                ui.separator();
                self.menu_item(ui, UiCommand::CommandPalette);
            });
            ui.menu_button("View", |ui| {
                for command in [
                    UiCommand::ZoomIn,
                    UiCommand::ZoomOut,
                    UiCommand::ZoomToFit,
                    UiCommand::ZoomReset,
                ] {
                    self.menu_item(ui, command);
                }
                ui.separator();
                let mut grid = self.canvas.show_grid;
                if ui
                    .checkbox(&mut grid, UiCommand::ToggleGrid.name())
                    .clicked()
                {
                    self.queue.push(UiCommand::ToggleGrid);
                }
                let mut minimap = self.canvas.show_minimap;
                if ui
                    .checkbox(&mut minimap, UiCommand::ToggleMinimap.name())
                    .clicked()
                {
                    self.queue.push(UiCommand::ToggleMinimap);
                }
                self.menu_item(ui, UiCommand::ShowProblems);
                self.menu_item(ui, UiCommand::ShowSimulation);
                ui.separator();
                for (choice, command) in [
                    (ThemeChoice::System, UiCommand::ThemeSystem),
                    (ThemeChoice::Dark, UiCommand::ThemeDark),
                    (ThemeChoice::Light, UiCommand::ThemeLight),
                ] {
                    if ui
                        .radio(self.settings.theme == choice, command.name())
                        .clicked()
                    {
                        self.queue.push(command);
                    }
                }
            });
            ui.menu_button("Design", |ui| {
                ui.menu_button("Add node", |ui| {
                    for command in UiCommand::ALL.iter().filter(|c| c.adds().is_some()) {
                        self.menu_item(ui, *command);
                    }
                });
                self.menu_item(ui, UiCommand::TidyUp);
                self.menu_item(ui, UiCommand::RunToggle);
            });
            let label = if self.run.is_running() {
                "■ Stop"
            } else {
                "▶ Run"
            };
            if ui
                .button(label)
                .on_hover_text("Run the design locally on 127.0.0.1 (F5)")
                .clicked()
            {
                self.queue.push(UiCommand::RunToggle);
            }
        });
    }

    fn menu_item(&mut self, ui: &mut egui::Ui, command: UiCommand) {
        let enabled = self.enabled(command);
        ui.add_enabled_ui(enabled, |ui| command_button(ui, &mut self.queue, command));
    }

    fn status_ui(&mut self, ui: &mut egui::Ui) {
        let palette = Palette::of(ui.visuals());
        ui.horizontal(|ui| {
            let file = self.doc.path.as_ref().map_or_else(
                || format!("{} (not saved yet)", self.doc.design.name),
                |p| p.display().to_string(),
            );
            ui.label(RichText::new(file).small());
            ui.separator();
            if self.doc.is_dirty() {
                ui.label(
                    RichText::new("● Unsaved changes")
                        .small()
                        .color(palette.severity(Severity::Warning)),
                );
            } else {
                ui.label(RichText::new("Saved").small().color(palette.text_weak));
            }
            ui.separator();
            let (errors, warnings) = bottom::counts(self.doc.diagnostics());
            let problems = ui.add(
                egui::Button::new(
                    RichText::new(format!(
                        "{} {errors} errors   {} {warnings} warnings",
                        severity_icon(Severity::Error),
                        severity_icon(Severity::Warning)
                    ))
                    .small(),
                )
                .frame(false),
            );
            if problems.on_hover_text("Show the Problems panel").clicked() {
                self.queue.push(UiCommand::ShowProblems);
            }
            if let Some(status) = &self.status {
                ui.separator();
                ui.label(RichText::new(status).small().color(palette.text_weak));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let zoom = ui.add(
                    egui::Button::new(
                        RichText::new(format!("{:.0}%", self.canvas.zoom * 100.0)).small(),
                    )
                    .frame(false),
                );
                if zoom.on_hover_text("Zoom: click for 100%").clicked() {
                    self.queue.push(UiCommand::ZoomReset);
                }
                ui.label(
                    RichText::new(format!(
                        "{} nodes · {} wires",
                        self.doc.design.nodes.len(),
                        self.doc.design.wires.len()
                    ))
                    .small()
                    .color(palette.text_weak),
                );
            });
        });
    }

    fn modal_ui(&mut self, ctx: &egui::Context) {
        let Some(modal) = &self.modal else { return };
        let mut close = false;
        let mut then: Option<Pending> = None;
        let mut save_first = false;
        let mut restore: Option<Recovered> = None;
        let palette = Palette::of(&ctx.global_style().visuals);
        egui::Modal::new(egui::Id::unique("edgewire_modal")).show(ctx, |ui| {
            ui.set_max_width(520.0);
            match modal {
                Modal::LoadError {
                    file,
                    location,
                    message,
                    help,
                } => {
                    ui.heading("This file could not be opened");
                    ui.add_space(4.0);
                    ui.label(RichText::new(file).monospace());
                    if let Some(location) = location {
                        ui.label(RichText::new(location).strong());
                    }
                    ui.colored_label(palette.invalid, message);
                    if let Some(help) = help {
                        ui.label(format!("Help: {help}"));
                    }
                    ui.add_space(4.0);
                    ui.weak("Your current design has not been changed.");
                    ui.add_space(6.0);
                    if ui.button("OK").clicked() {
                        close = true;
                    }
                }
                Modal::Error(message) => {
                    ui.heading("Something went wrong");
                    ui.label(message);
                    if ui.button("OK").clicked() {
                        close = true;
                    }
                }
                Modal::ConfirmDiscard(pending) => {
                    ui.heading("Save changes?");
                    ui.label(format!(
                        "“{}” has unsaved changes. They will be lost if you don't save them.",
                        self.doc.display_name()
                    ));
                    ui.add_space(6.0);
                    ui.horizontal(|ui| {
                        if !matches!(pending, Pending::Revert) && ui.button("Save").clicked() {
                            save_first = true;
                            then = Some(pending.clone());
                        }
                        let discard = if matches!(pending, Pending::Revert) {
                            "Revert"
                        } else {
                            "Don't save"
                        };
                        if ui.button(discard).clicked() {
                            then = Some(pending.clone());
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                }
                Modal::Restore(recovered) => {
                    ui.heading("Restore unsaved changes?");
                    let of = recovered.path.as_ref().map_or_else(
                        || recovered.design.name.clone(),
                        |p| p.display().to_string(),
                    );
                    ui.label(format!("Edgewire closed with unsaved changes to “{of}”."));
                    ui.horizontal(|ui| {
                        if ui.button("Restore").clicked() {
                            restore = Some(recovered.clone());
                        }
                        if ui.button("Discard").clicked() {
                            close = true;
                            if let Some(recovery) = &self.recovery {
                                recovery.clear();
                            }
                        }
                    });
                }
            }
        });
        if let Some(recovered) = restore {
            self.modal = None;
            let mut doc = Document::new(recovered.design, recovered.path);
            doc.mark_dirty();
            self.replace_document(doc);
            return;
        }
        if let Some(pending) = then {
            self.modal = None;
            if !save_first || self.save() {
                self.perform(pending);
            }
            return;
        }
        if close {
            self.modal = None;
        }
    }

    fn command_palette_ui(&mut self, ctx: &egui::Context) {
        let Some(query) = self.command_palette.as_ref().map(|p| p.query.clone()) else {
            return;
        };
        let mut run: Option<Command> = None;
        let mut close = false;
        // Entries: commands (enabled ones), then nodes.
        let mut entries: Vec<(usize, String, Option<String>, Command)> = Vec::new();
        for command in UiCommand::ALL {
            if command == UiCommand::CommandPalette || !self.enabled_for_palette(command) {
                continue;
            }
            let name = command.name();
            if let Some(score) = fuzzy_score(&query, &name) {
                let shortcut = command.shortcut().map(|s| ctx.format_shortcut(&s));
                entries.push((score + 1000, name, shortcut, Command::Ui(command)));
            }
        }
        for node in &self.doc.design.nodes {
            let text = format!("Go to {} ({})", node.id, node.kind.kind().label());
            if let Some(score) = fuzzy_score(&query, &text) {
                entries.push((score, text, None, Command::Reveal(node.id.clone())));
            }
        }
        for (index, example) in EXAMPLES.iter().enumerate() {
            let text = format!("Open example: {}", example.title);
            if let Some(score) = fuzzy_score(&query, &text) {
                entries.push((score, text, None, Command::OpenExample(index)));
            }
        }
        entries.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        entries.truncate(12);
        let (up, down, enter, escape) = ctx.input(|i| {
            (
                i.key_pressed(Key::ArrowUp),
                i.key_pressed(Key::ArrowDown),
                i.key_pressed(Key::Enter),
                i.key_pressed(Key::Escape),
            )
        });
        let Some(state) = &mut self.command_palette else {
            return;
        };
        if down {
            state.highlighted = (state.highlighted + 1).min(entries.len().saturating_sub(1));
        }
        if up {
            state.highlighted = state.highlighted.saturating_sub(1);
        }
        state.highlighted = state.highlighted.min(entries.len().saturating_sub(1));
        let response = egui::Modal::new(egui::Id::unique("command_palette")).show(ctx, |ui| {
            ui.set_width(480.0);
            let edit = ui
                .add(
                    egui::TextEdit::singleline(&mut state.query)
                        .hint_text("Type a command or a node name…")
                        .desired_width(f32::INFINITY),
                )
                .accessible_name("Search commands and nodes");
            if !state.focused {
                edit.request_focus();
                state.focused = true;
            }
            if edit.changed() {
                state.highlighted = 0;
            }
            ui.separator();
            for (index, (_, text, shortcut, command)) in entries.iter().enumerate() {
                let mut button =
                    egui::Button::selectable(index == state.highlighted, text.as_str());
                if let Some(shortcut) = shortcut {
                    button = button.shortcut_text(shortcut.as_str());
                }
                if ui.add_sized([ui.available_width(), 24.0], button).clicked() {
                    run = Some(command.clone());
                }
            }
            if entries.is_empty() {
                ui.weak("Nothing matches.");
            }
        });
        if enter && let Some((_, _, _, command)) = entries.get(state.highlighted) {
            run = Some(command.clone());
        }
        if escape || response.should_close() {
            close = true;
        }
        if let Some(command) = run {
            self.queue.push(command);
            close = true;
        }
        if close {
            self.command_palette = None;
        }
    }

    fn enabled_for_palette(&self, command: UiCommand) -> bool {
        self.enabled(command)
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let marker = if self.doc.is_dirty() { "● " } else { "" };
        let title = format!("{marker}{} — Edgewire", self.doc.display_name());
        if title != self.title {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// The window title (with the unsaved-changes marker).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// End the undo step of a field being typed into once focus moves elsewhere.
    fn end_coalescing(&mut self, ctx: &egui::Context) {
        if self.doc.coalescing().is_some() && self.doc.coalescing() != inspector::coalesce_key(ctx)
        {
            self.doc.end_coalescing();
        }
    }
}

impl eframe::App for EdgewireApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.handle_input(&ctx);
        let now = ctx.input(|i| i.time);
        self.run.poll(now, &self.doc.design);
        if self.run.pending_start && !self.run.is_busy() && !self.run.is_running() {
            self.run.pending_start = false;
            self.run_action(RunAction::Start, &ctx);
        }
        if !self.run.flights.is_empty() || self.run.is_busy() {
            ctx.request_repaint();
        }
        self.canvas.overlay = self.run.overlay(&self.doc.design, now);
        // A newly selected trace: bring the nodes it went through into view.
        if self.run.selected_trace != self.shown_trace {
            self.shown_trace.clone_from(&self.run.selected_trace);
            if let Some(trace) = self.run.selected() {
                let mut nodes: Vec<String> = trace.hops.iter().map(|h| h.node.clone()).collect();
                nodes.dedup();
                self.canvas.show_nodes(nodes);
            }
        }

        egui::Panel::top("menu_bar").show(ui, |ui| self.menu_ui(ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_ui(ui));
        if self.settings.bottom_open {
            egui::Panel::bottom("bottom_panel")
                .resizable(true)
                .default_size(260.0)
                .size_range(60.0..=600.0)
                .show(ui, |ui| {
                    let mut action = None;
                    let run = &mut self.run;
                    let simulation = &mut self.simulation;
                    let design = &self.doc.design;
                    let revision = self.doc.revision();
                    let runtime = self.runtime.as_ref();
                    bottom::ui(
                        ui,
                        &mut self.settings.bottom_tab,
                        self.doc.diagnostics(),
                        &mut self.queue,
                        &mut |ui, tab| match tab {
                            BottomTab::Run => {
                                action = run::ui(ui, run, design, revision, runtime);
                            }
                            BottomTab::Simulation => simulation.ui(ui, design, revision),
                            BottomTab::Problems => {}
                        },
                    );
                    if let Some(action) = action {
                        self.run_action(action, &ctx);
                    }
                });
        }
        egui::Panel::left("palette")
            .resizable(true)
            .default_size(220.0)
            .size_range(160.0..=360.0)
            .show(ui, |ui| palette::ui(ui, &mut self.queue));
        egui::Panel::right("inspector")
            .resizable(true)
            .default_size(300.0)
            .size_range(240.0..=640.0)
            .show(ui, |ui| {
                inspector::ui(
                    ui,
                    &mut self.inspector,
                    &self.doc,
                    &self.selection,
                    &mut self.queue,
                );
            });
        egui::CentralPanel::no_frame().show(ui, |ui| {
            self.canvas
                .ui(ui, &self.doc, &self.selection, &mut self.queue);
        });

        self.modal_ui(&ctx);
        self.command_palette_ui(&ctx);
        let commands = self.queue.take();
        if !commands.is_empty() {
            // What the commands changed is drawn in the next frame.
            ctx.request_repaint();
        }
        for command in commands {
            self.run(command, &ctx);
        }
        self.end_coalescing(&ctx);
        self.stop_if_asked(&ctx);
        self.autosave(&ctx);
        self.update_title(&ctx);
        if self.quit {
            self.quit = false;
            ctx.send_viewport_cmd(ViewportCommand::Close);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }

    fn on_exit(&mut self) {
        if let Some(runtime) = self.runtime.clone() {
            self.run.shutdown(&runtime);
        }
        if self.is_stopping() && self.doc.is_dirty() {
            // Stopped by a signal: the unsaved changes wait in the recovery file.
            return;
        }
        // A clean exit: the user saved or chose to discard, so nothing needs recovering.
        if let Some(recovery) = &self.recovery {
            recovery.clear();
        }
    }
}

/// The reference example as a fresh document.
fn reference_document() -> Document {
    let design = format::parse(examples::reference().text).unwrap_or_else(|err| {
        tracing::error!("the embedded reference example does not load: {err}");
        Design::new("Untitled design")
    });
    Document::new(design, None)
}
