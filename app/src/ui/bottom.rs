//! The bottom panel: tabs for Problems (and, later, Run and Simulation).

use edgewire_engine::Design;
use edgewire_engine::validate::{Diagnostics, Severity};
use eframe::egui::{self, Role, Sense, WidgetInfo};

use super::commands::{Command, CommandQueue};
use super::theme::{Palette, severity_icon};

/// A tab of the bottom panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BottomTab {
    #[default]
    Problems,
    /// The request console and traces of a local run (another issue).
    Run,
    /// Latency and cost estimates (another issue).
    Simulation,
}

impl BottomTab {
    /// The tabs that have content today.
    pub const SHOWN: [BottomTab; 3] = [BottomTab::Problems, BottomTab::Run, BottomTab::Simulation];

    pub fn title(self) -> &'static str {
        match self {
            BottomTab::Problems => "Problems",
            BottomTab::Run => "Run",
            BottomTab::Simulation => "Simulation",
        }
    }
}

pub fn ui(
    ui: &mut egui::Ui,
    tab: &mut BottomTab,
    expanded: &mut bool,
    design: &Design,
    diagnostics: &Diagnostics,
    queue: &mut CommandQueue,
    other: &mut dyn FnMut(&mut egui::Ui, BottomTab),
) {
    let palette = Palette::of(ui.visuals());
    ui.horizontal(|ui| {
        for candidate in BottomTab::SHOWN {
            let title = match candidate {
                BottomTab::Problems => format!("{} ({})", candidate.title(), diagnostics.len()),
                _ => candidate.title().to_owned(),
            };
            if ui.selectable_label(*tab == candidate, title).clicked() {
                *tab = candidate;
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let (text, name, hint) = if *expanded {
                ("⬇", "Restore panel", "Back to the panel's own height")
            } else {
                (
                    "⬆",
                    "Expand panel",
                    "Give the panel most of the window (the map, the charts)",
                )
            };
            if ui
                .small_button(text)
                .accessible_name(name)
                .on_hover_text(hint)
                .clicked()
            {
                *expanded = !*expanded;
            }
        });
    });
    ui.separator();
    match tab {
        BottomTab::Problems => problems_ui(ui, design, diagnostics, queue, &palette),
        BottomTab::Run | BottomTab::Simulation => other(ui, *tab),
    }
}

fn problems_ui(
    ui: &mut egui::Ui,
    design: &Design,
    diagnostics: &Diagnostics,
    queue: &mut CommandQueue,
    palette: &Palette,
) {
    if diagnostics.is_empty() {
        ui.horizontal(|ui| {
            ui.colored_label(egui::Color32::from_rgb(60, 170, 100), "●");
            ui.label("No problems: the design is valid.");
        });
        return;
    }
    let row_height = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
    let rows: Vec<_> = diagnostics.iter().collect();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show_rows(ui, row_height, rows.len(), |ui, range| {
            for index in range {
                let diagnostic = rows[index];
                let mut clickable = None;
                let row = ui.horizontal(|ui| {
                    fix_buttons(ui, design, diagnostic, queue);
                    clickable = Some(ui.cursor().min.x);
                    ui.colored_label(
                        palette.severity(diagnostic.severity),
                        severity_icon(diagnostic.severity),
                    );
                    ui.monospace(diagnostic.code);
                    ui.label(
                        egui::RichText::new(diagnostic.target.to_string()).color(palette.text_weak),
                    );
                    ui.label(&diagnostic.message);
                    if let Some(help) = &diagnostic.help {
                        ui.label(egui::RichText::new(help).italics().color(palette.text_weak));
                    }
                });
                // The row (but not its Fix button) reveals the node the problem is about.
                let mut rect = row.response.rect;
                if let Some(left) = clickable {
                    rect.min.x = left;
                }
                let response =
                    ui.interact(rect, ui.scope_id().with(("problem", index)), Sense::click());
                let label = format!("Problem {}: {}", diagnostic.code, diagnostic.message);
                response.widget_info(|| WidgetInfo::labeled(Role::Button, true, &label));
                if response.hovered() {
                    ui.painter().rect_filled(
                        row.response.rect,
                        3.0,
                        ui.visuals()
                            .widgets
                            .hovered
                            .weak_bg_fill
                            .gamma_multiply(0.5),
                    );
                }
                if response.clicked()
                    && let Some(node) = diagnostic.target.node()
                {
                    queue.push(Command::Reveal(node.to_owned()));
                }
            }
        });
}

/// A problem's fixes: a Fix button for one, a Fix menu for several, a gap for none (so the
/// rows stay aligned). Each fix is one edit, one undo step.
fn fix_buttons(
    ui: &mut egui::Ui,
    design: &Design,
    diagnostic: &edgewire_engine::validate::Diagnostic,
    queue: &mut CommandQueue,
) {
    let fixes = edgewire_engine::validate::fix::fixes(design, diagnostic);
    let apply = |queue: &mut CommandQueue, edit: &edgewire_engine::edit::Edit| {
        queue.push(Command::Edit {
            edit: edit.clone(),
            coalesce: None,
        });
    };
    match fixes.as_slice() {
        [] => {
            ui.add_space(34.0);
        }
        [fix] => {
            if ui
                .small_button("Fix")
                .on_hover_text(&fix.title)
                .accessible_name(format!("Fix {}: {}", diagnostic.code, fix.title))
                .clicked()
            {
                apply(queue, &fix.edit);
            }
        }
        several => {
            ui.menu_button("Fix ▾", |ui| {
                for fix in several {
                    if ui.button(&fix.title).clicked() {
                        apply(queue, &fix.edit);
                        ui.close();
                    }
                }
            });
        }
    }
}

/// "2 errors, 1 warning" for the status bar.
pub fn counts(diagnostics: &Diagnostics) -> (usize, usize) {
    (
        diagnostics.count(Severity::Error),
        diagnostics.count(Severity::Warning),
    )
}
