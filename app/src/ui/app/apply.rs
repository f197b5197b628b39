//! Applying commands: the one place the document, the selection and the view change.

use edgewire_engine::edit::Edit;
use edgewire_engine::{Kind, Pos};
use eframe::egui::{self, ViewportCommand};

use super::{EdgewireApp, Modal, PaletteState, Pending};
use crate::ui::bottom::{self, BottomTab};
use crate::ui::commands::{Command, Selection, UiCommand};
use crate::ui::ops;
use crate::ui::run::RunAction;
use crate::ui::theme::ThemeChoice;

impl EdgewireApp {
    pub(super) fn enabled(&self, command: UiCommand) -> bool {
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
            | UiCommand::ExportPng
            | UiCommand::ExportOpenApi
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
            Command::ImportWranglerPath(path) => self.guard(Pending::ImportWrangler(Some(path))),
            Command::OpenExample(index) => self.guard(Pending::OpenExample(index)),
            Command::PasteText { text, at } => self.paste(&text, at),
            Command::SetTheme(choice) => {
                self.settings.theme = choice;
                ctx.set_theme(choice.preference());
            }
            Command::Notify(message) => self.status = Some(message),
            Command::OpenCrud(db) => self.tools.open_crud(&db),
            Command::SetFault { node, fault } => {
                self.run.set_fault(&node, fault);
                self.status = Some(match fault {
                    Some(fault) => format!("{node} is now {} in the local run", fault.label()),
                    None => format!("{node} works again in the local run"),
                });
            }
            Command::Generated {
                edit,
                summary,
                secrets,
            } => self.generated(&edit, summary, &secrets),
        }
        self.prune_selection();
    }

    pub(super) fn run_ui_command(&mut self, command: UiCommand, ctx: &egui::Context) {
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
            UiCommand::ExportPng => self.export_png(),
            UiCommand::ExportOpenApi => self.export_openapi(),
            UiCommand::ImportOpenApi => self.guard(Pending::ImportOpenApi),
            UiCommand::ImportWrangler => self.guard(Pending::ImportWrangler(None)),
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
            UiCommand::FixAll => self.fix_all(),
            UiCommand::AddCrudRoutes
            | UiCommand::CacheAside
            | UiCommand::JwtGateway
            | UiCommand::ReadReplication => self.recipe(command),
            UiCommand::QuickFix => {
                if let Some(message) = self.tools.open_quick_fix(
                    &self.doc.design,
                    self.doc.diagnostics(),
                    &self.selection,
                ) {
                    self.status = Some(message);
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
            UiCommand::Present => self.toggle_present(ctx),
            UiCommand::Add(kind) => self.add_node(kind, None),
        }
    }

    /// Start, stop or restart the engine on the open design. A design with errors does not
    /// start: the Problems tab opens and says why.
    pub(super) fn run_action(&mut self, action: RunAction, ctx: &egui::Context) {
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

    /// Apply an edit; returns whether it applied.
    /// Design > Fix all safe problems: every problem with exactly one remedy, as one undo
    /// step.
    /// A recipe from the menu or the palette, on the selected node (the design's only
    /// gateway for JWT).
    fn recipe(&mut self, command: UiCommand) {
        let selected = self.selection.nodes.iter().next().cloned();
        match crate::ui::generate::recipe_for(&self.doc.design, selected.as_deref(), command) {
            Ok(crate::ui::generate::RecipeAction::OpenCrud(db)) => self.tools.open_crud(&db),
            Ok(crate::ui::generate::RecipeAction::Apply(recipe)) => self.generated(
                &recipe.generated.edit,
                recipe.generated.summary.join("; "),
                &recipe.secrets,
            ),
            Err(message) => self.status = Some(message),
        }
    }

    /// A generator's or recipe's edit, its secrets declared beside the saved design.
    fn generated(
        &mut self,
        edit: &Edit,
        summary: String,
        secrets: &std::collections::BTreeMap<String, String>,
    ) {
        if !self.apply(edit, None) {
            return;
        }
        let mut notes = vec![summary];
        for (name, value) in secrets {
            let declared = self
                .doc
                .path
                .as_deref()
                .map(|path| edgewire_engine::secrets::declare_beside(path, name, value));
            notes.push(match declared {
                Some(Ok(_)) => format!("{name} is in .dev.vars"),
                Some(Err(error)) => format!("declare {name} yourself: {error}"),
                None => format!("save the design, then put {name}={value} in its .dev.vars"),
            });
        }
        let status = notes.join("; ");
        self.status = Some(status);
    }

    fn fix_all(&mut self) {
        let mut fixed = self.doc.design.clone();
        let applied = edgewire_engine::validate::fix::fix_all(&mut fixed);
        if applied.is_empty() {
            self.status = Some("No problem has a fix that needs no choice".to_owned());
            return;
        }
        let count = applied.len();
        let edit = Edit::Batch {
            edits: applied.into_iter().map(|a| a.edit).collect(),
        };
        if self.apply(&edit, None) {
            self.status = Some(format!("Fixed {count} problem(s); Undo brings them back"));
        }
    }

    pub(super) fn apply(&mut self, edit: &Edit, coalesce: Option<u64>) -> bool {
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

    pub(super) fn add_node(&mut self, kind: Kind, pos: Option<Pos>) {
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

    pub(super) fn copy(&mut self, ctx: &egui::Context) {
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

    pub(super) fn paste(&mut self, text: &str, at: Option<Pos>) {
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

    pub(super) fn delete_selection(&mut self) {
        if let Some(edit) = ops::delete_edit(&self.selection.nodes, self.selection.wire.as_ref())
            && self.apply(&edit, None)
        {
            self.selection = Selection::default();
        }
    }

    pub(super) fn prune_selection(&mut self) {
        let design = &self.doc.design;
        self.selection.nodes.retain(|id| design.contains(id));
        if let Some((from, to)) = &self.selection.wire
            && !design.wires.iter().any(|w| w.from == *from && w.to == *to)
        {
            self.selection.wire = None;
        }
    }
}
