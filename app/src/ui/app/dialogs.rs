//! Dialogs: messages, unsaved changes, restoring a crashed session, and the command palette.

use eframe::egui::{self, Key, RichText};

use super::{EdgewireApp, Modal, Pending};
use crate::ui::commands::{Command, UiCommand, fuzzy_score};
use crate::ui::document::Document;
use crate::ui::examples::EXAMPLES;
use crate::ui::files::Recovered;
use crate::ui::theme::Palette;

impl EdgewireApp {
    pub(super) fn modal_ui(&mut self, ctx: &egui::Context) {
        let Some(modal) = &self.modal else { return };
        let mut close = false;
        let mut then: Option<Pending> = None;
        let mut save_first = false;
        let mut restore: Option<Recovered> = None;
        let mut save_as = false;
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
                Modal::SaveFailed(message) => {
                    ui.heading("The design was not saved");
                    ui.colored_label(palette.invalid, message);
                    ui.label(
                        "It is still open with all your changes, and the file on disk is as it \
                         was. Save it somewhere else, or fix the problem and save again.",
                    );
                    ui.add_space(6.0);
                    ui.horizontal(|ui| {
                        if ui.button("Save As…").clicked() {
                            save_as = true;
                        }
                        if ui.button("Close").clicked() {
                            close = true;
                        }
                    });
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
        if save_as {
            self.modal = None;
            let _ = self.save_as();
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

    pub(super) fn command_palette_ui(&mut self, ctx: &egui::Context) {
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

    pub(super) fn enabled_for_palette(&self, command: UiCommand) -> bool {
        self.enabled(command)
    }
}
