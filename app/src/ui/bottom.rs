//! The bottom panel: tabs for Problems (and, later, Run and Simulation).

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
    });
    ui.separator();
    match tab {
        BottomTab::Problems => problems_ui(ui, diagnostics, queue, &palette),
        BottomTab::Run | BottomTab::Simulation => other(ui, *tab),
    }
}

fn problems_ui(
    ui: &mut egui::Ui,
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
                let row = ui.horizontal(|ui| {
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
                let response = ui.interact(
                    row.response.rect,
                    ui.scope_id().with(("problem", index)),
                    Sense::click(),
                );
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

/// "2 errors, 1 warning" for the status bar.
pub fn counts(diagnostics: &Diagnostics) -> (usize, usize) {
    (
        diagnostics.count(Severity::Error),
        diagnostics.count(Severity::Warning),
    )
}
