//! What the app's kittest files share: the app in a harness of the usual window size.

#![allow(dead_code, reason = "each test file uses what it needs")]

pub mod live;

use edgewire::ui::commands::{Command, Selection, UiCommand};
use edgewire::ui::files::ScriptedDialogs;
use edgewire::ui::{AppOptions, EdgewireApp};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

/// The app with `options` in a 1400x860 window, after its first frames.
pub fn app_with(options: AppOptions, theme: egui::Theme) -> Harness<'static, EdgewireApp> {
    let mut harness = Harness::builder()
        .with_size([1400.0, 860.0])
        .with_theme(theme)
        .with_max_steps(40)
        .build_eframe(move |cc| EdgewireApp::new(cc, options));
    harness.run_ok();
    harness
}

/// The app as it starts (the reference example, no files, no engine), in the dark theme.
pub fn app() -> Harness<'static, EdgewireApp> {
    app_with(AppOptions::headless(), egui::Theme::Dark)
}

/// File > `item`.
pub fn file_menu(harness: &mut Harness<'_, EdgewireApp>, item: &str) {
    harness.get_by_label("File").click();
    harness.run_ok();
    harness.get_by_label(item).click();
    harness.run_ok();
}

/// The app as it starts, with these paths answering its file dialogs.
pub fn app_scripted(dialogs: ScriptedDialogs) -> Harness<'static, EdgewireApp> {
    let mut harness = app();
    harness.state_mut().set_dialogs(Box::new(dialogs));
    harness
}

/// The texts the last frame put on the clipboard.
pub fn copied(harness: &Harness<'_, EdgewireApp>) -> Vec<String> {
    harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|command| match command {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Replace the text of the field labelled `label` with `text`, as a user selecting all of it
/// and typing does.
pub fn retype(harness: &mut Harness<'_, EdgewireApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run_ok();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label(label).type_text(text);
    harness.run_ok();
}

/// The ids of a design's Workers, in the design's order.
pub fn worker_ids(design: &edgewire_engine::Design) -> Vec<&str> {
    design
        .nodes_of_kind(edgewire_engine::Kind::Worker)
        .map(|n| n.id.as_str())
        .collect()
}

/// Reveal node `id`: select it and show its form in the inspector.
pub fn reveal(harness: &mut Harness<'_, EdgewireApp>, id: &str) {
    harness.state_mut().push(Command::Reveal(id.to_owned()));
    harness.run_ok();
}

/// Select node `id` and run `command` on it, as the command palette does.
pub fn run_on(harness: &mut Harness<'_, EdgewireApp>, id: &str, command: UiCommand) {
    harness
        .state_mut()
        .push(Command::Select(Selection::node(id)));
    harness.state_mut().push(command);
    harness.run_ok();
}
