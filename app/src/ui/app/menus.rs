//! The menu bar and the status bar.

use edgewire_engine::validate::Severity;
use eframe::egui::{self, RichText};

use super::EdgewireApp;
use crate::ui::bottom;
use crate::ui::canvas::command_button;
use crate::ui::commands::{Command, UiCommand};
use crate::ui::examples::EXAMPLES;
use crate::ui::theme::{Palette, ThemeChoice, severity_icon};

impl EdgewireApp {
    pub(super) fn menu_ui(&mut self, ui: &mut egui::Ui) {
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
                self.menu_item(ui, UiCommand::ExportPng);
                self.menu_item(ui, UiCommand::CopyMermaid);
                ui.separator();
                self.menu_item(ui, UiCommand::ExportOpenApi);
                self.menu_item(ui, UiCommand::ImportOpenApi);
                self.menu_item(ui, UiCommand::ImportWrangler);
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
                self.menu_item(ui, UiCommand::Present);
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
                self.menu_item(ui, UiCommand::FixAll);
                self.menu_item(ui, UiCommand::QuickFix);
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

    pub(super) fn menu_item(&mut self, ui: &mut egui::Ui, command: UiCommand) {
        let enabled = self.enabled(command);
        ui.add_enabled_ui(enabled, |ui| command_button(ui, &mut self.queue, command));
    }

    pub(super) fn status_ui(&mut self, ui: &mut egui::Ui) {
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
}
