//! The application: panels, menus, dialogs, and the one place commands are applied.
//!
//! Each frame the panels read the document and push [`Command`]s; after drawing, the app
//! applies them in order ([`EdgewireApp::run`]). Only the app changes the document.
//!
//! This module holds the app's state and its frame; the rest is by concern: `apply`
//! (commands), `file_actions` (open, save, export, recovery), `input` (shortcuts, clipboard,
//! dropped files), `menus` (menu and status bars), `dialogs` (modals, command palette),
//! `present` (presentation mode).

mod apply;
mod dialogs;
mod file_actions;
mod input;
mod menus;
mod present;

use std::path::PathBuf;

use edgewire_engine::Design;
use edgewire_engine::format;
use eframe::egui::{self, ViewportCommand};

use super::bottom::{self, BottomTab};
use super::canvas::CanvasState;
use super::commands::{Command, CommandQueue, Selection};
use super::document::Document;
use super::examples;
use super::files::{self, FileDialogs, Recovered, Recovery};
use super::inspector::{self, InspectorState};
use super::palette;
use super::run::{self, RunAction, RunState};
use super::simulation::SimulationState;
use super::theme::{self, ThemeChoice};

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
// Independent view switches the user sets one by one, not one state machine.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
struct Settings {
    theme: ThemeChoice,
    recent: Vec<PathBuf>,
    show_grid: bool,
    show_minimap: bool,
    bottom_tab: BottomTab,
    bottom_open: bool,
    /// The bottom panel takes most of the window (⬆ on its tab row).
    bottom_expanded: bool,
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
            bottom_expanded: false,
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
    ImportOpenApi,
    /// A folder or configuration to import; `None` asks for a folder.
    ImportWrangler(Option<PathBuf>),
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
    /// Something went wrong.
    Error(String),
    /// Saving failed: the design is still open and unsaved; Save As… picks another place.
    SaveFailed(String),
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
    /// The folder an unsaved imported design's code Worker paths are relative to; saving it
    /// elsewhere rewrites them.
    import_dir: Option<PathBuf>,
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
    /// The generator and quick-fix windows.
    tools: crate::ui::generate::Tools,
    /// Presentation mode, while presenting (View > Present, F11).
    present: Option<crate::ui::present::Presentation>,
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
            import_dir: None,
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
            tools: crate::ui::generate::Tools::default(),
            present: None,
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

    /// Queue paths the scripted file dialogs answer with (tests only use this with
    /// [`files::ScriptedDialogs`]; native dialogs ignore it).
    pub fn set_dialogs(&mut self, dialogs: Box<dyn FileDialogs>) {
        self.dialogs = dialogs;
    }

    /// The text of the message dialog on screen, if any.
    pub fn dialog_text(&self) -> Option<String> {
        match &self.modal {
            Some(
                Modal::LoadError { message, .. }
                | Modal::Error(message)
                | Modal::SaveFailed(message),
            ) => Some(message.clone()),
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

    /// The menu and status bars, the bottom tabs, the palette, the inspector and the canvas.
    fn panels_ui(&mut self, ui: &mut egui::Ui, ctx: &egui::Context) {
        egui::Panel::top("menu_bar").show(ui, |ui| self.menu_ui(ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_ui(ui));
        if self.settings.bottom_open {
            // Expanded, it is a panel of its own, so the height the user dragged stays.
            let panel = if self.settings.bottom_expanded {
                egui::Panel::bottom("bottom_panel_expanded")
                    .exact_size((ui.available_height() * 0.72).max(200.0))
            } else {
                egui::Panel::bottom("bottom_panel")
                    .resizable(true)
                    .default_size(260.0)
                    .size_range(60.0..=600.0)
            };
            panel.show(ui, |ui| {
                let mut action = None;
                let run = &mut self.run;
                let simulation = &mut self.simulation;
                let design = &self.doc.design;
                let revision = self.doc.revision();
                let runtime = self.runtime.as_ref();
                bottom::ui(
                    ui,
                    &mut self.settings.bottom_tab,
                    &mut self.settings.bottom_expanded,
                    design,
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
                    self.run_action(action, ctx);
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

        self.present_overlay(now, &ctx);
        if self.is_presenting() {
            self.present_ui(ui);
        } else {
            self.panels_ui(ui, &ctx);
        }

        self.modal_ui(&ctx);
        self.tools.ui(&ctx, &self.doc.design, &mut self.queue);
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
