//! Menus: the node and wire context menus, and the search popup that adds a node.

use edgewire_engine::{Kind, Pos};
use eframe::egui::{self, Id, Key, Order, Pos2, Sense, vec2};

use super::{AddMenu, CanvasState};
use crate::ui::commands::{Command, CommandQueue, UiCommand, fuzzy_score};
use crate::ui::kinds;
use crate::ui::theme::Palette;

impl CanvasState {
    /// Open the search popup that adds a node at a canvas position.
    pub fn open_add_menu(&mut self, at: Pos, screen: Pos2) {
        self.add_menu = Some(AddMenu {
            at,
            screen,
            query: String::new(),
            opened: false,
        });
    }

    pub(super) fn add_menu_ui(&mut self, ui: &egui::Ui, queue: &mut CommandQueue) {
        let Some(menu) = &mut self.add_menu else {
            return;
        };
        let mut close = false;
        let area = egui::Area::new(Id::unique("add_node_menu"))
            .order(Order::Foreground)
            .fixed_pos(menu.screen)
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_width(220.0);
                    ui.label(egui::RichText::new("Add node").strong());
                    let edit = ui
                        .add(
                            egui::TextEdit::singleline(&mut menu.query)
                                .hint_text("Search kinds…")
                                .desired_width(f32::INFINITY),
                        )
                        .accessible_name("Search node kinds");
                    if !menu.opened {
                        edit.request_focus();
                        menu.opened = true;
                    }
                    let mut matches: Vec<(usize, Kind)> = Kind::ALL
                        .iter()
                        .filter_map(|k| fuzzy_score(&menu.query, k.label()).map(|s| (s, *k)))
                        .collect();
                    matches.sort_by_key(|m| std::cmp::Reverse(m.0));
                    let enter = ui.input(|i| i.key_pressed(Key::Enter));
                    for (index, (_, kind)) in matches.iter().enumerate() {
                        let palette = Palette::of(ui.visuals());
                        let clicked = ui
                            .horizontal(|ui| {
                                let (icon, _) =
                                    ui.allocate_exact_size(vec2(18.0, 18.0), Sense::hover());
                                kinds::paint_icon(ui.painter(), icon, *kind, palette.kind(*kind));
                                ui.selectable_label(
                                    index == 0 && !menu.query.is_empty(),
                                    kind.label(),
                                )
                                .clicked()
                            })
                            .inner;
                        if clicked || (enter && index == 0) {
                            queue.push(Command::AddNode {
                                kind: *kind,
                                pos: Some(menu.at),
                            });
                            close = true;
                        }
                    }
                    if matches.is_empty() {
                        ui.weak("No kind matches");
                    }
                });
            });
        if ui.input(|i| i.key_pressed(Key::Escape)) || area.response.clicked_elsewhere() {
            close = true;
        }
        if close {
            self.add_menu = None;
        }
    }
}

/// A menu entry that runs a command, showing its shortcut.
pub fn command_button(ui: &mut egui::Ui, queue: &mut CommandQueue, command: UiCommand) {
    let mut button = egui::Button::new(command.name());
    if let Some(shortcut) = command.shortcut() {
        button = button.shortcut_text(ui.ctx().format_shortcut(&shortcut));
    }
    if ui.add(button).clicked() {
        queue.push(command);
    }
}

pub(super) fn node_menu(
    ui: &mut egui::Ui,
    design: &edgewire_engine::Design,
    id: &str,
    fault: Option<&str>,
    queue: &mut CommandQueue,
) {
    for command in [
        UiCommand::Duplicate,
        UiCommand::Copy,
        UiCommand::Cut,
        UiCommand::Delete,
    ] {
        command_button(ui, queue, command);
    }
    ui.separator();
    command_button(ui, queue, UiCommand::TidyUp);
    command_button(ui, queue, UiCommand::QuickFix);
    crate::ui::generate::recipe_menu(ui, design, id, queue);
    if crate::ui::run::faults::can_fail(design, id) {
        ui.separator();
        fault_menu(ui, id, fault, queue);
    }
}

/// "Fault ▸": make the node slow, failing or down in the local run, or working again.
fn fault_menu(ui: &mut egui::Ui, id: &str, fault: Option<&str>, queue: &mut CommandQueue) {
    use crate::ui::run::faults::{DEFAULT_SLOW_MS, choices};
    let title = match fault {
        Some(fault) => format!("Fault ({fault})"),
        None => "Fault".to_owned(),
    };
    ui.menu_button(title, |ui| {
        for (choice, label) in choices(DEFAULT_SLOW_MS) {
            if ui.button(label).clicked() {
                queue.push(Command::SetFault {
                    node: id.into(),
                    fault: choice,
                });
                ui.close();
            }
        }
    });
}

pub(super) fn wire_menu(ui: &mut egui::Ui, queue: &mut CommandQueue) {
    if ui.button("Delete wire").clicked() {
        queue.push(UiCommand::Delete);
    }
}
