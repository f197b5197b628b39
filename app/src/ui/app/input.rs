//! Keyboard shortcuts, clipboard events, dropped files and the window's close button.

use eframe::egui::{self, Key, KeyboardShortcut, ViewportCommand};

use super::{EdgewireApp, Modal, Pending};
use crate::ui::commands::{Command, Selection, UiCommand};

impl EdgewireApp {
    pub(super) fn handle_input(&mut self, ctx: &egui::Context) {
        if self.modal.is_some() || self.command_palette.is_some() {
            return;
        }
        self.present_input(ctx);
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
            // A folder or a wrangler configuration is a Workers project to import.
            let wrangler = path.is_dir()
                || path.file_name().is_some_and(|n| {
                    edgewire_engine::import::wrangler::is_config_name(&n.to_string_lossy())
                });
            self.queue.push(if wrangler {
                Command::ImportWranglerPath(path)
            } else {
                Command::OpenPath(path)
            });
        }
        if ctx.input(|i| i.viewport().close_requested()) && self.doc.is_dirty() && !self.allow_close
        {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
            self.modal = Some(Modal::ConfirmDiscard(Pending::Quit));
        }
    }
}
